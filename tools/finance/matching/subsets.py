"""Subset sums of a window of open entries, meet in the middle, vectorised with NumPy.

A batch line (a deposit slip, a payment run) is the sum of some of the open entries
near it, so every batch stage asks the same question many thousands of times a month:
which subsets of twenty-odd amounts make this total, and how many subsets come close.
Each half of the pool has up to 2^12 subsets; listing them as Python tuples and
joining them in a Python loop was the largest share of a 10,000-line month's matching
time. Here each half is three arrays (sums, sizes, member bitmasks) and the joins are
sorted searches, while the order in which subsets are listed (and so which solutions a
capped list keeps) is exactly that of the plain enumeration.

Money is exact integers in minor units. Arrays are ``int64`` while every sum that can
arise fits with room to spare, and Python integers (``object`` arrays, slower but exact)
beyond that, so a hostile amount of 10^30 is matched correctly rather than overflowing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_INT64_ROOM = 2**62
"""Largest value an ``int64`` computation here may reach: beyond it, Python integers."""

_Ints = NDArray[Any]
"""An array of exact integers: ``int64`` or ``object`` holding Python ints."""


class TooManySubsets(Exception):
    """A half would list more subsets than its caller's limit: the search is not done."""


@dataclass(frozen=True, slots=True)
class Half:
    """Every subset of one half of a pool, in enumeration order.

    The order is that of the plain walk: the empty subset, then for each value in turn
    every subset listed so far extended by it. A subset's members are bits of
    ``masks`` (bit i is the half's i-th value) and index ``offset + i`` of the pool.
    """

    sums: _Ints
    sizes: NDArray[np.int64]
    masks: _Ints
    offset: int

    @classmethod
    def of(
        cls,
        values: Sequence[int],
        offset: int,
        max_size: int,
        ceiling: int,
        limit: int | None = None,
    ) -> Half:
        """The subsets of at most ``max_size`` of ``values`` (all >= 0) summing to <= ceiling.

        A value above the ceiling is in no such subset, so it is passed over without
        changing the order of the others. Raises :class:`TooManySubsets` as soon as more
        than ``limit`` subsets are listed: thirty-six small receipts and subsets of up
        to twelve are 6 x 10^8 subsets (15 GiB), so the count is checked while listing,
        never after.
        """
        dtype: Any = np.int64 if ceiling < _INT64_ROOM else object
        mask_dtype: Any = np.int64 if len(values) < 62 else object
        sums = np.zeros(1, dtype=dtype)
        sizes = np.zeros(1, dtype=np.int64)
        masks = np.zeros(1, dtype=mask_dtype)
        for i, value in enumerate(values):
            if value > ceiling:
                continue
            keep = (sizes < max_size) & (sums <= ceiling - value)
            sums = np.concatenate((sums, sums[keep] + value))
            sizes = np.concatenate((sizes, sizes[keep] + 1))
            masks = np.concatenate((masks, masks[keep] | (1 << i)))
            if limit is not None and len(sums) > limit:
                raise TooManySubsets
        return cls(sums, sizes, masks, offset)

    def __len__(self) -> int:
        return len(self.sums)

    def size(self, k: int) -> int:
        return int(self.sizes[k])

    def members(self, k: int) -> tuple[int, ...]:
        """Pool indices of the ``k``-th subset, ascending."""
        mask = int(self.masks[k])
        return tuple(self.offset + i for i in range(mask.bit_length()) if mask >> i & 1)


def halves(
    values: Sequence[int], max_size: int, ceiling: int, limit: int = 1 << 22
) -> tuple[Half, Half]:
    """The pool split in two, each half's subsets listed (meet in the middle); at most
    ``limit`` subsets per half (:class:`TooManySubsets` beyond), 4 M by default, about
    100 MiB of arrays."""
    half = len(values) // 2
    return (
        Half.of(values[:half], 0, max_size, ceiling, limit),
        Half.of(values[half:], half, max_size, ceiling, limit),
    )


def joins(left: Half, right: Half, target: int) -> Iterator[tuple[int, list[int]]]:
    """Each left subset that right subsets complete to exactly ``target``, in left order,
    with those right subsets in their enumeration order."""
    rsel = np.flatnonzero(right.sums <= target)
    order = rsel[np.argsort(right.sums[rsel], kind="stable")]
    rsums = right.sums[order]
    lsel = np.flatnonzero(left.sums <= target)
    need = target - left.sums[lsel]
    lo = np.searchsorted(rsums, need, side="left")
    hi = np.searchsorted(rsums, need, side="right")
    for j in np.flatnonzero(hi > lo):
        yield int(lsel[j]), [int(k) for k in order[lo[j] : hi[j]]]


def near_counts(
    left: Half, right: Half, target: int, window: int, max_size: int, unit: int
) -> dict[int, int]:
    """Per size (2..max_size), subsets whose sum is within ``window`` of ``target`` and has
    the same minor units (cents) as ``target``; both halves listed up to target + window.

    Requiring the same cents measures the density of the sums that could really hit the
    target: with many round amounts in the pool, sums that share the target's cents are
    spaced one currency unit apart instead of one cent, and chance hits are that much
    more likely.

    Right subsets are keyed by (size, cents, sum) in one sorted array, so each left
    subset finds, for every right size at once, how many complete it to a sum in the
    window with the right cents: two sorted searches instead of a loop.
    """
    span = target + window + 1
    key_room = (max_size + 2) * unit * span
    dtype: Any = np.int64 if key_room < _INT64_ROOM else object
    rsums = right.sums.astype(dtype)
    rsizes = right.sizes.astype(dtype)
    keys = np.sort((rsizes * unit + rsums % unit) * span + rsums)
    lsums = left.sums.astype(dtype)
    residue = (target - lsums) % unit
    low = np.maximum(target - window - lsums, 0)
    high = target + window - lsums
    r_sizes = np.arange(max_size + 1).astype(dtype)
    base = (r_sizes[None, :] * unit + residue[:, None]) * span
    count = np.searchsorted(keys, base + high[:, None], side="right") - np.searchsorted(
        keys, base + low[:, None], side="left"
    )
    size = left.sizes[:, None] + np.arange(max_size + 1)[None, :]
    valid = (size >= 2) & (size <= max_size)
    totals = np.zeros(max_size + 1, dtype=np.int64)
    np.add.at(totals, size[valid], count[valid])
    return {s: int(n) for s, n in enumerate(totals) if n}


