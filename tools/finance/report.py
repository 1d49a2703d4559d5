"""Monthly reconciliation figures, their arithmetic check, and the Markdown summary.

The reporting agent writes only the narrative. Every figure in the summary is computed
here in Decimal from the reconciliation result, and :func:`check_arithmetic` proves the
figures add up (each side partitions into matched, unmatched, offsetting and pending
rows) before the critic lets the report through.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from baton.tools.finance.anomaly import Anomaly
from baton.tools.finance.models import BankLine, Candidate, Claim, LedgerEntry, Match, ReconResult
from baton.tools.finance.policy import Breach

ZERO = Decimal(0)
Severity = Literal["low", "medium", "high"]


class ReportException(BaseModel):
    """One row of the exceptions table, whatever produced it (matching, anomaly, policy)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: str
    severity: Severity
    amount: Decimal | None = None
    message: str
    refs: list[str] = Field(default_factory=list)


class SideFigures(BaseModel):
    """One side (bank or ledger), split into buckets that must add back to the whole."""

    model_config = ConfigDict(extra="forbid")

    count: int
    money_in: Decimal
    money_out: Decimal
    net: Decimal
    matched_count: int
    matched_total: Decimal
    unmatched_count: int
    unmatched_total: Decimal
    offset_count: int = 0
    offset_total: Decimal = ZERO
    pending_count: int = 0
    pending_total: Decimal = ZERO


class SummaryFigures(BaseModel):
    """Every number the monthly summary shows; the narrative may quote, never compute, these."""

    model_config = ConfigDict(extra="forbid")

    currency: str
    period_start: date | None
    period_end: date | None
    bank: SideFigures
    ledger: SideFigures
    match_count: int
    amount_mismatch_count: int
    matched_difference: Decimal
    candidate_count: int
    exceptions_count: int
    exceptions_total: Decimal
    exceptions_by_severity: dict[str, int]
    unknown_ids: list[str] = Field(default_factory=list)


def _side(
    amounts: Mapping[str, Decimal],
    matched: Iterable[str],
    unmatched: Iterable[str],
    offset: Iterable[str],
    pending: Iterable[str],
    unknown: list[str],
) -> SideFigures:
    """Count and total each bucket; ids missing from ``amounts`` are recorded, not guessed."""

    def bucket(ids: Iterable[str]) -> tuple[int, Decimal]:
        listed = list(ids)
        unknown.extend(i for i in listed if i not in amounts)
        return len(listed), sum((amounts[i] for i in listed if i in amounts), ZERO)

    values = list(amounts.values())
    matched_count, matched_total = bucket(matched)
    unmatched_count, unmatched_total = bucket(unmatched)
    offset_count, offset_total = bucket(offset)
    pending_count, pending_total = bucket(pending)
    return SideFigures(
        count=len(values),
        money_in=sum((v for v in values if v > 0), ZERO),
        money_out=sum((v for v in values if v < 0), ZERO),
        net=sum(values, ZERO),
        matched_count=matched_count,
        matched_total=matched_total,
        unmatched_count=unmatched_count,
        unmatched_total=unmatched_total,
        offset_count=offset_count,
        offset_total=offset_total,
        pending_count=pending_count,
        pending_total=pending_total,
    )


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def build_summary(
    bank: Sequence[BankLine],
    ledger: Sequence[LedgerEntry],
    recon: ReconResult,
    exceptions: Sequence[ReportException],
    *,
    currency: str = "GBP",
    period: tuple[date, date] | None = None,
) -> SummaryFigures:
    """Compute the month's figures from the reconciliation result, in Decimal.

    ``period`` defaults to the bank statement's first date up to the last date of any
    row reported: the statement starts the month, the ledger may carry earlier
    outstanding items (before the start), and ledger rows after the last bank line (a
    month-end entry that clears next month) are reported, so the period must include
    them: a summary of 31 October rows never says "to 30 October".

    A bank line (or ledger entry) that appears in more than one bucket is counted in each,
    so an inconsistent reconciliation shows up in :func:`check_arithmetic` rather than
    being silently repaired here.
    """
    unknown: list[str] = []
    matched_bank = _unique(m.bank_id for m in recon.matches)
    matched_gl = _unique(m.gl_id for m in recon.matches)
    offset_gl = _unique(gl for pair in recon.offsetting for gl in (pair.gl_id_a, pair.gl_id_b))
    placed_bank = {*matched_bank, *recon.unmatched_bank}
    placed_gl = {*matched_gl, *recon.unmatched_gl, *offset_gl}
    # A partly booked batch line awaits review for its residual: it is counted as
    # pending, and only its booked part (what its matched entries explain) as matched.
    residuals = {b: r for b, r in recon.residuals().items() if b in matched_bank}
    matched_bank = [b for b in matched_bank if b not in residuals]
    pending_bank = _unique(
        [*residuals, *(c.bank_id for c in recon.candidates if c.bank_id not in placed_bank)]
    )
    pending_gl = _unique(gl for c in recon.candidates for gl in c.gl_ids if gl not in placed_gl)

    bank_side = _side(
        {b.id: b.amount for b in bank},
        matched_bank,
        recon.unmatched_bank,
        [],
        pending_bank,
        unknown,
    )
    booked_part = sum(
        (line.amount - residuals[line.id] for line in bank if line.id in residuals), ZERO
    )
    bank_side = bank_side.model_copy(
        update={
            "matched_total": bank_side.matched_total + booked_part,
            "pending_total": bank_side.pending_total - booked_part,
        }
    )
    ledger_side = _side(
        {e.id: e.amount for e in ledger},
        matched_gl,
        recon.unmatched_gl,
        offset_gl,
        pending_gl,
        unknown,
    )
    severities = Counter(e.severity for e in exceptions)
    dates = [b.date for b in bank] or [e.date for e in ledger]
    first = min(dates, default=None)
    last = max([*dates, *(e.date for e in ledger)], default=None)
    start, end = period or (first, last)
    return SummaryFigures(
        currency=currency,
        period_start=start,
        period_end=end,
        bank=bank_side,
        ledger=ledger_side,
        match_count=len(recon.matches),
        amount_mismatch_count=len(
            _unique(m.bank_id for m in recon.matches if m.kind == "amount_mismatch")
        ),
        matched_difference=bank_side.matched_total - ledger_side.matched_total,
        candidate_count=len(recon.candidates),
        exceptions_count=len(exceptions),
        exceptions_total=sum((abs(e.amount) for e in exceptions if e.amount is not None), ZERO),
        exceptions_by_severity={
            level: severities.get(level, 0) for level in ("high", "medium", "low")
        },
        unknown_ids=_unique(unknown),
    )


