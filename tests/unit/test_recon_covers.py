"""Deposits of a working week, settled together: a slip's subset is booked only when it
takes that subset in every way the open slips nearby can all be paid in.

The convention is documented in ``baton.tools.finance.matching.covers``.
"""

from __future__ import annotations

import pytest

import baton.tools.finance.matching as matching
from baton.tools.finance.matching import MatchParams, covers, reconcile
from baton.tools.finance.matching.covers import forced_subsets
from baton.tools.finance.models import BankLine, LedgerEntry
from tests.unit.test_recon_runs import bank, bill, booked, receipt

# Business days: Monday 0 .. Friday 4, then Monday 7 .. Friday 11, then Monday 14.
# Slip DA (Friday 11) pays in R1 + R2, booked Thursday 3 and Friday 4: six business
# days back, beyond the four-day window of the single-slip search. R3 + R4 of the same
# two days make its amount as well. Slip DB (Monday 14) pays in R4 + R5, its only
# subset, so R4 is DB's and DA is left one answer.
RECEIPTS = (
    ("R1", 3, "Ashby Farm Shop", "100.00"),
    ("R2", 4, "Bramley Bakery", "200.00"),
    ("R3", 3, "Corby Tiles", "120.00"),
    ("R4", 4, "Dunmore Hardware", "180.00"),
    ("R5", 10, "Elstow Garden Centre", "250.00"),
)
TRUTH = {("DA", "R1"), ("DA", "R2"), ("DB", "R4"), ("DB", "R5")}


def month(*extra: BankLine) -> tuple[list[BankLine], list[LedgerEntry]]:
    lines = [bank("DA", 11, "DEPOSIT", "300.00"), bank("DB", 14, "DEPOSIT", "430.00"), *extra]
    return lines, [receipt(*r) for r in RECEIPTS]


def test_two_slips_settled_together_book_their_only_cover() -> None:
    result = reconcile(*month())
    assert booked(result) == TRUTH
    assert all("every way" in m.reason for m in result.matches)
    assert result.unmatched_gl == ["R3"]


def test_without_the_joint_cover_neither_slip_books(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "book_slip_weeks", lambda *args: 0)
    assert booked(reconcile(*month())) == set()


def test_a_slip_with_two_answers_whatever_the_others_do_stays_open() -> None:
    # R2 + R6 make DB's amount too. Either DB takes R4 + R5 and DA R1 + R2, or DB takes
    # R2 + R6 and DA R3 + R4: two covers, and no slip takes the same subset in both.
    lines, entries = month()
    entries.append(receipt("R6", 10, "Foxton Mill", "230.00"))
    assert booked(reconcile(lines, entries)) == set()


def test_a_month_whose_slips_cannot_all_be_paid_in_books_nothing() -> None:
    # A third deposit whose only subset (R2 + R5) takes R5 too: the three cannot
    # all be paid in, so one of them is no slip of these books, and none is booked.
    lines, entries = month(bank("DC", 14, "DEPOSIT", "450.00"))
    assert booked(reconcile(lines, entries)) == set()


def test_forced_subsets_follow_a_chain_of_slips() -> None:
    # C has one answer; it takes B's second, so B takes its first, which leaves A its first.
    answers = {1: [0b000011, 0b001100], 2: [0b001100, 0b110000], 3: [0b110000]}
    assert forced_subsets(answers) == {1: (0b11, 3), 2: (0b1100, 3), 3: (0b110000, 3)}


def test_independent_slips_with_two_answers_each_are_not_forced() -> None:
    answers = {1: [0b0011, 0b1100], 2: [0b110000, 0b11000000], 3: [0b1 << 9]}
    assert forced_subsets(answers) == {3: (0b1 << 9, 1)}


def test_a_group_that_cannot_be_covered_forces_nothing() -> None:
    # 1 and 2 both need receipt 0: one of them is no slip of these books.
    assert forced_subsets({1: [0b011], 2: [0b101], 3: [0b11000]}) == {3: (0b11000, 1)}


