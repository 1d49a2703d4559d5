"""The third reconciliation generator: sound truth, fair pairs, and nothing leaked by ids."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from benchmarks.recon_ledgerbook import CASES, HELD_OUT_SEEDS, TUNING_SEEDS, generate
from benchmarks.recon_truth import SynthDataset, is_transposition

FEE_CASES = {"processor_payout", "fee_bank_net", "fee_bank_gross"}


@pytest.fixture(scope="module", params=[1, 4])
def dataset(request: pytest.FixtureRequest) -> SynthDataset:
    seed: int = request.param
    return generate(1000, seed)


def test_seed_sets_are_disjoint() -> None:
    assert TUNING_SEEDS == (1, 2, 3, 4, 5)
    assert HELD_OUT_SEEDS == (6, 7, 8, 9, 10)


def test_truth_is_consistent(dataset: SynthDataset) -> None:
    assert dataset.truth.problems(dataset.bank, dataset.ledger) == []


def test_same_seed_same_month_other_seed_other_month() -> None:
    a, b, c = generate(300, 2), generate(300, 2), generate(300, 3)
    assert a.bank == b.bank and a.ledger == b.ledger and a.truth == b.truth
    assert a.bank != c.bank


def test_sizes_are_roughly_as_asked(dataset: SynthDataset) -> None:
    assert 1000 <= len(dataset.bank) <= 1010
    assert 900 < len(dataset.ledger) < 1500
    assert all(dataset.period_start <= b.date <= dataset.period_end for b in dataset.bank)
    assert all(dataset.period_start <= g.date <= dataset.period_end for g in dataset.ledger)


def test_every_case_is_known_and_the_main_ones_occur(dataset: SynthDataset) -> None:
    truth = dataset.truth
    labels = set(truth.bank_case.values()) | set(truth.gl_case.values())
    assert labels <= set(CASES)
    for case in ("vendor_ach", "card_purchase", "cheque", "batch_deposit", "transposed",
                 "void_reissue", "payroll", "outstanding_cheque", "bank_charge"):  # fmt: skip
        assert case in labels, case


def test_unequal_pairs_are_only_fees_and_transpositions(dataset: SynthDataset) -> None:
    bank = {b.id: b.amount for b in dataset.bank}
    gl = {g.id: g.amount for g in dataset.ledger}
    for (b, g), (kind, case) in dataset.truth.pairs.items():
        if kind == "one_to_one":
            assert bank[b] == gl[g], (b, g, case)
        elif kind == "amount_mismatch":
            assert case in FEE_CASES | {"transposed"}, case
            if case == "transposed":
                assert is_transposition(bank[b], gl[g])
            else:
                assert Decimal(0) < abs(bank[b] - gl[g]) <= 50 + abs(gl[g]) * Decimal("0.035")


def test_batches_add_up_and_members_precede_the_deposit(dataset: SynthDataset) -> None:
    bank = {b.id: b for b in dataset.bank}
    gl = {g.id: g for g in dataset.ledger}
    members: dict[str, list[str]] = defaultdict(list)
    for (b, g), (kind, _case) in dataset.truth.pairs.items():
        if kind == "batch":
            members[b].append(g)
    assert members
    for b, gs in members.items():
        assert 2 <= len(gs) <= 10
        assert sum(gl[g].amount for g in gs) == bank[b].amount
        assert all(0 <= (bank[b].date - gl[g].date).days <= 9 for g in gs)


def test_cheque_numbers_tie_bank_to_ledger(dataset: SynthDataset) -> None:
    bank = {b.id: b for b in dataset.bank}
    gl = {g.id: g for g in dataset.ledger}
    checked = 0
    for (b, g), (_kind, case) in dataset.truth.pairs.items():
        if case in {"cheque", "cheque_same_vendor", "void_reissue"}:
            numbers = re.findall(r"\d+", bank[b].description)
            assert gl[g].ref in numbers, (bank[b].description, gl[g].ref)
            assert bank[b].date >= gl[g].date
            checked += 1
    assert checked > 20


def test_void_offsets_cancel_and_the_reissue_names_the_original(dataset: SynthDataset) -> None:
    gl = {g.id: g for g in dataset.ledger}
    voids = [pair for pair, case in dataset.truth.offsets.items() if case == "void_reissue"]
    assert voids
    reissues = [
        gl[g].description
        for (_b, g), (_k, case) in dataset.truth.pairs.items()
        if case == "void_reissue"
    ]
    for pair in voids:
        first, second = (gl[g] for g in pair)
        assert first.amount == -second.amount
        original = first if first.amount < 0 else second
        assert any(original.ref in text for text in reissues)


def test_ids_do_not_reveal_the_case(dataset: SynthDataset) -> None:
    for rows in (dataset.bank, dataset.ledger):
        ids = [r.id for r in rows]
        assert len({re.sub(r"\d", "", i) for i in ids}) == 1  # one shared prefix
        assert [r.date for r in rows] == sorted(r.date for r in rows)
    # Within a day, ids must not follow the order rows were drawn in. Scheduled events
    # (payroll, deposits, payouts, weekly bills) are drawn before the random ones, so
    # without the shuffle they would hold the first ids of every day.
    scheduled = {"payroll", "batch_deposit", "processor_payout", "weekly_repeat"}
    for rows, cases in (
        (dataset.bank, dataset.truth.bank_case),
        (dataset.ledger, dataset.truth.gl_case),
    ):
        by_day: dict[object, list[str]] = defaultdict(list)
        for r in rows:
            by_day[r.date].append(r.id)
        ranks = [
            i / (len(ids) - 1)
            for ids in by_day.values()
            if len(ids) > 1
            for i, row_id in enumerate(ids)
            if cases[row_id] in scheduled
        ]
        assert 0.35 < sum(ranks) / len(ranks) < 0.65


def test_ten_thousand_lines_generate() -> None:
    data = generate(10_000, 1)
    assert 10_000 <= len(data.bank) <= 10_010
    assert data.truth.problems(data.bank, data.ledger) == []
