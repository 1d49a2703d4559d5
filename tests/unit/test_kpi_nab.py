"""NAB scoring as documented: null 0, perfect 100, early beats late, false positives cost
by distance from the previous window, probation ignored; the vendored data is intact."""

from __future__ import annotations

import json

import pytest

from benchmarks.kpi_nab import DATA, Profile, normalised, probation, scaled_sigmoid, score_file


def test_scaled_sigmoid_shape() -> None:
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-4)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(3.5) == -1.0
    assert scaled_sigmoid(-0.5) > scaled_sigmoid(-0.1) > 0


def test_null_is_zero_perfect_is_hundred_and_early_beats_late() -> None:
    windows = [(1000, 1099), (3000, 3199)]
    p = Profile()
    null, *_ = score_file([], windows, 5000, p)
    assert normalised(null, 2, p) == pytest.approx(0.0)
    perfect, hit, _, _ = score_file([1000, 3000], windows, 5000, p)
    assert hit == 2 and normalised(perfect, 2, p) == pytest.approx(100.0)
    early, *_ = score_file([1010], windows, 5000, p)
    late, *_ = score_file([1090], windows, 5000, p)
    assert early > late > null
    again, *_ = score_file([1000, 1050], windows, 5000, p)  # only the first in a window counts
    assert again == pytest.approx(score_file([1000], windows, 5000, p)[0])


def test_false_positives_cost_by_distance_and_probation_is_ignored() -> None:
    windows = [(1000, 1099)]
    p = Profile()
    base, *_ = score_file([1000], windows, 5000, p)
    before, *_ = score_file([1000, 800], windows, 5000, p)
    assert before == pytest.approx(base - 0.11)  # before any window: -A_fp
    near, *_ = score_file([1000, 1105], windows, 5000, p)
    far, *_ = score_file([1000, 1600], windows, 5000, p)
    assert base > near > far
    assert probation(5000) == 750 and probation(1000) == 150
    ignored, *_ = score_file([1000, 100], windows, 5000, p)
    assert ignored == base


def test_vendored_nab_data_has_the_seven_series_windows_and_licence() -> None:
    windows = json.loads((DATA / "labels" / "combined_windows.json").read_text())
    assert len(windows) == 7 and sum(len(w) for w in windows.values()) == 19
    for key in windows:
        assert (DATA / "data" / key).is_file()
    assert "MIT" in (DATA / "LICENSE.txt").read_text()
    profiles = json.loads((DATA / "config" / "profiles.json").read_text())
    assert profiles["standard"]["CostMatrix"]["fpWeight"] == 0.11
