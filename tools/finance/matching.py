"""Bank-to-ledger reconciliation: the deterministic matching engine.

Precision comes first. A false match is booked and hides an error until an auditor
finds it; a missed match only waits in the review queue. So the engine books a pair
only when the evidence is strong *and* no rival explanation comes close, and it
explains everything else as a :class:`~tools.finance.models.Candidate` for a human.

Stages, each working only on what the previous ones left:

1. **Edges.** Every plausible (bank line, ledger entry) pair is scored from the amount
   (exact, a small fee netted by the bank, or two digits transposed), the clearing lag
   in business days, the counterparty names and references (cheque and invoice
   numbers). Entries that a void or reversal in the same ledger cancels are demoted.
2. **One-to-one, exact amounts.** Competing edges form groups; in each group the best
   assignment is solved exactly (``scipy.optimize.linear_sum_assignment``) and an edge
   books only if forbidding it costs the assignment more than a margin. Near-ties
   therefore block each other instead of being guessed.
3. **Batches.** A bank line still open may be a deposit of several ledger entries: a
   meet-in-the-middle subset-sum search over nearby open entries books it only if one
   subset fits, a chance fit is unlikely, and no other open bank line wants its members.
4. **One-to-one again**, now with fees and transpositions: an exact sum of several
   entries beats an approximate single amount, and batches may have removed rivals.
5. **Offsetting pairs.** Open ledger entries that cancel each other (a void and its
   cheque, a reversal and the wrong payment, an accrual and its reversal).
6. **Candidates.** What remains with some evidence goes to review; the rest is
   unmatched (bank fees, interest, outstanding cheques, deposits in transit...).

Decisions worth knowing:

- *Transposed digits* (bank 1,234.00, ledger 1,243.00) book as ``amount_mismatch`` only
  when the reference appears in the bank text or the names agree strongly, and nothing
  else explains either record; otherwise they are a candidate. The bank is presumed
  right: the reason tells the bookkeeper to correct the ledger.
- *Netted fees* only ever reduce what reaches the bank (a wire fee on either side), are
  bounded by a flat plus proportional tolerance and a share of the amount, and also
  need agreeing names or a reference.
- *Names that disagree* never book on an equal amount, except an amount to the cent,
  posted within three business days, with no rival at all (brand-family descriptors
  such as ``HAMPTON INN`` for a Hilton stay).
- *Bank charges and interest* only match ledger entries that book a bank charge, on
  (nearly) the same date.

Everything is indexed by amount and date, so the work grows with the number of
records times the (small) number of same-amount records nearby, never n².
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import linear_sum_assignment

from baton.errors import InputError
from baton.tools.finance.models import (
    BankLine,
    Candidate,
    Claim,
    LedgerEntry,
    Match,
    MatchKind,
    OffsetPair,
    ReconResult,
)
from baton.tools.finance.normalize import (
    DescriptionFeatures,
    describe,
    name_similarity,
    normalize_ref,
    ref_in_text,
)

_CHEQUE_TYPES = frozenset({"check", "cheque", "chk", "chq"})
_REVERSAL_TYPES = frozenset(
    {"void", "reversal", "reverse", "nsf", "return", "returned", "chargeback"}
)
_MAX_DECIMALS = 6

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
        8, ge=2, le=20, description="most ledger entries in one batch deposit"
    )
    batch_lead_days: int = Field(
        0, ge=0, description="business days a batch may precede its entries"
    )
    batch_lag_days: int = Field(4, ge=0, description="business days a batch may follow its entries")
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


class ClaimMatch(BaseModel):
    """Which bank line paid an expense claim; ``bank_id`` is None when none was safe to pick."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: str
    bank_id: str | None
    confidence: float
    reason: str


@dataclass(slots=True)
class _Rec:
    """A bank line or ledger entry reduced to what matching compares."""

    id: str
    units: int
    day: int
    bday: int
    feat: DescriptionFeatures
    ref: str = ""
    cheque_no: str | None = None
    ref_cheque: str | None = None
    """A number in ``ref`` that may be the cheque number of a payment of any entry type."""
    is_cheque: bool = False
    reversal: bool = False
    display_amount: Decimal = Decimal(0)
    origin: DescriptionFeatures | None = None
    """For a reversal, the features of the entry it reverses (found by reference)."""
    items: int | None = None
    """How many items a deposit line says it holds (``REMOTE DEPOSIT 4 ITEMS``)."""


@dataclass(slots=True)
class _Edge:
    b: int
    g: int
    kind: EdgeKind
    score: float
    bookable: bool
    lag: int
    sim: float | None
    ref_hit: bool
    note: str = ""
    sole: bool = False
    """Bookable only if no other edge touches either end (names disagree)."""


@dataclass(slots=True)
class _State:
    """Which records are still open, shared by the stages."""

    bank_open: set[int]
    gl_open: set[int]
    matches: list[Match] = field(default_factory=list)


class _Scale:
    """Converts Decimal money to exact integers in the finest unit present in the input."""

    def __init__(self, amounts: Iterable[Decimal]) -> None:
        places = 2
        for amount in amounts:
            exponent = amount.as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, min(_MAX_DECIMALS, -exponent))
        self.places = places

    def units(self, amount: Decimal) -> int:
        return int(amount.scaleb(self.places).to_integral_value())


class _BusinessDays:
    """Business-day ordinals, so a Friday-to-Monday clearing counts as one day."""

    def __init__(self, days: Iterable[date], holidays: tuple[date, ...]) -> None:
        unique = sorted(set(days))
        if unique:
            counts = np.busday_count(
                np.datetime64("1900-01-01", "D"),
                np.array(unique, dtype="datetime64[D]"),
                holidays=np.array(holidays, dtype="datetime64[D]"),
            )
            self._ordinal = {d: int(c) for d, c in zip(unique, counts, strict=True)}
        else:
            self._ordinal = {}

    def __getitem__(self, day: date) -> int:
        return self._ordinal[day]


def _check_ids(records: Sequence[BankLine | LedgerEntry | Claim], what: str) -> None:
    """Ids are how every result refers to a record, so they must be unique per input."""
    seen: set[str] = set()
    for position, record in enumerate(records, start=1):
        if record.id in seen:
            raise InputError(what, f"duplicate id {record.id!r}", line=position, column="id")
        seen.add(record.id)


def _check_amounts(records: Iterable[BankLine | LedgerEntry | Claim], what: str) -> None:
    for position, record in enumerate(records, start=1):
        if not record.amount.is_finite():
            raise InputError(
                what, f"amount of {record.id!r} is not a number", line=position, column="amount"
            )


def _bank_rec(line: BankLine, scale: _Scale, bdays: _BusinessDays) -> _Rec:
    feat = describe(line.description)
    # Only money out can be one of our cheques; "MOBILE CHECK DEPOSIT" is a customer's.
    paid_cheque = feat.mentions_cheque and line.amount < 0
    return _Rec(
        id=line.id,
        units=scale.units(line.amount),
        day=line.date.toordinal(),
        bday=bdays[line.date],
        feat=feat,
        cheque_no=feat.cheque_no if paid_cheque else None,
        is_cheque=paid_cheque,
        reversal=feat.reversal,
        display_amount=line.amount,
        items=_item_count(line.description),
    )


_ITEMS = re.compile(r"\b(\d{1,2})\s*(?:ITEMS?|ITMS?|CHECKS|CHEQUES)\b", re.IGNORECASE)


