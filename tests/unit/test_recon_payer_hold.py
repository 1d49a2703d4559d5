"""A nameless line's exact amount does not take an invoice from its payer's own
remittance, which that invoice and the payer's others make to the cent.

The convention is documented in ``baton.tools.finance.matching.batches.hold_for_payers``.
"""

from __future__ import annotations

import pytest

import baton.tools.finance.matching as matching
from baton.tools.finance.matching import reconcile
from tests.unit.test_recon_runs import bank, booked, receipt

# Regression from ukbank seed 16 (a tuning seed): a counter credit of 87.23 from the
# period before, naming no one, took the 87.23 invoice that Abernethy Design paid on the
# Tuesday with two others in one Faster Payment naming itself; the payment was then
# offered nothing at all.
LINES = [
    bank("CC", 0, "COUNTER CREDIT 000109", "87.23"),
    bank("FP", 1, "ABERNETHY DESIGN L INVS 03645 FP", "2024.87"),
]
ENTRIES = [
    receipt("I1", 1, "Sales Receipt Abernethy Design Ltd", "305.96"),
    receipt("I2", 1, "Sales Receipt Abernethy Design Ltd", "1631.68"),
    receipt("I3", 1, "Sales Receipt Abernethy Design Ltd", "87.23"),
    receipt("X1", 1, "Sales Receipt Corby Tiles plc", "412.50"),
]


def test_the_payers_remittance_keeps_its_invoices() -> None:
    result = reconcile(LINES, ENTRIES)
    assert booked(result) == {("FP", "I1"), ("FP", "I2"), ("FP", "I3")}
    assert "CC" in result.unmatched_bank


def test_without_the_hold_the_nameless_line_takes_the_invoice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "hold_for_payers", lambda *args: 0)
    assert ("CC", "I3") in booked(reconcile(LINES, ENTRIES))


def test_a_payer_line_with_two_answers_holds_nothing() -> None:
    # I4 makes a second subset without I3 (I2 + I4 = 2024.87 too): the payer's line is
    # no proof that I3 is on it, so the nameless pair stands.
    entries = [*ENTRIES, receipt("I4", 1, "Sales Receipt Abernethy Design Ltd", "393.19")]
    assert ("CC", "I3") in booked(reconcile(LINES, entries))
