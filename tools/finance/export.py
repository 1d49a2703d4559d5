"""The reconciliation's output files as text, computed before anything is written.

Publishing writes them atomically only once every file's text exists, so a failure
leaves nothing half-written. Every cell goes through ``safe_cell``: descriptions come
from bank statements and receipts, and a cell such as ``=HYPERLINK(...)`` must stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from baton.csvsafe import safe_cell
from baton.tools.finance.models import BankLine, LedgerEntry, ReconResult


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text whose cells cannot run as spreadsheet formulas (``safe_cell``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def output_files(
    bank_lines: Sequence[BankLine],
    ledger_entries: Sequence[LedgerEntry],
    recon: ReconResult,
    exceptions: Sequence[Mapping[str, Any]],
    summary: str,
) -> dict[str, str]:
    """Every output file's text, computed before anything is written."""
    bank = {b.id: b for b in bank_lines}
    ledger = {e.id: e for e in ledger_entries}
    pending_bank = {c.bank_id: c.reason for c in recon.candidates}
    pending_gl = {g: f"candidate for {c.bank_id}" for c in recon.candidates for g in c.gl_ids}
    bank_rows = [(i, "unmatched", "") for i in recon.unmatched_bank]
    residuals = recon.residuals()
    bank_rows += [
        # A partly booked batch line is listed with what is still to explain.
        (i, "partly_booked", r) if i in residuals else (i, "pending_review", r)
        for i, r in pending_bank.items()
        if i not in recon.unmatched_bank
    ]
    placed_gl = set(recon.unmatched_gl) | {m.gl_id for m in recon.matches}
    gl_rows = [(i, "unmatched", "") for i in recon.unmatched_gl]
    gl_rows += [(i, "pending_review", r) for i, r in pending_gl.items() if i not in placed_gl]
    return {
        "matches.csv": csv_text(
            ("bank_id", "gl_id", "kind", "confidence", "reason"),
            ((m.bank_id, m.gl_id, m.kind, f"{m.confidence:.3f}", m.reason) for m in recon.matches),
        ),
        "offsetting.csv": csv_text(
            ("gl_id_a", "gl_id_b", "reason"),
            ((p.gl_id_a, p.gl_id_b, p.reason) for p in recon.offsetting),
        ),
        "unmatched_bank.csv": csv_text(
            ("id", "date", "description", "amount", "status", "reason"),
            (
                (i, bank[i].date.isoformat(), bank[i].description, str(bank[i].amount), s, r)
                for i, s, r in bank_rows
                if i in bank
            ),
        ),
        "unmatched_gl.csv": csv_text(
            ("id", "date", "description", "amount", "ref", "status", "reason"),
            (
                (
                    i,
                    ledger[i].date.isoformat(),
                    ledger[i].description,
                    str(ledger[i].amount),
                    ledger[i].ref,
                    s,
                    r,
                )
                for i, s, r in gl_rows
                if i in ledger
            ),
        ),
        "exceptions.csv": csv_text(
            (
                "id",
                "kind",
                "severity",
                "amount",
                "detail",
                "decision",
                "decided_by",
                "note",
                "refs",
                "citation",
                "explanation",
                "suggested_action",
            ),
            (
                (
                    e["id"],
                    e["kind"],
                    e["severity"],
                    e.get("amount"),
                    e["detail"],
                    e["decision"],
                    e["decided_by"],
                    e["note"],
                    " ".join(e.get("refs", [])),
                    e.get("citation"),
                    e.get("explanation"),
                    e.get("suggested_action"),
                )
                for e in exceptions
            ),
        ),
        "summary.md": summary,
    }
