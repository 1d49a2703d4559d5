"""Stages 2 and 4, one-to-one: an edge books only when no rival assignment comes close.

Competing edges form groups solved exactly (``linear_sum_assignment``); an edge books
only if forbidding it costs the assignment more than a margin, so near-ties block each
other instead of being guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from baton.tools.finance.matching.params import EdgeKind, MatchParams
from baton.tools.finance.matching.records import Edge, State


def _components(edges: Sequence[Edge]) -> list[list[Edge]]:
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
    booked: list[Edge] = []
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
