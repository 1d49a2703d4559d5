"""The matcher's tolerances (:class:`MatchParams`) and the claim result model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CHEQUE_TYPES = frozenset({"check", "cheque", "chk", "chq"})

REVERSAL_TYPES = frozenset(
    {"void", "reversal", "reverse", "nsf", "return", "returned", "chargeback"}
)

TRANSFER_TYPES = frozenset(
    {
        "transfer",
        "bank transfer",
        "funds transfer",
        "internal transfer",
        "transfer funds",
        "virement",
        "transfert",
        "transfert de fonds",
    }
)
"""Entry types that move money between the business's own accounts (QuickBooks
"Transfer", Xero "Bank Transfer", Sage 50 "Transfer Funds", QuickBooks en français
"Virement"), compared with accents folded off."""

MAX_DECIMALS = 6

EdgeKind = Literal["exact", "fee", "transposed", "fx"]


class MatchParams(BaseModel):
    """Tolerances of the matcher; defaults suit a business current account in one currency.

    Scores: 0.4 amount + 0.2 date + 0.4 names, plus 0.25 for a reference found in the
    bank text, minus penalties. A perfect exact match scores 1.0 (1.25 with its invoice
    number in the bank text, so that a reference outweighs a mere name); an exact amount
    on the right day with an uninformative bank text (``DEPOSIT``) scores 0.8.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_days: int = Field(
        2, ge=0, description="business days a bank line may precede its ledger entry"
    )
    lag_days: int = Field(
        10, ge=1, description="business days a bank line may follow its ledger entry"
    )
    reversal_lead_days: int = Field(
        5,
        ge=0,
        description="business days a returned or reversed bank item may precede its ledger entry",
    )
    cheque_lag_days: int = Field(
        120, ge=0, description="calendar days a cheque may take to clear when its number matches"
    )
    holidays: tuple[date, ...] = Field((), description="bank holidays, for business-day lags")
    infer_holidays: bool = Field(
        True,
        description=(
            "also treat weekdays a busy statement posts like a weekend as bank holidays"
            " (a calendar of the wrong country, or none)"
        ),
    )
    fee_abs: Decimal = Field(
        Decimal("50.00"), ge=0, description="flat part of the netted-fee tolerance"
    )
    fee_rel: Decimal = Field(
        Decimal("0.035"), ge=0, lt=1, description="proportional part of the netted-fee tolerance"
    )
    fee_max_share: Decimal = Field(
        Decimal("0.15"),
        gt=0,
        lt=1,
        description="a netted fee is never more than this share of the amount",
    )
    allow_transposition: bool = Field(
        True, description="consider ledger amounts with two digits swapped"
    )
    accept_score: float = Field(0.6, gt=0, le=1, description="lowest score that may be booked")
    candidate_score: float = Field(0.35, ge=0, le=1, description="lowest score shown for review")
    ambiguity_margin: float = Field(
        0.1, ge=0, le=1, description="how far a booked edge must beat every rival edge"
    )
    max_assignment_cells: int = Field(
        40_000,
        ge=1,
        description="largest competing group solved exactly; larger ones are booked greedily",
    )
    weak_name: float = Field(0.5, ge=0, le=1, description="below this the names disagree")
    strong_name: float = Field(0.8, ge=0, le=1, description="from this the names agree")
    offset_penalty: float = Field(
        0.3, ge=0, le=1, description="score lost by a ledger entry that a reversal cancels"
    )
    max_batch_size: int = Field(
        12,
        ge=2,
        le=20,
        description=(
            "most ledger entries in one batch deposit: a slip of a working week's cheques"
            " often holds nine or ten, and the chance guard, not this cap, keeps a large"
            " subset from booking by coincidence"
        ),
    )
    batch_lead_days: int = Field(
        0, ge=0, description="business days a batch may precede its entries"
    )
    batch_lag_days: int = Field(4, ge=0, description="business days a batch may follow its entries")
    slip_week_days: int = Field(
        6,
        ge=0,
        description=(
            "business days a deposit's receipts may precede it when the open deposits are"
            " settled together (a working week's receipts and a day's delay in paying in)"
        ),
    )
    batch_sweep_days: int = Field(
        7,
        ge=0,
        description=(
            "business days a deposit slip may reach back when it holds every open receipt"
            " of a run of days (a working week's receipts deposited after a weekend or holiday)"
        ),
    )
    batch_pool_limit: int = Field(
        24, ge=2, le=30, description="open entries searched per batch line"
    )
    batch_max_chance: float = Field(
        0.03, ge=0, description="largest expected number of chance subsets for a batch to book"
    )
    batch_noise_chance: float = Field(
        0.2,
        ge=0,
        description="another subset sum at least this likely by chance does not block a batch",
    )
    offset_window_days: int = Field(
        95, ge=0, description="calendar days between two offsetting entries"
    )
    base_currency: str = Field(
        "USD", min_length=3, max_length=3, description="currency of the bank"
    )
    fx_rates: dict[str, Decimal] = Field(
        default_factory=dict, description="units of base currency per unit of a claim currency"
    )
    fx_tolerance_rel: Decimal = Field(
        Decimal("0.05"), ge=0, lt=1, description="spread allowed on a converted claim amount"
    )
    fx_spread_rel: Decimal = Field(
        Decimal("0.03"),
        ge=0,
        lt=1,
        description=(
            "largest share by which a bank's conversion may cost more than the rate a"
            " ledger memo states (retail foreign-exchange spreads are 1-3%)"
        ),
    )


class ClaimMatch(BaseModel):
    """Which bank line paid an expense claim; ``bank_id`` is None when none was safe to pick."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: str
    bank_id: str | None
    confidence: float
    reason: str
