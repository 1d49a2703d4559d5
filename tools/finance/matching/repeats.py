"""Stage 4b, repeats: identical payments paired by how this account's items clear.

A card used for the same fare every day, a standing order of the same amount to the
same payee: each bank line fits each ledger entry equally well, so the one-to-one stage
rightly leaves them tied. Yet a bookkeeper pairs them without hesitation, because the
bank posts a given kind of item a steady number of days after it is booked (card
purchases next working day, direct debits on the day, Faster Payments the same day).
Every pairing of a run of identical items uses the same dates, so the pairings differ
only in the clearing lags they imply, and the account's own month says which lags are
usual: the lags of the pairs already booked beyond doubt. A lag is counted in business
days together with the weekend days it spans, since a Saturday purchase posted Monday
and a Monday purchase posted Monday are both zero business days late (:func:`_delay`).

So the lag distribution is learned from those pairs, as specific to the bank line as
the month allows (its counterparty, else its kind of item, else its direction), and
the most likely pairing of each run of identical items books only if every rival
pairing is at least ``_ODDS`` times less likely. When the month's lags are erratic no
pairing is that much likelier and nothing books: the tie stays for review, as before.
Nothing is learned from ids, row order or any generator's wording.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial

import numpy as np
from scipy.optimize import linear_sum_assignment

from baton.tools.finance.matching.assignment import components
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State

_ODDS = 20.0
"""How much likelier the chosen pairing must be than any rival (95% with even priors)."""

_MIN_SAMPLES = 8
"""Booked pairs needed before a lag profile is trusted at a level of detail."""

_LONE = 0.01
"""Chance that a record of such a run has no counterpart at all this month (a payment
still outstanding, a receipt not yet booked): leaving a record unpaired is allowed, at
this price, so a missing twin never forces every other pair to shift."""

_WINDOW = 80
"""Records solved together: each booked pair costs one assignment of this size."""

_FORBIDDEN = 1e6

_SPANS = 4
"""Calendar days beyond the business days a delay may commonly span (a weekend, a
holiday), for smoothing: each business-day delay comes in about this many forms."""


Delay = tuple[int, int]
"""A pair's delay in business days, and the weekend and holiday days it spans on top."""


def _delay(e: Edge, bank: Sequence[Rec], gl: Sequence[Rec]) -> Delay:
    """The delay a pair implies: for a card line that prints its purchase day, how long
    the books took to record the purchase (the card network's posting delay says
    nothing then); otherwise how long the bank took to post it.

    Business days alone cannot tell a Saturday's fare posted on Monday from Monday's
    fare posted that day: both are 0 business days, since a weekend day counts as the
    next working day. Yet card schemes post a purchase the working day *after* it was
    made, so the first is the rule and the second never happens. The calendar days the
    delay spans besides its business days (the weekend in between) keep them apart.
    """
    b, g = bank[e.b], gl[e.g]
    if b.made_bday is None or b.made_day is None:
        return e.lag, (b.day - g.day) - e.lag
    late = g.bday - b.made_bday
    return late, (g.day - b.made_day) - late


