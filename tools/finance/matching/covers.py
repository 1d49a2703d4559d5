"""Stage 3d, the slips of a working week: receipts no single deposit settles, settled by
all of them at once.

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
fewer, and a subset is booked only if it survives that too.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from functools import reduce
from operator import and_, or_

from baton.tools.finance.matching.batches import (
    OpenEntries,
    book_members,
    explained_elsewhere,
    may_be_batch,
)
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State
from baton.tools.finance.matching.subsets import TooManySubsets, halves, joins

_HALF_LIMIT = 1 << 16
"""Most subsets listed for one half of a slip's window (about 6 MiB of arrays): a slip
whose window holds more is left out of the premise."""
_MOST_SUBSETS = 50_000
"""Most exact subsets kept for one slip; a slip with more is left out of the premise."""
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
_Listed = dict[int, tuple[tuple[int, ...], list[tuple[int, ...]] | None]]
"""Per slip, the window its subsets were listed for and those subsets (``None``: too many)."""


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
        return self._solve(answers, limit)

    def _solve(self, answers: _Answers, limit: int) -> list[dict[int, int]]:
        self.nodes += 1
        self.work += sum(map(len, answers.values()))
        if self.work > _WORK:
            raise _Exhausted
        if self.nodes > _BUDGET:
            raise _OutOfBudget
        narrowed = _narrow(answers)
        if narrowed is None:
            return []
        found: list[dict[int, int]] = [{}]
        # Groups that share no receipt are independent: their covers multiply.
        for group in sorted(_groups(narrowed), key=len):
            covers = self._branch({k: narrowed[k] for k in group}, limit)
            if not covers:
                return []
            found = [{**a, **b} for a in found for b in covers][:limit]
        return found

    def _branch(self, answers: _Answers, limit: int) -> list[dict[int, int]]:
        """Try each subset of the slip with the fewest left (fail first)."""
        slip = min(answers, key=lambda k: (len(answers[k]), k))
        reach = {k: reduce(or_, masks, 0) for k, masks in answers.items()}
        found: list[dict[int, int]] = []
        for mask in answers[slip]:
            rest: _Answers = {}
            for k, masks in answers.items():
                if k == slip:
                    continue
                kept = [m for m in masks if not m & mask] if reach[k] & mask else masks
                if not kept:
                    break
                rest[k] = kept
            else:
                for cover in self._solve(rest, limit - len(found)):
                    found.append({slip: mask, **cover})
                    if len(found) >= limit:
                        return found
        return found


def _narrow(answers: _Answers) -> _Answers | None:
    """Receipts every subset of a slip holds are that slip's: no other slip may take
    them. Spread until nothing changes; ``None`` if a slip is left with no subset."""
    answers = dict(answers)
    reach = {k: reduce(or_, masks, 0) for k, masks in answers.items()}
    todo = list(answers)
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
    return answers


def _groups(answers: _Answers) -> list[list[int]]:
    """Slips linked by a receipt some subsets of both could take, transitively."""
    reach = {k: reduce(or_, masks, 0) for k, masks in answers.items()}
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
    for group in _groups(answers):
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
    booked = 0
    listed: _Listed = {}
    for _ in range(_ROUNDS):
        found = _settle(bank, gl, state, params, edges, returned, listed)
        booked += found
        if not found:
            break
    return booked


def _settle(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    edges: Sequence[Edge],
    returned: frozenset[int],
    listed: _Listed,
) -> int:
    """One round of :func:`book_slip_weeks`; ``listed`` keeps each slip's subsets for
    the next round, which lists again only the slips whose windows have changed."""
    skip_bank, skip_gl = explained_elsewhere(edges, state, params)
    entries = OpenEntries(gl, state.gl_open - skip_gl - returned, params)
    # The books' first day: a deposit whose week reaches back past it may hold receipts
    # of the period before (deposits in transit at the last reconciliation), so nothing
    # here says it must be paid in from these books, and it is left out of the premise.
    opening = min((r.bday for r in gl), default=0)
    bit: dict[int, int] = {}
    answers: _Answers = {}
    room = _MOST_LISTED
    for bi in sorted(state.bank_open):
        b = bank[bi]
        if b.units <= 0 or not may_be_batch(b) or bi in skip_bank:
            continue
        if b.bday - params.slip_week_days < opening:
            continue
        window = entries.window(b, params.slip_week_days, None)
        sizes = range(b.items, b.items + 1) if b.items else range(2, params.max_batch_size + 1)
        if len(window) < sizes.start:
            continue
        if room <= 0:
            continue
        key = tuple(window)
        if bi not in listed or listed[bi][0] != key:
            try:
                listed[bi] = (key, _exact_subsets([gl[gi].units for gi in window], b.units, sizes))
            except _TooMany:
                listed[bi] = (key, None)
        subsets = listed[bi][1]
        if subsets:
            room -= len(subsets)
            answers[bi] = [
                sum(1 << bit.setdefault(window[i], len(bit)) for i in subset) for subset in subsets
            ]
    receipt = {position: gi for gi, position in bit.items()}
    booked = 0
    for bi, (mask, group) in sorted(forced_subsets(answers).items()):
        members = [receipt[p] for p in range(mask.bit_length()) if mask >> p & 1]
        book_members(
            state,
            bank,
            gl,
            bi,
            members,
            confidence=0.8,
            reason=(
                f"the only subset ({len(members)} open receipts) of its working week that "
                + (
                    "makes this deposit"
                    if group == 1
                    else f"this deposit takes in every way the {group} open deposits "
                    "sharing its receipts can all be paid in at once"
                )
                + f" ({bank[bi].display_amount} here)"
            ),
        )
        booked += 1
    return booked
