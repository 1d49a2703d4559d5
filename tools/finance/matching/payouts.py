"""Stage 4c, payouts: a processor's payouts paired by its own schedule and pricing.

A card processor (Stripe, Square, SumUp) pays out each day's takings less its fees,
on a fixed schedule: Stripe's standard payout reaches a US bank two business days
after the charges, and its price is a steady share of the gross (2.9% plus a few
cents a charge). The books record each day's gross sales. Two payouts a few days
apart, each within the fee tolerance of either day's sales, then fit both ways, and
the one-to-one stage rightly leaves them tied: 1,231.87 is 0.7% below Thursday's
sales the same day, or 3.6% below Tuesday's two days earlier.

A bookkeeper settles it from the processor's habits, and so does this stage: the
month's payouts already booked beyond doubt give this processor's usual delay and
fee share, and each tied group is paired in the way those make likeliest, only when
every rival pairing is at least ``_ODDS`` times less likely
(:func:`~tools.finance.matching.repeats.pair_run`). A processor with fewer than
``_MIN_SAMPLES`` such payouts this month teaches nothing, and its ties stay for review.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State
from baton.tools.finance.matching.repeats import close, pair_run, tied_groups
from baton.tools.finance.normalize import platform

_MIN_SAMPLES = 8
"""Payouts of one processor booked beyond doubt before its habits are trusted."""

_RATE_BIN = 0.005
"""Fee shares are compared in bins of half a percentage point of the gross."""

_RATE_BINS = 20
"""Bins a fee share may fall in (0 to 10% of the gross), for smoothing."""


def _payout(b: Rec) -> str | None:
    """The processor whose payout a bank line is, or None."""
    return platform(b.feat.name) if b.units > 0 and b.feat.processor else None


def _rate_bin(e: Edge, bank: Sequence[Rec], gl: Sequence[Rec]) -> int:
    """The fee share of the gross a netted pair implies, as a bin."""
    gross = max(abs(gl[e.g].units), abs(bank[e.b].units), 1)
    return int(abs(gl[e.g].units - bank[e.b].units) / gross / _RATE_BIN)


class _Habits:
    """One processor's payout delays and fee shares, from its pairs booked beyond doubt."""

    def __init__(self, booked: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec]) -> None:
        self.lags: Counter[tuple[str, int]] = Counter()
        self.rates: Counter[tuple[str, int]] = Counter()
        self.totals: Counter[str] = Counter()
        for e in booked:
            who = _payout(bank[e.b])
            if who is None or e.kind not in ("exact", "fee"):
                continue
            self.totals[who] += 1
            self.lags[(who, e.lag)] += 1
            self.rates[(who, _rate_bin(e, bank, gl) if e.kind == "fee" else 0)] += 1

    def cost(self, who: str, e: Edge, bank: Sequence[Rec], gl: Sequence[Rec], width: int) -> float:
        """``-log`` of the pair's delay and fee share under this processor's habits,
        smoothed: a delay or share never seen yet is unlikely, not impossible."""
        n = self.totals[who]
        lag = (self.lags[(who, e.lag)] + 0.5) / (n + 0.5 * width)
        rate = (self.rates[(who, _rate_bin(e, bank, gl))] + 0.5) / (n + 0.5 * _RATE_BINS)
        return -math.log(lag) - math.log(rate)


_NOTE = "payouts tied on amount, paired by this processor's usual delay and fee"


def book_payouts(
    edges: Sequence[Edge],
    booked: Sequence[Edge],
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
) -> list[Edge]:
    """Book tied payouts in the pairing this processor's habits make far the likeliest."""
    habits = _Habits(booked, bank, gl)
    width = params.lead_days + params.lag_days + 1
    found: list[Edge] = []
    for group in tied_groups(
        edges, state, lambda e: e.kind in ("exact", "fee") and e.bookable and not e.sole
    ):
        who = {_payout(bank[e.b]) for e in group}
        processor = who.pop() if len(who) == 1 else None
        if processor is None or habits.totals[processor] < _MIN_SAMPLES:
            continue
        costs = {(e.b, e.g): habits.cost(processor, e, bank, gl, width) for e in group}
        found += pair_run(group, {e.b for e in group}, costs, _NOTE)
    return close(found, state)