def test_a_deposit_reaching_back_past_the_books_is_left_out() -> None:
    # DE (Monday 7) reaches back past the books' first day, so its receipts may be the
    # last period's, and it is left out. R1 + R4 make its amount, and DA has no subset
    # without one of them: were DE held to be paid in from these books, the three could
    # not all be, and nothing would book. (A one-day single-slip window keeps DE from
    # booking R1 + R4 on its own.)
    lines, entries = month(bank("DE", 7, "DEPOSIT", "280.00"))
    result = reconcile(lines, entries, MatchParams(batch_lag_days=1))
    assert booked(result) == TRUTH
    assert "DE" in {c.bank_id for c in result.candidates}


@pytest.mark.parametrize("rounds", [1, 3])
def test_a_slip_too_crowded_to_list_is_settled_once_its_neighbour_is(
    monkeypatch: pytest.MonkeyPatch, rounds: int
) -> None:
    # With one subset the most a slip may list, DA's two are too many: at first only DB
    # is settled. Once DB has taken R4, DA has one subset left, and a second round
    # books it. (No crowded rounds: they would be a second round too.)
    monkeypatch.setattr(covers, "_MOST_SUBSETS", 1)
    monkeypatch.setattr(covers, "_MOST_CROWDED", 0)
    monkeypatch.setattr(covers, "_ROUNDS", rounds)
    settled = TRUTH if rounds > 1 else {p for p in TRUTH if p[0] == "DB"}
    assert booked(reconcile(*month())) == settled


@pytest.mark.parametrize("alive", [0, 10])
def test_a_slip_past_meet_in_the_middle_is_listed_by_its_answers(
    monkeypatch: pytest.MonkeyPatch, alive: int
) -> None:
    # With one subset the most a half may list, both windows are too crowded to meet in
    # the middle. Listed by their answers instead, they settle as before; with no room
    # for that either, both are left out and nothing books.
    monkeypatch.setattr(covers, "_HALF_LIMIT", 1)
    monkeypatch.setattr(covers, "_MOST_CROWDED", alive)
    assert booked(reconcile(*month())) == (TRUTH if alive else set())


def test_past_the_work_budget_what_is_proven_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three independent slips of one answer each: the first search visits one subset and
    # proves the first; the budget is then spent, and the others stay open.
    answers = {1: [0b11], 2: [0b1100], 3: [0b110000]}
    assert len(forced_subsets(answers)) == 3
    monkeypatch.setattr(covers, "_WORK", 1)
    assert forced_subsets(answers) == {1: (0b11, 1)}


def test_a_crowded_month_stops_listing_at_the_round_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With room for one subset, DA (two subsets) fills the round's listing budget, so DB
    # is never listed, and DA alone has two answers: nothing books.
    monkeypatch.setattr(covers, "_MOST_LISTED", 1)
    assert booked(reconcile(*month())) == set()


def test_payment_runs_debited_together_are_settled_like_slips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two BACS runs debited the same Wednesday (9) over the same payments. PA (300.00) is
    # P1 + P2 or P3 + P4; PB (430.00) is P4 + P5 or P3 + P6. Whichever PB takes, it takes
    # P3 or P4, so PA can only be P1 + P2. PB keeps two answers and stays open. (R1, the
    # books' first entry, puts the runs' window inside the books.)
    lines = [
        bank("PA", 9, "BACS PAYMENT RUN", "-300.00"),
        bank("PB", 9, "BACS PAYMENT RUN", "-430.00"),
    ]
    ledger = [
        receipt("R1", 0, "Ashby Farm Shop", "100.00"),
        bill("P1", 7, "Ashby Farm Supplies", "-100.00", "40117"),
        bill("P2", 8, "Bramley Bakery", "-200.00", "40118"),
        bill("P3", 7, "Corby Tiles", "-120.00", "40119"),
        bill("P4", 8, "Dunmore Hardware", "-180.00", "40120"),
        bill("P5", 8, "Elstow Garden Centre", "-250.00", "40121"),
        bill("P6", 8, "Foxton Mill", "-310.00", "40122"),
    ]
    result = reconcile(lines, ledger)
    assert booked(result) == {("PA", "P1"), ("PA", "P2")}
    assert all("every way" in m.reason for m in result.matches)
    monkeypatch.setattr(matching, "book_slip_weeks", lambda *args: 0)
    assert booked(reconcile(lines, ledger)) == set()
