"""Stage 3d, the slips of a working week and the runs of a few days: receipts (payments)
no single deposit (debit) settles, settled by all of them at once.

Convention of the deposit slip: a business pays in its receipts on slips, and a slip
holds receipts booked in the working week before it (a cheque taken on Monday and
banked with Friday's). Over a week's window a slip of twenty-odd open receipts has
several subsets that make its amount, so neither the single-slip searches nor the exact
splits of :mod:`~baton.tools.finance.matching.clusters` (which must place every receipt
of the window) book it. But every slip left open must be paid in by *some* subset of
its own window, the same receipt never on two slips, and a subset that would starve a
neighbouring slip of every answer it has is no answer. Taken together, the slips of a
month often leave one subset to a slip however the others are settled.

So this stage books a slip's subset only when it is that slip's subset in *every* way
the open slips nearby can all be paid in at once (the backbone of the exact covers).
Receipts may be left on no slip (still in transit), so a slip is never made to take a
receipt for want of another home. The search gives up, booking nothing, past a fixed
budget, and books nothing where the slips cannot all be paid in at once: a bank line
whose amount some receipts make by chance (a transfer, a refund) is then among them, and
the premise fails. A slip with too many subsets to list is left out of the premise
rather than guessed at: it claims no receipt, so the others have more answers, never
fewer, and a subset is booked only if it survives that too. So is a deposit whose week
reaches back past the books' first day: it may hold the last period's receipts.

Convention of the payment run: a BACS run is one debit for supplier payments the books
record one by one, in the few days before it and never before its run date
(:func:`~baton.tools.finance.matching.records.run_floor`). Runs debited the same day
share those payments as slips share receipts, so they are settled the same way: each
open debit is paid by some subset of its own days, and no payment is on two runs.

A slip over a crowded week (eighty open receipts) is past meet in the middle however
few subsets make its amount. Once the others are settled, such slips are listed by
their answers instead, and settled with the rest in further rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from baton.tools.finance.matching.batches import (
    OpenEntries,
    book_members,
    explained_elsewhere,
    may_be_batch,
    window_start,
)
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State, run_floor
from baton.tools.finance.matching.subsets import TooManySubsets, exact_subsets, halves, joins

_HALF_LIMIT = 1 << 16
"""Most subsets listed for one half of a slip's window (about 6 MiB of arrays): a slip
whose window holds more is left out of the premise."""
_MOST_SUBSETS = 50_000
"""Most exact subsets kept for one slip; a slip with more is left out of the premise."""
_MOST_CROWDED = 15_000
"""Most partial subsets alive at once while a slip too crowded to meet in the middle
(past :data:`_HALF_LIMIT`) is listed by its answers instead
(:func:`~baton.tools.finance.matching.subsets.exact_subsets`): as many exact subsets at
most, about a third of a second; a slip with more is left out of the premise."""
_CROWDED_LISTED = 100_000
"""Most subsets a round lists for crowded slips in all, a failed listing counting as
its limit (a few seconds): a month full of crowded weeks (10,000 lines) lists what fits
and leaves the rest out of the premise."""
_BUDGET = 5_000
"""Most search nodes (a fraction of a second) for one search: one exact cover of a group
of slips, or the proof that one of its slips has no other subset."""

_WORK = 20_000_000
"""Most subsets a round's searches may visit in all (a few seconds): a month crowded with
slips that can swap receipts (hostile, or a business banking identical amounts) keeps
what is proven by then and leaves the rest for review."""
_MOST_LISTED = 300_000
"""Most subsets a round lists over all its slips (about 30 MiB; a 10,000-line month lists
about a tenth of it); the slips past it are left out of the premise."""
_ROUNDS = 3
"""Most rounds of settling: each lists the open slips' subsets again."""

_Answers = dict[int, list[int]]
"""Per slip (bank index), its exact subsets that are still possible, as receipt bitmasks."""
_Listed = dict[int, tuple[tuple[int, ...], list[tuple[int, ...]] | None, int]]
"""Per slip, the window its subsets were listed for, those subsets (``None``: too many),
and how many answers a crowded window was allowed (0: not tried)."""


class _OutOfBudget(Exception):
    """The search needed more than :data:`_BUDGET` nodes: nothing is proven."""


class _Exhausted(Exception):
    """The round's searches visited :data:`_WORK` subsets: no more is proven."""


class _TooMany(Exception):
    """A slip has more subsets than can be listed: it is left out of the premise."""


def _exact_subsets(values: Sequence[int], target: int, sizes: range) -> list[tuple[int, ...]]:
    """Every subset of ``values`` (indices) of a size in ``sizes`` that makes ``target``."""
    try:
        left, right = halves(values, sizes.stop - 1, target, limit=_HALF_LIMIT)
    except TooManySubsets:
        raise _TooMany from None
    found: list[tuple[int, ...]] = []
    for li, rights in joins(left, right, target):
        l_size, l_members = left.size(li), left.members(li)
        for ri in rights:
            if l_size + right.size(ri) in sizes:
                found.append((*l_members, *right.members(ri)))
                if len(found) > _MOST_SUBSETS:
                    raise _TooMany
    return found


