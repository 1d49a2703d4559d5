"""Stage 3, batches: a bank line that is a deposit of several ledger entries.

A meet-in-the-middle subset-sum search over nearby open entries books a batch only if
one subset fits, a chance fit is unlikely, and no other open bank line wants its members.

A payment run (``BACS PAYMENT RUN 060526``) is a batch like any other, with two
conventions of its own: its name is no payee (:func:`_batch_similarity`), and the date
in its reference bounds the payments it may hold (:func:`run_floor`). A line the search
cannot settle keeps its whole window for the reviewer (:attr:`BatchSearch.review`).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import (
    Edge,
    Rec,
    State,
    batch_lead,
    names_no_payee,
    run_floor,
)
from baton.tools.finance.matching.subsets import (
    TooManySubsets,
    exact_subsets,
    few_counts,
    halves,
    joins,
    near_counts,
)
from baton.tools.finance.models import (
    Match,
)
from baton.tools.finance.normalize import (
    name_similarity,
    normalize_ref,
    settles_electronically,
)

_KEPT = 3
"""Solutions kept per size: enough to see a tie; a size that reaches it may hold more."""


@dataclass(slots=True)
class _SubsetSums:
    """Exact solutions by size, and how many chance solutions of each size to expect."""

    solutions: dict[int, list[tuple[int, ...]]]
    chance: dict[int, float]


def subset_sums(values: Sequence[int], target: int, max_size: int, unit: int) -> _SubsetSums:
    """Meet-in-the-middle subset sum over positive ``values``: exact solutions and chance.

    Enumerating each half (2^(n/2) subsets) keeps a 20-entry pool to a few thousand
    steps where plain enumeration of sizes up to eight would take millions. The chance
    of a size is the expected number of *other* subsets of that size hitting the target:
    the density, around the target (within 5%), of subset sums that share its cents
    (:func:`~baton.tools.finance.matching.subsets.near_counts`). At most :data:`_KEPT`
    solutions are kept per size, and for each (size, sum) of the right half at most
    that many right subsets, the first listed.
    """
    window = max(unit, target // 20)
    try:
        left, right = halves(values, max_size, target + window)
    except TooManySubsets:
        return _SubsetSums({}, {})  # beyond any pool a batch window holds: nothing shown
    solutions: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for li, rights in joins(left, right, target):
        l_size, l_members = left.size(li), left.members(li)
        taken: dict[int, int] = defaultdict(int)
        for ri in sorted(rights, key=right.size):
            r_size = right.size(ri)
            taken[r_size] += 1
            found = solutions[l_size + r_size]
            if taken[r_size] <= _KEPT and 2 <= l_size + r_size <= max_size and len(found) < _KEPT:
                found.append(l_members + right.members(ri))
    solutions = {size: sols for size, sols in solutions.items() if sols}
    chance: dict[int, float] = {}
    if solutions:
        spacing = unit / (2 * window + 1)
        for size, count in near_counts(left, right, target, window, max_size, unit).items():
            chance[size] = max(0, count - len(solutions.get(size, ()))) * spacing
    return _SubsetSums(solutions, chance)


_Pools = tuple[int, ...]
_CacheKey = tuple[int, _Pools, _Pools, _Pools, bool] | tuple[int, _Pools]
"""A search's line and pools; a line and its whole window for :func:`_few_items`."""


@dataclass(slots=True)
class BatchSearch:
    bank: int
    solutions: list[tuple[int, ...]]
    """Smallest solutions first."""
    plausible: bool
    """The smallest solution is unlikely to be a coincidence."""
    unique: bool
    """Plausible, alone of its size, and no other size has an unlikely solution."""
    exhaustive: bool = False
    """Every solution in the whole window is listed: the window was searched in full and
    no size hit the cap on solutions kept, so what all of them share is certain."""
    named: bool = False
    """The bank line names a counterparty and every member of the solution agrees with it
    (``STRIPE TRANSFER`` and three ``Stripe sales`` entries): evidence beyond the sum."""
    review: tuple[int, ...] = ()
    """The open entries of the line's window (nearest first, at most :data:`REVIEW_POOL`):
    when no solution is unique, or the window was too full to search whole, the true
    members are among them, and the reviewer needs to see them all."""


_RIVAL_ODDS = 20.0
"""How many times likelier by chance another size's exact subset must be than the booked
one's before it stops blocking: the odds that the booked subset is the real slip."""
REVIEW_POOL = 120
"""Most open entries offered for review with one unresolved batch line: a business that
pays suppliers in several BACS runs a week has forty to sixty payments open in one
run's window, a shop that banks a week's cheques and cash at once up to a hundred
receipts in a slip's (Canada tuning seeds: 80 left 55 slip members unshown in 40
months, 120 left 5), and a member cut from the list could not be picked at all."""
RUN_MAX_SIZE = 12
"""Most payments searched for in one dated payment run: a weekly supplier run pays more
payees than a deposit holds cheques, and its dated window keeps the pool small."""


