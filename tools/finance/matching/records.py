"""Bank lines, ledger entries and claims reduced to what matching compares.

Amounts become exact integers in the finest unit present, dates become business-day
ordinals, and descriptions become features (counterparty name, cheque number, items in
a deposit), so that the stages compare integers, never strings or Decimals.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from baton.errors import InputError
from baton.tools.finance.matching.params import (
    CHEQUE_TYPES,
    MAX_DECIMALS,
    REVERSAL_TYPES,
    TRANSFER_TYPES,
    EdgeKind,
    MatchParams,
)
from baton.tools.finance.models import (
    BankLine,
    Claim,
    LedgerEntry,
    Match,
)
from baton.tools.finance.normalize import (
    MAX_TEXT,
    DescriptionFeatures,
    currencies_named,
    describe,
    fold,
    item_kind,
    normalize_ref,
    stated_conversion,
)


@dataclass(slots=True)
class Rec:
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
    ref_number: str | None = None
    """A payment's all-digit ``ref`` (leading zeros stripped), even when its memo names
    another cheque: a replacement's memo names the lost cheque, its ref the new one."""
    is_cheque: bool = False
    drawn_cheque: bool = False
    """Money out whose memo names a cheque of ours (``Acme Ltd - chq 144516``), whatever
    the entry type: it clears on its own, never inside a payment run."""
    reversal: bool = False
    display_amount: Decimal = Decimal(0)
    origin: DescriptionFeatures | None = None
    """For a reversal, the features of the entry it reverses (found by reference)."""
    items: int | None = None
    """How many items a deposit line says it holds (``REMOTE DEPOSIT 4 ITEMS``)."""
    memo: str = ""
    """A ledger entry's description as written (a reversal's memo may hold a reference)."""
    made_bday: int | None = None
    """For a card line that prints its purchase date, that date in business days."""
    made_day: int | None = None
    """The same purchase date as a calendar day: a Saturday's and a Sunday's purchase
    are one business day apart from nothing, yet the books date each on its own day."""
    tokens: frozenset[str] = frozenset()
    """A bank line's words as references compare (``INV-06235`` as ``INV06235``), for
    entries whose ref the line prints."""
    days: frozenset[tuple[int, int]] = frozenset()
    """(month, day) dates the text prints: for a bank line a four-digit ``DDMM`` or
    ``MMDD`` token that reads as a day in the fortnight before it posted (``PAYOUT
    1802``), for a ledger entry a written day (``card takings to 18/02``)."""
    kind: str = ""
    """The kind of item a bank line is (``DEB``, ``DD``, ``CARD PAYMENT``; see
    :func:`~tools.finance.normalize.item_kind`), and so how many days it takes to clear."""
    fx_currency: str | None = None
    """For a ledger entry, the foreign currency its memo converts from at a stated rate
    that gives its amount (:func:`~tools.finance.normalize.stated_conversion`)."""
    currencies: frozenset[str] = frozenset()
    """For a bank line, the currencies its text names (``FX TFR-TO US$``)."""
    alias: DescriptionFeatures | None = None
    """For a bank line, the books' name for the payer its descriptor stands for, learned
    from this month's certain pairs (:func:`~tools.finance.matching.aliases.learn_aliases`)."""


