"""Stages 2 and 4, one-to-one: an edge books only when no rival assignment comes close.

Competing edges form groups solved exactly (``linear_sum_assignment``); an edge books
only if forbidding it costs the assignment more than a margin, so near-ties block each
other instead of being guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from baton.tools.finance.matching.params import EdgeKind, MatchParams
from baton.tools.finance.matching.records import Edge, State


def components(edges: Sequence[Edge]) -> list[list[Edge]]:
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
    groups: dict[tuple[str, int], list[Edge]] = defaultdict(list)
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


def _bookable_now(e: Edge, params: MatchParams, kinds: frozenset[EdgeKind]) -> bool:
    return e.bookable and e.kind in kinds and e.score >= params.accept_score


def _assign_component(
    group: Sequence[Edge], params: MatchParams, kinds: frozenset[EdgeKind]
) -> list[Edge]:
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
    by_cell: dict[tuple[int, int], Edge] = {}
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
    crossed = _crossed_repeats(pairs, by_cell, params)
    booked: list[Edge] = []
    for cell in pairs:
        e = by_cell[cell]
        if not _bookable_now(e, params, kinds):
            continue
        if e.sole and (degree[("b", e.b)] > 1 or degree[("g", e.g)] > 1):
            continue
        if best - _without(weights, cell) >= params.ambiguity_margin:
            booked.append(e)
        elif cell in crossed:
            # Date order settles a repeated payment: the crossed pairings are impossible.
            trial = weights.copy()
            for other in crossed[cell]:
                trial[other] = 0.0
            if _solve(trial)[0] - _without(trial, cell) >= params.ambiguity_margin:
                booked.append(replace(e, note=_IN_ORDER))
    return booked


def _without(weights: np.ndarray, cell: tuple[int, int]) -> float:
    """The best assignment's weight when ``cell`` is forbidden."""
    kept = weights[cell]
    weights[cell] = 0.0
    without, _ = _solve(weights)
    weights[cell] = kept
    return without


_IN_ORDER = (
    "same amount twice, paired in date order (crossed, a payment would clear before it was booked)"
)


def _crossed_repeats(
    pairs: Sequence[tuple[int, int]], by_cell: dict[tuple[int, int], Edge], params: MatchParams
) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """For each pair of the best assignment, the crossed pairings that date order rules out.

    Convention: a payment is written in the books when it is made, so it reaches the
    bank on or after its ledger date, and the same amount paid to (or by) the same
    party twice clears first in, first out. Two ACH debits of 1,000.00 to Atlas booked
    on the 18th and the 19th and cleared on the 18th and the 19th pair in order; the
    crossed pairing would need the later payment to clear a day *before* it was booked.
    So a crossing is ruled out only when it would put a bank line before its ledger
    entry while the pairing in order needs no such thing, all four pairings are exact
    and bookable with names that agree alike (or all cannot tell), both sides' dates
    differ in the same order, and no reference points across. Two card charges whose
    clearing lags merely differ (2 and 3 days against 4 and 1) stay a tie: nothing
    rules either order out. The order of dates comes from the edges' lags in business
    days, so nothing is guessed from ids or row order.
    """
    ruled: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, (r1, c1) in enumerate(pairs):
        for r2, c2 in pairs[i + 1 :]:
            cells = ((r1, c1), (r2, c2), (r1, c2), (r2, c1))
            if any(c not in by_cell for c in cells):
                continue
            four = [by_cell[c] for c in cells]
            if any(e.kind != "exact" or not e.bookable for e in four):
                continue
            e11, e22, e12, e21 = four
            sims = {None if e.sim is None else e.sim >= params.strong_name for e in four}
            if len(sims) != 1 or False in sims or e12.ref_hit or e21.ref_hit:
                continue
            bank_step = e21.lag - e11.lag  # business days from the first bank line to the second
            books_step = e11.lag - e12.lag  # and from the first ledger entry to the second
            if bank_step * books_step <= 0 or min(e11.lag, e22.lag) < 0:
                continue  # not in the same order on both sides, or in order needs a lead
            if min(e12.lag, e21.lag) >= 0:
                continue  # the crossed pairing is possible too: a genuine tie
            for cell in ((r1, c1), (r2, c2)):
                ruled[cell] += [(r1, c2), (r2, c1)]
    return ruled


def _greedy_component(
    group: Sequence[Edge], params: MatchParams, kinds: frozenset[EdgeKind]
) -> list[Edge]:
    """Fallback for very large groups: book by score when every direct rival is far behind."""
    by_b: dict[int, list[Edge]] = defaultdict(list)
    by_g: dict[int, list[Edge]] = defaultdict(list)
    for e in group:
        by_b[e.b].append(e)
        by_g[e.g].append(e)
    taken_b: set[int] = set()
    taken_g: set[int] = set()
    booked: list[Edge] = []
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


def book_one_to_one(
    edges: Sequence[Edge],
    state: State,
    params: MatchParams,
    kinds: frozenset[EdgeKind] = frozenset({"exact", "fee", "transposed", "fx"}),
) -> list[Edge]:
    """Book the one-to-one pairs that beat every alternative explanation by the margin.

    Only edges of ``kinds`` may book, but every edge counts as an alternative: an
    approximate amount held back for a later stage still makes an exact one doubtful.
    """
    live = [e for e in edges if e.b in state.bank_open and e.g in state.gl_open]
    booked: list[Edge] = []
    for group in components(live):
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
