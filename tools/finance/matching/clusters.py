"""Stage 3c, clusters of batches: deposits and payment runs whose windows overlap.

Convention of the batch: every receipt is paid in on exactly one slip, and every
supplier payment leaves in exactly one run. When a business pays in or pays out in
batches most days, the windows of neighbouring batch lines overlap, and each line on
its own has several subsets of nearby entries that hit its total (a pool of twenty
entries holds about one chance subset for any amount). Taken together the lines are a
far stronger test: the open entries of their windows must split among them *exactly*,
every entry on one line and every line to the penny, and a coincidence would have to
hold for all of them at once.

So this stage books a cluster of open batch lines only when its open entries have
exactly one such split. It runs after the single-line searches, when the one-to-one
stages have claimed every entry with a counterpart of its own. An entry that belongs to
none of the lines (a receipt still in transit at the period's end) may be left out, at
most :data:`_MAX_STRAYS` of them: the split leaving the fewest out must be the only one
of its kind, and no split leaving one more out may exist (:func:`_only_split`). A line
may take no entries (a bank line the books never recorded). The search is depth-first
over the lines in the order their windows close, and gives up (booking nothing) past a
fixed budget, so a crowded month costs bounded time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from baton.tools.finance.matching.batches import (
    RUN_MAX_SIZE,
    OpenEntries,
    book_members,
    explained_elsewhere,
    may_be_batch,
)
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State, batch_lead, run_floor
from baton.tools.finance.matching.subsets import TooManySubsets, halves, joins

_BUDGET = 400_000
"""Most search steps (about a second) spent on one search of a cluster before it is left
for review unproven."""
_MAX_STRAYS = 2
"""Most entries a split may leave on no line (a payment still in transit, one the bank
never saw): the fewest that allow a split are tried first, and only a split unique at
that count books."""
_MAX_LINES = 40
"""Most bank lines in one cluster: a longer chain is split nowhere, so it is skipped."""


_CARD_KINDS = frozenset(
    {
        "DEB",
        "VIS",
        "POS",
        "CARD PAYMENT",
        "CARD PURCHASE",
        "CHECKCARD",
        "CHECK CARD",
        "DEBIT CARD PURCHASE",
        "POS PURCHASE",
        "POS DEBIT",
        "VISA DDA PUR",
    }
)
"""Type codes and phrases of a card purchase on a statement: Lloyds/TSB ``DEB``, HSBC
``VIS``, ``POS`` in most US and UK exports, Bank of America ``CHECKCARD``."""


def card_merchants(bank: Sequence[Rec], gl: Sequence[Rec], state: State) -> frozenset[str]:
    """Ledger payees this month's booked pairs show being paid by card.

    Convention of business spending: merchants are paid at the till or online by card
    (fuel, travel, supplies), creditors through the supplier run. A payee the month
    already shows being paid by card is a merchant, and its entries left open at the
    month's end are card purchases still to post, never members of a payment run.
    """
    bank_at = {r.id: i for i, r in enumerate(bank)}
    gl_at = {r.id: i for i, r in enumerate(gl)}
    names: set[str] = set()
    for m in state.matches:
        b, g = bank[bank_at[m.bank_id]], gl[gl_at[m.gl_id]]
        card = b.made_bday is not None or b.feat.card_date is not None or b.kind in _CARD_KINDS
        if b.units < 0 and card and g.feat.name:
            names.add(g.feat.name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class _Line:
    bank: int
    target: int
    items: int | None
    window: frozenset[int]
    closes: int
    """The last business day an entry of the window may carry."""


class _OutOfBudget(Exception):
    """The cluster needed more search than :data:`_BUDGET`: nothing is proven."""


class _Splitter:
    """Depth-first search for exact splits of a cluster's entries among its lines."""

    def __init__(self, lines: list[_Line], gl: Sequence[Rec], max_size: int) -> None:
        self.lines = sorted(lines, key=lambda line: (line.closes, line.target, line.bank))
        self.value = {gi: abs(gl[gi].units) for line in lines for gi in line.window}
        self.last = {
            gi: max(k for k, line in enumerate(self.lines) if gi in line.window)
            for gi in self.value
        }
        self.max_size = max_size
        self.steps = 0

    def splits(self, limit: int, strays: int) -> list[list[tuple[int, ...]]]:
        """Up to ``limit`` exact splits leaving exactly ``strays`` entries on no line:
        per line (in ``self.lines`` order) its members."""
        found: list[list[tuple[int, ...]]] = []
        self.steps = 0
        for split in self._search(0, frozenset(self.value), [], strays):
            found.append(split)
            if len(found) >= limit:
                break
        return found

    def _search(
        self, k: int, left: frozenset[int], chosen: list[tuple[int, ...]], strays: int
    ) -> Iterator[list[tuple[int, ...]]]:
        self.steps += 1
        if k == len(self.lines):
            if not left and not strays:
                yield list(chosen)
            return
        line = self.lines[k]
        mine = [gi for gi in left if gi in line.window]
        last = sorted(gi for gi in mine if self.last[gi] == k)
        may = sorted((gi for gi in mine if self.last[gi] > k), key=lambda gi: -self.value[gi])
        for drop in range(min(strays, len(last)) + 1):
            for dropped in combinations(last, drop):
                must = [gi for gi in last if gi not in dropped]
                rest_left = left - set(dropped)
                yield from self._place(k, line, must, may, rest_left, chosen, strays - drop)

    def _place(
        self,
        k: int,
        line: _Line,
        must: list[int],
        may: list[int],
        left: frozenset[int],
        chosen: list[tuple[int, ...]],
        strays: int,
    ) -> Iterator[list[tuple[int, ...]]]:
        """Every way line ``k`` may take ``must`` and some of ``may``, searched onwards."""
        if not must:
            # The line may be one the books never recorded: it takes nothing.
            yield from self._search(k + 1, left, [*chosen, ()], strays)
        rest = line.target - sum(self.value[gi] for gi in must)
        if rest < 0 or (rest == 0 and not must):
            return
        for extra in self._subsets(may, rest, len(must)):
            members = tuple(sorted((*must, *extra)))
            if len(members) < 2 or (line.items is not None and len(members) != line.items):
                continue
            yield from self._search(k + 1, left - set(members), [*chosen, members], strays)

    def _subsets(self, pool: list[int], target: int, have: int) -> Iterator[tuple[int, ...]]:
        """Every subset of ``pool`` summing to ``target`` exactly, meet in the middle.

        Each half's subsets are listed once (2^(n/2) each, counted against the budget)
        and the halves joined on the sum, so a line with twenty-odd shared entries costs
        a few thousand steps, not the million a plain walk may take.
        """
        room = self.max_size - have
        if room <= 0:
            return
        values = [self.value[gi] for gi in pool]
        try:
            left, right = halves(values, room, target, limit=max(0, _BUDGET - self.steps))
        except TooManySubsets:
            raise _OutOfBudget from None
        self.steps += len(left) + len(right)
        if self.steps > _BUDGET:
            raise _OutOfBudget
        for li, rights in joins(left, right, target):
            l_size, l_members = left.size(li), left.members(li)
            for ri in rights:
                if l_size + right.size(ri) <= room:
                    self.steps += 1
                    yield tuple(pool[i] for i in (*l_members, *right.members(ri)))