class _Covers:
    """Exact covers of slips by disjoint receipt subsets, counted within a budget."""

    def __init__(self) -> None:
        self.nodes = 0
        self.work = 0

    def find(self, answers: _Answers, limit: int) -> list[dict[int, int]]:
        """Up to ``limit`` covers (per slip, its subset); :class:`_OutOfBudget` beyond
        :data:`_BUDGET` nodes."""
        self.nodes = 0
        reach = {k: reduce(or_, masks, 0) for k, masks in answers.items()}
        return self._solve(answers, reach, list(answers), limit)

    def _solve(
        self, answers: _Answers, reach: dict[int, int], changed: list[int], limit: int
    ) -> list[dict[int, int]]:
        """Covers of ``answers``, whose slips' unions are ``reach``; only the ``changed``
        slips may hold receipts that narrowing has not yet barred from the others."""
        self.nodes += 1
        self.work += sum(map(len, answers.values()))
        if self.work > _WORK:
            raise _Exhausted
        if self.nodes > _BUDGET:
            raise _OutOfBudget
        narrowed = _narrow(answers, reach, changed)
        if narrowed is None:
            return []
        answers, reach = narrowed
        found: list[dict[int, int]] = [{}]
        # Groups that share no receipt are independent: their covers multiply.
        for group in sorted(_groups(reach), key=len):
            part = {k: answers[k] for k in group}
            covers = self._branch(part, {k: reach[k] for k in group}, limit)
            if not covers:
                return []
            found = [{**a, **b} for a in found for b in covers][:limit]
        return found

    def _branch(self, answers: _Answers, reach: dict[int, int], limit: int) -> list[dict[int, int]]:
        """Try each subset of the slip with the fewest left (fail first)."""
        slip = min(answers, key=lambda k: (len(answers[k]), k))
        found: list[dict[int, int]] = []
        for mask in answers[slip]:
            rest: _Answers = {}
            rest_reach: dict[int, int] = {}
            changed: list[int] = []
            for k, masks in answers.items():
                if k == slip:
                    continue
                if reach[k] & mask:
                    masks = [m for m in masks if not m & mask]
                    if not masks:
                        break
                    changed.append(k)
                    rest_reach[k] = reduce(or_, masks)
                else:
                    rest_reach[k] = reach[k]
                rest[k] = masks
            else:
                for cover in self._solve(rest, rest_reach, changed, limit - len(found)):
                    found.append({slip: mask, **cover})
                    if len(found) >= limit:
                        return found
        return found


def _narrow(
    answers: _Answers, reach: dict[int, int], changed: list[int]
) -> tuple[_Answers, dict[int, int]] | None:
    """Receipts every subset of a slip holds are that slip's: no other slip may take
    them. Spread from the ``changed`` slips until nothing changes; ``None`` if a slip is
    left with no subset. The others were narrowed already (the caller's answers are a
    narrowed list with some subsets taken away)."""
    answers, reach = dict(answers), dict(reach)
    todo = list(changed)
    while todo:
        k = todo.pop()
        mine = reduce(and_, answers[k])
        if not mine:
            continue
        for j, masks in answers.items():
            if j == k or not reach[j] & mine:
                continue
            kept = [m for m in masks if not m & mine]
            if not kept:
                return None
            answers[j] = kept
            reach[j] = reduce(or_, kept, 0)
            todo.append(j)
    return answers, reach


def _groups(reach: dict[int, int]) -> list[list[int]]:
    """Slips linked by a receipt some subsets of both could take (``reach``: per slip,
    the union of its subsets), transitively."""
    left = sorted(reach)
    groups: list[list[int]] = []
    while left:
        group, union = [left[0]], reach[left[0]]
        rest = left[1:]
        grew = True
        while grew:
            joined = [k for k in rest if reach[k] & union]
            grew = bool(joined)
            for k in joined:
                group.append(k)
                union |= reach[k]
            rest = [k for k in rest if k not in joined]
        groups.append(sorted(group))
        left = rest
    return groups


def forced_subsets(answers: _Answers) -> dict[int, tuple[int, int]]:
    """Per slip, the subset it takes in every exact cover of ``answers`` (the backbone)
    and how many slips its group holds, for the slips that have one; none of a group
    that has no cover (one of its lines is no slip of these books) or runs out of budget.

    Each slip is tested on its own: with the subset of one cover taken away from it, is
    there still a cover? Only if not is the subset forced.
    """
    search = _Covers()
    forced: dict[int, tuple[int, int]] = {}
    # Past the round's work budget, what is proven so far still stands.
    with suppress(_Exhausted):
        _backbone(search, answers, forced)
    return forced


def _backbone(search: _Covers, answers: _Answers, forced: dict[int, tuple[int, int]]) -> None:
    """Fill ``forced`` group by group (see :func:`forced_subsets`)."""
    for group in _groups({k: reduce(or_, masks, 0) for k, masks in answers.items()}):
        part = {k: answers[k] for k in group}
        try:
            covers = search.find(part, 1)
        except _OutOfBudget:
            continue
        if not covers:
            continue
        cover = covers[0]
        for k in group:
            others = [m for m in part[k] if m != cover[k]]
            try:
                if others and search.find({**part, k: others}, 1):
                    continue
            except _OutOfBudget:
                continue
            forced[k] = (cover[k], len(group))


