"""The report as the approver reads it and as it is sent: Markdown rendered by code.

Code renders the headings, the figure tables, the status lines and the citations; only
each section's commentary comes from the drafter. The approval binds to the SHA-256 of
exactly this text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baton.csvsafe import safe_cell
from baton.tools.compliance.models import Figure


def cite(chunk: str | None) -> str:
    return f"Source: [cite: {chunk}]" if chunk else "Source: none found in the reviewed texts"


def section_text(prose: str, chunk: str | None) -> str:
    """A section's checked body: the commentary and its code-attached clause citation."""
    return f"{prose.strip()}\n\n{cite(chunk)}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_report(
    obligations: Mapping[str, Any],
    clauses: Sequence[Mapping[str, Any]],
    figures: Mapping[str, Mapping[str, Any]],
    sections: Mapping[str, str],
    clause_chunks: Mapping[str, str | None],
    breaches: Sequence[Mapping[str, Any]],
    gaps: Sequence[Sequence[str]],
) -> str:
    broken = {b["clause"]: b for b in breaches}
    lines = [
        f"# {obligations['report_title']}",
        "",
        f"{obligations['firm']} · period {obligations['period_start']} to"
        f" {obligations['period_end']} · prepared by {obligations['preparer']}",
        "",
        "## Summary",
        "",
        "| Clause | Section | Status |",
        "| --- | --- | --- |",
    ]
    for clause in clauses:
        b = broken.get(clause["id"])
        status = (
            f"not met: {b['figure']} is {b['actual']} (required {b['expected']})" if b else "met"
        )
        lines.append(f"| {clause['id']} | {_cell(clause['section'])} | {status} |")
    for clause in clauses:
        cid = clause["id"]
        lines += ["", f"## {clause['section']} ({cid})", "", f"*{clause['title']}*", ""]
        lines += [section_text(sections.get(cid, ""), clause_chunks.get(cid)), ""]
        lines += ["| Figure | Value | Basis |", "| --- | --- | --- |"]
        for fid in clause["figures"]:
            fig = Figure.model_validate(figures[fid])
            basis = fig.gap or f"{fig.file}, {len(fig.rows)} rows"
            lines.append(f"| {_cell(fig.label)} | {fig.text()} | {_cell(basis)} |")
    if gaps:
        lines += ["", "## Data gaps", ""]
        lines += [f"- {cid}: {gap}" for cid, gap in gaps]
    return "\n".join(lines) + "\n"


def evidence_rows(figures: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """``evidence.csv``: every figure with its provenance (spreadsheet-safe cells)."""
    rows = [["figure", "label", "value", "unit", "file", "rows", "formula", "gap"]]
    for fid in sorted(figures):
        fig = Figure.model_validate(figures[fid])
        rows.append(
            [
                safe_cell(v)
                for v in (
                    fig.id,
                    fig.label,
                    "" if fig.value is None else f"{fig.value}",
                    fig.unit,
                    fig.file,
                    ";".join(fig.rows),
                    fig.formula,
                    fig.gap or "",
                )
            ]
        )
    return rows
