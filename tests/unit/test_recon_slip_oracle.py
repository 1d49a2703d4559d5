"""The slip oracle's proof of a second answer: it must find a real re-deal, and only one.

The recall cap it reports in BENCHMARKS.md is only as good as this search: a re-deal
it misses makes the cap too high, one it invents makes it too low.
"""

from __future__ import annotations

from benchmarks.recon_slip_oracle import second_answers

WINDOW = frozenset({"a1", "a2", "b1", "b2", "f"})


def _moved(values: dict[str, int], *, same_sizes: bool = True) -> set[tuple[str, str]]:
    slips = {"A": frozenset({"a1", "a2"}), "B": frozenset({"b1", "b2"})}
    amounts = {"A": values["a1"] + values["a2"], "B": values["b1"] + values["b2"]}
    return second_answers(
        slips,
        {"A": WINDOW, "B": WINDOW},
        amounts,
        frozenset({"f"}),
        values,
        {"A": None, "B": None},
        same_sizes=same_sizes,
    )


def test_two_slips_that_can_trade_receipts_have_a_second_answer() -> None:
    # 100 + 250 = 350 and 150 + 200 = 350 trade with 100 + 200 and 150 + 250 too.
    moved = _moved({"a1": 10_000, "a2": 25_000, "b1": 15_000, "b2": 20_000, "f": 99_999})
    assert moved == {("A", "a1"), ("A", "a2"), ("B", "b1"), ("B", "b2")}


def test_a_receipt_on_no_line_may_stand_in_for_a_member() -> None:
    # The free receipt has a1's amount: either could be the one deposited.
    moved = _moved({"a1": 10_000, "a2": 25_000, "b1": 15_000, "b2": 21_000, "f": 10_000})
    assert moved == {("A", "a1")}


def test_amounts_that_only_fit_one_way_prove_nothing() -> None:
    moved = _moved({"a1": 10_001, "a2": 25_000, "b1": 15_000, "b2": 21_000, "f": 99_999})
    assert moved == set()


def test_a_trade_that_changes_how_many_each_slip_holds_needs_free_sizes() -> None:
    # A = 100 + 250 and B = 50 + 50 + 250, both 350.
    values = {"a1": 10_000, "a2": 25_000, "b1": 5_000, "b2": 5_000, "f": 99_999}
    slips = {"A": frozenset({"a1", "a2"}), "B": frozenset({"b1", "b2", "b3"})}
    values["b3"] = 25_000
    window = WINDOW | {"b3"}
    amounts = {"A": 35_000, "B": 35_000}
    args = (slips, {"A": window, "B": window}, amounts, frozenset({"f"}), values)
    counts: dict[str, int | None] = {"A": None, "B": None}
    # Same sizes: A = {b3 (250), a1 (100)} with B = {a2 (250), b1, b2}: a real trade.
    assert ("A", "a2") in second_answers(*args, counts)
    # A = {a2, b1, b2} (350 in three) and B = {a1, b3} (350 in two): sizes trade too.
    free = second_answers(*args, counts, same_sizes=False)
    assert ("A", "a1") in free and ("B", "b1") in free
    # A line that prints its count holds exactly that many.
    printed = second_answers(*args, {"A": 2, "B": 3}, same_sizes=False)
    assert ("A", "a1") not in printed
