"""Clusters of batch lines: overlapping windows split exactly one way, or not at all.

The convention is documented in ``baton.tools.finance.matching.clusters``: every entry
is on exactly one slip or run, so neighbouring batch lines are solved together.
"""

from __future__ import annotations

import pytest

import baton.tools.finance.matching as matching
from baton.tools.finance.matching import clusters, reconcile
from baton.tools.finance.models import BankLine, LedgerEntry
from tests.unit.test_recon_runs import bank, bill, booked

PAYEES = (
    "Ashworth Joinery",
    "Baxter Plumbing",
    "Carrow Print",
    "Dunmore Electrical",
    "Ellison Hire",
    "Farrow Design",
    "Garside Motors",
    "Holt Lettings",
)
# Two payment runs, Thursday and the Monday after; their four-day windows share the
# Wednesday and Thursday payments. Each run alone has more than one subset of its
# window hitting its total, so neither books by itself.
AMOUNTS = ("-202.50", "-131.00", "-339.00", "-116.00", "-337.00", "-352.00", "-341.00", "-137.50")
DAYS = (0, 2, 2, 2, 3, 4, 3, 7)
RUN_A = ("G0", "G1", "G2")
RUN_B = ("G3", "G4", "G5", "G6", "G7")


def month(*extra: LedgerEntry) -> tuple[list[BankLine], list[LedgerEntry]]:
    lines = [
        bank("BA", 3, "BULK PAYMENT / BACS", "-672.50"),
        bank("BB", 7, "BACS PAYMENT RUN", "-1283.50"),
    ]
    entries = [
        bill(f"G{i}", day, PAYEES[i], amount, str(10000 + 37 * i))
        for i, (day, amount) in enumerate(zip(DAYS, AMOUNTS, strict=True))
    ]
    return lines, [*entries, *extra]


TRUTH = {("BA", g) for g in RUN_A} | {("BB", g) for g in RUN_B}


def without_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "book_batch_clusters", lambda *args: 0)


def test_overlapping_runs_book_as_the_only_exact_split() -> None:
    result = reconcile(*month())
    assert booked(result) == TRUTH
    assert all("only exact split" in m.reason for m in result.matches)


def test_without_the_joint_split_neither_run_books(monkeypatch: pytest.MonkeyPatch) -> None:
    # The runs' backbone (``covers``) settles BB too, once BA's window, which reaches
    # back past the books, is left out; with neither joint stage, nothing books.
    without_clusters(monkeypatch)
    assert booked(reconcile(*month())) == {p for p in TRUTH if p[0] == "BB"}
    monkeypatch.setattr(matching, "book_slip_weeks", lambda *args: 0)
    assert booked(reconcile(*month())) == set()


def test_one_entry_on_no_line_still_leaves_one_split() -> None:
    # A payment still in transit at the cut-off: it fits neither run, so the split
    # leaves it out, and the fewest-strays split is still unique.
    stray = bill("GX", 3, "Irwin Dental", "-58.13", "99001")
    result = reconcile(*month(stray))
    assert booked(result) == TRUTH
    assert "GX" in result.unmatched_gl


def test_two_exact_splits_book_nothing() -> None:
    # Swap-able halves, all paid on the Wednesday: 100 + 200 on one run or the other,
    # 120 + 180 likewise.
    lines = [
        bank("BA", 3, "BULK PAYMENT / BACS", "-370.00"),
        bank("BB", 7, "BACS PAYMENT RUN", "-355.00"),
    ]
    entries = [
        bill("M", 0, "Ashworth Joinery", "-70.00", "1"),
        bill("S1", 2, "Baxter Plumbing", "-100.00", "2"),
        bill("S2", 2, "Carrow Print", "-200.00", "3"),
        bill("S3", 2, "Dunmore Electrical", "-120.00", "4"),
        bill("S4", 2, "Ellison Hire", "-180.00", "5"),
        bill("N", 4, "Farrow Design", "-55.00", "6"),
    ]
    result = reconcile(lines, entries)
    assert booked(result) == set()
    proposed = {g for c in result.candidates for g in (*c.gl_ids, *c.shared_gl_ids)}
    assert {"S1", "S2", "S3", "S4"} <= proposed


def test_a_cluster_past_the_search_budget_books_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clusters, "_BUDGET", 3)
    monkeypatch.setattr(matching, "book_slip_weeks", lambda *args: 0)
    assert booked(reconcile(*month())) == set()


def spend(id_: str, offset: int, text: str, amount: str, ref: str) -> LedgerEntry:
    """A cash-book entry typed as a plain payment, whatever it pays by."""
    return bill(id_, offset, text, amount, ref, entry_type="Spend Money")


def test_cheques_named_in_the_memo_are_never_run_members() -> None:
    # Three cheques written that week, typed "Spend Money" but naming their cheque
    # numbers: they clear one by one, so they are not strays of the runs. Left in the
    # windows they would be three strays, more than a split may leave out.
    cheques = [
        spend("C1", 2, "Irwin Dental - chq 144516", "-85.10", "144516"),
        spend("C2", 3, "Jessop Farms - chq 144517", "-147.95", "144517"),
        spend("C3", 3, "Kirby Hire - chq 144518", "-66.40", "144518"),
    ]
    result = reconcile(*month(*cheques))
    assert booked(result) == TRUTH
    assert {"C1", "C2", "C3"} <= set(result.unmatched_gl)


def test_postings_reversed_in_the_books_leave_the_windows_first() -> None:
    # Three payments entered and reversed the same week never reached the bank: the
    # offsetting pairs are settled before the runs are split, so they are not strays.
    reversed_pairs = [
        entry
        for i, (payee, amount) in enumerate(
            (("Irwin Dental", "85.10"), ("Jessop Farms", "147.95"), ("Kirby Hire", "66.40"))
        )
        for entry in (
            bill(f"D{i}", 2, payee, f"-{amount}", f"7700{i}"),
            spend(f"R{i}", 3, f"Reversal - {payee} posted twice", amount, f"7700{i}"),
        )
    ]
    result = reconcile(*month(*reversed_pairs))
    assert booked(result) == TRUTH
    offsets = {frozenset((o.gl_id_a, o.gl_id_b)) for o in result.offsetting}
    assert offsets == {frozenset((f"D{i}", f"R{i}")) for i in range(3)}


def test_card_merchants_of_the_month_are_never_run_members() -> None:
    # Tesco and Shell were paid by card earlier in the month (the statement shows the
    # card lines); three more purchases booked in run week have not posted yet. They
    # are card spend in transit, not strays of the runs.
    paid_by_card = [
        bank("K1", 0, "DEB TESCO STORES 2231 CD 4411", "-23.17"),
        bank("K2", 1, "DEB SHELL 7781 CD 4411", "-61.02"),
    ]
    booked_card = [
        spend("KG1", 0, "Tesco", "-23.17", ""),
        spend("KG2", 0, "Shell", "-61.02", ""),
    ]
    in_transit = [
        spend("KT1", 3, "Tesco", "-12.40", ""),
        spend("KT2", 4, "Shell", "-58.90", ""),
        spend("KT3", 6, "Tesco", "-31.75", ""),
    ]
    lines, entries = month(*booked_card, *in_transit)
    result = reconcile([*lines, *paid_by_card], entries)
    assert booked(result) == TRUTH | {("K1", "KG1"), ("K2", "KG2")}
    assert {"KT1", "KT2", "KT3"} <= set(result.unmatched_gl)