def _search_batch(
    bi: int,
    items: int | None,
    target: int,
    pool: list[int],
    full_pool: list[int],
    sweep_pool: list[int],
    complete: bool,
    gl: Sequence[Rec],
    params: MatchParams,
    unit: int,
    max_size: int,
    run: bool = False,
) -> BatchSearch | None:
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
        sums = subset_sums(values, target, max_size, unit)
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
        return (
            None
            if pool != full_pool
            else _swept(bi, items, target, sweep_pool, [], gl, params, unit)
        )
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
    # A payment run pays three suppliers or nine alike, so unlike a deposit (usually a
    # few items) it has no smaller-is-likelier prior: any other exact subset rivals it.
    # Of two exact subsets one is a coincidence: the other size's hit must be far likelier
    # by chance than this one's (odds of _RIVAL_ODDS), not merely common, to be ignored.
    noise = max(params.batch_noise_chance, _RIVAL_ODDS * chance)
    rivals = any(
        run or len(sol) == smallest or sums.chance.get(len(sol), 0.0) < noise for sol in others
    )
    solutions = chosen + [sol for sol in others if sol not in chosen]
    unique = plausible and complete and len(chosen) == 1 and not rivals
    if not unique:
        swept = _swept(bi, items, target, sweep_pool, solutions, gl, params, unit)
        if swept is not None:
            return swept
    exhaustive = complete and all(len(sols) < _KEPT for sols in sums.solutions.values())
    return BatchSearch(bi, solutions, plausible, unique, exhaustive)


FEW_ITEMS = 3
"""Largest deposit searched whole however crowded its window (:func:`_few_items`)."""
_FEW_CHANCE = 0.004
"""Largest expected number of chance subsets, of the solution's size or fewer, in a
crowded window for it to book: stricter than :attr:`MatchParams.batch_max_chance`, since
larger subsets of so large a window cannot be listed, and so cannot be seen to rival it."""


