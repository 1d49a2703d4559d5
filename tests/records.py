"""Valid records with every field a test does not care about filled in.

A test then names only the fields it is about, and the long constructor calls (a registry
row has eight required fields, a claim seven) are written once rather than in every test
that needs one. Shared by the unit and reliability tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from baton.registry import RunRecord
from baton.tools.finance.models import Claim
from baton.tools.finance.policy import Breach

WHEN = "2026-01-01T00:00:00+00:00"


def run_record(**fields: Any) -> RunRecord:
    """A registry row for a research-brief run awaiting an ``always`` review, with ``fields``."""
    return RunRecord.model_validate(
        {
            "id": "run-1",
            "scenario": "research-brief",
            "status": "awaiting_review",
            "created_at": WHEN,
            "updated_at": WHEN,
            "input_path": ".",
            "output_dir": ".",
            "review_mode": "always",
            **fields,
        }
    )


def claim(**fields: Any) -> Claim:
    """An expense claim (by default Owen's £64.00 of wine, C-9, which policy 5.1 forbids)."""
    return Claim.model_validate(
        {
            "id": "C-9",
            "employee": "Owen",
            "date": date(2026, 10, 10),
            "merchant": "Laithwaites",
            "amount": Decimal("64.00"),
            "currency": "GBP",
            "category": "alcohol",
            **fields,
        }
    )


def breach(**fields: Any) -> Breach:
    """A policy breach (by default the one ``claim()`` makes: rule 5.1, alcohol)."""
    return Breach.model_validate(
        {
            "claim_id": "C-9",
            "rule_id": "forbidden.alcohol",
            "kind": "forbidden_category",
            "message": "category 'alcohol' is not reimbursable",
            "clause": "5.1 Alcohol is not reimbursed",
            **fields,
        }
    )