@dataclass(slots=True)
class Edge:
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
class State:
    """Which records are still open, shared by the stages."""

    bank_open: set[int]
    gl_open: set[int]
    matches: list[Match] = field(default_factory=list)
    partial: dict[int, tuple[tuple[int, ...], Decimal]] = field(default_factory=dict)
    """Partly booked bank lines: the ledger entries still tied for the rest of the line,
    and that rest (the residual amount). Such a line is in no open set any more."""
    payer_sums: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Bank lines whose amount is the only sum, to the cent, of several open entries of
    one payer the line does not name: offered for review with those entries."""


class Scale:
    """Converts Decimal money to exact integers in the finest unit present in the input."""

    def __init__(self, amounts: Iterable[Decimal]) -> None:
        places = 2
        for amount in amounts:
            exponent = amount.as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, min(MAX_DECIMALS, -exponent))
        self.places = places

    def units(self, amount: Decimal) -> int:
        return int(amount.scaleb(self.places).to_integral_value())


class BusinessDays:
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
        self._holidays = np.array(holidays, dtype="datetime64[D]")

    def __getitem__(self, day: date) -> int:
        if day not in self._ordinal:  # a date no record carries (a printed purchase day)
            self._ordinal[day] = int(
                np.busday_count(
                    np.datetime64("1900-01-01", "D"),
                    np.datetime64(day, "D"),
                    holidays=self._holidays,
                )
            )
        return self._ordinal[day]


_HOLIDAY_MIN_LINES_PER_DAY = 8
"""Median bank lines per weekday above which a statement is busy enough to tell a closed
day from a quiet one."""
_HOLIDAY_GAP_DAYS = 4
"""A holiday lies between busy weekdays at most this many days away on each side (Good
Friday to Easter Tuesday): quiet days at a statement's ragged ends are not holidays."""
_HOLIDAY_MAX_SPAN_DAYS = 3 * 366
"""Statements spanning more than this are not searched for holidays (bounded work)."""
_HOLIDAY_MAX_SHARE = 0.1
"""At most this share of a statement's weekdays may be read as bank holidays."""


