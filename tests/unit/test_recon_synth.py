"""The reconciliation benchmark's generator: its ground truth must be sound and its noise varied."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.recon_synth import CASES, generate
from benchmarks.recon_truth import SynthDataset


@pytest.fixture(scope="module")
def dataset() -> SynthDataset:
    return generate(1200, seed=11)


def test_ground_truth_is_internally_consistent(dataset: SynthDataset) -> None:
    assert dataset.truth.problems(dataset.bank, dataset.ledger) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ground_truth_is_consistent_on_other_seeds(seed: int) -> None:
    data = generate(400, seed=seed)
    assert data.truth.problems(data.bank, data.ledger) == []
    assert len(data.bank) >= 400


def test_problems_are_reported_when_the_truth_is_broken(dataset: SynthDataset) -> None:
    truth = dataset.truth
    (bank_id, gl_id), label = next(iter(truth.pairs.items()))
    del truth.pairs[(bank_id, gl_id)]
    try:
        issues = truth.problems(dataset.bank, dataset.ledger)
    finally:
        truth.pairs[(bank_id, gl_id)] = label
    assert any(gl_id in issue for issue in issues)


def test_every_case_is_generated_and_labelled(dataset: SynthDataset) -> None:
    labels = set(dataset.truth.bank_case.values()) | set(dataset.truth.gl_case.values())
    assert labels <= set(CASES)
    assert set(CASES) - labels == set()


def test_match_kinds_cover_all_three(dataset: SynthDataset) -> None:
    kinds = Counter(kind for kind, _case in dataset.truth.pairs.values())
    assert kinds["one_to_one"] > 0 and kinds["batch"] > 0 and kinds["amount_mismatch"] > 0
    assert dataset.truth.offsets and dataset.truth.unmatched_bank and dataset.truth.unmatched_gl


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    first, again, other = generate(200, seed=5), generate(200, seed=5), generate(200, seed=6)
    assert first.bank == again.bank and first.ledger == again.ledger
    assert first.truth.pairs == again.truth.pairs
    assert first.bank != other.bank


def test_bank_looks_like_a_bank(dataset: SynthDataset) -> None:
    texts = [line.description for line in dataset.bank]
    assert all(line.date.weekday() < 5 for line in dataset.bank)  # banks post on business days
    # Upper case, bar a few real descriptors that are not ("AMZN Mktp US", "GOOGLE *GSUITE x").
    assert sum(text == text.upper() for text in texts) >= 0.95 * len(texts)
    for marker in ("SQ *", "PAYPAL *", "CHECK", "DEPOSIT"):
        assert any(marker in text for text in texts), marker
    # Ids carry no hint of the answer: they follow the date order on each side.
    assert [line.id for line in dataset.bank] == sorted(line.id for line in dataset.bank)
    dates = [line.date for line in dataset.bank]
    assert dates == sorted(dates)
