"""Valid records with every field a test does not care about filled in.

A test then names only the fields it is about, and the long constructor calls (a registry
row has eight required fields, a claim seven) are written once rather than in every test
that needs one. Shared by the unit and reliability tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from baton.registry import RunRecord
from baton.tools.finance.models import Claim
from baton.tools.finance.policy import Breach
from baton.tools.finance.receipts import ReceiptRecord

WHEN = "2026-01-01T00:00:00+00:00"
M = TypeVar("M", bound=BaseModel)

RUN = {
    "id": "run-1",
    "scenario": "research-brief",
    "status": "awaiting_review",
    "created_at": WHEN,
    "updated_at": WHEN,
    "input_path": ".",
    "output_dir": ".",
    "review_mode": "always",
}
"""A registry row for a research-brief run awaiting an ``always`` review."""
CLAIM = {
    "id": "C-9",
    "employee": "Owen",
    "date": date(2026, 10, 10),
    "merchant": "Laithwaites",
    "amount": Decimal("64.00"),
    "currency": "GBP",
    "category": "alcohol",
}
"""Owen's claim for £64.00 of wine, which policy 5.1 forbids."""
BREACH = {
    "claim_id": "C-9",
    "rule_id": "forbidden.alcohol",
    "kind": "forbidden_category",
    "message": "category 'alcohol' is not reimbursable",
    "clause": "5.1 Alcohol is not reimbursed",
}
"""The breach ``CLAIM`` makes (rule 5.1, alcohol)."""
RECEIPT = {
    "merchant": "Ryman",
    "date": "2026-10-15",
    "total": "68.40",
    "currency": "GBP",
    "tax": "11.40",
}
"""What the model read off a Ryman receipt for £68.40."""


def _filled(model: type[M], defaults: dict[str, Any], fields: dict[str, Any]) -> M:
    return model.model_validate({**defaults, **fields})


def run_record(**fields: Any) -> RunRecord:
    """``RUN`` with ``fields`` changed."""
    return _filled(RunRecord, RUN, fields)


def claim(**fields: Any) -> Claim:
    """``CLAIM`` with ``fields`` changed."""
    return _filled(Claim, CLAIM, fields)


def receipt(**fields: Any) -> ReceiptRecord:
    """``RECEIPT`` with ``fields`` changed."""
    return _filled(ReceiptRecord, RECEIPT, fields)


def breach(**fields: Any) -> Breach:
    """``BREACH`` with ``fields`` changed."""
    return _filled(Breach, BREACH, fields)