def check_arithmetic(figures: SummaryFigures) -> list[str]:
    """Every way the figures fail to reconcile; empty means the report may go out.

    The reporting critic sends the report back when this is non-empty, so each message
    says which identity broke and by how much.
    """
    problems: list[str] = []

    def same(label: str, left: Decimal | int, right: Decimal | int) -> None:
        if left != right:
            problems.append(f"{label}: {left} != {right} (difference {left - right})")

    for name, side in (("bank", figures.bank), ("ledger", figures.ledger)):
        same(f"{name} money in + money out = net", side.money_in + side.money_out, side.net)
        same(
            f"{name} matched + unmatched + offsetting + pending rows = all rows",
            side.matched_count + side.unmatched_count + side.offset_count + side.pending_count,
            side.count,
        )
        same(
            f"{name} matched + unmatched + offsetting + pending totals = net",
            side.matched_total + side.unmatched_total + side.offset_total + side.pending_total,
            side.net,
        )
        if side.money_in < 0 or side.money_out > 0:
            problems.append(f"{name}: money in must be >= 0 and money out <= 0")
    same(
        "matched difference = bank matched total - ledger matched total",
        figures.matched_difference,
        figures.bank.matched_total - figures.ledger.matched_total,
    )
    if figures.amount_mismatch_count == 0 and figures.matched_difference != 0:
        problems.append(
            f"matched totals differ by {figures.matched_difference} "
            "but no match is an amount mismatch"
        )
    same(
        "exceptions by severity = exception count",
        sum(figures.exceptions_by_severity.values()),
        figures.exceptions_count,
    )
    if figures.unknown_ids:
        problems.append(
            f"reconciliation names ids that are in neither file: {', '.join(figures.unknown_ids)}"
        )
    return problems


# --- exceptions from each producer ------------------------------------------------------