def _item_count(text: str) -> int | None:
    """The item count a deposit line prints; remote-capture deposits usually do."""
    found = _ITEMS.search(text)
    return int(found.group(1)) if found and int(found.group(1)) >= 1 else None


_REPLACEMENT = re.compile(r"\b(?:REPLACE[SD]?|REPLACEMENT|REPLACING|RE-?ISSUE[SD]?|RE-?ISSUE OF)\b")
_REPLACED_CHEQUE = re.compile(
    r"(?:VOID(?:ED)?|REPLACE[SD]?|REPLACEMENT\s+FOR|REPLACING|RE-?ISSUE\s+OF)\s+"
    r"(?:VOID(?:ED)?\s+)?(?:CHECK|CHK|CHEQUE|CHQ|CK)\s*#?\s*(\d{3,10})"
    r"|(?:CHECK|CHK|CHEQUE|CHQ|CK)\s*#?\s*(\d{3,10})\s*\(?,?\s*VOID(?:ED)?"
)
_CHEQUE_NUMBERS = re.compile(r"\b(?:CHECK|CHK|CHEQUE|CHQ|CK)\s*(?:NO\.?\s*|#\s*)?(\d{3,10})\b")


def _own_cheque_number(text: str) -> str | None:
    """The cheque number a ledger text gives for *this* payment.

    Convention of void-and-reissue: the replacement's memo names the cheque it replaces
    ("replaces voided check 1050", "Reissue of check 1050 (voided)"). That number is the
    voided cheque's, so it is skipped; any other cheque number in the text is this one.
    """
    upper = text.upper()
    replaced = {a or b for a, b in _REPLACED_CHEQUE.findall(upper)}
    for number in _CHEQUE_NUMBERS.findall(upper):
        if number not in replaced:
            return number.lstrip("0") or "0"
    return None


def _ledger_rec(entry: LedgerEntry, scale: _Scale, bdays: _BusinessDays) -> _Rec:
    feat = describe(entry.description)
    kind = entry.entry_type.strip().lower()
    ref = normalize_ref(entry.ref)
    # A replacement cheque is a new payment, not a reversal, even though its memo says
    # "voided" about the cheque it replaces.
    replacement = _REPLACEMENT.search(entry.description.upper()) is not None
    reversal = kind in _REVERSAL_TYPES or (feat.reversal and not replacement)
    cheque_no = _own_cheque_number(entry.description) if feat.cheque_no else None
    # An entry typed as a cheque is one; an untyped entry that names a cheque is one of
    # ours only if money goes out ("Receipt - Oak Dental chk 1881" is a customer's).
    is_cheque = kind in _CHEQUE_TYPES or (cheque_no is not None and kind == "" and entry.amount < 0)
    if kind in _CHEQUE_TYPES and ref.isdigit():
        cheque_no = ref.lstrip("0") or "0"
    # Accounting software keeps the cheque number in the entry's number/ref field
    # whatever the entry is called ("Bill payment", "Expense", "Payment"), so a
    # numeric ref on money out may be the number of a cheque: it links to a cheque
    # line printing the same number, and to nothing else.
    # The same holds for a number the memo labels as a cheque ("Acme chk 6301").
    ref_cheque = None
    if entry.amount < 0 and not reversal:
        if cheque_no is not None:
            ref_cheque = cheque_no
        elif ref.isdigit() and 3 <= len(ref.lstrip("0")) <= 10:
            ref_cheque = ref.lstrip("0")
    return _Rec(
        id=entry.id,
        units=scale.units(entry.amount),
        day=entry.date.toordinal(),
        bday=bdays[entry.date],
        feat=feat,
        ref=entry.ref,
        cheque_no=cheque_no if is_cheque else None,
        ref_cheque=ref_cheque,
        is_cheque=is_cheque,
        reversal=reversal,
        display_amount=entry.amount,
    )


def _claim_rec(
    claim: Claim, scale: _Scale, bdays: _BusinessDays, params: MatchParams
) -> tuple[_Rec, bool]:
    """A claim as a pseudo ledger entry (money out); the flag says the amount is converted."""
    amount = -claim.amount
    converted = claim.currency.upper() != params.base_currency.upper()
    if converted:
        rate = params.fx_rates.get(claim.currency.upper())
        amount = amount * rate if rate is not None else Decimal(0)
    feat = describe(claim.merchant)
    return (
        _Rec(
            id=claim.id,
            units=scale.units(amount),
            day=claim.date.toordinal(),
            bday=bdays[claim.date],
            feat=feat,
            display_amount=claim.amount,
        ),
        converted,
    )


def _transpositions(units: int) -> list[int]:
    """Amounts that differ from ``units`` by one swap of two adjacent unequal digits."""
    sign = -1 if units < 0 else 1
    digits = str(abs(units))
    found: list[int] = []
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1] and not (i == 0 and digits[i + 1] == "0"):
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            found.append(sign * int(swapped))
    return found


