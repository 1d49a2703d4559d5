"""How many missed deposit-slip members could any method book? An oracle's count.

A deposit slip is one bank line for several receipts. The engine leaves a slip in
review when another subset of the open receipts hits its amount too. This benchmark asks
whether that rival would survive even an oracle that knew every true pair *not* on a
slip. For each slip line with missed members, it searches the open receipts of the
slip's own date window (five business days and one calendar day before the deposit, as
the Canada generator draws members) for another exact subset. The window is dealt into
two halves, each searched up to four entries: a rival of up to eight is found when no
more than four of its members fall in either half, so the counts of rivals are floors.
A rival of the same size or smaller cannot be told from the slip by amount, date or
count: those members cap the recall of anything that books nothing on a guess.

The test is local: a rival may need receipts another slip needs, and solving every slip
at once could rule it out. So that cap is an estimate, not a proof.

The proof is :func:`second_answers`. It keeps every other line of the month as the
generator made it and re-deals the members of one slip, or of two slips whose windows
overlap, together with the receipts that are on no bank line. A second answer gives each
slip the same number of receipts, each from its own window, to the penny, and leaves the
same number of receipts on no line. Amounts, dates and counts then cannot tell the two
answers apart. So any method that books nothing on a guess must leave every member that
moves unbooked, and those members bound its recall from above. Three strengths are
counted: the deal above; a *trade* between two slips alone, where no receipt on no line
takes part (so even what is left undeposited is the same in both answers); and, for
lines that print no item count (most do not), slips that keep their total but not each
its own count.

    python -m benchmarks.recon_slip_oracle --seeds 6-10
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from baton.tools.finance.matching import reconcile
from baton.tools.finance.matching.records import item_count
from benchmarks.reconciliation import GENERATORS

_HALF = 4
"""Largest subset searched in each half of a window."""
_MOST = 2_000_000
"""Most combinations listed for one slip's second deal: past it no second answer is
claimed, so the proven count stays a floor."""


def _window_start(day: date) -> date:
    five_back = np.busday_offset(np.datetime64(day), -5, roll="backward")
    start: date = five_back.astype(date)
    return start - timedelta(days=1)


def _sums(values: dict[str, int], ids: Sequence[str]) -> dict[int, list[tuple[str, ...]]]:
    out: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for k in range(_HALF + 1):
        for combo in itertools.combinations(ids, k):
            out[sum(values[i] for i in combo)].append(combo)
    return out


def rival(pool: Sequence[str], values: dict[str, int], target: int, truth: frozenset[str]) -> str:
    """``"same"`` if another exact subset of at most the slip's size exists, else
    ``"larger"`` if only larger ones do, else ``"none"``."""
    left, right = _sums(values, pool[::2]), _sums(values, pool[1::2])
    found = "none"
    for total, combos in left.items():
        for first in combos:
            for second in right.get(target - total, ()):
                subset = frozenset(first + second)
                if len(subset) < 2 or subset == truth:
                    continue
                if len(subset) <= len(truth):
                    return "same"
                found = "larger"
    return found


def _exact(
    pool: Sequence[str], values: dict[str, int], size: int, target: int
) -> list[frozenset[str]]:
    """Every subset of ``size`` receipts of ``pool`` that makes ``target`` to the penny
    (none when listing them would pass :data:`_MOST` combinations)."""
    if math.comb(len(pool), size) > _MOST:
        return []
    return [
        frozenset(combo)
        for combo in itertools.combinations(pool, size)
        if sum(values[i] for i in combo) == target
    ]


def second_answers(
    slips: dict[str, frozenset[str]],
    windows: dict[str, frozenset[str]],
    amounts: dict[str, int],
    free: frozenset[str],
    values: dict[str, int],
    counts: dict[str, int | None],
    same_sizes: bool = True,
) -> set[tuple[str, str]]:
    """The true (slip, member) pairs that some equally good second answer changes.

    For each slip, and for each pair of slips that can reach each other's members, the
    members together with the receipts on no bank line in their windows are dealt out
    again: each slip takes as many receipts as it truly has, all in its window, to its
    amount. Every true pair that does not survive such a deal is returned.
    """
    moved: set[tuple[str, str]] = set()
    for a, mine in slips.items():
        # Both orders of a pair are dealt: the first slip's receipts are listed whole
        # and the second's from what is left, and a listing past _MOST is given up, so
        # one order can find a deal the other would not.
        partners: list[str | None] = [None]
        partners += [
            b
            for b, theirs in slips.items()
            if b != a and (theirs & windows[a] or mine & windows[b])
        ]
        for b in partners:
            union = mine | (slips[b] if b is not None else frozenset())
            reach = windows[a] | (windows[b] if b is not None else frozenset())
            dealt = sorted(union | (free & reach))
            together = len(mine) + (len(slips[b]) if b is not None else 0)
            sizes = [len(mine)] if b is None or same_sizes else range(2, together - 1)
            for size in sizes:
                if b is not None and not _may_hold(counts, a, size, b, together - size):
                    continue
                for first in _exact(
                    [g for g in dealt if g in windows[a]], values, size, amounts[a]
                ):
                    if first == mine:
                        continue
                    if b is None:
                        moved.update((a, g) for g in mine - first)
                        continue
                    rest = [g for g in dealt if g not in first and g in windows[b]]
                    for second in _exact(rest, values, together - size, amounts[b]):
                        moved.update((a, g) for g in mine - first)
                        moved.update((b, g) for g in slips[b] - second)
    return moved


def _may_hold(counts: dict[str, int | None], a: str, size: int, b: str, other: int) -> bool:
    """Whether slips ``a`` and ``b`` may hold ``size`` and ``other`` receipts: a line
    that prints its item count (``BR DEPOSIT 5 ITEMS``) holds exactly that many."""
    return counts[a] in (None, size) and counts[b] in (None, other)


def oracle(generator: str, seed: int, n_bank: int) -> dict[str, int]:
    """Missed slip members of one month, by what rivals their slip."""
    data = GENERATORS[generator].generate(n_bank, seed)
    booked = {(m.bank_id, m.gl_id) for m in reconcile(data.bank, data.ledger).matches}
    bank = {line.id: line for line in data.bank}
    members: dict[str, list[str]] = defaultdict(list)
    elsewhere: set[str] = set()
    for (bank_id, gl_id), (_kind, case) in data.truth.pairs.items():
        if case == "deposit_slip":
            members[bank_id].append(gl_id)
        else:
            elsewhere.add(gl_id)
    on_slips = {g for gl_ids in members.values() for g in gl_ids}
    tally: dict[str, int] = defaultdict(int)
    receipts = [e for e in data.ledger if e.amount > 0 and e.id not in elsewhere]
    cents = {e.id: int(e.amount * 100) for e in receipts}
    slips = {b: frozenset(g) for b, g in members.items() if len(g) >= 2}
    windows = {
        b: frozenset(
            e.id for e in receipts if _window_start(bank[b].date) <= e.date <= bank[b].date
        )
        for b in slips
    }
    amounts = {b: int(bank[b].amount * 100) for b in slips}
    counts = {b: item_count(bank[b].description) for b in slips}
    unbanked = frozenset(e.id for e in receipts if e.id not in on_slips)
    # Two slips trading receipts and nothing else (no receipt on no line): even the
    # dates of what is left undeposited are then the same in both answers.
    for key, outside, same_sizes in (
        ("proven", unbanked, True),
        ("traded", frozenset[str](), True),
        ("regrouped", unbanked, False),
    ):
        moved = second_answers(slips, windows, amounts, outside, cents, counts, same_sizes)
        tally[key] = len(moved)
        tally[f"{key}_booked"] = len(moved & booked)
    for bank_id, gl_ids in members.items():
        missed = sum((bank_id, g) not in booked for g in gl_ids)
        if len(gl_ids) < 2 or not missed:
            continue
        line = bank[bank_id]
        start = _window_start(line.date)
        pool = [
            e.id
            for e in data.ledger
            if e.amount > 0 and start <= e.date <= line.date and e.id not in elsewhere
        ]
        in_pool = set(pool)
        values = {e.id: int(e.amount * 100) for e in data.ledger if e.id in in_pool}
        kind = rival(pool, values, int(line.amount * 100), frozenset(gl_ids))
        tally[kind] += missed
        # A rival made only of this slip's members and receipts on no bank line at all
        # leaves every other line's truth intact: the month then has two whole answers.
        free = [g for g in pool if g in gl_ids or g not in on_slips]
        if (
            kind == "same"
            and rival(free, values, int(line.amount * 100), frozenset(gl_ids)) == "same"
        ):
            tally["whole"] += missed
        tally["missed"] += missed
        tally["pool"] += len(pool)
        tally["lines"] += 1
    tally["pairs"] = len(data.truth.pairs)
    return tally


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", default="canada")
    parser.add_argument("--seeds", default="6-10")
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args(argv)
    total: dict[str, int] = defaultdict(int)
    rows = []
    for seed in _seeds(args.seeds):
        tally = oracle(args.generator, seed, args.lines)
        for key, value in tally.items():
            total[key] += value
        rows.append(_row(str(seed), tally))
    rows.append(_row("all", total))
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Missed slip members and their rivals, {args.generator}")
    for column in (
        "seed",
        "missed slip members",
        "same or smaller",
        "of them, whole",
        "only larger",
        "none",
    ):
        table.add_column(column)
    table.add_column("recall cap")
    table.add_column("pairs a second answer moves")
    table.add_column("of them booked")
    table.add_column("proven recall cap")
    table.add_column("moved by a trade alone")
    table.add_column("moved, sizes free")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _seeds(text: str) -> list[int]:
    """``6-10,31`` as seeds 6 to 10 and 31."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def _row(label: str, tally: dict[str, int]) -> list[str]:
    missed = max(1, tally["missed"])
    cap = 1 - tally["same"] / max(1, tally["pairs"])
    return [
        label,
        str(tally["missed"]),
        f"{tally['same']} ({tally['same'] / missed:.1%})",
        f"{tally['whole']} ({tally['whole'] / missed:.1%})",
        f"{tally['larger']} ({tally['larger'] / missed:.1%})",
        f"{tally['none']} ({tally['none'] / missed:.1%})",
        f"{cap:.1%}",
        str(tally["proven"]),
        str(tally["proven_booked"]),
        f"{1 - tally['proven'] / max(1, tally['pairs']):.2%}",
        str(tally["traded"]),
        str(tally["regrouped"]),
    ]


if __name__ == "__main__":
    main()
