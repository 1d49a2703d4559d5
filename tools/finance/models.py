"""Typed records shared by the finance tools.

Amounts are always :class:`~decimal.Decimal`; a float never touches money. The models
are frozen so that matching code can hash and compare them safely.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BankLine(_Frozen):
    """One line of the bank statement; negative amounts are money out."""

    id: str
    date: date
    description: str
    amount: Decimal


class LedgerEntry(_Frozen):
    """One general-ledger entry, signed like the bank (negative = money out)."""

    id: str
    date: date
    description: str
    amount: Decimal
    ref: str
    entry_type: str = ""


class Claim(_Frozen):
    """One employee expense claim; ``receipt`` names a file under ``receipts/`` or is empty."""

    id: str
    employee: str
    date: date
    merchant: str
    amount: Decimal
    currency: str
    category: str
    receipt: str = ""


MatchKind = Literal["one_to_one", "batch", "amount_mismatch"]


class Match(_Frozen):
    """A reconciled (bank line, ledger entry) pair; a batch gives one row per ledger entry."""

    bank_id: str
    gl_id: str
    kind: MatchKind
    confidence: float
    reason: str


class OffsetPair(_Frozen):
    """Two ledger entries that cancel each other out (e.g. a void and its original)."""

    gl_id_a: str
    gl_id_b: str
    reason: str


class Candidate(_Frozen):
    """An ambiguous or low-confidence match left for a human (or a stronger model)."""

    bank_id: str
    gl_ids: tuple[str, ...]
    confidence: float
    reason: str
    shared_gl_ids: tuple[str, ...] = ()
    """Entries also offered to another bank line (a symmetric tie). They are counted
    under that line, so every id stays in one bucket, but the reviewer sees them here."""
    residual: Decimal | None = None
    """Set on a partly booked batch line: its certain members are already in the
    matches, and this is the part of the bank amount the offered entries must explain."""


class ReconResult(BaseModel):
    """Everything the matching engine decided, plus what it refused to decide."""

    matches: list[Match]
    offsetting: list[OffsetPair]
    unmatched_bank: list[str]
    unmatched_gl: list[str]
    candidates: list[Candidate]

    def residuals(self) -> dict[str, Decimal]:
        """Partly booked bank lines: the part of each amount still awaiting review."""
        return {c.bank_id: c.residual for c in self.candidates if c.residual is not None}