class _Scorer:
    """Scores one (bank, ledger) edge; returns None when the pair is impossible."""

    def __init__(self, params: MatchParams, scale: _Scale) -> None:
        self.p = params
        self.places = scale.places
        self.unit = 10**scale.places
        self.fee_abs_units = scale.units(params.fee_abs)
        # Integer parts per million: exact, and far cheaper than Decimal in the hot loop.
        self._rel_ppm = int(params.fee_rel * 1_000_000)
        self._share_ppm = int(params.fee_max_share * 1_000_000)

    def fee_tolerance(self, ledger_units: int) -> int:
        """Largest fee the bank may have netted: flat plus proportional, capped by a share.

        The cap stops a $50 wire fee from explaining a $20 difference on a $30 card
        purchase, which would only manufacture rivals for exact matches.
        """
        size = abs(ledger_units)
        return min(
            self.fee_abs_units + size * self._rel_ppm // 1_000_000,
            size * self._share_ppm // 1_000_000,
        )

    def date_score(self, b: _Rec, g: _Rec, cheque_hit: bool) -> tuple[float, int] | None:
        """Plausibility of the clearing lag in business days, or None outside the window.

        Most items clear within two business days of booking; each further day makes
        the pair less likely, and a bank line before its ledger entry (late booking)
        much less likely still. A cheque whose number matches may take months.
        """
        p = self.p
        lag = b.bday - g.bday
        # A return or reversal is usually booked from the statement that reports it,
        # so the books may learn of it days after the bank posted it.
        lead = p.reversal_lead_days if b.reversal and g.reversal else p.lead_days
        if lag < -lead:
            return None
        if cheque_hit and b.day - g.day <= p.cheque_lag_days:
            return 1.0, lag
        if lag > p.lag_days:
            return None
        if b.feat.bank_originated:
            # Bank charges are booked from the statement, on the statement's date.
            return {0: 1.0, 1: 0.4, -1: 0.4}.get(lag, 0.1), lag
        if lag < 0:
            return 0.6 ** (-lag), lag
        return 0.85 ** max(0, lag - 2), lag

    def score(self, b: _Rec, g: _Rec, kind: EdgeKind) -> _Edge | None:
        p = self.p
        if b.cheque_no and g.cheque_no and b.cheque_no != g.cheque_no:
            return None  # two different cheques can never be the same payment
        if g.cheque_no and not b.is_cheque:
            return None  # a numbered cheque clears as a cheque, not as a card or ACH line
        if b.feat.bank_originated and not g.feat.mentions_bank:
            return None  # a bank fee or interest line is only matched by an entry booking one
        cheque_hit = b.cheque_no is not None and b.cheque_no in (g.cheque_no, g.ref_cheque)
        dated = self.date_score(b, g, cheque_hit)
        if dated is None:
            return None
        date_s, lag = dated
        # "SERVICE CHARGE" and "Bank charges" name the same payee, the bank itself.
        sim = None if b.feat.bank_originated else name_similarity(b.feat, g.feat)
        if g.origin is not None and b.reversal and sim is not None:
            sim = max(sim, name_similarity(b.feat, g.origin) or 0.0)
        ref_hit = cheque_hit or (bool(g.ref) and ref_in_text(g.ref, b.feat))
        note = ""
        if kind == "exact":
            amount_s = 1.0
        elif kind == "fee":
            fee = abs(g.units - b.units)
            gross = g.units if abs(g.units) > abs(b.units) else b.units
            amount_s = 0.4 - 0.3 * fee / max(1, self.fee_tolerance(gross))
            shown = Decimal(fee).scaleb(-self.places)
            if abs(g.units) > abs(b.units) and g.units > 0:
                note = f"fee of {shown} netted by the bank"
            elif abs(g.units) > abs(b.units):
                note = f"fee of {shown} included in the ledger amount, charged apart by the bank"
            elif b.units > 0:
                note = f"bank shows the gross, the ledger {shown} less (fee charged apart)"
            else:
                note = f"fee of {shown} debited with the payment"
        elif kind == "transposed":
            amount_s = 0.3
            note = "two digits transposed (the ledger amount is likely mistyped)"
        else:
            amount_s = 0.7
            note = "amount converted from the claim currency"
        name_s = 0.5 if sim is None else sim
        score = 0.4 * amount_s + 0.2 * date_s + 0.4 * name_s + (0.25 if ref_hit else 0.0)
        if g.reversal != b.reversal:
            score -= 0.15
        if b.is_cheque and not g.is_cheque and not cheque_hit:
            score -= 0.1
        score = max(0.0, score)
        sole = False
        if ref_hit:
            bookable = True
        elif sim is not None and sim < p.weak_name:
            # Names disagree. An amount to the cent, posted within days, with no rival
            # at all is still near-certain (card networks print brand-family names such
            # as HAMPTON INN for a Hilton stay); a round amount or any rival is not.
            bookable = kind == "exact" and b.units % self.unit != 0 and 0 <= lag <= 3
            sole = bookable
            if bookable:
                score = min(score, p.accept_score + 0.05)
        elif kind != "exact":
            bookable = sim is not None and sim >= p.strong_name
        else:
            bookable = True
        if not bookable:
            score = min(score, p.accept_score - 0.01)
        return _Edge(-1, -1, kind, score, bookable, lag, sim, ref_hit, note, sole)


class _LedgerIndex:
    """Ledger entries indexed by exact amount and, for range look-ups, sorted by amount."""

    def __init__(self, gl: Sequence[_Rec]) -> None:
        self.by_units: dict[int, list[int]] = defaultdict(list)
        for i, rec in enumerate(gl):
            self.by_units[rec.units].append(i)
        order = sorted(range(len(gl)), key=lambda i: gl[i].units)
        self.sorted_idx = order
        self.sorted_units = [gl[i].units for i in order]

    def in_range(self, low: int, high: int) -> list[int]:
        """Indices of entries with ``low <= units <= high``."""
        lo = bisect.bisect_left(self.sorted_units, low)
        hi = bisect.bisect_right(self.sorted_units, high)
        return self.sorted_idx[lo:hi]


def _build_edges(
    bank: Sequence[_Rec],
    gl: Sequence[_Rec],
    scorer: _Scorer,
    *,
    fx_flags: Sequence[bool] | None = None,
) -> list[_Edge]:
    """All plausible edges, found through the amount index, never by a full cross product."""
    p = scorer.p
    index = _LedgerIndex(gl)
    best: dict[tuple[int, int], _Edge] = {}

    def add(bi: int, gi: int, kind: EdgeKind) -> None:
        # One edge per pair: a pair explained both as a fee and as a transposition must
        # not count as its own rival.
        if fx_flags is not None and fx_flags[gi] and kind != "fx":
            return
        edge = scorer.score(bank[bi], gl[gi], kind)
        if edge is None:
            return
        edge.b, edge.g = bi, gi
        known = best.get((bi, gi))
        if known is None or edge.score > known.score:
            best[(bi, gi)] = edge

    for bi, b in enumerate(bank):
        if b.units == 0:
            continue
        for gi in index.by_units.get(b.units, ()):
            add(bi, gi, "exact")
        # A fee separates the two amounts in either direction (see _fee_direction).
        # The tolerance grows with the gross amount, which is at most 1/(1 - share) of
        # the net one, so twice the bank-side tolerance bounds the search.
        reach = 2 * scorer.fee_tolerance(b.units) + 1
        earliest, latest = b.bday - p.lag_days, b.bday + p.lead_days
        for gi in index.in_range(b.units - scorer.fee_abs_units, b.units + reach):
            g = gl[gi]
            if (
                g.units != b.units
                and earliest <= g.bday <= latest
                and (g.units > 0) == (b.units > 0)
                and _fee_direction(b.units, g.units, scorer)
            ):
                add(bi, gi, "fee")
        if p.allow_transposition:
            for variant in _transpositions(b.units):
                for gi in index.by_units.get(variant, ()):
                    add(bi, gi, "transposed")
        if fx_flags is not None:
            spread = int(abs(b.units) * p.fx_tolerance_rel) + 1
            for gi in index.in_range(b.units - spread, b.units + spread):
                if fx_flags[gi] and gl[gi].units != 0:
                    add(bi, gi, "fx")
    return list(best.values())


def _fee_direction(bank_units: int, gl_units: int, scorer: _Scorer) -> bool:
    """Whether a fee explains the difference, in either direction and on either side.

    Banking conventions, all common: a processor or the bank nets its fee from a
    receipt (ledger gross, bank net); an outgoing wire is debited together with its fee
    (bank gross); the bank credits a wire whole and charges the fee on a line of its own
    while the books took the net the remittance advice promised (bank gross, ledger
    net); the books include the expected fee in a payment the bank debits without it.
    So the gross side may be either one. A netted fee is bounded by the tolerance of
    the ledger amount (flat plus proportional, capped by a share of it); a fee the bank
    charges apart is a flat wire charge, bounded by the flat part alone.
    """
    if abs(gl_units) > abs(bank_units) and gl_units > 0:
        return 0 < gl_units - bank_units <= scorer.fee_tolerance(gl_units)
    if abs(bank_units) > abs(gl_units) and bank_units < 0:
        return 0 < gl_units - bank_units <= scorer.fee_tolerance(gl_units)
    # The other two directions come from a bank's flat charge for a wire, never from
    # a processor's percentage, so only the flat part of the tolerance applies.
    return (
        0
        < abs(gl_units - bank_units)
        <= min(scorer.fee_abs_units, scorer.fee_tolerance(bank_units))
    )