def book_slip_weeks(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    edges: Sequence[Edge],
    returned: frozenset[int],
) -> int:
    """Book each open deposit's subset that every cover of the open deposits nearby
    gives it. Returns the bank lines booked.

    Settled again while that books more (at most :data:`_ROUNDS` times): a slip whose
    window held too many subsets to list may hold few enough once its neighbours have
    taken their receipts, and then it constrains the rest.
    """
    month = _Month(bank, gl, state, params, edges, returned)
    booked = 0
    # Crowded slips join only once the others are settled: listing them costs more, and
    # they seldom have one answer, so they only add what the plain rounds could not.
    for crowded in sorted({0, _MOST_CROWDED}):
        for _ in range(_ROUNDS):
            found = month.settle(crowded)
            booked += found
            if not found:
                break
    return booked


@dataclass
class _Month:
    """The books being settled, and what one round leaves the next."""

    bank: Sequence[Rec]
    gl: Sequence[Rec]
    state: State
    params: MatchParams
    edges: Sequence[Edge]
    returned: frozenset[int]
    listed: _Listed = field(default_factory=dict)
    """Each slip's subsets, kept for the next round, which lists again only the slips
    whose windows have changed."""
    opening: int = field(init=False)
    """The books' first day: a deposit whose week reaches back past it may hold receipts
    of the period before (deposits in transit at the last reconciliation), so nothing
    here says it must be paid in from these books, and it is left out of the premise."""

    def __post_init__(self) -> None:
        self.opening = min((r.bday for r in self.gl), default=0)

    def settle(self, crowded: int) -> int:
        """One round of :func:`book_slip_weeks`: the bank lines it books. Slips too
        crowded to meet in the middle are listed by up to ``crowded`` answers each."""
        answers, receipt = self._premise(crowded)
        forced = forced_subsets(answers)
        for bi, (mask, group) in sorted(forced.items()):
            members = [receipt[p] for p in range(mask.bit_length()) if mask >> p & 1]
            line, entries, paid = (
                ("deposit", "receipts", "paid in")
                if self.bank[bi].units > 0
                else ("debit", "payments", "paid")
            )
            book_members(
                self.state,
                self.bank,
                self.gl,
                bi,
                members,
                confidence=0.8,
                reason=(
                    f"the only subset ({len(members)} open {entries}) of its days that "
                    + (
                        f"makes this {line}"
                        if group == 1
                        else f"this {line} takes in every way the {group} open {line}s "
                        f"sharing its {entries} can all be {paid} at once"
                    )
                    + f" ({self.bank[bi].display_amount} here)"
                ),
            )
        return len(forced)

    def _premise(self, crowded: int) -> tuple[_Answers, dict[int, int]]:
        """Each open deposit in the premise with its exact subsets as bitmasks over the
        receipts any of them holds, and the ledger index of each bit."""
        gl, state, params = self.gl, self.state, self.params
        skip_bank, skip_gl = explained_elsewhere(self.edges, state, params)
        entries = OpenEntries(gl, state.gl_open - skip_gl - self.returned, params)
        bit: dict[int, int] = {}
        answers: _Answers = {}
        room, crowd_room = _MOST_LISTED, _CROWDED_LISTED
        for bi in sorted(state.bank_open):
            b = self.bank[bi]
            if not may_be_batch(b) or bi in skip_bank:
                continue
            # A deposit may hold a working week's receipts; a payment run holds the
            # payments of its own few days, never booked before its run date.
            if b.units > 0:
                days, floor = params.slip_week_days, None
            else:
                days, floor = params.batch_lag_days, run_floor(b)
            if window_start(b, days, floor) < self.opening or room <= 0:
                continue
            window = entries.window(b, days, floor)
            sizes = range(b.items, b.items + 1) if b.items else range(2, params.max_batch_size + 1)
            if len(window) < sizes.start:
                continue
            key = tuple(window)
            values = [abs(gl[gi].units) for gi in window]
            if bi not in self.listed or self.listed[bi][0] != key:
                try:
                    self.listed[bi] = (key, _exact_subsets(values, abs(b.units), sizes), 0)
                except _TooMany:
                    self.listed[bi] = (key, None, 0)
            _key, subsets, tried = self.listed[bi]
            if subsets is None and tried < crowded and crowd_room > 0:
                tried = min(crowded, crowd_room)
                try:
                    subsets = exact_subsets(values, abs(b.units), sizes, tried)
                except TooManySubsets:
                    subsets = None
                # What listing a crowded window costs: about its answers, or the limit.
                crowd_room -= tried if subsets is None else len(subsets)
                self.listed[bi] = (key, subsets, tried)
            if subsets:
                room -= len(subsets)
                answers[bi] = [
                    sum(1 << bit.setdefault(window[i], len(bit)) for i in subset)
                    for subset in subsets
                ]
        return answers, {position: gi for gi, position in bit.items()}
