"""Stage 1, edges: every plausible (bank line, ledger entry) pair, scored.

Found through an amount index (exact, netted fee, transposed digits), never by a full
cross product; the score weighs amount, clearing lag, names and references.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from baton.tools.finance.matching.params import EdgeKind, MatchParams
from baton.tools.finance.matching.records import (
    Edge,
    Rec,
    Scale,
    batch_lead,
    names_no_payee,
    run_floor,
)
from baton.tools.finance.models import (
    Match,
    MatchKind,
)
from baton.tools.finance.normalize import (
    DescriptionFeatures,
    name_similarity,
    ref_in_text,
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


_OTHER_DAY = 0.75
"""Date score of a card purchase booked on another day than the line prints, relative
to one booked on that day."""


class Scorer:
    """Scores one (bank, ledger) edge; returns None when the pair is impossible."""

    def __init__(self, params: MatchParams, scale: Scale) -> None:
        self.p = params
        self.places = scale.places
        self.unit = 10**scale.places
        self.fee_abs_units = scale.units(params.fee_abs)
        # Integer parts per million: exact, and far cheaper than Decimal in the hot loop.
        self._rel_ppm = int(params.fee_rel * 1_000_000)
        self._share_ppm = int(params.fee_max_share * 1_000_000)
        self._names: dict[
            tuple[int, int], tuple[DescriptionFeatures, DescriptionFeatures, float | None]
        ] = {}

    def names(self, bank: DescriptionFeatures, ledger: DescriptionFeatures) -> float | None:
        """:func:`name_similarity`, worked out once per pair of descriptions.

        A month pays the same payees again and again, and each distinct description is
        one object, so a 10,000-line month asks about the same pair of objects twice as
        often as about a new one. The memo keeps the objects it is keyed on by identity,
        so no key can be reused by another object while the scorer lives.
        """
        key = (id(bank), id(ledger))
        known = self._names.get(key)
        if known is None:
            known = (bank, ledger, name_similarity(bank, ledger))
            self._names[key] = known
        return known[2]

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

    def date_score(self, b: Rec, g: Rec, cheque_hit: bool) -> tuple[float, int] | None:
        """Plausibility of the clearing lag in business days, or None outside the window.

        Most items clear within two business days of booking; each further day makes
        the pair less likely, and a bank line before its ledger entry (late booking)
        much less likely still. A cheque whose number matches may take months.
        """
        p = self.p
        lag = b.bday - g.bday
        # A return or reversal is usually booked from the statement that reports it,
        # and a direct debit from the bill or the statement after the creditor took it,
        # so the books may learn of either days after the bank posted it.
        booked_late = (
            (b.reversal and g.reversal)
            or (b.feat.direct_debit and b.units < 0)
            or self.late_receipt(b, lag)
        )
        lead = p.reversal_lead_days if booked_late else p.lead_days
        # A payroll processor takes the pay run and its source deductions before payday,
        # which is the day the books record them (see batch_lead).
        lead = max(lead, batch_lead(b, p))
        if lag < -lead:
            return None
        if cheque_hit and b.day - g.day <= p.cheque_lag_days:
            return 1.0, lag
        if lag > p.lag_days:
            return None
        if b.feat.bank_originated:
            # Bank charges are booked from the statement, on the statement's date.
            return {0: 1.0, 1: 0.4, -1: 0.4}.get(lag, 0.1), lag
        if b.made_bday is not None:
            # The line prints the purchase day: compare the books with that day, not with
            # how long the card network took to post it. Bookkeepers enter a purchase
            # that day or within a couple of business days from the receipt.
            # An entry on the very day printed is likelier than one a weekend day or a
            # business day away, which is another purchase as often as a late entry.
            late = g.bday - b.made_bday
            on_the_day = 1.0 if g.day == b.made_day else _OTHER_DAY
            if late < 0:
                return on_the_day * 0.85 ** (-late), lag
            return on_the_day * 0.6 ** max(0, late - 2), lag
        if lag < 0:
            return 0.6 ** (-lag), lag
        return 0.85 ** max(0, lag - 2), lag

    def late_receipt(self, b: Rec, lag: int) -> bool:
        """Money received, dated in the books beyond the ordinary lead.

        Convention: a customer's payment is often recorded when the bookkeeper applies
        cash from the statement or the remittance advice, days after it arrived. Such a
        pair needs more than the amount: :meth:`score` keeps it only when the line
        prints the entry's reference, or the names agree strongly on an amount to the
        penny. A round amount from a known customer is not enough: retainers and
        instalments recur, and last month's payment often arrives in this month's first
        days, before this month's entry for the next one.
        """
        return (
            b.units > 0
            and not b.feat.bank_originated
            and not b.reversal
            and lag < -self.p.lead_days
        )

    def prompt(self, b: Rec, g: Rec, lag: int) -> bool:
        """Posted promptly after the books: within three business days of the entry, or
        for a card line that prints its purchase day, booked within two days of it. A
        direct debit is prompt when the books record it within the days a bill or the
        next statement takes to arrive (the creditor took it; see :meth:`date_score`)."""
        if b.made_bday is not None:
            return 0 <= g.bday - b.made_bday <= 2
        if b.feat.direct_debit and b.units < 0:
            return -self.p.reversal_lead_days <= lag <= 3
        return 0 <= lag <= 3

    def score(self, b: Rec, g: Rec, kind: EdgeKind) -> Edge | None:
        p = self.p
        if b.cheque_no and g.cheque_no and b.cheque_no != g.cheque_no:
            return None  # two different cheques can never be the same payment
        if g.cheque_no and not b.is_cheque:
            return None  # a numbered cheque clears as a cheque, not as a card or ACH line
        if _other_slip(b, g):
            return None  # cash booked under one paying-in slip is not on another
        if b.feat.bank_originated and not g.feat.mentions_bank:
            return None  # a bank fee or interest line is only matched by an entry booking one
        if g.reversal and g.feat.book_only:
            return None  # reversing a duplicate entry corrects the books: no money moved
        # The numbers an entry may give its cheque: one its memo names, and a numeric
        # ref (a replacement's memo names the lost cheque, its ref the new one).
        numbered = {n for n in (g.cheque_no, g.ref_cheque, g.ref_number) if n}
        cheque_hit = b.cheque_no is not None and b.cheque_no in numbered
        # An entry whose numbers are all other cheques' is, most likely, one of those
        # other cheques: only a reviewer may pair it with this one.
        other_cheque = b.cheque_no is not None and g.ref_cheque is not None and not cheque_hit
        dated = self.date_score(b, g, cheque_hit)
        if dated is None:
            return None
        date_s, lag = dated
        # "SERVICE CHARGE" and "Bank charges" name the same payee, the bank itself.
        sim = None if b.feat.bank_originated else self.names(b.feat, g.feat)
        if g.origin is not None and b.reversal and sim is not None:
            sim = max(sim, self.names(b.feat, g.origin) or 0.0)
        ref_hit = (
            cheque_hit
            or (bool(g.ref) and ref_in_text(g.ref, b.feat))
            or (b.units > 0 and b.feat.processor and bool(b.days & g.days))
            or _copied(b, g, lag)
        )
        if self.late_receipt(b, lag) and not (
            ref_hit or ((sim or 0.0) >= p.strong_name and b.units % self.unit != 0)
        ):
            return None
        before_run = not ref_hit and _before_run(b, g)
        note = ""
        if kind == "exact":
            amount_s = 1.0
        elif kind == "fee":
            fee = abs(g.units - b.units)
            gross = g.units if abs(g.units) > abs(b.units) else b.units
            amount_s = 0.4 - 0.3 * min(1.0, fee / max(1, self.fee_tolerance(gross)))
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
        elif g.fx_currency is not None:
            amount_s = 0.7
            cost = Decimal(abs(b.units - g.units)) / Decimal(abs(g.units))
            note = (
                f"{g.fx_currency} converted at the bank's rate, {cost:.2%} from the rate"
                " the ledger states"
            )
        else:
            amount_s = 0.7
            note = "amount converted from the claim currency"
        # The currency both sides name and the account digits the line prints stand
        # in for a payee: the money moved to or from our own account in that currency.
        tail = b.feat.account_tail
        own_fx = (
            kind == "fx"
            and g.fx_currency is not None
            and (tail is None or re.search(rf"\b{tail}\b", g.memo) is not None)
        )
        name_s = 1.0 if own_fx else 0.5 if sim is None else sim
        score = 0.4 * amount_s + 0.2 * date_s + 0.4 * name_s + (0.25 if ref_hit else 0.0)
        if g.reversal != b.reversal:
            score -= 0.15
        if b.is_cheque and not g.is_cheque and not cheque_hit:
            score -= 0.1
        score = max(0.0, score)
        sole = False
        if before_run:
            bookable = False
            note = "dated before the payment run the bank line prints"
        elif ref_hit or own_fx:
            bookable = True
        elif sim is not None and sim < p.weak_name:
            # Names disagree. An amount to the cent, posted within days, with no rival
            # at all is still near-certain (card networks print brand-family names such
            # as HAMPTON INN for a Hilton stay); a round amount or any rival is not.
            # Nor is a transfer we pushed (an e-Transfer, a Faster Payment) to a name
            # sharing no word with the books' payee: the bank prints the payee we typed,
            # so another name is another payee, the wrong-payee payment a reviewer must
            # see. "G LEE SALARY" for Grace Lee's wages is her, abbreviated.
            bookable = (
                kind == "exact"
                and b.units % self.unit != 0
                and self.prompt(b, g, lag)
                and not (b.units < 0 and b.feat.full_amount and not _shared_word(b, g))
            )
            sole = bookable
            if bookable:
                score = min(score, p.accept_score + 0.05)
        elif kind != "exact":
            bookable = sim is not None and sim >= p.strong_name
        else:
            bookable = True
        if other_cheque:
            bookable = False
        if not bookable:
            score = min(score, p.accept_score - 0.01)
        return Edge(-1, -1, kind, score, bookable, lag, sim, ref_hit, note, sole)


def _shared_word(b: Rec, g: Rec) -> bool:
    """Whether the two names share a word of three letters or more."""
    words = {w for w in b.feat.name.split() if len(w) >= 3}
    return any(w in words for w in g.feat.name.split())


_COPIED_MIN = 12
"""Fewest letters and digits a description needs before a copy of it identifies its
line: ``ABM WITHDRAWAL`` twice in a day is no identity, ``E-TRANSFER AUTODEPOSIT ROCKY
MOUNTAIN OUTFITT`` is."""


def _copied(b: Rec, g: Rec, lag: int) -> bool:
    """The entry reproduces the bank line's whole description, on the line's own day.

    Convention of the bank feed and of entering from the statement: the bookkeeper's
    entry then carries the line's text as its memo ("e-Transfer - Autodeposit ROCKY
    MOUNTAIN OUTFITT"), so the entry was made from that very line, even when its amount
    was mistyped. That is evidence as strong as a reference the line prints: without it,
    an older receipt of the same payer and amount would take the line, and the copy be
    left as an unexplained entry.
    """
    text = b.feat.compact
    return lag == 0 and len(text) >= _COPIED_MIN and text == g.feat.compact


def _before_run(b: Rec, g: Rec) -> bool:
    """Whether an entry is dated before the payment run a bank debit names.

    Convention of the payment run: a bulk debit that prints its run date (``BP BACS
    210825``) carries payments approved on or after the working day before that date
    (:func:`~tools.finance.matching.records.run_floor`). A payment booked a week
    earlier went out in an earlier run, and an equal amount is then a coincidence of
    the run's total, not this payment: such a pair is offered, never booked, and the
    line is left to the batch search. Only lines that name no payee: ``DD BRITISH GAS
    210825`` is one creditor's collection, whatever number it prints.
    """
    if b.units >= 0 or not names_no_payee(b):
        return False
    floor = run_floor(b)
    return floor is not None and g.bday < floor


class _LedgerIndex:
    """Ledger entries indexed by exact amount and, for range look-ups, sorted by amount."""

    def __init__(self, gl: Sequence[Rec]) -> None:
        self.by_units: dict[int, list[int]] = defaultdict(list)
        for i, rec in enumerate(gl):
            self.by_units[rec.units].append(i)
        order = sorted(range(len(gl)), key=lambda i: gl[i].units)
        self.sorted_idx = order
        self.sorted_units = [gl[i].units for i in order]
        # The business day and direction of each entry in amount order, as arrays: a
        # fee's amount range over a year of small payments holds thousands of entries,
        # and only the few inside the date window are worth scoring.
        self._idx = np.array(order, dtype=np.int64)
        self._bdays = np.array([gl[i].bday for i in order], dtype=np.int64)
        self._credits = np.array([gl[i].units > 0 for i in order], dtype=bool)

    def _span(self, low: int, high: int) -> slice:
        """Positions, in amount order, of the entries with ``low <= units <= high``."""
        return slice(
            bisect.bisect_left(self.sorted_units, low), bisect.bisect_right(self.sorted_units, high)
        )

    def in_range(self, low: int, high: int) -> list[int]:
        """Indices of entries with ``low <= units <= high``."""
        return self.sorted_idx[self._span(low, high)]

    def near(self, low: int, high: int, earliest: int, latest: int, credit: bool) -> list[int]:
        """Indices of entries with ``low <= units <= high``, booked on a business day in
        [earliest, latest], and credits (``units > 0``) exactly when ``credit``; in the
        order of :meth:`in_range`."""
        span = self._span(low, high)
        bdays = self._bdays[span]
        keep = (bdays >= earliest) & (bdays <= latest) & (self._credits[span] == credit)
        return [int(i) for i in self._idx[span][keep]]


def build_edges(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    scorer: Scorer,
    *,
    fx_flags: Sequence[bool] | None = None,
) -> list[Edge]:
    """All plausible edges, found through the amount index, never by a full cross product."""
    p = scorer.p
    index = _LedgerIndex(gl)
    best: dict[tuple[int, int], Edge] = {}

    def add(bi: int, gi: int, kind: EdgeKind) -> None:
        # One edge per pair: a pair explained both as a fee and as a transposition must
        # not count as its own rival.
        if fx_flags is not None and fx_flags[gi] and kind != "fx":
            return
        edge = scorer.score(bank[bi], gl[gi], kind)
        if edge is None or (kind == "fee" and not edge.ref_hit and _sent_in_full(bank[bi], gl[gi])):
            return
        edge.b, edge.g = bi, gi
        known = best.get((bi, gi))
        if known is None or edge.score > known.score:
            best[(bi, gi)] = edge

    for bi, b in enumerate(bank):
        if b.units == 0:
            continue
        # An entry cleared longer ago than any lag allows pairs only with the cheque
        # that waited for it, and one booked later than any lead never pairs at all
        # (see Scorer.date_score): neither is worth scoring.
        floor = None if b.cheque_no is not None else b.bday - p.lag_days
        ceiling = b.bday + max(p.lead_days, p.reversal_lead_days)
        for gi in index.by_units.get(b.units, ()):
            if gl[gi].bday <= ceiling and (floor is None or gl[gi].bday >= floor):
                add(bi, gi, "exact")
        # A fee separates the two amounts in either direction (see _fee_direction).
        # The tolerance grows with the gross amount, which is at most 1/(1 - share) of
        # the net one, so twice the bank-side tolerance bounds the search.
        reach = 2 * scorer.fee_tolerance(b.units) + 1
        earliest, latest = b.bday - p.lag_days, b.bday + p.lead_days
        payout = b.feat.processor and b.units > 0
        below = reach if payout else scorer.fee_abs_units
        for gi in index.near(b.units - below, b.units + reach, earliest, latest, b.units > 0):
            g = gl[gi]
            if g.units != b.units and _fee_direction(
                b.units,
                g.units,
                scorer,
                wire=b.feat.wire,
                payout=payout,
                net_books=g.feat.net_of_fees,
            ):
                add(bi, gi, "fee")
        if p.allow_transposition:
            for variant in _transpositions(b.units):
                for gi in index.by_units.get(variant, ()):
                    add(bi, gi, "transposed")
        if b.currencies:
            spread = int(abs(b.units) * p.fx_spread_rel) + 1
            for gi in index.near(b.units - spread, b.units + spread, earliest, latest, b.units > 0):
                if gl[gi].fx_currency in b.currencies and _bank_rate(b.units, gl[gi].units):
                    add(bi, gi, "fx")
        if fx_flags is not None:
            spread = int(abs(b.units) * p.fx_tolerance_rel) + 1
            for gi in index.in_range(b.units - spread, b.units + spread):
                if fx_flags[gi] and gl[gi].units != 0:
                    add(bi, gi, "fx")
    return list(best.values())


def _bank_rate(bank_units: int, gl_units: int) -> bool:
    """Whether the bank's conversion differs from the books' in the way a spread does.

    Convention of the retail exchange rate: a bank sells foreign currency above the
    market rate and buys it below, so converting always costs the customer. Money sent
    to a foreign-currency account takes more home currency than the books' rate says,
    and money brought back yields less; a difference the other way is no spread.
    """
    if bank_units == gl_units:
        return False
    return abs(bank_units) > abs(gl_units) if bank_units < 0 else bank_units < gl_units


def _other_slip(b: Rec, g: Rec) -> bool:
    """Whether the entry is booked under a paying-in slip the deposit line is not.

    Convention of the paying-in slip: the bank prints the slip's number on the counter
    credit, and the books record the cash paid in under it (``Cash sales (slip
    000224)``). A deposit printing a number of the same form but another one is another
    slip, as two cheque numbers are two cheques.
    """
    slip = g.feat.slip_no
    if slip is None or not b.feat.counter_deposit:
        return False
    printed = {t for t in b.tokens if t.isdigit() and len(t) == len(slip)}
    return bool(printed) and slip not in printed


def _sent_in_full(b: Rec, g: Rec) -> bool:
    """Whether no bank fee should separate the two amounts: the bank line is a domestic
    credit transfer (:attr:`DescriptionFeatures.full_amount`), which the banks in the
    chain pass on whole, or cheques and cash paid in over the counter or at a machine
    (:attr:`DescriptionFeatures.counter_deposit`), credited at face value; and neither
    side is a card processor's takings, which the processor pays out net of its own fee
    before the transfer starts.

    The payee's own bank may still net an agreed charge, and a customer may pay short,
    so such a pair is not ruled out: it needs the reference printed on the payment
    (the invoice it pays), and a name alone no longer makes it a fee pair."""
    return (
        (b.feat.full_amount or b.feat.counter_deposit)
        and not b.feat.processor
        and not g.feat.processor
        and not g.feat.card_sales
    )


def _fee_direction(
    bank_units: int,
    gl_units: int,
    scorer: Scorer,
    *,
    wire: bool = False,
    payout: bool = False,
    net_books: bool = False,
) -> bool:
    """Whether a fee explains the difference, in either direction and on either side.

    Banking conventions, all common: a processor or the bank nets its fee from a
    receipt (ledger gross, bank net); an outgoing wire is debited together with its fee
    (bank gross); the bank credits a wire whole and charges the fee on a line of its own
    while the books took the net the remittance advice promised (bank gross, ledger
    net); the books include the expected fee in a payment the bank debits without it.
    So the gross side may be either one. A netted fee is bounded by the tolerance of
    the ledger amount (flat plus proportional, capped by a share of it); a fee the bank
    charges apart is a flat wire charge, bounded by the flat part alone.

    Banks charge a flat fee per wire (typically $15-$50 whatever the amount), taken
    from an incoming wire or debited with an outgoing one, so on a bank line that
    reports a wire the flat part bounds the fee even where it exceeds the share cap
    meant for percentage fees: a $45 charge on a $185.90 wire is ordinary.

    An acquirer that deposits the day's gross and bills its fees monthly (Moneris,
    many merchant-services banks) reverses the payout case: when the books say they
    recorded the day net of fees (``net_books``), the deposit exceeds them by up to the
    percentage tolerance.
    """
    if (abs(gl_units) > abs(bank_units) and gl_units > 0) or (
        abs(bank_units) > abs(gl_units) and bank_units < 0
    ):
        limit = scorer.fee_tolerance(gl_units)
        if wire:
            limit = max(limit, scorer.fee_abs_units)
        return 0 < gl_units - bank_units <= limit
    # The other two directions come from a bank's flat charge for a wire, never from
    # a processor's percentage, so only the flat part of the tolerance applies. A
    # platform's payout (``payout``) is always its sales less its fees: it never
    # exceeds what the books recorded, so it takes neither.
    if payout and net_books and bank_units > gl_units > 0:
        return bank_units - gl_units <= scorer.fee_tolerance(bank_units)
    return not payout and (
        0
        < abs(gl_units - bank_units)
        <= min(scorer.fee_abs_units, scorer.fee_tolerance(bank_units))
    )


def explain(edge: Edge, bank: Sequence[Rec], gl: Sequence[Rec]) -> str:
    b, g = bank[edge.b], gl[edge.g]
    parts = [edge.note or "same amount"]
    if edge.lag == 0:
        parts.append("same business day")
    elif edge.lag > 0:
        parts.append(f"bank {edge.lag} business day(s) after ledger")
    else:
        parts.append(f"bank {-edge.lag} business day(s) before ledger")
    if edge.ref_hit:
        parts.append(
            "the entry copies the bank text"
            if _copied(b, g, edge.lag)
            else f"ref {g.cheque_no or g.ref} in bank text"
        )
    if edge.sim is None:
        parts.append("bank text names no counterparty")
    else:
        parts.append(f"names {edge.sim:.2f} ({b.feat.name!r} ~ {g.feat.name!r})")
    return "; ".join(parts)


def to_match(edge: Edge, bank: Sequence[Rec], gl: Sequence[Rec]) -> Match:
    kind: MatchKind = "one_to_one" if edge.kind == "exact" else "amount_mismatch"
    return Match(
        bank_id=bank[edge.b].id,
        gl_id=gl[edge.g].id,
        kind=kind,
        confidence=round(min(1.0, edge.score), 3),
        reason=explain(edge, bank, gl),
    )
