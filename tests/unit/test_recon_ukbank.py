"""The UK-style reconciliation generator: deterministic, sized as asked, and sound.

The checks are on the data alone (never on the matching engine), so a generator bug that
would make the benchmark unfair to the engine fails here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from benchmarks.recon_truth import SynthDataset, is_transposition
from benchmarks.recon_ukbank import CASES, TUNING_SEEDS, generate

FEE_CASES = {"card_settlement_gross"}
TYPO_CASES = {"transposed_typo"}


@pytest.fixture(scope="module", params=TUNING_SEEDS[:3])
def data(request: pytest.FixtureRequest) -> SynthDataset:
    seed: int = request.param
    return generate(1_000, seed)


def _rows(d: SynthDataset) -> list[tuple[object, ...]]:
    return [(b.id, b.date, b.description, b.amount) for b in d.bank] + [
        (g.id, g.date, g.description, g.amount, g.ref, g.entry_type) for g in d.ledger
    ]


def test_same_seed_same_data_and_seeds_differ() -> None:
    assert _rows(generate(300, 4)) == _rows(generate(300, 4))
    assert _rows(generate(300, 4)) != _rows(generate(300, 5))


def test_sizes_are_roughly_as_asked(data: SynthDataset) -> None:
    assert 1_000 <= len(data.bank) <= 1_030
    assert 1_000 <= len(data.ledger) <= 1_500
    assert (data.period_end - data.period_start).days + 1 == 30


def test_truth_is_internally_consistent(data: SynthDataset) -> None:
    assert data.truth.problems(data.bank, data.ledger) == []


def test_every_label_is_a_known_case(data: SynthDataset) -> None:
    labels = set(data.truth.bank_case.values()) | set(data.truth.gl_case.values())
    assert labels <= set(CASES)
    assert len(labels) >= 20


def test_one_to_one_amounts_equal_and_mismatches_are_fees_or_typos(data: SynthDataset) -> None:
    bank = {b.id: b.amount for b in data.bank}
    gl = {g.id: g.amount for g in data.ledger}
    for (b, g), (kind, case) in data.truth.pairs.items():
        if kind == "one_to_one":
            assert bank[b] == gl[g], (b, g, case)
        elif kind == "amount_mismatch":
            assert case in FEE_CASES | TYPO_CASES, (b, g, case)
            if case in TYPO_CASES:
                assert is_transposition(bank[b], gl[g])
            else:
                assert Decimal(0) < gl[g] - bank[b] <= gl[g] * Decimal("0.035")


def test_batch_members_sum_to_the_bank_line(data: SynthDataset) -> None:
    bank = {b.id: b.amount for b in data.bank}
    gl = {g.id: g.amount for g in data.ledger}
    members: dict[str, list[Decimal]] = defaultdict(list)
    for (b, g), (kind, _case) in data.truth.pairs.items():
        if kind == "batch":
            members[b].append(gl[g])
    assert members
    for b, amounts in members.items():
        assert len(amounts) >= 2 and sum(amounts, Decimal(0)) == bank[b]


def test_ids_do_not_reveal_the_case(data: SynthDataset) -> None:
    """Ids are a prefix and a number in date order; the number never tracks the case."""
    for rows in (data.bank, data.ledger):
        assert all(re.fullmatch(r"[A-Z]{1,2}\d{5}", r.id) for r in rows)
        dates = [r.date for r in rows]
        assert dates == sorted(dates)
    for ids in (data.truth.bank_case, data.truth.gl_case):
        assert not any(case in ident for ident in ids for case in CASES)


def test_bank_cleared_items_fall_on_working_days(data: SynthDataset) -> None:
    cleared = ("DD", "BACS", "CHQ", "CHAPS", "SALARIES", "COUNTER CREDIT")
    for b in data.bank:
        if any(word in b.description.upper() for word in cleared):
            assert b.date.weekday() < 5, b


def test_ten_thousand_lines_generate() -> None:
    d = generate(10_000, 1)
    assert len(d.bank) >= 10_000
    assert d.truth.problems(d.bank, d.ledger) == []


def test_every_row_lies_in_the_period(data: SynthDataset) -> None:
    days = [b.date for b in data.bank] + [g.date for g in data.ledger]
    assert data.period_start <= min(days) and max(days) <= data.period_end
