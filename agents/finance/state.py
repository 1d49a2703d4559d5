"""The state of the expense-reconciliation scenario, and typed views of it.

Why here, beside the agents: the agents are typed on it and the graph routes on it, so it
lives in the lower layer both import (graphs import agents, never the reverse). The state
holds only JSON-able data so that it checkpoints cleanly and a run resumed in another
process, days later, sees exactly the numbers the paused one saw. Money is stored as
strings (pydantic's JSON mode writes ``Decimal`` that way) and turned back into
``Decimal`` by the typed accessors below: a float never touches an amount.

Every producer (extraction, matching, anomaly, compliance) writes its exceptions under
its own key, so a node that re-runs replaces its own rows instead of appending twice.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.context import RunContext
from baton.tools.finance.models import BankLine, Claim, LedgerEntry, ReconResult
from baton.tools.finance.policy import ExpensePolicy
from baton.tools.finance.report import ReportException

EXCEPTION_KEYS = (
    "extraction_exceptions",
    "policy_exceptions",
    "matching_exceptions",
    "anomaly_exceptions",
)
"""State keys holding exception rows, in the order the review packet lists them."""


class State(TypedDict, total=False):
    request: dict[str, Any]
    # input (validated by load_input)
    folder: str
    bank: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    receipt_files: list[dict[str, Any]]
    vendors: list[str]
    policy: dict[str, Any]
    policy_dir: str | None
    collection: str
    max_report_rounds: int
    # extraction
    receipts: list[dict[str, Any]]
    has_receipt: dict[str, bool]
    extraction_exceptions: list[dict[str, Any]]
    # matching
    recon: dict[str, Any]
    claim_matches: list[dict[str, Any]]
    matching_exceptions: list[dict[str, Any]]
    # anomaly and compliance
    anomaly_exceptions: list[dict[str, Any]]
    policy_exceptions: list[dict[str, Any]]
    # reporting and its critic
    figures: dict[str, Any]
    summary_md: str
    narrative: str
    report_rounds: int
    report_issues: list[str]
    report_issue_history: list[list[str]]
    repair_notes: list[str]
    # review
    review: dict[str, Any]
    edit_errors: list[str]
    outputs: Annotated[list[str], operator.add]
    artefacts: dict[str, str]
    audit: AuditLog
    injection_flags: InjectionLog


def hosted(ctx: RunContext) -> bool:
    """True when a stronger, faster endpoint is configured (``model.provider: openai``).

    The embedded 135M model takes seconds per call on a laptop CPU and is often wrong,
    so agents spend model calls generously only on a hosted endpoint and sparingly
    (small caps, verified answers, deterministic fallbacks) everywhere else.
    """
    return ctx.settings.model.provider == "openai"


# --- typed views of the state ----------------------------------------------------------


def bank_lines(state: Mapping[str, Any]) -> list[BankLine]:
    return [BankLine.model_validate(row) for row in state.get("bank", [])]


def ledger_entries(state: Mapping[str, Any]) -> list[LedgerEntry]:
    return [LedgerEntry.model_validate(row) for row in state.get("ledger", [])]


def claims_of(state: Mapping[str, Any]) -> list[Claim]:
    return [Claim.model_validate(row) for row in state.get("claims", [])]


def policy_of(state: Mapping[str, Any]) -> ExpensePolicy:
    return ExpensePolicy.model_validate(state["policy"])


def recon_of(state: Mapping[str, Any]) -> ReconResult:
    return ReconResult.model_validate(state["recon"])


def holidays_of(state: Mapping[str, Any], policy: ExpensePolicy) -> dict[date, str]:
    """Public holidays for every year the month's rows touch (ledger history included)."""
    years = {
        int(str(row["date"])[:4])
        for key in ("bank", "ledger", "claims")
        for row in state.get(key, [])
    }
    return policy.holiday_calendar(sorted(years) or [date.today().year])


# --- evidence and exception rows ---------------------------------------------------------


def bank_text(line: BankLine) -> str:
    return f"{line.date.isoformat()} {line.description} {line.amount}"


def ledger_text(entry: LedgerEntry) -> str:
    return f"{entry.date.isoformat()} {entry.description} {entry.amount} ({entry.ref})"


def claim_text(claim: Claim) -> str:
    receipt = f", receipt {claim.receipt}" if claim.receipt else ", no receipt"
    return (
        f"{claim.date.isoformat()} {claim.employee}: {claim.merchant} {claim.amount} "
        f"{claim.currency} ({claim.category}{receipt})"
    )


def evidence(source: str, row_id: str, text: str) -> dict[str, str]:
    """One evidence row as the packet shows it (same shape as the anomaly detector's)."""
    return {"source": source, "id": row_id, "text": text[:300]}


def ledger_evidence(
    ids: Iterable[str], by_bank: Mapping[str, BankLine], by_gl: Mapping[str, LedgerEntry]
) -> list[dict[str, str]]:
    """Evidence rows for bank or ledger ids, looked up by id (unknown ids are skipped).

    Takes the id indexes rather than the lists: it is called once per exception, and
    indexing a 10,000-line month on every call made the matching node quadratic.
    """
    rows: list[dict[str, str]] = []
    for row_id in ids:
        if row_id in by_bank:
            rows.append(evidence("bank", row_id, bank_text(by_bank[row_id])))
        elif row_id in by_gl:
            rows.append(evidence("ledger", row_id, ledger_text(by_gl[row_id])))
    return rows


def exception_row(
    exc: ReportException,
    source: str,
    *,
    evidence_rows: Sequence[Mapping[str, str]] = (),
    suggested_action: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """A report exception as plain data, with what a reviewer needs to decide on it."""
    row = exc.model_dump(mode="json")
    row["detail"] = row.pop("message")
    row.update(
        source=source,
        evidence=[dict(e) for e in evidence_rows],
        suggested_action=suggested_action,
        **extra,
    )
    return row


def to_report_exception(row: Mapping[str, Any]) -> ReportException:
    amount = row.get("amount")
    return ReportException(
        id=row["id"],
        kind=row["kind"],
        severity=row["severity"],
        amount=Decimal(str(amount)) if amount not in (None, "") else None,
        message=row["detail"],
        refs=list(row.get("refs", [])),
    )


def report_issue_rows(issues: Sequence[str]) -> list[dict[str, Any]]:
    """Arithmetic problems the reporting critic could not resolve, as exceptions."""
    return [
        exception_row(
            ReportException(
                id=f"EXC-report-{n}", kind="report_arithmetic", severity="high", message=issue
            ),
            "reporting",
            suggested_action="check the reconciliation before sign-off; reject to redo the report",
        )
        for n, issue in enumerate(issues, 1)
    ]


def all_exceptions(
    state: Mapping[str, Any], *, include_report: bool = True
) -> list[dict[str, Any]]:
    """Every exception of the run, each id once, in packet order."""
    rows: dict[str, dict[str, Any]] = {}
    for key in EXCEPTION_KEYS:
        for row in state.get(key, []):
            rows.setdefault(row["id"], row)
    if include_report:
        for row in report_issue_rows(state.get("report_issues", [])):
            rows.setdefault(row["id"], row)
    return list(rows.values())


_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def quoted_numbers(text: str) -> set[Decimal]:
    """Every number written in ``text``, normalised so that 40, 40.0 and 40.00 are equal.

    Agents use it to verify model prose: a sentence may only quote numbers that appear
    in the facts it was given, so a misremembered amount sends it to the fallback.
    """
    return {Decimal(m.replace(",", "")).normalize() for m in _NUMBER.findall(text)}
