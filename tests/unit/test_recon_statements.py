"""The second reconciliation generator: its truth must be consistent and its cases present."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.recon_statements import CASES, HELD_OUT_SEEDS, TUNING_SEEDS, generate


@pytest.mark.parametrize("seed", [TUNING_SEEDS[0], HELD_OUT_SEEDS[0]])
def test_truth_is_consistent(seed: int) -> None:
    data = generate(600, seed)
    assert len(data.bank) >= 600
    assert data.truth.problems(data.bank, data.ledger) == []


def test_same_seed_same_month_and_cases_are_known() -> None:
    first, second = generate(300, 2), generate(300, 2)
    assert first.bank == second.bank and first.ledger == second.ledger
    labels = Counter(first.truth.bank_case.values()) + Counter(first.truth.gl_case.values())
    assert set(labels) <= set(CASES)
    assert not set(TUNING_SEEDS) & set(HELD_OUT_SEEDS)