def exceptions_from_recon(
    recon: ReconResult, bank: Sequence[BankLine], ledger: Sequence[LedgerEntry]
) -> list[ReportException]:
    """Unmatched rows, amount mismatches and ambiguous candidates as exception rows."""
    bank_by_id = {b.id: b for b in bank}
    gl_by_id = {e.id: e for e in ledger}
    rows: list[ReportException] = []
    sides: tuple[
        tuple[list[str], Mapping[str, BankLine | LedgerEntry], str, str, str, str], ...
    ] = (
        (
            recon.unmatched_bank,
            bank_by_id,
            "bank",
            "unmatched_bank",
            "bank line",
            "no ledger entry for {}",
        ),
        (
            recon.unmatched_gl,
            gl_by_id,
            "gl",
            "unmatched_ledger",
            "ledger entry",
            "not on the bank statement: {}",
        ),
    )
    for ids, rows_by_id, prefix, kind, noun, phrase in sides:
        for row_id in ids:
            row = rows_by_id.get(row_id)
            text = f"{row.date} {row.description}" if row else f"unknown {noun}"
            rows.append(
                ReportException(
                    id=f"EXC-{prefix}-{row_id}",
                    kind=kind,
                    severity="medium",
                    amount=row.amount if row else None,
                    message=phrase.format(text),
                    refs=[row_id],
                )
            )
    seen: set[str] = set()
    for match in recon.matches:
        if match.kind != "amount_mismatch" or match.bank_id in seen:
            continue
        seen.add(match.bank_id)
        line, entry = bank_by_id.get(match.bank_id), gl_by_id.get(match.gl_id)
        difference = line.amount - entry.amount if line and entry else None
        rows.append(
            ReportException(
                id=f"EXC-diff-{match.bank_id}",
                kind="amount_mismatch",
                severity="high",
                amount=difference,
                message=match.reason,
                refs=[match.bank_id, match.gl_id],
            )
        )
    for candidate in recon.candidates:
        line = bank_by_id.get(candidate.bank_id)
        rows.append(
            ReportException(
                id=f"EXC-cand-{candidate.bank_id}",
                kind="ambiguous_match",
                severity="low",
                # A partly booked batch line is an exception for its residual only.
                amount=candidate.residual
                if candidate.residual is not None
                else line.amount
                if line
                else None,
                message=candidate.reason,
                refs=[candidate.bank_id, *candidate.gl_ids],
            )
        )
    return rows


def exception_from_anomaly(anomaly: Anomaly) -> ReportException:
    """An anomaly as an exception row; its id is kept so review decisions stay attached."""
    return ReportException(
        id=anomaly.id,
        kind=anomaly.kind,
        severity=anomaly.severity,
        message=anomaly.message,
        refs=[row.id for row in anomaly.evidence],
    )


def exception_from_breach(breach: Breach, claim: Claim) -> ReportException:
    """A policy breach as an exception row; forbidden items and missing receipts rank high."""
    severity: Severity = (
        "high" if breach.kind in ("forbidden_category", "missing_receipt") else "medium"
    )
    return ReportException(
        id=f"EXC-{claim.id}-{breach.rule_id}",
        kind=breach.kind,
        severity=severity,
        amount=claim.amount,
        message=breach.message,
        refs=[claim.id],
    )


# --- Markdown ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _fmt(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{currency} {amount:,.2f}"


def render_summary_md(
    figures: SummaryFigures,
    exceptions: Sequence[ReportException],
    narrative: str,
    *,
    title: str | None = None,
) -> str:
    """The monthly summary: computed figures, exceptions table, then the agent's narrative.

    Figures come only from ``figures``; the narrative is placed under its own heading so
    a reader can tell computed facts from written commentary.
    """
    cur = figures.currency
    b, g = figures.bank, figures.ledger
    period = (
        f"{figures.period_start.isoformat()} to {figures.period_end.isoformat()}"
        if figures.period_start and figures.period_end
        else "no dated rows"
    )
    lines = [
        f"# {title or 'Monthly reconciliation summary'}",
        "",
        f"Period: {period}. All amounts in {cur}; figures are computed, not written by the model.",
        "",
        "## Figures",
        "",
        "| | Bank | Ledger |",
        "|---|---:|---:|",
        f"| Rows | {b.count} | {g.count} |",
        f"| Money in | {_fmt(b.money_in, cur)} | {_fmt(g.money_in, cur)} |",
        f"| Money out | {_fmt(b.money_out, cur)} | {_fmt(g.money_out, cur)} |",
        f"| Net | {_fmt(b.net, cur)} | {_fmt(g.net, cur)} |",
        f"| Matched | {b.matched_count} / {_fmt(b.matched_total, cur)} "
        f"| {g.matched_count} / {_fmt(g.matched_total, cur)} |",
        f"| Unmatched | {b.unmatched_count} / {_fmt(b.unmatched_total, cur)} "
        f"| {g.unmatched_count} / {_fmt(g.unmatched_total, cur)} |",
        f"| Offsetting (voids) | — | {g.offset_count} / {_fmt(g.offset_total, cur)} |",
        f"| Pending review | {b.pending_count} / {_fmt(b.pending_total, cur)} "
        f"| {g.pending_count} / {_fmt(g.pending_total, cur)} |",
        "",
        f"Matches: {figures.match_count} ({figures.amount_mismatch_count} with an amount "
        f"difference, net {_fmt(figures.matched_difference, cur)}); "
        f"ambiguous candidates: {figures.candidate_count}.",
        "",
        "## Exceptions",
        "",
    ]
    severity = figures.exceptions_by_severity
    lines.append(
        f"{figures.exceptions_count} exception(s): {severity.get('high', 0)} high, "
        f"{severity.get('medium', 0)} medium, "
        f"{severity.get('low', 0)} low; amounts involved {_fmt(figures.exceptions_total, cur)}."
    )
    if exceptions:
        lines += ["", "| ID | Kind | Severity | Amount | Detail |", "|---|---|---|---:|---|"]
        order = {"high": 0, "medium": 1, "low": 2}
        for row in sorted(exceptions, key=lambda e: (order[e.severity], e.kind, e.id)):
            lines.append(
                f"| {_cell(row.id)} | {_cell(row.kind)} | {row.severity} "
                f"| {_fmt(row.amount, cur)} | {_cell(row.message)} |"
            )
    lines += ["", "## Commentary", "", narrative.strip() or "_No commentary._", ""]
    return "\n".join(lines)


