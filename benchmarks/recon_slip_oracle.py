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
at once could rule it out. So the cap is an estimate, not a proof.

    python -m benchmarks.recon_slip_oracle --seeds 6-10
"""

from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from baton.tools.finance.matching import reconcile
from benchmarks.reconciliation import GENERATORS

_HALF = 4
"""Largest subset searched in each half of a window."""


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
    ]


if __name__ == "__main__":
    main()
