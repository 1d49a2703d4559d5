"""Input of the expense-reconciliation scenario: the month folder and the start request.

Its state, which the agents read and write, is ``agents/finance/state.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from baton.configs import CONFIG_DIR
from baton.errors import InputError
from baton.tools.finance.io import load_month
from baton.tools.finance.policy import load_policy

POLICY_FILE = CONFIG_DIR / "expense_policy.yaml"
POLICY_COLLECTION = "finance-policy"
MAX_REPORT_ROUNDS = 3


class ExpenseRequest(BaseModel):
    """The request that starts a reconciliation: the month folder (on the server's disk)."""

    model_config = ConfigDict(extra="forbid")

    folder: str = Field(min_length=1, description="month folder with bank.csv and ledger.csv")


class ExpenseInput(TypedDict):
    """Agent Server input schema (validated as :class:`ExpenseRequest` by the first node)."""

    folder: str


def expand(request: ExpenseRequest) -> dict[str, Any]:
    return load_input(Path(request.folder))


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