def figure_facts(figures: SummaryFigures) -> str:
    """The figures a commentary may quote, as short lines for the model's prompt."""
    cur = figures.currency
    severity = figures.exceptions_by_severity
    lines = [f"Period: {figures.period_start} to {figures.period_end}; currency {cur}."]
    for name, side in (("Bank", figures.bank), ("Ledger", figures.ledger)):
        lines.append(
            f"{name}: {side.count} rows, net {side.net}; matched {side.matched_count}"
            f" ({side.matched_total}); unmatched {side.unmatched_count} ({side.unmatched_total});"
            f" pending review {side.pending_count}."
        )
    lines.append(
        f"Exceptions: {figures.exceptions_count} ({severity.get('high', 0)} high,"
        f" {severity.get('medium', 0)} medium, {severity.get('low', 0)} low)."
    )
    return "\n".join(lines)


def fallback_commentary(figures: SummaryFigures) -> str:
    """A plain commentary from the figures alone, used whenever the model's is unusable."""
    b, g = figures.bank, figures.ledger
    text = (
        f"{b.matched_count} of {b.count} bank lines and {g.matched_count} of {g.count} ledger"
        f" entries are matched; {b.unmatched_count} bank lines and {g.unmatched_count} ledger"
        f" entries are unmatched and {b.pending_count + g.pending_count} rows await review."
    )
    if figures.exceptions_count:
        text += f" {figures.exceptions_count} exceptions were raised for review."
    else:
        text += " There are no exceptions."
    return text


def repair_partition(
    recon: ReconResult, bank_ids: Iterable[str], gl_ids: Iterable[str]
) -> tuple[ReconResult, list[str]]:
    """Put every bank and ledger id in exactly one bucket, dropping what names unknown ids.

    Priority is matches, then offsetting pairs, then candidates; whatever is left over is
    unmatched. Returns the repaired result and one note per kind of repair made.
    """
    banks, gls = set(bank_ids), set(gl_ids)
    notes: list[str] = []
    matches: list[Match] = []
    used_gl: set[str] = set()
    for m in recon.matches:
        if m.bank_id in banks and m.gl_id in gls and m.gl_id not in used_gl:
            matches.append(m)
            used_gl.add(m.gl_id)
    if len(matches) != len(recon.matches):
        notes.append(
            f"dropped {len(recon.matches) - len(matches)} match rows naming unknown"
            " or already matched ids"
        )
    matched_bank = {m.bank_id for m in matches}
    partly = {b for b in recon.residuals() if b in matched_bank}
    offsetting = []
    for pair in recon.offsetting:
        if {pair.gl_id_a, pair.gl_id_b} <= gls - used_gl and pair.gl_id_a != pair.gl_id_b:
            offsetting.append(pair)
            used_gl |= {pair.gl_id_a, pair.gl_id_b}
    candidates: list[Candidate] = []
    for cand in recon.candidates:
        open_gl = tuple(g for g in cand.gl_ids if g in gls and g not in used_gl)
        if cand.bank_id in partly:
            # The residual of a partly booked line stays, even with nothing left to offer.
            candidates.append(cand.model_copy(update={"gl_ids": open_gl}))
            partly.discard(cand.bank_id)
            used_gl.update(open_gl)
        elif cand.bank_id in banks and cand.bank_id not in matched_bank and open_gl:
            candidates.append(cand.model_copy(update={"gl_ids": open_gl, "residual": None}))
            matched_bank.add(cand.bank_id)  # placed: pending review
            used_gl.update(open_gl)
    unmatched_bank = sorted(banks - matched_bank)
    unmatched_gl = sorted(gls - used_gl)
    if unmatched_bank != sorted(recon.unmatched_bank) or unmatched_gl != sorted(recon.unmatched_gl):
        notes.append("rebuilt the unmatched lists so every id is in exactly one bucket")
    repaired = ReconResult(
        matches=matches,
        offsetting=offsetting,
        unmatched_bank=unmatched_bank,
        unmatched_gl=unmatched_gl,
        candidates=candidates,
    )
    return repaired, notes