def _explain(edge: _Edge, bank: Sequence[_Rec], gl: Sequence[_Rec]) -> str:
    b, g = bank[edge.b], gl[edge.g]
    parts = [edge.note or "same amount"]
    if edge.lag == 0:
        parts.append("same business day")
    elif edge.lag > 0:
        parts.append(f"bank {edge.lag} business day(s) after ledger")
    else:
        parts.append(f"bank {-edge.lag} business day(s) before ledger")
    if edge.ref_hit:
        parts.append(f"ref {g.cheque_no or g.ref} in bank text")
    if edge.sim is None:
        parts.append("bank text names no counterparty")
    else:
        parts.append(f"names {edge.sim:.2f} ({b.feat.name!r} ~ {g.feat.name!r})")
    return "; ".join(parts)


def _components(edges: Sequence[_Edge]) -> list[list[_Edge]]:
    """Connected groups of edges: records that compete, directly or through a chain."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for e in edges:
        a, b = find(("b", e.b)), find(("g", e.g))
        if a != b:
            parent[a] = b
    groups: dict[tuple[str, int], list[_Edge]] = defaultdict(list)
    for e in edges:
        groups[find(("b", e.b))].append(e)
    return list(groups.values())


_BASE = 0.5
"""Edges are weighed by how far they score above this in the assignment, so that two
middling pairs never outweigh one convincing pair just by covering more records."""


def _solve(weights: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if weights[r, c] > 0]
    return float(sum(weights[r, c] for r, c in pairs)), pairs


def _bookable_now(e: _Edge, params: MatchParams, kinds: frozenset[EdgeKind]) -> bool:
    return e.bookable and e.kind in kinds and e.score >= params.accept_score


def _assign_component(
    group: Sequence[_Edge], params: MatchParams, kinds: frozenset[EdgeKind]
) -> list[_Edge]:
    """Book the edges of the best assignment that no alternative assignment comes close to.

    An edge's regret is how much the best assignment loses when that edge is forbidden.
    Comparing whole assignments rather than single rivals resolves repeated payments
    (the same vendor and amount twice in a week): the first bank line's rival is the
    second ledger entry, but that entry is far better explained by the second line.
    """
    banks = sorted({e.b for e in group})
    gls = sorted({e.g for e in group})
    row = {b: i for i, b in enumerate(banks)}
    col = {g: j for j, g in enumerate(gls)}
    weights = np.zeros((len(banks), len(gls)))
    by_cell: dict[tuple[int, int], _Edge] = {}
    # Rivals that count against an edge whose names disagree: anything credible.
    degree: dict[tuple[str, int], int] = defaultdict(int)
    for e in group:
        cell = (row[e.b], col[e.g])
        weights[cell] = max(0.01, e.score - _BASE)
        by_cell[cell] = e
        if e.score >= _BASE and (e.bookable or e.kind == "exact"):
            degree[("b", e.b)] += 1
            degree[("g", e.g)] += 1
    best, pairs = _solve(weights)
    booked: list[_Edge] = []
    for cell in pairs:
        e = by_cell[cell]
        if not _bookable_now(e, params, kinds):
            continue
        if e.sole and (degree[("b", e.b)] > 1 or degree[("g", e.g)] > 1):
            continue
        kept = weights[cell]
        weights[cell] = 0.0
        without, _ = _solve(weights)
        weights[cell] = kept
        if best - without >= params.ambiguity_margin:
            booked.append(e)
    return booked


def _greedy_component(
    group: Sequence[_Edge], params: MatchParams, kinds: frozenset[EdgeKind]
) -> list[_Edge]:
    """Fallback for very large groups: book by score when every direct rival is far behind."""
    by_b: dict[int, list[_Edge]] = defaultdict(list)
    by_g: dict[int, list[_Edge]] = defaultdict(list)
    for e in group:
        by_b[e.b].append(e)
        by_g[e.g].append(e)
    taken_b: set[int] = set()
    taken_g: set[int] = set()
    booked: list[_Edge] = []
    for e in sorted(group, key=lambda e: (-e.score, e.b, e.g)):
        if not _bookable_now(e, params, kinds) or e.b in taken_b or e.g in taken_g:
            continue
        rivals = [o.score for o in by_b[e.b] if o is not e and o.g not in taken_g]
        rivals += [o.score for o in by_g[e.g] if o is not e and o.b not in taken_b]
        credible = [
            o for o in by_b[e.b] + by_g[e.g] if o is not e and (o.bookable or o.kind == "exact")
        ]
        if (e.sole and any(o.score >= _BASE for o in credible)) or e.score - max(
            rivals, default=0.0
        ) < params.ambiguity_margin:
            continue
        taken_b.add(e.b)
        taken_g.add(e.g)
        booked.append(e)
    return booked


def _book_one_to_one(
    edges: Sequence[_Edge],
    state: _State,
    params: MatchParams,
    kinds: frozenset[EdgeKind] = frozenset({"exact", "fee", "transposed", "fx"}),
) -> list[_Edge]:
    """Book the one-to-one pairs that beat every alternative explanation by the margin.

    Only edges of ``kinds`` may book, but every edge counts as an alternative: an
    approximate amount held back for a later stage still makes an exact one doubtful.
    """
    live = [e for e in edges if e.b in state.bank_open and e.g in state.gl_open]
    booked: list[_Edge] = []
    for group in _components(live):
        if not any(_bookable_now(e, params, kinds) for e in group):
            continue
        size = len({e.b for e in group}) * len({e.g for e in group})
        if size > params.max_assignment_cells:
            booked += _greedy_component(group, params, kinds)
        else:
            booked += _assign_component(group, params, kinds)
    for e in booked:
        state.bank_open.discard(e.b)
        state.gl_open.discard(e.g)
    return booked


def _half_subsets(
    values: Sequence[int], offset: int, max_size: int, ceiling: int
) -> list[tuple[int, tuple[int, ...]]]:
    """(sum, indices) of every subset of at most ``max_size`` values summing to <= ceiling."""
    subsets: list[tuple[int, tuple[int, ...]]] = [(0, ())]
    for i, value in enumerate(values):
        subsets += [
            (total + value, (*members, offset + i))
            for total, members in subsets
            if len(members) < max_size and total + value <= ceiling
        ]
    return subsets


@dataclass(slots=True)
class _SubsetSums:
    """Exact solutions by size, and how many chance solutions of each size to expect."""

    solutions: dict[int, list[tuple[int, ...]]]
    chance: dict[int, float]


def _near_counts(
    values: Sequence[int], target: int, window: int, max_size: int, unit: int
) -> dict[int, int]:
    """Per size (2..max_size), subsets whose sum is within ``window`` of ``target`` and has
    the same minor units (cents) as ``target``.

    Requiring the same cents measures the density of the sums that could really hit the
    target: with many round amounts in the pool, sums that share the target's cents are
    spaced one currency unit apart instead of one cent, and chance hits are that much
    more likely.
    """
    half = len(values) // 2
    left = _half_subsets(values[:half], 0, max_size, target + window)
    right = _half_subsets(values[half:], half, max_size, target + window)
    right_sums: dict[tuple[int, int], list[int]] = defaultdict(list)
    for total, members in right:
        right_sums[(len(members), total % unit)].append(total)
    for sums in right_sums.values():
        sums.sort()
    sizes = sorted({size for size, _ in right_sums})
    near: dict[int, int] = defaultdict(int)
    for total, members in left:
        low, high = target - window - total, target + window - total
        residue = (target - total) % unit
        for r_size in sizes:
            size = len(members) + r_size
            candidates = right_sums.get((r_size, residue))
            if candidates and 2 <= size <= max_size:
                near[size] += bisect.bisect_right(candidates, high) - bisect.bisect_left(
                    candidates, low
                )
    return near


def _subset_sums(values: Sequence[int], target: int, max_size: int, unit: int) -> _SubsetSums:
    """Meet-in-the-middle subset sum over positive ``values``: exact solutions and chance.

    Enumerating each half (2^(n/2) subsets) keeps a 20-entry pool to a few thousand
    steps where plain enumeration of sizes up to eight would take millions. The chance
    of a size is the expected number of *other* subsets of that size hitting the target:
    the density, around the target (within 5%), of subset sums that share its cents.
    """
    half = len(values) // 2
    left = _half_subsets(values[:half], 0, max_size, target)
    right = _half_subsets(values[half:], half, max_size, target)
    right_exact: dict[tuple[int, int], list[tuple[int, ...]]] = defaultdict(list)
    for total, members in right:
        bucket = right_exact[(len(members), total)]
        if len(bucket) < 3:
            bucket.append(members)
    solutions: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for total, members in left:
        for r_size in range(max(0, 2 - len(members)), max_size - len(members) + 1):
            for other in right_exact.get((r_size, target - total), ()):
                found = solutions[len(members) + r_size]
                if len(found) < 3:
                    found.append(members + other)
    chance: dict[int, float] = {}
    if solutions:
        window = max(unit, target // 20)
        spacing = unit / (2 * window + 1)
        for size, count in _near_counts(values, target, window, max_size, unit).items():
            chance[size] = max(0, count - len(solutions.get(size, ()))) * spacing
    return _SubsetSums(dict(solutions), chance)


@dataclass(slots=True)
class _BatchSearch:
    bank: int
    solutions: list[tuple[int, ...]]
    """Smallest solutions first."""
    plausible: bool
    """The smallest solution is unlikely to be a coincidence."""
    unique: bool
    """Plausible, alone of its size, and no other size has an unlikely solution."""
    named: bool = False
    """The bank line names a counterparty and every member of the solution agrees with it
    (``STRIPE TRANSFER`` and three ``Stripe sales`` entries): evidence beyond the sum."""


def _search_batch(
    bi: int,
    items: int | None,
    target: int,
    pool: list[int],
    full_pool: list[int],
    complete: bool,
    gl: Sequence[_Rec],
    params: MatchParams,
    unit: int,
) -> _BatchSearch | None:
    """The subset of ``pool`` that sums to the bank amount, if exactly one is believable.

    The number of k-subsets grows as C(n, k): a large pool almost always holds some big
    subset that hits any amount by chance, while a pair or triple that does so is strong
    evidence. The smallest solution in the (narrow) ``pool`` books only if a chance hit
    of that size is unlikely and the whole window (``full_pool``) offers no alternative:
    none of the same size, and none of another size that is itself unlikely by chance
    (two surprising solutions mean one of them is a coincidence, typically round amounts
    that add up to another round amount: 700 + 1,200 + 2,100 = 4,000). The chance counts
    every size up to the solution's, since a coincidence at any of them would have been
    found first; and when the window held more open entries than could be searched
    (``complete`` is False) uniqueness cannot be shown, so nothing books.
    """

    def solve(members: list[int]) -> tuple[_SubsetSums, list[int]]:
        ordered = sorted(members, key=lambda gi: (-abs(gl[gi].units), gi))
        values = [abs(gl[gi].units) for gi in ordered]
        sums = _subset_sums(values, target, params.max_batch_size, unit)
        if items is not None:
            # The slip says how many items it holds: only subsets of that size count,
            # as solutions and as chance rivals alike.
            sums = _SubsetSums(
                {k: v for k, v in sums.solutions.items() if k == items},
                {k: v for k, v in sums.chance.items() if k == items},
            )
        return sums, ordered

    sums, ordered = solve(pool)
    if not sums.solutions:
        return None
    smallest = min(sums.solutions)
    chosen = [tuple(sorted(ordered[i] for i in sol)) for sol in sums.solutions[smallest]]
    chance = sum(p for size, p in sums.chance.items() if size <= smallest)
    plausible = chance <= params.batch_max_chance
    if sorted(full_pool) != sorted(pool):
        sums, ordered = solve(full_pool)
    found = {
        size: [tuple(sorted(ordered[i] for i in sol)) for sol in sols]
        for size, sols in sums.solutions.items()
    }
    others = [sol for sols in found.values() for sol in sols if sol != chosen[0]]
    rivals = any(
        len(sol) == smallest or sums.chance.get(len(sol), 0.0) < params.batch_noise_chance
        for sol in others
    )
    solutions = chosen + [sol for sol in others if sol not in chosen]
    unique = plausible and complete and len(chosen) == 1 and not rivals
    if not unique and complete:
        sweep = _sweep(target, full_pool, gl, params, unit)
        if sweep is not None and items in (None, len(sweep)):
            return _BatchSearch(bi, [sweep, *(s for s in solutions if s != sweep)], True, True)
    return _BatchSearch(bi, solutions, plausible, unique)


def _sweep(
    target: int, pool: Sequence[int], gl: Sequence[_Rec], params: MatchParams, unit: int
) -> tuple[int, ...] | None:
    """Every open entry of a run of consecutive days, if exactly one such run sums to target.

    A deposit slip holds whatever was received since the previous deposit, so the true
    batch is usually *all* the open receipts of a few consecutive days. That is one
    hypothesis per run of days (a handful), not one per subset (thousands), so an exact
    hit is strong evidence even when some scattered subset of round amounts also adds
    up. The same chance test as for any subset applies, counted over runs of days only:
    the expected number of runs whose total lands on the target by coincidence.
    """
    by_day: dict[int, list[int]] = defaultdict(list)
    for gi in pool:
        by_day[gl[gi].bday].append(gi)
    days = sorted(by_day)
    window = max(unit, target // 20)
    exact: list[tuple[int, ...]] = []
    near = 0
    for first in range(len(days)):
        members: list[int] = []
        total = 0
        for day in days[first:]:
            members += by_day[day]
            total += sum(abs(gl[gi].units) for gi in by_day[day])
            if len(members) > params.max_batch_size or total > target + window:
                break
            if len(members) < 2:
                continue
            if total == target:
                exact.append(tuple(sorted(members)))
            elif abs(total - target) <= window and (total - target) % unit == 0:
                near += 1
    chance = near * unit / (2 * window + 1)
    if len(exact) == 1 and chance <= params.batch_max_chance:
        return exact[0]
    return None


def _names_support(
    b: _Rec, members: Sequence[int], gl: Sequence[_Rec], params: MatchParams
) -> bool:
    sims = [name_similarity(b.feat, gl[gi].feat) for gi in members]
    return all(sim is not None and sim >= params.strong_name for sim in sims)


def _may_share_line(b: _Rec, g: _Rec, params: MatchParams) -> bool:
    """Whether a ledger entry may be part of a batch bank line at all.

    A named bank line (``SQUARE INC``) only batches entries that do not contradict its
    name, and a bank charge booked in the ledger is never part of a customer deposit.
    """
    if g.feat.mentions_bank and not b.feat.bank_originated:
        return False
    sim = name_similarity(b.feat, g.feat)
    return sim is None or sim >= params.weak_name


def _search_batches(
    bank: Sequence[_Rec],
    gl: Sequence[_Rec],
    state: _State,
    params: MatchParams,
    unit: int,
    cache: dict[tuple[int, tuple[int, ...], tuple[int, ...], bool], _BatchSearch | None],
    skip_bank: set[int],
    skip_gl: set[int],
) -> list[_BatchSearch]:
    """Run the subset search for every open bank line over the open entries near it.

    The look-back window widens one business day at a time and the first window with
    a solution proposes it: deposits are usually made within a day or two of receipt,
    and a small pool makes a chance hit far less likely than the full window would.
    The full window is still searched for alternatives before anything books.
    """
    open_gl = sorted(state.gl_open - skip_gl, key=lambda i: (gl[i].bday, i))
    bdays = [gl[i].bday for i in open_gl]
    results: list[_BatchSearch] = []
    windows = sorted({min(w, params.batch_lag_days) for w in (1, 2, 3, params.batch_lag_days)})
    for bi in sorted(state.bank_open, key=lambda i: (bank[i].bday, i)):
        b = bank[bi]
        if b.units == 0 or b.feat.bank_originated or b.reversal or b.is_cheque or bi in skip_bank:
            continue
        hi = bisect.bisect_right(bdays, b.bday + params.batch_lead_days)
        pools: list[tuple[int, ...]] = []
        complete = True
        for window in windows:
            lo = bisect.bisect_left(bdays, b.bday - window)
            pool = [
                gi
                for gi in open_gl[lo:hi]
                if (gl[gi].units > 0) == (b.units > 0)
                and abs(gl[gi].units) < abs(b.units)
                and not gl[gi].reversal
                and not gl[gi].is_cheque
                and _may_share_line(b, gl[gi], params)
            ]
            if len(pool) > params.batch_pool_limit:
                complete = False
                pool.sort(key=lambda gi: (abs(b.bday - gl[gi].bday), gi))
                pool = pool[: params.batch_pool_limit]
            key = tuple(sorted(pool))
            if len(key) >= 2 and (not pools or key != pools[-1]):
                pools.append(key)
        for key in pools:
            cache_key = (bi, key, pools[-1], complete)
            if cache_key not in cache:
                cache[cache_key] = _search_batch(
                    bi,
                    b.items,
                    abs(b.units),
                    list(key),
                    list(pools[-1]),
                    complete,
                    gl,
                    params,
                    unit,
                )
            search = cache[cache_key]
            if search is not None:
                search.named = _names_support(b, search.solutions[0], gl, params)
                results.append(search)
                break
    return results


def _book_batches(
    bank: Sequence[_Rec],
    gl: Sequence[_Rec],
    state: _State,
    params: MatchParams,
    unit: int,
    edges: Sequence[_Edge],
) -> list[_BatchSearch]:
    """Book unique, uncontested subset sums; return the searches left for review.

    A solution is contested when one of its entries also appears in another open bank
    line's solutions; booking either could steal the other's deposit, so neither books
    in this round. Booking one batch shrinks the pools, so the search repeats.
    """
    searches: list[_BatchSearch] = []
    cache: dict[tuple[int, tuple[int, ...], tuple[int, ...], bool], _BatchSearch | None] = {}
    while True:
        # A bank line with an open one-to-one explanation (ambiguous so far) is not
        # batch material: the simpler explanation is still on the table. Nor is a
        # ledger entry with an exact, name-confirmed counterpart on another line.
        pending = [
            e
            for e in edges
            if e.bookable
            and e.score >= params.accept_score
            and e.b in state.bank_open
            and e.g in state.gl_open
        ]
        skip_bank = {e.b for e in pending}
        skip_gl = {e.g for e in pending if e.kind == "exact" and (e.sim or 0.0) >= params.weak_name}
        searches = _search_batches(bank, gl, state, params, unit, cache, skip_bank, skip_gl)
        # Who else wants each entry: a named batch is only contested by named rivals.
        wanted: dict[int, list[_BatchSearch]] = defaultdict(list)
        for search in searches:
            if search.plausible:
                smallest = len(search.solutions[0])
                for member in {
                    gi for sol in search.solutions if len(sol) == smallest for gi in sol
                }:
                    wanted[member].append(search)
        progress = False
        for search in searches:
            if not search.unique:
                continue
            members = search.solutions[0]
            if any(
                other is not search and (other.named or not search.named)
                for gi in members
                for other in wanted[gi]
            ):
                continue
            b = bank[search.bank]
            confidence = round(max(0.7, 0.95 - 0.03 * (len(members) - 2)), 3)
            for gi in members:
                state.matches.append(
                    Match(
                        bank_id=b.id,
                        gl_id=gl[gi].id,
                        kind="batch",
                        confidence=confidence,
                        reason=(
                            f"one of {len(members)} open ledger entries nearby that are the only "
                            f"subset of that size summing to {b.display_amount}"
                        ),
                    )
                )
                state.gl_open.discard(gi)
            state.bank_open.discard(search.bank)
            progress = True
        if not progress:
            break
    return [s for s in searches if s.bank in state.bank_open]


def _offset_link(a: _Rec, b: _Rec, params: MatchParams) -> tuple[float, float] | None:
    """How strongly two ledger entries of opposite amounts cancel: (same ref, name agreement).

    Same reference is the strong link (a void names its cheque number, an accrual and
    its reversal share the journal number); otherwise one entry must say it reverses
    something and the two must name the same counterparty.
    """
    if a.units == 0 or a.units != -b.units or abs(a.day - b.day) > params.offset_window_days:
        return None
    ref_a, ref_b = normalize_ref(a.ref), normalize_ref(b.ref)
    sim = name_similarity(a.feat, b.feat) or 0.0
    if ref_a and ref_a == ref_b:
        return 1.0, sim
    if (a.reversal or b.reversal) and sim >= params.strong_name:
        return 0.0, sim
    return None


def _offset_candidates(
    gl: Sequence[_Rec], members: Iterable[int], params: MatchParams
) -> list[tuple[int, int]]:
    """Reversal/original pairs among ``members``: each reversal's best partners only.

    A reversal of a payment often shares its reference with the correct payment that
    followed, so only the partners with the strongest link (same ref first, then name
    agreement, then the nearest date) are kept; ties are all kept.
    """
    chosen = sorted(members)
    by_units: dict[int, list[int]] = defaultdict(list)
    for i in chosen:
        by_units[gl[i].units].append(i)
    pairs: list[tuple[int, int]] = []
    for i in chosen:
        rec = gl[i]
        if not rec.reversal:
            continue
        ranked: list[tuple[tuple[float, float, int], int]] = []
        for j in by_units.get(-rec.units, ()):
            if gl[j].reversal:
                continue
            link = _offset_link(rec, gl[j], params)
            if link is not None:
                ranked.append(((link[0], round(link[1], 2), -abs(rec.day - gl[j].day)), j))
        if ranked:
            best = max(key for key, _ in ranked)
            tied = [j for key, j in ranked if key == best]
            pairs += [(i, j) for j in _latest_of_identical(gl, tied)]
    return pairs


def _latest_of_identical(gl: Sequence[_Rec], tied: list[int]) -> list[int]:
    """Of entries a reversal cancels equally well, the one it is taken to cancel.

    Convention of a duplicate posting: the same payment entered twice is corrected by
    reversing the second entry. When the tied entries are identical (date, amount,
    description, reference), they are interchangeable and the books are the same
    whichever is reversed, so the later one in ledger order is; the earlier one stays
    free to meet its bank line. Entries that differ in anything remain a real tie.
    """
    if len(tied) < 2:
        return tied
    first = gl[tied[0]]
    signature = (first.units, first.day, first.feat.compact, normalize_ref(first.ref))
    if all(
        (gl[j].units, gl[j].day, gl[j].feat.compact, normalize_ref(gl[j].ref)) == signature
        for j in tied
    ):
        return [max(tied)]
    return tied


def _penalise_self_cancelling(
    edges: Sequence[_Edge], bank: Sequence[_Rec], gl: Sequence[_Rec], params: MatchParams
) -> list[_Edge]:
    """Demote entries that a reversal in the ledger cancels before they reached the bank.

    A void, an accrual reversal or the reversal of a booking error has no bank line,
    and neither has the entry it cancels; yet that entry often has the same amount and
    counterparty as the real payment (the reissued cheque, the corrected payment), so it
    would otherwise tie with it. When the reversal itself reached the bank (a returned
    ACH debit, an NSF cheque) both entries are real bank movements and keep their score.
    """
    reversal_cleared = {e.g for e in edges if bank[e.b].reversal and gl[e.g].reversal}
    demoted: set[int] = set()
    for i, j in _offset_candidates(gl, range(len(gl)), params):
        if i not in reversal_cleared:
            demoted.update((i, j))
    kept: list[_Edge] = []
    for e in edges:
        if e.g in demoted:
            e.score = max(0.0, e.score - params.offset_penalty)
            e.note = (e.note + "; " if e.note else "") + "ledger entry is cancelled by a reversal"
        if e.score >= params.candidate_score:
            kept.append(e)
    return kept


def _pair_offsets(gl: Sequence[_Rec], state: _State, params: MatchParams) -> list[OffsetPair]:
    """Pair the open entries that cancel each other; strongest links first, each entry once."""
    links: list[tuple[tuple[float, float], int, int, int]] = []
    for i, j in _offset_candidates(gl, state.gl_open, params):
        link = _offset_link(gl[i], gl[j], params)
        if link is not None:
            links.append((link, abs(gl[i].day - gl[j].day), i, j))
    # Same-ref pairs without a reversal marker (a credit note against its invoice).
    by_ref: dict[str, list[int]] = defaultdict(list)
    for i in sorted(state.gl_open):
        ref = normalize_ref(gl[i].ref)
        if ref:
            by_ref[ref].append(i)
    for group in by_ref.values():
        for x in group:
            for y in group:
                if (
                    x < y
                    and gl[x].units == -gl[y].units != 0
                    and not (gl[x].reversal or gl[y].reversal)
                ):
                    link = _offset_link(gl[x], gl[y], params)
                    if link is not None:
                        links.append((link, abs(gl[x].day - gl[y].day), x, y))
    links.sort(key=lambda t: (-t[0][0], -t[0][1], t[1], t[2], t[3]))
    pairs: list[OffsetPair] = []
    for (same_ref, _sim), _gap, i, j in links:
        if i not in state.gl_open or j not in state.gl_open:
            continue
        a, b = sorted((gl[i], gl[j]), key=lambda r: (r.day, r.id))
        how = "same reference" if same_ref else "reversal naming the same counterparty"
        pairs.append(
            OffsetPair(
                gl_id_a=a.id,
                gl_id_b=b.id,
                reason=f"{how}; {a.display_amount} and {b.display_amount} net to zero",
            )
        )
        state.gl_open.discard(i)
        state.gl_open.discard(j)
    return pairs


def _collect_candidates(
    edges: Sequence[_Edge],
    batches: Sequence[_BatchSearch],
    bank: Sequence[_Rec],
    gl: Sequence[_Rec],
    state: _State,
) -> list[Candidate]:
    """Group leftover evidence per bank line; each ledger id is offered to one line only."""
    rows: dict[int, list[tuple[float, tuple[int, ...], str]]] = defaultdict(list)
    for e in edges:
        if e.b in state.bank_open and e.g in state.gl_open:
            rows[e.b].append((e.score, (e.g,), _explain(e, bank, gl)))
    for search in batches:
        if search.bank not in state.bank_open:
            continue
        for sol in search.solutions:
            if all(gi in state.gl_open for gi in sol):
                why = (
                    "several subsets sum to the amount"
                    if len(search.solutions) > 1
                    else ("subset sum contested by another bank line, or too likely by chance")
                )
                rows[search.bank].append((0.5, sol, f"possible batch of {len(sol)} entries: {why}"))
    order = sorted(rows, key=lambda bi: (-max(r[0] for r in rows[bi]), bank[bi].bday, bi))
    claimed: set[int] = set()
    candidates: list[Candidate] = []
    for bi in order:
        options = sorted(rows[bi], key=lambda r: (-r[0], r[1]))
        gl_ids: list[int] = []
        shared: list[int] = []
        reasons: list[str] = []
        for score, members, why in options:
            fresh = [gi for gi in members if gi not in claimed and gi not in gl_ids]
            # An entry already offered to another line is still offered here (a
            # symmetric tie must show the reviewer every counterpart), but it is
            # counted once, under the first line.
            again = [gi for gi in members if gi in claimed and gi not in shared]
            gl_ids.extend(fresh)
            shared.extend(again)
            if fresh or again:
                reasons.append(
                    f"{', '.join(gl[gi].id for gi in fresh + again)} ({min(1.0, score):.2f}): {why}"
                )
        if not gl_ids and not shared:
            continue
        claimed.update(gl_ids)
        rivals = len(options)
        lead = "ambiguous" if rivals > 1 else "low confidence"
        candidates.append(
            Candidate(
                bank_id=bank[bi].id,
                gl_ids=tuple(gl[gi].id for gi in gl_ids),
                shared_gl_ids=tuple(gl[gi].id for gi in shared),
                confidence=round(min(1.0, max(r[0] for r in options)), 3),
                reason=f"{lead}: " + " | ".join(reasons),
            )
        )
        state.bank_open.discard(bi)
    for gi in claimed:
        state.gl_open.discard(gi)
    return candidates


def _to_match(edge: _Edge, bank: Sequence[_Rec], gl: Sequence[_Rec]) -> Match:
    kind: MatchKind = "one_to_one" if edge.kind == "exact" else "amount_mismatch"
    return Match(
        bank_id=bank[edge.b].id,
        gl_id=gl[edge.g].id,
        kind=kind,
        confidence=round(min(1.0, edge.score), 3),
        reason=_explain(edge, bank, gl),
    )


def _prepare(
    bank: Sequence[BankLine], ledger: Sequence[LedgerEntry], params: MatchParams
) -> tuple[list[_Rec], list[_Rec], _Scorer]:
    _check_ids(bank, "bank lines")
    _check_ids(ledger, "ledger entries")
    _check_amounts(bank, "bank lines")
    _check_amounts(ledger, "ledger entries")
    scale = _Scale([r.amount for r in bank] + [r.amount for r in ledger] + [params.fee_abs])
    bdays = _BusinessDays([r.date for r in bank] + [r.date for r in ledger], params.holidays)
    bank_recs = [_bank_rec(line, scale, bdays) for line in bank]
    gl_recs = [_ledger_rec(entry, scale, bdays) for entry in ledger]
    _inherit_counterparty(gl_recs)
    return bank_recs, gl_recs, _Scorer(params, scale)


def _inherit_counterparty(gl: Sequence[_Rec]) -> None:
    """Give a reversal the counterparty of the entry it reverses, found by reference.

    Convention of the reversal leg: a bookkeeper writes "Reverse INV-8663 wrong amount"
    with the original's reference and no name, while the bank prints the returned
    payment under the payee's name (``ACH RETURN NORTHGATE CATERING``). The reference
    ties the reversal to exactly the entries it may cancel (opposite amount, same
    reference); when those all name one counterparty, the reversal names it too. Used
    only against bank lines that themselves report a return or reversal.
    """
    by_ref: dict[tuple[str, int], list[_Rec]] = defaultdict(list)
    for rec in gl:
        ref = normalize_ref(rec.ref)
        if ref and not rec.reversal:
            by_ref[(ref, rec.units)].append(rec)
    for rec in gl:
        ref = normalize_ref(rec.ref)
        if not (ref and rec.reversal):
            continue
        originals = by_ref.get((ref, -rec.units), [])
        names = {o.feat.name for o in originals}
        if len(names) == 1 and originals[0].feat.name:
            rec.origin = originals[0].feat


def reconcile(
    bank: Sequence[BankLine],
    ledger: Sequence[LedgerEntry],
    params: MatchParams | None = None,
) -> ReconResult:
    """Match a bank statement against the ledger, booking only what the evidence settles.

    Returns every bank and ledger id exactly once: in ``matches`` (a batch bank line in
    several rows), ``offsetting``, ``candidates`` or the unmatched lists. Ambiguity is
    never resolved by order of appearance: rivals within the margin go to ``candidates``.
    Raises :class:`~baton.errors.InputError` on duplicate ids or non-finite amounts.
    """
    params = params or MatchParams()
    bank_recs, gl_recs, scorer = _prepare(bank, ledger, params)
    edges = _penalise_self_cancelling(
        _build_edges(bank_recs, gl_recs, scorer), bank_recs, gl_recs, params
    )
    state = _State(bank_open=set(range(len(bank_recs))), gl_open=set(range(len(gl_recs))))

    # Exact amounts first, then exact sums of several entries, and only then amounts
    # that differ by a fee or a transposition: an exact batch beats an approximate pair.
    booked = _book_one_to_one(edges, state, params, frozenset({"exact"}))
    ambiguous_batches = _book_batches(bank_recs, gl_recs, state, params, scorer.unit, edges)
    booked += _book_one_to_one(edges, state, params)
    state.matches.extend(_to_match(e, bank_recs, gl_recs) for e in booked)
    # Approximate pairs have now claimed their entries, so the deposits left open face
    # smaller pools: a run of days that was crowded before may now be swept whole.
    ambiguous_batches = _book_batches(bank_recs, gl_recs, state, params, scorer.unit, edges)

    offsetting = _pair_offsets(gl_recs, state, params)
    candidates = _collect_candidates(edges, ambiguous_batches, bank_recs, gl_recs, state)
    state.matches.sort(key=lambda m: (m.bank_id, m.gl_id))
    return ReconResult(
        matches=state.matches,
        offsetting=sorted(offsetting, key=lambda o: (o.gl_id_a, o.gl_id_b)),
        unmatched_bank=sorted(bank_recs[i].id for i in state.bank_open),
        unmatched_gl=sorted(gl_recs[i].id for i in state.gl_open),
        candidates=sorted(candidates, key=lambda c: c.bank_id),
    )


def _unpriced_claim_edges(
    bank: Sequence[_Rec], claims: Sequence[_Rec], converted: Sequence[bool], scorer: _Scorer
) -> list[_Edge]:
    """Review-only edges for foreign-currency claims with no rate: date and merchant only.

    Without a rate the amount proves nothing, so these edges can never book; they only
    tell the reviewer which card lines are worth a look.
    """
    p = scorer.p
    order = sorted(range(len(bank)), key=lambda i: (bank[i].bday, i))
    bdays = [bank[i].bday for i in order]
    edges: list[_Edge] = []
    for gi, claim in enumerate(claims):
        if not converted[gi] or claim.units != 0:
            continue
        lo = bisect.bisect_left(bdays, claim.bday - p.lead_days)
        hi = bisect.bisect_right(bdays, claim.bday + p.lag_days)
        for bi in order[lo:hi]:
            b = bank[bi]
            sim = name_similarity(b.feat, claim.feat)
            dated = scorer.date_score(b, claim, False)
            if b.units >= 0 or sim is None or sim < p.strong_name or dated is None:
                continue
            score = min(p.accept_score - 0.01, 0.1 + 0.2 * dated[0] + 0.4 * sim)
            note = "claim currency has no rate, amount not compared"
            edges.append(_Edge(bi, gi, "fx", score, False, dated[1], sim, False, note))
    return edges


def match_claims(
    claims: Sequence[Claim],
    bank: Sequence[BankLine],
    params: MatchParams | None = None,
) -> list[ClaimMatch]:
    """Find the bank (card) line that paid each expense claim, one line per claim at most.

    Uses the same scoring and rival checks as :func:`reconcile`: a claim gets a
    ``bank_id`` only when its line is clearly better than any other. Claims in another
    currency are compared through ``params.fx_rates`` within ``fx_tolerance_rel``; with no
    rate they can only become review items. Results follow the order of ``claims``.
    """
    params = params or MatchParams()
    _check_ids(claims, "claims")
    _check_ids(bank, "bank lines")
    _check_amounts(claims, "claims")
    _check_amounts(bank, "bank lines")
    rates = list(params.fx_rates.values())
    scale = _Scale([c.amount for c in claims] + [b.amount for b in bank] + [params.fee_abs] + rates)
    bdays = _BusinessDays([c.date for c in claims] + [b.date for b in bank], params.holidays)
    bank_recs = [_bank_rec(line, scale, bdays) for line in bank]
    prepared = [_claim_rec(claim, scale, bdays, params) for claim in claims]
    claim_recs = [rec for rec, _ in prepared]
    fx_flags = [converted for _, converted in prepared]
    scorer = _Scorer(params, scale)
    edges = [
        e
        for e in _build_edges(bank_recs, claim_recs, scorer, fx_flags=fx_flags)
        if e.score >= params.candidate_score
    ]
    edges += _unpriced_claim_edges(bank_recs, claim_recs, fx_flags, scorer)
    state = _State(bank_open=set(range(len(bank_recs))), gl_open=set(range(len(claim_recs))))
    booked = {e.g: e for e in _book_one_to_one(edges, state, params)}
    leftovers: dict[int, list[_Edge]] = defaultdict(list)
    for e in edges:
        if e.g not in booked and e.b in state.bank_open:
            leftovers[e.g].append(e)
    results: list[ClaimMatch] = []
    for gi, claim in enumerate(claims):
        if gi in booked:
            e = booked[gi]
            results.append(
                ClaimMatch(
                    claim_id=claim.id,
                    bank_id=bank_recs[e.b].id,
                    confidence=round(min(1.0, e.score), 3),
                    reason=_explain(e, bank_recs, claim_recs),
                )
            )
            continue
        options = sorted(leftovers.get(gi, []), key=lambda e: -e.score)
        if options:
            listed = ", ".join(
                f"{bank_recs[e.b].id} ({min(1.0, e.score):.2f})" for e in options[:5]
            )
            reason = f"needs review, possible bank lines: {listed}"
            confidence = round(min(1.0, options[0].score), 3)
        else:
            reason = "no bank line with a compatible amount and date"
            confidence = 0.0
        results.append(
            ClaimMatch(claim_id=claim.id, bank_id=None, confidence=confidence, reason=reason)
        )
    return results