class LagProfile:
    """Clearing lags (business days) of the pairs booked beyond doubt, by bank line.

    Lines that print their purchase day are profiled apart, on the booking delay
    (:func:`_delay`), since theirs is another quantity.
    """

    def __init__(
        self, booked: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
    ) -> None:
        self._levels: list[tuple[Callable[[Rec], str], Counter[tuple[str, Delay]]]] = []
        self._totals: list[Counter[str]] = []
        # Each business-day delay spans at most a few weekend or holiday days more.
        self._width = (params.lead_days + params.lag_days + 1) * _SPANS
        keys: list[Callable[[Rec], str]] = [
            lambda r: f"{r.units > 0}:{r.made_bday is None}:{r.feat.name}",
            lambda r: f"{r.units > 0}:{r.made_bday is None}:{r.kind}",
            lambda r: f"{r.units > 0}:{r.made_bday is None}",
        ]
        for key in keys:
            lags: Counter[tuple[str, Delay]] = Counter()
            totals: Counter[str] = Counter()
            for e in booked:
                if e.kind == "exact":
                    k = key(bank[e.b])
                    lags[(k, _delay(e, bank, gl))] += 1
                    totals[k] += 1
            self._levels.append((key, lags))
            self._totals.append(totals)

    def cost(self, b: Rec) -> Callable[[Delay], float] | None:
        """``-log P(lag)`` for this bank line's kind of item, or None if too few samples."""
        for (key, lags), totals in zip(self._levels, self._totals, strict=True):
            k = key(b)
            n = totals[k]
            if n >= _MIN_SAMPLES:
                return partial(self._neg_log, lags, k, n)
        return None

    def _neg_log(self, lags: Counter[tuple[str, Delay]], key: str, n: int, lag: Delay) -> float:
        """Smoothed: a lag never seen yet is unlikely, not impossible."""
        return -math.log((lags[(key, lag)] + 0.5) / (n + 0.5 * self._width))


def _fungible(group: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec]) -> bool:
    """Every edge is the same exact amount, names agree alike, and no reference points."""
    if any(e.kind != "exact" or not e.bookable or e.ref_hit or e.sole for e in group):
        return False
    if len({bank[e.b].units for e in group}) != 1:
        return False
    if len({bank[e.b].feat.name for e in group}) > 1 or len({gl[e.g].feat.name for e in group}) > 1:
        return False
    return len({None if e.sim is None else round(e.sim, 2) for e in group}) == 1


def _best(cost: np.ndarray) -> float:
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum())


def book_repeats(
    edges: Sequence[Edge],
    booked: Sequence[Edge],
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
) -> list[Edge]:
    """Book runs of identical items in their most likely pairing, if it is far the likeliest."""
    profile = LagProfile(booked, bank, gl, params)
    found: list[Edge] = []
    for group in tied_groups(edges, state, lambda e: e.score >= params.accept_score):
        for run in _payee_runs(group, bank, gl, params):
            found += _pair_run_by_lag(run, profile, bank, gl)
    return close(found, state)


def _payee_runs(
    group: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
) -> list[list[Edge]]:
    """The runs of identical items in a tied group: the group itself if it is one, else
    each payee's own run within it.

    Convention: a payment names its payee. A business paying several contractors the
    same weekly sum has one run per contractor, and the runs share an amount and a
    memo word (``WEEKLY``) that lift a Caldwell line's likeness to Kowalski's entry to
    "not unlike". Such a pair is never the answer while the names disagree: so when
    the whole group is no single run, its edges whose names agree (at least
    ``strong_name``) are split into their own groups, and each that is a run of one
    payee is paired on its own.
    """
    if _fungible(group, bank, gl):
        return [list(group)]
    named = [e for e in group if e.sim is not None and e.sim >= params.strong_name]
    return [
        run
        for run in components(named)
        if (len({e.b for e in run}) > 1 or len({e.g for e in run}) > 1) and _fungible(run, bank, gl)
    ]


def _pair_run_by_lag(
    group: Sequence[Edge], profile: LagProfile, bank: Sequence[Rec], gl: Sequence[Rec]
) -> list[Edge]:
    """The pairs of one run that its lags settle (:func:`pair_run`, in windows), if every
    bank line of the run has a lag profile."""
    costs: dict[tuple[int, int], float] = {}
    for e in group:
        of_line = profile.cost(bank[e.b])
        if of_line is None:
            return []
        costs[(e.b, e.g)] = of_line(_delay(e, bank, gl))
    records = sorted(
        {("b", e.b, bank[e.b].bday) for e in group} | {("g", e.g, gl[e.g].bday) for e in group},
        key=lambda r: (r[2], r[0], r[1]),
    )
    return _pair_windows(group, records, costs)


