"""The vectorised subset sums agree with plain enumeration, on any amounts.

The batch stages decide what books from these counts (a solution that is the only one
of its size, a chance of coincidence below a bound), so they are checked against the
brute force over every subset, including amounts too large for 64-bit integers.
"""

from __future__ import annotations

import tracemalloc
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baton.tools.finance.matching.batches import _KEPT, subset_sums
from baton.tools.finance.matching.clusters import _Line, _OutOfBudget, _Splitter
from baton.tools.finance.matching.records import Rec
from baton.tools.finance.matching.subsets import (
    TooManySubsets,
    exact_subsets,
    few_counts,
    halves,
    joins,
    near_counts,
)
from baton.tools.finance.normalize import describe


def _all_subsets(values: list[int], max_size: int) -> list[tuple[int, ...]]:
    return [
        combo for size in range(2, max_size + 1) for combo in combinations(range(len(values)), size)
    ]


_POOLS = st.lists(st.integers(0, 60), min_size=0, max_size=11)


@settings(max_examples=150, deadline=None)
@given(
    values=_POOLS,
    target=st.integers(1, 200),
    max_size=st.integers(2, 6),
    unit=st.sampled_from([1, 5, 10]),
    scale=st.sampled_from([1, 10**20]),
)
def test_solutions_and_near_counts_match_brute_force(
    values: list[int], target: int, max_size: int, unit: int, scale: int
) -> None:
    # ``scale`` lifts every amount beyond 64 bits without changing which subsets hit.
    values = [v * scale for v in values]
    target, unit = target * scale, unit * scale
    result = subset_sums(values, target, max_size, unit)
    exact: dict[int, set[tuple[int, ...]]] = {}
    for combo in _all_subsets(values, max_size):
        if sum(values[i] for i in combo) == target:
            exact.setdefault(len(combo), set()).add(combo)
    assert set(result.solutions) == set(exact)
    for size, sols in result.solutions.items():
        assert len(set(sols)) == len(sols) == min(_KEPT, len(exact[size]))
        assert set(sols) <= exact[size]

    window = max(unit, target // 20)
    left, right = halves(values, max_size, target + window)
    near = near_counts(left, right, target, window, max_size, unit)
    expected: dict[int, int] = {}
    for combo in _all_subsets(values, max_size):
        total = sum(values[i] for i in combo)
        if abs(total - target) <= window and total % unit == target % unit:
            expected[len(combo)] = expected.get(len(combo), 0) + 1
    assert near == expected


@settings(max_examples=200, deadline=None)
@given(
    values=_POOLS,
    low=st.integers(0, 150),
    width=st.integers(0, 12),
    scale=st.sampled_from([1, 10**20]),
)
def test_pair_and_triple_counts_match_brute_force(
    values: list[int], low: int, width: int, scale: int
) -> None:
    # The quick count that lets a crowded deposit window skip the full listing.
    values = [v * scale for v in values]
    low, high = low * scale, (low + width) * scale
    expected = [
        sum(
            1
            for combo in combinations(range(len(values)), k)
            if low <= sum(values[i] for i in combo) <= high
        )
        for k in (2, 3)
    ]
    assert few_counts(values, low, high) == tuple(expected)


def test_joins_lists_every_exact_completion_in_enumeration_order() -> None:
    values = [5, 5, 5, 10, 5, 5]
    left, right = halves(values, 6, 10)
    found = [
        left.members(li) + right.members(ri)
        for li, rights in joins(left, right, 10)
        for ri in rights
    ]
    assert sorted(found) == sorted(
        c for n in range(1, 7) for c in combinations(range(6), n) if sum(values[i] for i in c) == 10
    )
    # The first left subset listed is the empty one: its completions come first, and
    # among them the right half's own order (the lone 10, then pairs of fives).
    assert found[:2] == [(3,), (4, 5)]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(0, 40), max_size=12),
    target=st.integers(0, 120),
    low=st.integers(0, 5),
    extra=st.integers(0, 6),
)
def test_exact_subsets_list_what_brute_force_finds(
    values: list[int], target: int, low: int, extra: int
) -> None:
    sizes = range(low, low + extra + 1)
    expected = [
        combo
        for size in sizes
        for combo in combinations(range(len(values)), size)
        if sum(values[i] for i in combo) == target
    ]
    assert sorted(exact_subsets(values, target, sizes, 10**6)) == sorted(expected)


def test_exact_subsets_list_a_crowded_pool_by_its_answers_not_its_subsets() -> None:
    # Sixty receipts of 10.00 and ten of 10.01, 10.02, 10.04 .. 15.12: any five make
    # about 50.31, and each half has 384,000 subsets under it, past meet in the middle's
    # limit. Only one makes 50.31 exactly (cents 1 + 2 + 4 + 8 + 16), and no partial
    # subset lives long, so a limit of ten alive at once is plenty.
    values = [1000] * 60 + [1000 + 2**i for i in range(10)]
    with pytest.raises(TooManySubsets):
        halves(values, 12, 5031, limit=1 << 16)
    assert exact_subsets(values, 5031, range(2, 13), 10) == [(60, 61, 62, 63, 64)]


def test_exact_subsets_stop_at_their_limits() -> None:
    # Thirty receipts of one cent make ten cents 3 x 10^7 ways: past any limit alive.
    with pytest.raises(TooManySubsets):
        exact_subsets([1] * 30, 10, range(2, 13), 1_000)
    # A target of 10^12 cents would need a bitset of 125 GB per receipt: refused at once.
    with pytest.raises(TooManySubsets):
        exact_subsets([10**11] * 10, 10**12, range(2, 13), 1_000)


def test_a_half_stops_listing_subsets_at_its_limit() -> None:
    # Twenty-two small receipts, subsets of up to twelve: 3.2 M subsets per half. The
    # count is checked while listing, so the caller's limit is never overshot by more
    # than one doubling.
    with pytest.raises(TooManySubsets):
        halves([100] * 44, 12, 10**9, limit=10_000)
    left, right = halves([100] * 8, 12, 10**9, limit=10_000)
    assert len(left) == len(right) == 16


def test_a_crowded_cluster_runs_out_of_budget_without_listing_every_subset() -> None:
    # Canada seed 26 (a month-end cluster of 72 small receipts) listed 6 x 10^8 subsets
    # of one half, 19 GiB, before the budget was looked at.
    lines = [_Line(bank=0, target=10**7, items=None, window=frozenset(range(44)), closes=0)]
    gl = [Rec(id=f"G{i}", units=100 + i, day=0, bday=0, feat=describe("x")) for i in range(44)]
    splitter = _Splitter(lines, gl, max_size=12)
    tracemalloc.start()
    try:
        with pytest.raises(_OutOfBudget):
            list(splitter._subsets(list(range(44)), 5_000, 0))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