def few_counts(values: Sequence[int], low: int, high: int) -> tuple[int, int]:
    """How many pairs and how many triples of ``values`` (distinct positions) sum to
    between ``low`` and ``high`` inclusive.

    Why: a crowded deposit window of a few hundred receipts is searched whole for a
    pair or triple (``batches._few_items``), and almost always has none or several, or
    so many sums near the amount that a hit proves nothing. Counts over sorted pair
    sums, O(n² log n) in NumPy, settle that before the full search lists every subset
    with its members. Each triple is seen from each of its three members (as that
    member and a pair of the other two), so the sum over members is divided by three.
    """
    if len(values) < 2:
        return 0, 0
    room = 4 * max(max(map(abs, values)), abs(low), abs(high))
    dtype: Any = np.int64 if room < _INT64_ROOM else object
    u = np.sort(np.asarray(values, dtype=dtype))
    index = np.arange(len(u))

    def within(sorted_sums: _Ints, low_: _Ints, high_: _Ints) -> tuple[_Ints, _Ints]:
        left = np.searchsorted(sorted_sums, low_, side="left")
        right = np.searchsorted(sorted_sums, high_, side="right")
        return left, right

    lo, hi = within(u, low - u, high - u)
    pairs = int(np.maximum(hi - np.maximum(lo, index + 1), 0).sum())
    if len(u) < 3:
        return pairs, 0
    first, second = np.triu_indices(len(u), 1)
    pair_sums = u[first] + u[second]
    pair_sums = np.sort(pair_sums[pair_sums <= high - int(u[0])])
    lo, hi = within(pair_sums, low - u, high - u)
    # Pairs in range with u[i] that contain i itself: u[j] within [low - 2u[i], high - 2u[i]].
    self_lo, self_hi = within(u, low - 2 * u, high - 2 * u)
    itself = self_hi - self_lo - ((low - 2 * u <= u) & (u <= high - 2 * u))
    return pairs, int((hi - lo - itself).sum()) // 3


_MOST_REACH_BYTES = 64 << 20
"""Most bytes of reachable-sum bitsets :func:`exact_subsets` builds for one pool (one bit
per cent of the target per value): a larger pool or amount is :class:`TooManySubsets`."""


def exact_subsets(
    values: Sequence[int], target: int, sizes: range, limit: int
) -> list[tuple[int, ...]]:
    """Every subset of ``values`` (all >= 0; indices, ascending) of a size in ``sizes``
    that sums to exactly ``target``, listed in time proportional to how many there are.

    Why: meet in the middle lists every subset of each half below the target, so a
    deposit slip over a crowded week (eighty receipts) is past any limit even when only
    a few hundred subsets make its amount. Here each suffix of the pool has a bitset of
    the sums it can make (one big-integer shift per value), and subsets are grown value by
    value keeping only partial sums the rest can still complete, so every partial subset
    kept leads to an answer (bar the size limits). Raises :class:`TooManySubsets` when
    more than ``limit`` partial subsets are alive at once, or the bitsets would pass
    :data:`_MOST_REACH_BYTES`.
    """
    n = len(values)
    width = target // 8 + 1
    if target < 0 or (n + 1) * width > _MOST_REACH_BYTES:
        raise TooManySubsets
    full = (1 << (target + 1)) - 1
    reach = 1
    rows = [np.frombuffer(reach.to_bytes(width, "little"), dtype=np.uint8)]
    for value in reversed(values):
        if value <= target:
            reach = (reach | reach << value) & full
        rows.append(np.frombuffer(reach.to_bytes(width, "little"), dtype=np.uint8))
    rows.reverse()

    def makes(row: NDArray[np.uint8], sums: NDArray[np.int64]) -> NDArray[np.bool_]:
        found: NDArray[np.bool_] = (row[sums >> 3] >> (sums & 7).astype(np.uint8)) & 1 == 1
        return found

    left = np.array([target], dtype=np.int64)
    if not makes(rows[0], left)[0]:
        return []
    size = np.zeros(1, dtype=np.int64)
    mask: _Ints = np.zeros(1, dtype=np.int64 if n < 62 else object)
    for i, value in enumerate(values):
        rest = rows[i + 1]
        skip = makes(rest, left)
        take = (left >= value) & (size < sizes.stop - 1)
        take[take] = makes(rest, left[take] - value)
        left = np.concatenate((left[skip], left[take] - value))
        size = np.concatenate((size[skip], size[take] + 1))
        mask = np.concatenate((mask[skip], mask[take] | (1 << i)))
        if len(left) > limit:
            raise TooManySubsets
    return [
        tuple(j for j in range(n) if int(m) >> j & 1)
        for m in mask[(size >= sizes.start) & (size < sizes.stop)]
    ]