def statement_holidays(days: Sequence[date]) -> tuple[date, ...]:
    """Weekdays a busy statement treats like a weekend: the bank was shut (a holiday).

    Convention of bank clearing: BACS, cheques, direct debits and card settlements post
    only on banking days, while instant payments (Faster Payments) post every day. So on
    a holiday a busy account shows what it shows on a Saturday, a handful of instant
    payments or nothing, whichever country's calendar the bank follows. A weekday with
    no more lines than the busiest weekend day and under half a typical weekday, between
    busy weekdays, is read as a holiday, besides any configured calendar (which may be
    another country's), so a run or a deposit across Easter keeps its window in banking
    days. A sparse statement, where quiet weekdays are ordinary, or one with many quiet
    weekdays, infers nothing.
    """
    if not days:
        return ()
    per_day = Counter(days)
    first, last = min(days), max(days)
    if (last - first).days > _HOLIDAY_MAX_SPAN_DAYS:
        return ()  # a span no statement covers: dates from a hostile or broken file
    calendar = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weekdays = sorted(per_day[d] for d in calendar if d.weekday() < 5)
    if not weekdays:
        return ()
    typical = weekdays[len(weekdays) // 2]
    weekend = max((per_day[d] for d in calendar if d.weekday() >= 5), default=0)
    if typical < _HOLIDAY_MIN_LINES_PER_DAY:
        return ()
    busy = [d for d in calendar if d.weekday() < 5 and 2 * per_day[d] >= typical]
    shut = tuple(
        d
        for d in calendar
        if d.weekday() < 5
        and per_day[d] <= weekend
        and 2 * per_day[d] < typical
        and any(0 < (d - b).days <= _HOLIDAY_GAP_DAYS for b in busy)
        and any(0 < (b - d).days <= _HOLIDAY_GAP_DAYS for b in busy)
    )
    return shut if len(shut) <= _HOLIDAY_MAX_SHARE * len(weekdays) else ()


def purchase_day(posted: date, month_day: tuple[int, int] | None) -> date | None:
    """The printed purchase day of a card line: the latest such (month, day) on or before
    the posting date, and within a month of it (a year-end purchase posts in January)."""
    if month_day is None:
        return None
    month, day = month_day
    for year in (posted.year, posted.year - 1):
        try:
            made = date(year, month, day)
        except ValueError:
            return None
        if made <= posted:
            return made if (posted - made).days <= 31 else None
    return None


_RUN_DATE_DAYS = 14
"""Most calendar days a payment run's date may precede the debit that carries it."""


PAYROLL_LEAD_DAYS = 3
"""Business days a payroll processor may debit the employer before payday."""


def batch_lead(b: Rec, params: MatchParams) -> int:
    """Business days a batch bank line may precede its entries.

    Convention of payroll funding: a payroll processor (ADP, Ceridian, Wagepoint)
    debits the employer one to three banking days *before* the pay date, so that the
    employees are paid on it, while the books record each net pay on the pay date.
    Every other batch is dated on or after its entries.
    """
    if b.units < 0 and b.feat.payroll_processor:
        return max(params.batch_lead_days, PAYROLL_LEAD_DAYS)
    return params.batch_lead_days


def run_floor(b: Rec) -> int | None:
    """The earliest business day a payment of the run this bank debit names may be booked.

    Convention of the payment run: a BACS run is submitted on a date and its reference is
    often that date (``BACS 060526``, DDMMYY, or ``260506``, YYMMDD); the bank debits
    the run a couple of working days later. The bookkeeper records each supplier payment
    when the run is approved (the submission day or the working day before) or when the
    debit shows at the bank, so no payment of the run is dated before the working day
    before the run date. A six-digit token read as a date within two weeks before the
    debit is taken as the run date; when both readings qualify, the earlier one (the
    wider window) counts. Only money out: a run pays suppliers. Weekends are skipped,
    holidays are not (a holiday only widens the window by a day).
    """
    if b.units >= 0:
        return None
    posted = date.fromordinal(b.day)
    floor: int | None = None
    for token in b.tokens:
        if len(token) != 6 or not token.isdigit():
            continue
        for day, month, year in (
            (token[:2], token[2:4], token[4:]),
            (token[4:], token[2:4], token[:2]),
        ):
            try:
                run = date(2000 + int(year), int(month), int(day))
            except ValueError:
                continue
            if 0 <= (posted - run).days <= _RUN_DATE_DAYS:
                lag = int(np.busday_count(np.datetime64(run, "D"), np.datetime64(posted, "D")))
                floor = min(b.bday - lag - 1, floor if floor is not None else b.bday)
    return floor


_BATCH_WORDS = frozenset(
    {"RUN", "BATCH", "BULK", "MULTIPLE", "VARIOUS", "SUNDRY", "SUNDRIES", "BAC"}
)
"""Words a bank line uses for a batch itself (``BACS PAYMENT RUN``, ``BULK BATCH``), and
``BAC``, the UK statements' code for an automated (BACS) item, which names no payee."""


def names_no_payee(b: Rec) -> bool:
    """Whether a bank line names no counterparty, only a scheme and a word for a batch.

    Convention of the batch line: a payment run or bulk debit is described by the
    scheme and the word for a batch (``BACS PAYMENT RUN 060526``), never by a payee,
    since it pays many.
    """
    return not b.feat.name or _BATCH_WORDS.issuperset(b.feat.name.split())


def check_ids(records: Sequence[BankLine | LedgerEntry | Claim], what: str) -> None:
    """Ids are how every result refers to a record, so they must be unique per input."""
    seen: set[str] = set()
    for position, record in enumerate(records, start=1):
        if record.id in seen:
            raise InputError(what, f"duplicate id {record.id!r}", line=position, column="id")
        seen.add(record.id)


def check_amounts(records: Iterable[BankLine | LedgerEntry | Claim], what: str) -> None:
    for position, record in enumerate(records, start=1):
        if not record.amount.is_finite():
            raise InputError(
                what, f"amount of {record.id!r} is not a number", line=position, column="amount"
            )


def bank_rec(line: BankLine, scale: Scale, bdays: BusinessDays) -> Rec:
    text = line.description[:MAX_TEXT]
    feat = describe(text)
    # Only money out can be one of our cheques; "MOBILE CHECK DEPOSIT" is a customer's.
    paid_cheque = feat.mentions_cheque and line.amount < 0
    made = purchase_day(line.date, feat.card_date)
    return Rec(
        id=line.id,
        units=scale.units(line.amount),
        day=line.date.toordinal(),
        bday=bdays[line.date],
        feat=feat,
        cheque_no=feat.cheque_no if paid_cheque else None,
        is_cheque=paid_cheque,
        reversal=feat.reversal,
        display_amount=line.amount,
        items=item_count(text),
        made_bday=None if made is None else bdays[made],
        made_day=None if made is None else made.toordinal(),
        tokens=frozenset(t for t in map(normalize_ref, _TOKEN_SPLIT.split(text)) if len(t) >= 4),
        currencies=currencies_named(text),
        kind=item_kind(text),
        days=_posted_days(line.date, text),
    )


_DAY_TOKEN = re.compile(r"(?<![\d/.-])(\d{2})(\d{2})(?![\d/.-])")
_WRITTEN_DAY = re.compile(r"(?<![\d/.-])(\d{1,2})[/.](\d{1,2})(?:[/.]\d{2,4})?(?![\d/.-])")
_SETTLEMENT_DAYS = 14
"""Calendar days a payout may follow the takings it settles."""


def _readings(a: int, b: int) -> set[tuple[int, int]]:
    """(month, day) readings of two numbers, day first and month first."""
    out: set[tuple[int, int]] = set()
    for month, day in ((b, a), (a, b)):
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.add((month, day))
    return out


def _posted_days(posted: date, text: str) -> frozenset[tuple[int, int]]:
    """Days a bank line prints as ``DDMM``/``MMDD`` that fall shortly before it posted.

    Convention of the processor payout: it names the day of the takings it settles
    (``SUMUP PAYOUTS 1802`` for takings to 18 February), the day the books use to
    describe that takings entry. A bare four-digit number is usually something else
    (a card's last digits, a cheque number), so only readings that are a real day in
    the fortnight before the posting count, and only a processor's payout uses them
    (:meth:`~tools.finance.matching.edges.Scorer.score`).
    """
    found: set[tuple[int, int]] = set()
    for a, b in _DAY_TOKEN.findall(text):
        for month, day in _readings(int(a), int(b)):
            for year in (posted.year, posted.year - 1):
                try:
                    gap = (posted - date(year, month, day)).days
                except ValueError:
                    continue
                if 0 <= gap <= _SETTLEMENT_DAYS:
                    found.add((month, day))
    return frozenset(found)


def _written_days(text: str) -> frozenset[tuple[int, int]]:
    """Days a ledger memo writes as ``18/02`` or ``10/07/2025`` (either order)."""
    found: set[tuple[int, int]] = set()
    for a, b in _WRITTEN_DAY.findall(text):
        found |= _readings(int(a), int(b))
    return frozenset(found)


_TOKEN_SPLIT = re.compile(r"[\s/,;:#()*]+")


_ITEMS = re.compile(r"\b(\d{1,2})\s*(?:ITEMS?|ITMS?|CHECKS|CHEQUES|EFFETS)\b", re.IGNORECASE)


def item_count(text: str) -> int | None:
    """The item count a deposit line prints; remote-capture deposits usually do."""
    found = _ITEMS.search(fold(text))
    return int(found.group(1)) if found and int(found.group(1)) >= 1 else None


# Read with the accents folded off, in English and in French (Quebec books): "remplace
# le chèque 1050 annulé", "réémission du chèque 1050".
_REPLACEMENT = re.compile(
    r"\b(?:REPLACE[SD]?|REPLACEMENT|REPLACING|RE-?ISSUE[SD]?|RE-?ISSUE OF|"
    r"REMPLACE(?:MENT)?|REMPLACANT|REEMIS(?:SION)?)\b"
)

_CHEQUE_WORD = r"(?:CHECK|CHK|CHEQUE|CHQ|CK)"
_VOID_WORD = r"(?:VOID(?:ED)?|ANNULE)"
_REPLACED_CHEQUE = re.compile(
    rf"(?:{_VOID_WORD}|REPLACE[SD]?|REPLACEMENT\s+FOR|REPLACING|RE-?ISSUE\s+OF|"
    r"REMPLACE|(?:EN\s+)?REMPLACEMENT\s+DU|REEMISSION\s+DU)\s+"
    rf"(?:LE\s+)?(?:{_VOID_WORD}\s+)?{_CHEQUE_WORD}\s*(?:N[O°]\.?\s*)?#?\s*(\d{{3,10}})"
    rf"|{_CHEQUE_WORD}\s*(?:N[O°]\.?\s*)?#?\s*(\d{{3,10}})\s*\(?,?\s*{_VOID_WORD}"
)

_CHEQUE_NUMBERS = re.compile(rf"\b{_CHEQUE_WORD}\s*(?:N[O°]\.?\s*|#\s*)?(\d{{3,10}})\b")


def _own_cheque_number(text: str) -> str | None:
    """The cheque number a ledger text gives for *this* payment.

    Convention of void-and-reissue: the replacement's memo names the cheque it replaces
    ("replaces voided check 1050", "Reissue of check 1050 (voided)"). That number is the
    voided cheque's, so it is skipped; any other cheque number in the text is this one.
    """
    upper = fold(text)
    replaced = {a or b for a, b in _REPLACED_CHEQUE.findall(upper)}
    for number in _CHEQUE_NUMBERS.findall(upper):
        if number not in replaced:
            return number.lstrip("0") or "0"
    return None


def ledger_rec(entry: LedgerEntry, scale: Scale, bdays: BusinessDays) -> Rec:
    text = entry.description[:MAX_TEXT]
    feat = describe(text)
    kind = fold(entry.entry_type).strip().lower()
    if kind in TRANSFER_TYPES and not feat.own_transfer:
        feat = replace(feat, own_transfer=True)  # typed a transfer, described any way
    ref = normalize_ref(entry.ref)
    # A replacement cheque is a new payment, not a reversal, even though its memo says
    # "voided" about the cheque it replaces; an entry numbered as a void ("VOID-4179")
    # is the void, whatever its memo says of the replacement.
    replacement = _REPLACEMENT.search(fold(text)) is not None
    numbered_void = _MARKED_REF.match(ref) is not None
    reversal = kind in REVERSAL_TYPES or (feat.reversal and (numbered_void or not replacement))
    cheque_no = _own_cheque_number(text) if feat.cheque_no else None
    # An entry typed as a cheque is one; an untyped entry that names a cheque is one of
    # ours only if money goes out ("Receipt - Oak Dental chk 1881" is a customer's).
    is_cheque = kind in CHEQUE_TYPES or (cheque_no is not None and kind == "" and entry.amount < 0)
    if kind in CHEQUE_TYPES and ref.isdigit():
        cheque_no = ref.lstrip("0") or "0"
    # Accounting software keeps the cheque number in the entry's number/ref field
    # whatever the entry is called ("Bill payment", "Expense", "Payment"), so a
    # numeric ref on money out may be the number of a cheque: it links to a cheque
    # line printing the same number, and to nothing else.
    # The same holds for a number the memo labels as a cheque ("Acme chk 6301").
    ref_number = None
    if entry.amount < 0 and not reversal and ref.isdigit() and 3 <= len(ref.lstrip("0")) <= 10:
        ref_number = ref.lstrip("0")
    ref_cheque = None
    if entry.amount < 0 and not reversal:
        ref_cheque = cheque_no if cheque_no is not None else ref_number
    return Rec(
        id=entry.id,
        units=scale.units(entry.amount),
        day=entry.date.toordinal(),
        bday=bdays[entry.date],
        feat=feat,
        ref=entry.ref,
        cheque_no=cheque_no if is_cheque else None,
        ref_cheque=ref_cheque,
        ref_number=ref_number,
        is_cheque=is_cheque,
        drawn_cheque=is_cheque or (cheque_no is not None and entry.amount < 0 and not reversal),
        reversal=reversal,
        display_amount=entry.amount,
        memo=text,
        days=_written_days(text),
        fx_currency=_converted_from(text, entry.amount),
    )


def _converted_from(text: str, amount: Decimal) -> str | None:
    """The currency a memo converts the entry's amount from, if its stated foreign amount
    times its stated rate gives that amount to the cent: a memo whose figures do not
    reproduce the entry states no conversion of it."""
    stated = stated_conversion(text)
    if stated is None:
        return None
    code, foreign, rate = stated
    converted = (foreign * rate).quantize(Decimal("0.01"))
    return code if abs(abs(amount) - converted) <= Decimal("0.01") else None


def claim_rec(
    claim: Claim, scale: Scale, bdays: BusinessDays, params: MatchParams
) -> tuple[Rec, bool]:
    """A claim as a pseudo ledger entry (money out); the flag says the amount is converted."""
    amount = -claim.amount
    converted = claim.currency.upper() != params.base_currency.upper()
    if converted:
        rate = params.fx_rates.get(claim.currency.upper())
        amount = amount * rate if rate is not None else Decimal(0)
    feat = describe(claim.merchant)
    return (
        Rec(
            id=claim.id,
            units=scale.units(amount),
            day=claim.date.toordinal(),
            bday=bdays[claim.date],
            feat=feat,
            display_amount=claim.amount,
        ),
        converted,
    )


_MARKED_REF = re.compile(r"^(?:VOID|VD|REV|RVS|REVERSAL|REVERSE|CANCEL|CXL|NSF|RTN|RET)(?=\d)")
"""A reversal marker written into a reference: a void of cheque 217231 is ``VOID-217231``."""


def reference_words(rec: Rec) -> list[str]:
    """The references a ledger entry carries: its ref field, then the words of its memo
    that could be a reference (a journal "Reverse duplicate entry BP-4718" keeps its own
    number, JE-0624, in ref and names the entry it reverses only in the memo).

    Convention of the void: accounting software numbers a voiding entry after the
    cheque it voids with a marker in front (``VOID-217231``, ``REV-4179``), so a
    reversal's references also count without that marker.
    """
    ref = normalize_ref(rec.ref)
    memo = [w for w in map(normalize_ref, rec.memo.split()) if len(w) >= 4 and w != ref]
    words = [ref, *memo] if ref else memo
    if rec.reversal:
        words += [bare for w in words if (bare := _MARKED_REF.sub("", w)) != w and len(bare) >= 4]
    return words


def names_reversed(rev: Rec, original: Rec) -> bool:
    """Whether reversal ``rev`` names ``original`` by its reference (in ref or memo)."""
    ref = normalize_ref(original.ref)
    return rev.reversal and len(ref) >= 4 and ref in reference_words(rev)


def inherit_counterparty(gl: Sequence[Rec]) -> None:
    """Give a reversal the counterparty of the entry it reverses, found by reference.

    Convention of the reversal leg: a bookkeeper writes "Reverse INV-8663 wrong amount"
    with the original's reference and no name, while the bank prints the returned
    payment under the payee's name (``ACH RETURN NORTHGATE CATERING``). The reference
    ties the reversal to exactly the entries it may cancel (opposite amount, same
    reference); when those all name one counterparty, the reversal names it too. Used
    only against bank lines that themselves report a return or reversal.

    The reference may sit in the reversal's memo rather than its ref field (a journal
    "Reverse INV-6803 wrong amount" with no ref, or with the journal's own number in
    ref): a word of the memo that is exactly the ref of an original of the opposite
    amount counts the same.
    """
    by_ref: dict[tuple[str, int], list[Rec]] = defaultdict(list)
    for rec in gl:
        ref = normalize_ref(rec.ref)
        if ref and not rec.reversal:
            by_ref[(ref, rec.units)].append(rec)
    for rec in gl:
        if not rec.reversal:
            continue
        originals = next(
            (found for w in reference_words(rec) if (found := by_ref.get((w, -rec.units)))), []
        )
        names = {o.feat.name for o in originals}
        if len(names) == 1 and originals[0].feat.name:
            rec.origin = originals[0].feat
