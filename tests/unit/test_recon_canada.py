"""The Canadian reconciliation generator: deterministic, sized as asked, and sound.

The checks are on the data alone (never on the matching engine), so a generator bug that
would make the benchmark unfair to the engine fails here. Months are kept small (300
bank lines) so the whole file runs in about a second.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from benchmarks.recon_canada import (
    CASES,
    FRESH_SEEDS,
    HELD_OUT_SEEDS,
    TUNING_SEEDS,
    generate,
    style_of,
)
from benchmarks.recon_truth import SynthDataset, is_transposition

SMALL = 300
FRENCH_BANKS = {"desjardins", "national"}


@pytest.fixture(scope="module", params=(*TUNING_SEEDS, HELD_OUT_SEEDS[0], FRESH_SEEDS[0]))
def data(request: pytest.FixtureRequest) -> SynthDataset:
    seed: int = request.param
    return generate(SMALL, seed)


def _rows(d: SynthDataset) -> list[tuple[object, ...]]:
    return [(b.id, b.date, b.description, b.amount) for b in d.bank] + [
        (g.id, g.date, g.description, g.amount, g.ref, g.entry_type) for g in d.ledger
    ]


def test_same_seed_same_data_and_seeds_differ() -> None:
    first = _rows(generate(SMALL, 4))
    assert first == _rows(generate(SMALL, 4))
    assert first != _rows(generate(SMALL, 5))
    truth = generate(SMALL, 4).truth
    assert truth.pairs == generate(SMALL, 4).truth.pairs


def test_truth_is_internally_consistent(data: SynthDataset) -> None:
    assert data.truth.problems(data.bank, data.ledger) == []


def test_ids_are_unique_and_every_row_is_labelled(data: SynthDataset) -> None:
    bank_ids = [b.id for b in data.bank]
    gl_ids = [g.id for g in data.ledger]
    assert len(set(bank_ids)) == len(bank_ids)
    assert len(set(gl_ids)) == len(gl_ids)
    assert not set(bank_ids) & set(gl_ids)
    assert set(data.truth.bank_case) == set(bank_ids)
    assert set(data.truth.gl_case) == set(gl_ids)
    labels = set(data.truth.bank_case.values()) | set(data.truth.gl_case.values())
    assert labels <= set(CASES)


def test_sizes_and_period(data: SynthDataset) -> None:
    assert SMALL <= len(data.bank) <= SMALL + 10
    assert len(data.ledger) >= len(data.bank)
    assert (data.period_end - data.period_start).days + 1 == 28
    dates = [b.date for b in data.bank] + [g.date for g in data.ledger]
    assert data.period_start <= min(dates) and max(dates) <= data.period_end


def test_days_default_grows_with_size_and_can_be_set() -> None:
    wide = generate(1_650, 3)
    assert (wide.period_end - wide.period_start).days + 1 == 50
    dense = generate(SMALL, 3, days=10)
    assert (dense.period_end - dense.period_start).days + 1 == 10
    assert SMALL <= len(dense.bank) <= SMALL + 10


def test_a_hard_month_mixes_all_match_kinds(data: SynthDataset) -> None:
    kinds = Counter(kind for kind, _case in data.truth.pairs.values())
    assert kinds["one_to_one"] > 0 and kinds["amount_mismatch"] > 0
    batch_lines = {b for (b, _g), (k, _c) in data.truth.pairs.items() if k == "batch"}
    assert len(batch_lines) >= 10
    assert data.truth.offsets
    assert data.truth.unmatched_bank and data.truth.unmatched_gl


def test_mismatches_are_fees_or_transpositions(data: SynthDataset) -> None:
    bank = {b.id: b.amount for b in data.bank}
    gl = {g.id: g.amount for g in data.ledger}
    seen = 0
    for (b, g), (kind, case) in data.truth.pairs.items():
        if kind != "amount_mismatch":
            continue
        seen += 1
        if case == "transposed":
            assert is_transposition(bank[b], gl[g]), (b, g)
        else:
            assert case in {"card_settlement_net", "card_books_net", "usd_transfer"}, case
            fee = abs(gl[g] - bank[b])
            assert Decimal(0) < fee <= Decimal(50) + abs(gl[g]) * Decimal("0.035")
            assert (gl[g] < bank[b]) == (case == "card_books_net"), (b, g, case)
    assert seen


def test_cheque_numbers_in_ref_match_the_bank_line(data: SynthDataset) -> None:
    pattern = re.compile(r"(?:CHQ#|CHQ |Cheque - |CHEQUE |Chèque no |CHÈQUE )(\d+)")
    bank = {b.id: b.description for b in data.bank}
    gl = {g.id: g.ref for g in data.ledger}
    checked = 0
    for (b, g), _label in data.truth.pairs.items():
        found = pattern.search(bank[b])
        if found:
            assert int(found.group(1)) == int(gl[g]), (bank[b], gl[g])
            checked += 1
    assert checked >= 5


def test_bank_lines_fall_on_business_days_only() -> None:
    d = generate(600, 7, days=370)
    national: set[date] = set()
    for year in range(d.period_start.year, d.period_end.year + 1):
        for m, day in ((1, 1), (7, 1), (12, 25)):
            national.add(date(year, m, day))
        labour = date(year, 9, 1)
        national.add(labour + timedelta(days=(7 - labour.weekday()) % 7))
    for b in d.bank:
        assert b.date.weekday() < 5, b
        assert b.date not in national, b
    assert any(g.date.weekday() >= 5 for g in d.ledger)


def test_every_case_occurs_over_a_handful_of_seeds() -> None:
    seen: set[str] = set()
    for seed in range(1, 9):
        d = generate(SMALL, seed)
        seen |= set(d.truth.bank_case.values()) | set(d.truth.gl_case.values())
    assert set(CASES) - seen == set()


def test_each_style_set_spans_banks_and_packages() -> None:
    for seeds in (TUNING_SEEDS, HELD_OUT_SEEDS, FRESH_SEEDS):
        styles = [style_of(s) for s in seeds]
        assert len({bank for bank, _pkg in styles}) >= 4
        assert len({pkg for _bank, pkg in styles}) >= 3


def test_french_bank_prints_french_with_accents_and_english_banks_do_not() -> None:
    french = [s for s in TUNING_SEEDS if style_of(s)[0] in FRENCH_BANKS]
    english = [s for s in TUNING_SEEDS if style_of(s)[0] not in FRENCH_BANKS]
    assert french and english
    for seed in french:
        text = " ".join(b.description for b in generate(SMALL, seed).bank)
        assert re.search(r"DÉPÔT|Dépôt", text)
        assert re.search(r"(?i)virement interac", text)
        assert re.search(r"(?i)frais", text)
        assert re.search(r"[éèàêôçÉÈÀÔ]", text)
    for seed in english[:2]:
        descriptions = [b.description for b in generate(SMALL, seed).bank]
        assert all(d.isascii() for d in descriptions)


def test_french_books_on_some_seeds() -> None:
    fr_books = [s for s in (*TUNING_SEEDS, *HELD_OUT_SEEDS) if style_of(s)[1].endswith("_fr")]
    assert fr_books
    d = generate(SMALL, fr_books[0])
    types = {g.entry_type for g in d.ledger}
    assert types & {"Paiement", "Encaissements", "Dépense", "Paiements", "Écriture de journal"}
    assert any("Fact." in g.description for g in d.ledger)