def _clusters(lines: list[_Line]) -> list[list[_Line]]:
    """Lines linked by a shared entry, transitively: the independent sub-problems."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for k, line in enumerate(lines):
        for gi in line.window:
            if gi in owner:
                parent[root(k)] = root(owner[gi])
            else:
                owner[gi] = k
    groups: dict[int, list[_Line]] = {}
    for k, line in enumerate(lines):
        groups.setdefault(root(k), []).append(line)
    return list(groups.values())


def _only_split(splitter: _Splitter) -> list[tuple[int, ...]] | None:
    """The split leaving the fewest entries on no line, if it is the only one, and no
    split leaving one more entry out exists either.

    A split with one more stray is a rival explanation of the same kind a second subset
    is for a single deposit (two receipts that add up to a third, 120 + 180 = 300): one
    of the two is a coincidence, so neither books.
    """
    for strays in range(_MAX_STRAYS + 1):
        splits = splitter.splits(2, strays)
        if splits:
            if len(splits) == 1 and not splitter.splits(1, strays + 1):
                return splits[0]
            return None
    return None


def book_batch_clusters(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    params: MatchParams,
    edges: Sequence[Edge],
    returned: frozenset[int],
) -> int:
    """Book every cluster of open batch lines whose open entries split exactly one way.

    Lines and entries with a one-to-one explanation still open, and receipts the bank
    returned, stay out, as in the single-line search. Returns the bank lines booked.
    """
    skip_bank, skip_gl = explained_elsewhere(edges, state, params)
    entries = OpenEntries(gl, state.gl_open - skip_gl - returned, params)
    merchants = card_merchants(bank, gl, state)
    lines: list[_Line] = []
    for bi in sorted(state.bank_open):
        b = bank[bi]
        if not may_be_batch(b) or bi in skip_bank:
            continue
        window = entries.window(b, params.batch_lag_days, run_floor(b))
        if b.units < 0:
            window = [gi for gi in window if gl[gi].feat.name not in merchants]
        if len(window) >= 2:
            closes = b.bday + batch_lead(b, params)
            lines.append(_Line(bi, abs(b.units), b.items, frozenset(window), closes))
    booked = 0
    for cluster in _clusters(lines):
        if len(cluster) > _MAX_LINES:
            continue
        splitter = _Splitter(cluster, gl, max(params.max_batch_size, RUN_MAX_SIZE))
        try:
            split = _only_split(splitter)
        except _OutOfBudget:
            continue
        if split is None:
            continue
        for line, members in zip(splitter.lines, split, strict=True):
            if not members:
                continue
            b = bank[line.bank]
            book_members(
                state,
                bank,
                gl,
                line.bank,
                members,
                confidence=0.8,
                reason=(
                    f"one of {len(members)} entries on this line in the only exact split "
                    f"of {len(splitter.value)} open entries among {len(cluster)} batch "
                    f"lines nearby ({b.display_amount} here)"
                ),
            )
            booked += 1
    return booked