def _few_items(
    bi: int,
    items: int | None,
    target: int,
    pool: Sequence[int],
    gl: Sequence[Rec],
    params: MatchParams,
    unit: int,
) -> BatchSearch | None:
    """The one pair or triple of a crowded window that sums to a deposit, if a chance
    hit of that few items is unlikely.

    Convention of the deposit: most slips hold two or three cheques. A window too
    crowded to list every subset (:attr:`MatchParams.batch_pool_limit`) can still be
    searched whole for subsets of at most :data:`FEW_ITEMS` (C(n, 3) of a hundred
    entries is 160,000), and a pair or triple that hits the amount to the cent is as
    telling there as in a small pool when the same count of chance hits is expected:
    no other pair or triple hits it, and the expected number that would by chance is at
    most :data:`_FEW_CHANCE`. Other lines that want the same entries still contest it.
    """
    if len(pool) < 2:
        return None
    ordered = sorted(pool, key=lambda gi: (-abs(gl[gi].units), gi))
    values = [abs(gl[gi].units) for gi in ordered]
    pairs, triples = few_counts(values, target, target)
    if (pairs + triples if items is None else {2: pairs, 3: triples}.get(items, 0)) != 1:
        return None  # none or several: the listing below could only say the same
    # Every pair and triple is counted, so none rivals it: the risk is a larger slip
    # whose amount a subset of this size, or a smaller one, hits by chance. A few dozen
    # sums near the amount may by luck share none of its cents, so the density of all
    # sums near it, cent by cent, is a floor on that chance.
    size = items or (2 if pairs == 1 else 3)
    window = max(1, target // 20)
    near_pairs, near_triples = few_counts(values, max(0, target - window), target + window)
    anyhow = max(0, near_pairs - pairs) + (max(0, near_triples - triples) if size == 3 else 0)
    if anyhow / (2 * window + 1) > _FEW_CHANCE:
        return None
    sums = subset_sums(values, target, FEW_ITEMS, unit)
    if items is not None:
        sums = _SubsetSums(
            {k: v for k, v in sums.solutions.items() if k == items},
            {k: v for k, v in sums.chance.items() if k == items},
        )
    found = [sol for sols in sums.solutions.values() for sol in sols]
    if len(found) != 1:
        return None
    if sum(p for k, p in sums.chance.items() if k <= size) > _FEW_CHANCE:
        return None
    return BatchSearch(bi, [tuple(sorted(ordered[i] for i in found[0]))], True, True)


def _swept(
    bi: int,
    items: int | None,
    target: int,
    pool: Sequence[int],
    solutions: list[tuple[int, ...]],
    gl: Sequence[Rec],
    params: MatchParams,
    unit: int,
) -> BatchSearch | None:
    """The deposit-slip hypothesis (:func:`_sweep`) over the wider sweep window, if it holds.

    Convention of the deposit slip: a business deposits the cheques it received since
    its previous deposit, so a slip made on a Monday after a holiday, or once a week,
    reaches back a whole working week. Only the run-of-days hypothesis may look that far
    (a handful of hypotheses); arbitrary subsets stay within the batch window.
    """
    sweep = _sweep(target, pool, gl, params, unit)
    if sweep is None and items is not None:
        sweep = _counted(items, target, pool, gl, params, unit)
    if sweep is None or items not in (None, len(sweep)):
        return None
    return BatchSearch(bi, [sweep, *(s for s in solutions if s != sweep)], True, True)


_COUNTED_BUDGET = 250_000
"""Most subsets listed per half when a counted slip is searched over its sweep window."""


def _counted(
    items: int, target: int, pool: Sequence[int], gl: Sequence[Rec], params: MatchParams, unit: int
) -> tuple[int, ...] | None:
    """The one subset of exactly ``items`` open entries of the sweep window that sums to
    the line, if no other does and a chance hit of that size is unlikely.

    Convention of the counted slip: a branch or remote-capture deposit prints how many
    items it holds (``BRANCH DEPOSIT 6 ITEMS``), and the slip holds the cheques received
    since the previous deposit, a working week back after a weekend or a holiday. Knowing
    the count, the hypotheses are the subsets of that one size (C(n, k), not every size),
    so the whole sweep window can be searched and the chance test counts just those: an
    exact, unique, unlikely-by-chance subset of the printed size is the slip.
    """
    if not 2 <= items <= params.max_batch_size or len(pool) < items:
        return None
    right = len(pool) - len(pool) // 2
    if sum(math.comb(right, k) for k in range(items + 1)) > _COUNTED_BUDGET:
        return None  # too many open entries to show that no other subset adds up
    ordered = sorted(pool, key=lambda gi: (-abs(gl[gi].units), gi))
    sums = subset_sums([abs(gl[gi].units) for gi in ordered], target, items, unit)
    found = sums.solutions.get(items, [])
    if len(found) != 1 or sums.chance.get(items, 0.0) > params.batch_max_chance:
        return None
    return tuple(sorted(ordered[i] for i in found[0]))


def _sweep(
    target: int, pool: Sequence[int], gl: Sequence[Rec], params: MatchParams, unit: int
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


def _batch_similarity(b: Rec, g: Rec) -> float | None:
    """Name similarity of a batch line and a possible member, None if the line names no one
    (:func:`~tools.finance.matching.records.names_no_payee`): a name made only of batch
    words (``RUN``) is no counterparty, and must not contradict every supplier in the run.
    """
    if names_no_payee(b):
        return None
    sim = name_similarity(b.feat, g.feat)
    if b.alias is not None and sim is not None and g.feat.name:
        # The descriptor stands for a payer the books name otherwise (learned): an
        # entry that agrees with that name is the payer's. Only agreement counts, as
        # "CLOVER DAILY SALES" and "CASH SALES" share a word and nothing else.
        learned = name_similarity(b.alias, g.feat) or 0.0
        if learned >= _AGREE:
            sim = max(sim, learned)
    return sim


_AGREE = 0.8
"""Likeness of a learned payer name and an entry's name from which they are one payer."""


def _names_support(b: Rec, members: Sequence[int], gl: Sequence[Rec], params: MatchParams) -> bool:
    sims = [_batch_similarity(b, gl[gi]) for gi in members]
    return all(sim is not None and sim >= params.strong_name for sim in sims)


def _may_share_line(b: Rec, g: Rec, params: MatchParams) -> bool:
    """Whether a ledger entry may be part of a batch bank line at all.

    A counter, machine or mobile deposit holds cash and cheques: a card processor's
    settlement is never in it (:func:`settles_electronically`).

    A named bank line (``SQUARE INC``) only batches entries that do not contradict its
    name, and a bank charge booked in the ledger is never part of a customer deposit,
    unless it is the interest part of a loan repayment: the debit says loan, or it
    names the lender the books book the loan under (``PREAUTHORIZED DEBIT BDC`` and
    "Loan interest BDC").
    """
    sim = _batch_similarity(b, g)
    if b.feat.counter_deposit and settles_electronically(g.feat):
        return False  # card takings reach the bank by the processor's transfer
    if g.feat.mentions_bank and not b.feat.bank_originated:
        lender = sim is not None and sim >= params.strong_name
        if not (g.feat.loan and (b.feat.loan or lender)):
            return False
    return sim is None or sim >= params.weak_name


def _nearest_first(pool: list[int], day: int, gl: Sequence[Rec]) -> list[int]:
    """``pool`` ordered by distance in business days from ``day``: the likeliest first."""
    return sorted(pool, key=lambda gi: (abs(day - gl[gi].bday), gi))


def may_be_batch(b: Rec) -> bool:
    """Whether a bank line may carry several ledger entries at all.

    Bank-originated lines (charges, interest), reversals, presented cheques and
    transfers between the business's own accounts (one instruction, one entry) each
    answer for one item of their own; a zero line pays nothing.
    """
    return not (
        b.units == 0 or b.feat.bank_originated or b.reversal or b.is_cheque or b.feat.own_transfer
    )


def window_start(b: Rec, days: int, floor: int | None) -> int:
    """The first business day of ``b``'s window: ``days`` back, never before ``floor``."""
    return b.bday - days if floor is None else max(floor, b.bday - days)


class OpenEntries:
    """The open ledger entries by business day, to cut a batch line's window quickly."""

    def __init__(self, gl: Sequence[Rec], open_gl: set[int], params: MatchParams) -> None:
        self.gl = gl
        self.params = params
        self.order = sorted(open_gl, key=lambda i: (gl[i].bday, i))
        self.bdays = [gl[i].bday for i in self.order]

    def window(self, b: Rec, days: int, floor: int | None, named: bool = True) -> list[int]:
        """The open entries that may be members of ``b``: same direction, smaller, booked
        within ``days`` business days before it (never before a payment run's ``floor``),
        and neither reversals, cheques written (typed as cheques or naming their number
        in the memo: a cheque clears on its own), nor contradicted by the line's name."""
        gl, params = self.gl, self.params
        lo = bisect.bisect_left(self.bdays, window_start(b, days, floor))
        hi = bisect.bisect_right(self.bdays, b.bday + batch_lead(b, params))
        return [
            gi
            for gi in self.order[lo:hi]
            if (gl[gi].units > 0) == (b.units > 0)
            and abs(gl[gi].units) < abs(b.units)
            and not gl[gi].reversal
            and not gl[gi].drawn_cheque
            and (_may_share_line(b, gl[gi], params) if named else not gl[gi].feat.mentions_bank)
        ]


def _search_batches(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    unit: int,
    cache: dict[_CacheKey, BatchSearch | None],
    skip_bank: set[int],
    skip_gl: set[int],
) -> list[BatchSearch]:
    """Run the subset search for every open bank line over the open entries near it.

    The look-back window widens one business day at a time and the first window with
    a solution proposes it: deposits are usually made within a day or two of receipt,
    and a small pool makes a chance hit far less likely than the full window would.
    The full window is still searched for alternatives before anything books.
    """
    entries = OpenEntries(gl, state.gl_open - skip_gl, params)
    results: list[BatchSearch] = []
    windows = sorted({min(w, params.batch_lag_days) for w in (1, 2, 3, params.batch_lag_days)})
    sweep_days = max(params.batch_lag_days, params.batch_sweep_days)
    for bi in sorted(state.bank_open, key=lambda i: (bank[i].bday, i)):
        b = bank[bi]
        if not may_be_batch(b) or bi in skip_bank:
            continue
        floor = run_floor(b)

        def members(window: int, b: Rec = b, floor: int | None = floor) -> list[int]:
            return entries.window(b, window, floor)

        sweep_pool = tuple(sorted(members(sweep_days)))
        # A deposit slip may hold a working week's receipts (the sweep window): the
        # reviewer of an unresolved deposit is shown that far back.
        reach = sweep_days if b.units > 0 else params.batch_lag_days
        pools: list[tuple[int, ...]] = []
        complete = True
        for window in windows:
            pool = members(window)
            if len(pool) > params.batch_pool_limit:
                complete = False
                pool = _nearest_first(pool, b.bday, gl)[: params.batch_pool_limit]
            key = tuple(sorted(pool))
            if len(key) >= 2 and (not pools or key != pools[-1]):
                pools.append(key)
        if not pools and len(sweep_pool) >= 2:
            pools.append(())
        if not complete and b.units > 0 and b.items in (None, *range(2, FEW_ITEMS + 1)):
            whole = tuple(sorted(members(sweep_days if b.feat.counter_deposit else windows[-1])))
            if (bi, whole) not in cache:
                cache[(bi, whole)] = _few_items(bi, b.items, abs(b.units), whole, gl, params, unit)
            few = cache[(bi, whole)]
            if few is not None:
                few.named = _names_support(b, few.solutions[0], gl, params)
                few.review = _review(members(reach), b, gl)
                results.append(few)
                continue
        for key in pools:
            cache_key = (bi, key, pools[-1], sweep_pool, complete)
            if cache_key not in cache:
                cache[cache_key] = _search_batch(
                    bi,
                    b.items,
                    abs(b.units),
                    list(key),
                    list(pools[-1]),
                    list(sweep_pool),
                    complete,
                    gl,
                    params,
                    unit,
                    params.max_batch_size
                    if floor is None
                    else max(params.max_batch_size, RUN_MAX_SIZE),
                    run=floor is not None,
                )
            search = cache[cache_key]
            if search is not None:
                search.named = _names_support(b, search.solutions[0], gl, params)
                # Even a unique subset may not book (a rival line contests it, or its
                # size makes it likely by chance): the reviewer then needs the window.
                search.review = _review(members(reach), b, gl)
                results.append(search)
                break
        else:
            if not complete:
                # Too many open entries to search the window whole, and no subset of
                # the nearest sums to the line: the batch may still be in the rest.
                review = _review(members(reach), b, gl)
                results.append(BatchSearch(bi, [], False, False, review=review))
            elif (
                b.feat.counter_deposit or floor is not None or (b.units > 0 and names_no_payee(b))
            ) and len(sweep_pool) >= 2:
                # A line that says it is a batch (a paying-in slip, a dated run), or a
                # credit that names nobody (a bare DEPOSIT is how many banks print a
                # slip), with no subset of its window making the amount: a member was
                # booked further back than the window, or elsewhere. The reviewer is
                # shown the whole sweep window, where the slip's older items are.
                review = _review(list(sweep_pool), b, gl)
                results.append(BatchSearch(bi, [], False, False, review=review))
            elif b.units > 0 and b.feat.full_amount and not sweep_pool:
                # An e-Transfer whose sender is no customer with an open receipt: the
                # sender is often a numbered company or a spouse paying the invoices.
                # Nothing books on that, but the reviewer is shown the week's receipts.
                anyone = entries.window(b, params.batch_lag_days, floor, named=False)
                if len(anyone) >= 2:
                    results.append(BatchSearch(bi, [], False, False, review=_review(anyone, b, gl)))
    return results


def _review(window: list[int], b: Rec, gl: Sequence[Rec]) -> tuple[int, ...]:
    """The open entries of a batch line's window a reviewer is shown, nearest first."""
    return tuple(_nearest_first(window, b.bday, gl)[:REVIEW_POOL])


def explained_elsewhere(
    edges: Sequence[Edge], state: State, params: MatchParams
) -> tuple[set[int], set[int]]:
    """Open bank lines with an open one-to-one explanation, and open entries with an
    exact, name-confirmed counterpart: neither is batch material while that simpler
    explanation is still on the table."""
    pending = [
        e
        for e in edges
        if e.bookable
        and e.score >= params.accept_score
        and e.b in state.bank_open
        and e.g in state.gl_open
    ]
    # An entry is explained by a line only as that line's best counterpart: the rival a
    # line passes over for a likelier entry (the payer's same amount four days earlier)
    # is still free to be part of another of the payer's lines.
    best: dict[int, float] = {}
    for e in pending:
        best[e.b] = max(best.get(e.b, 0.0), e.score)
    skip_gl = {
        e.g
        for e in pending
        if e.kind == "exact" and (e.sim or 0.0) >= params.weak_name and e.score >= best[e.b]
    }
    return {e.b for e in pending}, skip_gl


def hold_for_payers(
    edges: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
) -> int:
    """Make unbookable each exact pair whose bank line names no one and whose entry is
    one of the only entries of one payer that make, to the cent, a line naming that
    payer. Returns how many were held.

    Convention of the remittance: a customer paying several invoices at once sends one
    payment in its own name for their sum. A counter credit that names no one and has
    the amount of one of those invoices is weaker evidence than the payer's own line
    that the invoices make exactly, so the single pair must not take the invoice before
    the batches are tried; it stays an alternative, and review decides if both stand.
    """
    nameless = [e for e in edges if e.kind == "exact" and e.bookable and e.sim is None]
    if not nameless:
        return 0
    order = sorted(range(len(bank)), key=lambda i: (bank[i].bday, i))
    bdays = [bank[i].bday for i in order]
    entries = OpenEntries(gl, set(range(len(gl))), params)
    claimed: dict[int, bool] = {}

    def payer_line_claims(gi: int) -> bool:
        g = gl[gi]
        lo = bisect.bisect_left(bdays, g.bday - params.batch_lead_days)
        hi = bisect.bisect_right(bdays, g.bday + params.batch_lag_days)
        for bi in order[lo:hi]:
            b = bank[bi]
            if (b.units > 0) != (g.units > 0) or abs(b.units) <= abs(g.units):
                continue
            if not may_be_batch(b) or (_batch_similarity(b, g) or 0.0) < params.strong_name:
                continue
            payer = [
                x
                for x in entries.window(b, params.batch_lag_days, run_floor(b))
                if (_batch_similarity(b, gl[x]) or 0.0) >= params.strong_name
            ]
            if gi not in payer or len(payer) > _PAYER_POOL:
                continue
            values = [abs(gl[x].units) for x in payer]
            try:
                found = exact_subsets(values, abs(b.units), range(2, len(payer) + 1), 2)
            except TooManySubsets:
                continue
            if len(found) == 1 and payer.index(gi) in found[0]:
                return True
        return False

    held = 0
    for e in nameless:
        if e.g not in claimed:
            claimed[e.g] = payer_line_claims(e.g)
        if claimed[e.g]:
            e.bookable = False
            held += 1
    return held


_PAYER_POOL = 16
"""Most open entries of one payer a named line's window may hold for its exact sum to
count as that payer's remittance."""


def book_batches(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    unit: int,
    edges: Sequence[Edge],
    returned: frozenset[int] = frozenset(),
    partial: bool = False,
) -> list[BatchSearch]:
    """Book unique, uncontested subset sums; return the searches left for review.

    With ``partial``, a deposit tied only between same-amount receipts books the
    members every solution shares (:func:`_book_certain_members`) once nothing else
    books: the last batch round, so no later stage can take the line's twins first.

    A solution is contested when one of its entries also appears in another open bank
    line's solutions; booking either could steal the other's deposit, so neither books
    in this round. Booking one batch shrinks the pools, so the search repeats.
    """
    searches: list[BatchSearch] = []
    cache: dict[_CacheKey, BatchSearch | None] = {}
    while True:
        # A bank line with an open one-to-one explanation (ambiguous so far) is not
        # batch material: the simpler explanation is still on the table. Nor is a
        # ledger entry with an exact, name-confirmed counterpart on another line.
        skip_bank, skip_gl = explained_elsewhere(edges, state, params)
        skip_gl |= returned
        searches = _search_batches(bank, gl, state, params, unit, cache, skip_bank, skip_gl)
        # Who else needs each entry: a named batch is only contested by named rivals, and
        # a rival with another solution of its size that leaves the entry alone does not
        # need it (once this batch books, the rival's pool shrinks and is searched again).
        wanted: dict[int, list[BatchSearch]] = defaultdict(list)
        for search in searches:
            if search.plausible:
                smallest = len(search.solutions[0])
                sols = [set(sol) for sol in search.solutions if len(sol) == smallest]
                for member in set.intersection(*sols):
                    wanted[member].append(search)
        progress = False
        for search in searches:
            if not search.unique:
                continue
            members = search.solutions[0]
            if _contested(search, members, wanted):
                continue
            b = bank[search.bank]
            book_members(
                state,
                bank,
                gl,
                search.bank,
                members,
                confidence=round(max(0.7, 0.95 - 0.03 * (len(members) - 2)), 3),
                reason=(
                    f"one of {len(members)} open ledger entries nearby that are the only "
                    f"subset of that size summing to {b.display_amount}"
                ),
            )
            progress = True
        if not progress and partial:
            progress = _book_certain_members(bank, gl, state, searches, wanted)
        if not progress:
            break
    return [s for s in searches if s.bank in state.bank_open]


def book_members(
    state: State,
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    bank_index: int,
    members: Sequence[int],
    *,
    confidence: float,
    reason: str,
) -> None:
    """Book ``members`` as batch pairs of one bank line and close them all.

    Why one place: every kind of batch (a whole slip, a partly booked one, a payout less
    its fees, a remittance, a payment run) must close the same records the same way, or
    a member could stay open and be booked twice.
    """
    bank_id = bank[bank_index].id
    for gi in members:
        state.matches.append(
            Match(
                bank_id=bank_id, gl_id=gl[gi].id, kind="batch", confidence=confidence, reason=reason
            )
        )
        state.gl_open.discard(gi)
    state.bank_open.discard(bank_index)


def _contested(
    search: BatchSearch, members: Sequence[int], wanted: dict[int, list[BatchSearch]]
) -> bool:
    """Whether another deposit's every smallest solution needs one of ``members``.

    A named batch is only contested by named rivals: the name is evidence the rival's
    bare sum does not have.
    """
    return any(
        other is not search and (other.named or not search.named)
        for gi in members
        for other in wanted[gi]
    )


def _book_certain_members(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    searches: Sequence[BatchSearch],
    wanted: dict[int, list[BatchSearch]],
) -> bool:
    """Book the members a tied deposit is certain of; leave the tied ones for review.

    Convention of the deposit slip: an item is on the slip when every way of making the
    slip's total includes it. When a deposit's only solutions differ in which of two
    receipts *of the same amount* they hold (two customers each paid 450.00), every
    other member is in every solution and books, while the twins stay open: the bank
    line is partly booked, and its residual (the twins' share of the amount) goes to
    review with each twin offered. Only an exhaustive search may say "every solution"
    (the whole window searched, no size with more solutions than are kept), the
    solutions must be equally likely (same size, same amounts) and plausible, and no
    other deposit may need a certain member. Returns whether anything booked.
    """
    progress = False
    for search in searches:
        sols = search.solutions
        if (
            search.unique
            or not search.plausible
            or not search.exhaustive
            or len(sols) < 2
            or search.bank not in state.bank_open
            or len({len(sol) for sol in sols}) != 1
            or len({tuple(sorted(gl[gi].units for gi in sol)) for sol in sols}) != 1
        ):
            continue
        certain = sorted(set.intersection(*(set(sol) for sol in sols)))
        tied = tuple(sorted(set().union(*sols) - set(certain)))
        if not certain or _contested(search, certain, wanted):
            continue
        if any(gi not in state.gl_open for gi in (*certain, *tied)):
            continue
        b = bank[search.bank]
        rest = sum((gl[gi].display_amount for gi in sols[0] if gi not in certain), Decimal(0))
        book_members(
            state,
            bank,
            gl,
            search.bank,
            certain,
            confidence=0.7,
            reason=(
                f"one of {len(certain)} entries in every subset summing to "
                f"{b.display_amount} (batch partly booked: {rest} left, tied between "
                f"{', '.join(gl[t].id for t in tied)})"
            ),
        )
        state.partial[search.bank] = (tied, rest)
        progress = True
    return progress


def book_gross_less_fees(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    fee_tolerance: Callable[[int], int],
) -> None:
    """Book a processor payout against the gross sales and the fee entry booked apart.

    Convention of the merchant-processor payout: Stripe, Square or PayPal pay out the
    day's sales less their fees in one transfer. A bookkeeper who records the fee as an
    entry of its own ("Square fees 10/01", a journal or an expense of -4.58) next to the
    gross sales (164.73) has two entries for the one bank line (160.15): a batch whose
    members have opposite signs, which the subset search (same-sign members) never
    considers. Only incoming lines; the fee must be within the engine's fee tolerance
    of the sales, booked for the same settlement (the same reference, or dated within a
    business day of the sales), both entries must name the payer the bank line names,
    be dated in the batch sweep window before the payout, and be the only such pair.
    Sales are looked up by amount (the fee bounds how far above the payout they lie),
    so a dense month costs a few look-ups per line, never a scan of the window.
    """
    window = max(params.batch_lag_days, params.batch_sweep_days)
    sales = sorted((gl[gi].units, gi) for gi in state.gl_open if gl[gi].units > 0)
    sales_units = [units for units, _ in sales]
    fees: dict[int, list[int]] = defaultdict(list)
    for gi in sorted(state.gl_open):
        if gl[gi].units < 0 and not gl[gi].reversal:
            fees[-gl[gi].units].append(gi)
    fee_days = sorted((gl[gi].bday, gi) for group in fees.values() for gi in group)
    for bi in sorted(state.bank_open, key=lambda i: (bank[i].bday, i)):
        b = bank[bi]
        if b.units <= 0 or not b.feat.name or b.reversal:
            continue
        found: list[tuple[int, int]] = []
        tried: list[int] = []
        for k in range(bisect.bisect_right(sales_units, b.units), len(sales)):
            si = sales[k][1]
            s = gl[si]
            fee = s.units - b.units
            if fee > fee_tolerance(s.units) or len(found) > _KEPT:
                break  # the fee only grows faster than its tolerance from here
            if si not in state.gl_open or s.reversal or not b.bday - window <= s.bday <= b.bday:
                continue
            tried.append(si)
            found += [
                (si, fi)
                for fi in fees.get(fee, ())
                if fi in state.gl_open
                and gl[fi].bday <= b.bday
                and (
                    (s.ref and normalize_ref(s.ref) == normalize_ref(gl[fi].ref))
                    or abs(gl[fi].bday - s.bday) <= 1
                )
            ]
        if len(found) > _KEPT:
            continue

        def agrees(x: int, b: Rec = b) -> bool:
            return (name_similarity(b.feat, gl[x].feat) or 0.0) >= params.strong_name

        named = [(si, fi) for si, fi in found if agrees(si) and agrees(fi)]
        if len(named) != 1:
            continue
        # A coincidence is likely when many sales and fee entries could pair: the
        # expected number of chance pairs is the pairs tried over the cents a fee may
        # take. Only entries naming the payer can make a booked pair, so when every
        # entry in reach is too many, those that name it are counted instead (a busy
        # week's purchases cannot pose as Shopify's fee).
        in_window = fee_days[
            bisect.bisect_left(fee_days, (b.bday - window, -1)) : bisect.bisect_right(
                fee_days, (b.bday, len(gl))
            )
        ]
        tolerance = max(1, fee_tolerance(b.units))
        if len(tried) * len(in_window) / tolerance > params.batch_max_chance:
            rivals = sum(map(agrees, tried)) * sum(agrees(fi) for _day, fi in in_window)
            if rivals / tolerance > params.batch_max_chance:
                continue
        si, fi = named[0]
        book_members(
            state,
            bank,
            gl,
            bi,
            [si, fi],
            confidence=0.9,
            reason=(
                f"payout of {gl[si].display_amount} in sales less "
                f"{-gl[fi].display_amount} in fees booked apart, to the cent"
            ),
        )


_REFERENCED_POOL = 20
"""Most entries one bank line's references may gather (a subset search stays cheap)."""
_COMPLETION_SCAN = 400
"""Most open entries in a window whose names are compared to complete a short remittance
(a week of a busy month); denser windows rely on the printed references alone."""


def book_referenced_batches(
    bank: Sequence[Rec], gl: Sequence[Rec], state: State, params: MatchParams, unit: int
) -> None:
    """Book a bank line against the entries whose references it prints, when they add up.

    Conventions of the remittance reference: a customer paying two invoices at once
    quotes both ("ASHWORTH PLUMBING / INV06235 INV06238"), a BACS run carries the run's
    reference that every payment in it was booked under ("BP BACS BACS072"), and a
    paying-in slip's number is the reference of every cheque on it ("COUNTER CREDIT
    000561"). Entries whose ref the bank text names, of the line's sign and dated in
    the batch sweep window before it, book as a batch when exactly one subset of two
    or more of them sums to the line to the cent: a named reference and an exact sum
    together, which a fee-netted single entry (an approximate amount) never beats.
    """
    open_gl = sorted(state.gl_open, key=lambda i: (gl[i].bday, i))
    bdays = [gl[i].bday for i in open_gl]
    by_ref: dict[str, list[int]] = defaultdict(list)
    for gi in state.gl_open:
        ref = normalize_ref(gl[gi].ref)
        if len(ref) >= 4 and not gl[gi].reversal:
            by_ref[ref].append(gi)
    slips: list[int] = []
    for bi in sorted(state.bank_open, key=lambda i: (bank[i].bday, i)):
        if _book_referenced_line(bi, bank, gl, state, params, unit, open_gl, bdays, by_ref):
            continue
        b = bank[bi]
        if bi in state.bank_open and not b.feat.name and any(t in by_ref for t in b.tokens):
            slips.append(bi)
    # Slips of one day share their window: each one booked leaves the others fewer
    # cheques to choose from, so the ones left are tried again while any books.
    progress = True
    while progress and slips:
        progress = False
        for bi in list(slips):
            if _book_referenced_line(bi, bank, gl, state, params, unit, open_gl, bdays, by_ref):
                slips.remove(bi)
                progress = True
    _book_shared_ref_groups(bank, gl, state, params, by_ref)


def _book_referenced_line(
    bi: int,
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    unit: int,
    open_gl: Sequence[int],
    bdays: Sequence[int],
    by_ref: Mapping[str, Sequence[int]],
) -> bool:
    """One line of :func:`book_referenced_batches`; True if it booked."""
    window = max(params.batch_lag_days, params.batch_sweep_days)
    b = bank[bi]
    if b.units == 0 or b.reversal or b.feat.bank_originated:
        return False
    members = sorted(
        {
            gi
            for ref in b.tokens
            for gi in by_ref.get(ref, ())
            if gi in state.gl_open
            and (gl[gi].units > 0) == (b.units > 0)
            and abs(gl[gi].units) < abs(b.units)
            and b.bday - window <= gl[gi].bday <= b.bday + params.batch_lead_days
        }
    )
    if not members:
        return False
    # A remittance cut short names only some of the invoices it pays ("INVS
    # INV-4025" for two): the payer's other open entries may complete it, as long
    # as every way of making the amount includes a named one.
    lo = bisect.bisect_left(bdays, b.bday - window)
    hi = bisect.bisect_right(bdays, b.bday + params.batch_lead_days)
    slip_window = open_gl[bisect.bisect_left(bdays, b.bday - params.batch_lag_days) : hi]
    referenced = set(members)
    if hi - lo > _COMPLETION_SCAN:
        hi = lo  # too dense a window to compare names entry by entry: references only
    members += [
        gi
        for gi in open_gl[lo:hi]
        if gi not in referenced
        and gi in state.gl_open
        and (gl[gi].units > 0) == (b.units > 0)
        and abs(gl[gi].units) < abs(b.units)
        and (name_similarity(b.feat, gl[gi].feat) or 0.0) >= params.strong_name
    ]
    found: list[tuple[int, ...]] = []
    if 2 <= len(members) <= _REFERENCED_POOL:
        values = [abs(gl[gi].units) for gi in members]
        sums = subset_sums(values, abs(b.units), len(members), 1)
        if all(len(sols) < _KEPT for sols in sums.solutions.values()):
            found = [
                sol
                for sols in sums.solutions.values()
                for sol in sols
                if any(members[i] in referenced for i in sol)
            ]
    if len(found) == 1:
        chosen = [members[i] for i in found[0]]
    else:
        rest = _slip_rest(b, bi, sorted(referenced), slip_window, gl, state, params, unit)
        if rest is None:
            return False
        chosen = sorted(referenced) + list(rest)
    book_members(
        state,
        bank,
        gl,
        bi,
        chosen,
        confidence=0.9,
        reason=(
            f"one of {len(chosen)} entries whose references the bank line names, "
            f"summing to {b.display_amount} to the cent"
        ),
    )
    return True


def _slip_rest(
    b: Rec,
    bi: int,
    referenced: Sequence[int],
    window: Sequence[int],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    unit: int,
) -> tuple[int, ...] | None:
    """The rest of a paying-in slip whose number tags only some of its entries.

    Convention of the paying-in slip: the cash paid in is booked under the slip's number
    (``Cash sales (slip 000375)``), the cheques on it under the invoices they settle.
    When the bank line prints the number and names no payer, the entries under the
    number are on the slip for certain, and the rest of the amount is made of cheques
    the books received in the batch window (entries whose memo says cheque): an
    ordinary batch search (:func:`_search_batch`, with its chance guard and its
    uniqueness test) for that rest alone, a far smaller target than the whole slip with
    far fewer ways to make it by coincidence. Books that do not say which receipts were
    cheques offer no pool, and nothing books.
    """
    rest = abs(b.units) - sum(abs(gl[gi].units) for gi in referenced)
    if b.feat.name or rest <= 0:
        return None
    taken = set(referenced)
    pool = [
        gi
        for gi in window
        if gi not in taken
        and gi in state.gl_open
        and (gl[gi].units > 0) == (b.units > 0)
        and 0 < abs(gl[gi].units) <= rest
        and not gl[gi].reversal
        and gl[gi].feat.mentions_cheque
    ]
    single = [gi for gi in pool if abs(gl[gi].units) == rest]
    if single:
        # One cheque of the window is the rest to the penny: the smallest explanation,
        # believable only if no other cheque of the window is.
        return (single[0],) if len(single) == 1 else None
    complete = len(pool) <= params.batch_pool_limit
    if not complete:
        pool = _nearest_first(pool, b.bday, gl)[: params.batch_pool_limit]
    search = _search_batch(
        bi, None, rest, pool, pool, pool, complete, gl, params, unit, params.max_batch_size
    )
    if search is None or not search.unique:
        return None
    return search.solutions[0]


def _book_shared_ref_groups(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    by_ref: dict[str, list[int]],
) -> None:
    """Book a bank line against *all* the open entries booked under one reference.

    Convention of the payment run: a BACS run or a payroll run is booked as one entry
    per payee under the run's reference ("BACS071", "WAGES"), and the bank shows one
    debit for the run, often without that reference ("BP BACS 201025"). That is one
    hypothesis per reference, not one per subset: every open entry of the reference,
    of the line's sign and within the batch sweep window of each other, must add up to
    the line to the cent, and the match must be mutual (one group for the line, one
    line for the group).
    """
    window = max(params.batch_lag_days, params.batch_sweep_days)
    by_amount: dict[int, list[int]] = defaultdict(list)
    for bi in state.bank_open:
        if bank[bi].units != 0 and not bank[bi].reversal and not bank[bi].feat.bank_originated:
            by_amount[bank[bi].units].append(bi)
    proposals: dict[int, list[list[int]]] = defaultdict(list)
    for group in by_ref.values():
        for sign in (1, -1):
            members = sorted(
                (gi for gi in group if gi in state.gl_open and gl[gi].units * sign > 0),
                key=lambda gi: (gl[gi].bday, gi),
            )
            if len(members) < 2 or gl[members[-1]].bday - gl[members[0]].bday > window:
                continue
            total = sum(gl[gi].units for gi in members)
            lines = [
                bi
                for bi in by_amount.get(total, ())
                if gl[members[-1]].bday - params.batch_lead_days
                <= bank[bi].bday
                <= gl[members[0]].bday + window
            ]
            if len(lines) == 1:
                proposals[lines[0]].append(members)
    for bi, groups in sorted(proposals.items()):
        if len(groups) != 1 or bi not in state.bank_open:
            continue
        members = groups[0]
        if any(gi not in state.gl_open for gi in members):
            continue
        b = bank[bi]
        book_members(
            state,
            bank,
            gl,
            bi,
            members,
            confidence=0.85,
            reason=(
                f"one of all {len(members)} open entries under reference "
                f"{gl[members[0]].ref}, which together make {b.display_amount} to the cent"
            ),
        )
