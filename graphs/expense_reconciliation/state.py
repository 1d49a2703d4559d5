"""State and input of the expense-reconciliation scenario.

The state holds only JSON-able data so that it checkpoints cleanly and a run resumed in
another process, days later, sees exactly the numbers the paused one saw. Money is
stored as strings (pydantic's JSON mode writes ``Decimal`` that way) and turned back
into ``Decimal`` by the typed accessors below: a float never touches an amount.

Every producer (extraction, matching, anomaly, compliance) writes its exceptions under
its own key, so a node that re-runs replaces its own rows instead of appending twice.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.configs import CONFIG_DIR
from baton.context import RunContext
from baton.errors import InputError
from baton.tools.finance.io import load_month
from baton.tools.finance.models import BankLine, Claim, LedgerEntry, ReconResult
from baton.tools.finance.policy import ExpensePolicy, load_policy
from baton.tools.finance.report import ReportException

POLICY_FILE = CONFIG_DIR / "expense_policy.yaml"
POLICY_COLLECTION = "finance-policy"
MAX_REPORT_ROUNDS = 3
EXCEPTION_KEYS = (
    "extraction_exceptions",
    "policy_exceptions",
    "matching_exceptions",
    "anomaly_exceptions",
)
"""State keys holding exception rows, in the order the review packet lists them."""


class ExpenseRequest(BaseModel):
    """The request that starts a reconciliation: the month folder (on the server's disk)."""

    model_config = ConfigDict(extra="forbid")

    folder: str = Field(min_length=1, description="month folder with bank.csv and ledger.csv")


class ExpenseInput(TypedDict):
    """Agent Server input schema (validated as :class:`ExpenseRequest` by the first node)."""

    folder: str


def expand(request: ExpenseRequest) -> dict[str, Any]:
    return load_input(Path(request.folder))


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


def load_input(path: Path) -> dict[str, Any]:
    """Validate the month folder and the policy, then return the initial state.

    ``bank.csv`` and ``ledger.csv`` are required; ``claims.csv``, ``vendors.csv`` and
    ``receipts/`` are optional. A ``policy/`` sub-folder, if present, is ingested into
    the ``finance-policy`` collection by the compliance agent; without one the
    collection must have been ingested beforehand (``baton ingest``). Any problem
    raises an :class:`InputError` naming file, line and column before anything runs.
    """
    if not path.exists():
        raise InputError(path, "no such folder")
    if not path.is_dir():
        raise InputError(path, "expected a month folder with bank.csv and ledger.csv")
    policy = load_policy(POLICY_FILE)
    month = load_month(path, date_order=policy.input_date_order)
    policy_dir = path / "policy"
    return {
        "folder": str(path.resolve()),
        "bank": [line.model_dump(mode="json") for line in month.bank],
        "ledger": [entry.model_dump(mode="json") for entry in month.ledger],
        "claims": [claim.model_dump(mode="json") for claim in month.claims],
        "receipt_files": [receipt.model_dump(mode="json") for receipt in month.receipts],
        "vendors": list(month.vendors),
        "policy": policy.model_dump(mode="json"),
        "policy_dir": str(policy_dir.resolve()) if policy_dir.is_dir() else None,
        "collection": POLICY_COLLECTION,
        "max_report_rounds": MAX_REPORT_ROUNDS,
    }


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