def tied_groups(
    edges: Sequence[Edge], state: State, keep: Callable[[Edge], bool]
) -> Iterator[list[Edge]]:
    """Groups of open edges (those ``keep`` accepts) where records compete: two bank
    lines or two entries at least, else nothing is tied."""
    live = [e for e in edges if e.b in state.bank_open and e.g in state.gl_open and keep(e)]
    for group in components(live):
        if len({e.b for e in group}) > 1 or len({e.g for e in group}) > 1:
            yield group


def close(found: list[Edge], state: State) -> list[Edge]:
    """Take the pairs booked out of the open sets, and return them."""
    for e in found:
        state.bank_open.discard(e.b)
        state.gl_open.discard(e.g)
    return found


def _pair_windows(
    group: Sequence[Edge],
    records: Sequence[tuple[str, int, int]],
    costs: dict[tuple[int, int], float],
) -> list[Edge]:
    """Solve a long run (a daily fare all year) in overlapping windows of time.

    Windows of ``_WINDOW`` records advance by half their width; a pair is decided in
    the window whose middle half holds its bank line, far from the window's edges,
    where records that lost their partner to the next window could distort it. So the
    work grows linearly with the run, never with its square.
    """
    half, quarter = _WINDOW // 2, _WINDOW // 4
    kept: list[Edge] = []
    starts = range(0, max(1, len(records) - quarter), half)
    for k, start in enumerate(starts):
        window = records[start : start + _WINDOW]
        low = 0 if k == 0 else start + quarter
        high = len(records) if k == len(starts) - 1 else start + half + quarter
        decide = {i for kind, i, _ in records[low:high] if kind == "b"}
        inside = {(kind, i) for kind, i, _ in window}
        edges = [e for e in group if ("b", e.b) in inside and ("g", e.g) in inside]
        kept += pair_run(edges, decide, costs)
    return kept


def pair_run(
    group: Sequence[Edge],
    decide: set[int],
    costs: dict[tuple[int, int], float],
    note: str = "",
) -> list[Edge]:
    """The likeliest pairing, keeping each pair (of a bank line in ``decide``) that no
    rival pairing comes close to; ``note`` (by default :data:`_NOTE`) says why, after
    what the edge already notes (a netted fee).

    The cost matrix is square with a dummy partner per record, so any record may stay
    unpaired at the price of ``_LONE``; a pair books when forbidding it costs at least
    ``log(_ODDS)``.
    """
    banks = sorted({e.b for e in group})
    gls = sorted({e.g for e in group})
    nb, ng = len(banks), len(gls)
    row = {b: i for i, b in enumerate(banks)}
    col = {g: j for j, g in enumerate(gls)}
    lone = -math.log(_LONE)
    size = nb + ng
    cost = np.full((size, size), _FORBIDDEN)
    cost[:nb, ng:] = np.where(np.eye(nb, dtype=bool), lone, _FORBIDDEN)
    cost[nb:, :ng] = np.where(np.eye(ng, dtype=bool), lone, _FORBIDDEN)
    cost[nb:, ng:] = 0.0
    by_cell: dict[tuple[int, int], Edge] = {}
    for e in group:
        cell = (row[e.b], col[e.g])
        cost[cell] = costs[(e.b, e.g)]
        by_cell[cell] = e
    rows, cols = linear_sum_assignment(cost)
    best = float(cost[rows, cols].sum())
    margin = math.log(_ODDS)
    kept: list[Edge] = []
    for r, c in zip(rows, cols, strict=True):
        cell = (int(r), int(c))
        if cell not in by_cell or banks[cell[0]] not in decide:
            continue
        cost[cell] = _FORBIDDEN
        if _best(cost) - best >= margin:
            e = by_cell[cell]
            why = note or _NOTE
            kept.append(replace(e, note=f"{e.note}; {why}" if e.note else why))
        cost[cell] = costs[(by_cell[cell].b, by_cell[cell].g)]
    return kept


_NOTE = "same amount repeated, paired by this account's usual clearing lag"
