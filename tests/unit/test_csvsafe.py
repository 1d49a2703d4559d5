"""Formula-injection neutralisation for CSV outputs built from input text."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.csvsafe import TRIGGERS, safe_cell


@pytest.mark.parametrize(
    "raw",
    [
        '=HYPERLINK("http://evil.example","click")',
        "=1+1",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "-",
        "-NaN",
        "+Infinity",
        "-1_000",
    ],
)
def test_formula_like_text_is_quoted(raw: str) -> None:
    assert safe_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["-45.99", "+3", "-0.5", "-.5", "12", "-1e5", "+2E-3", "-10."])
def test_numbers_are_left_alone(raw: str) -> None:
    assert safe_cell(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, ""), (12, "12"), (-4.5, "-4.5"), ("Trainline", "Trainline"), (" =1", " =1"), ("", "")],
)
def test_other_values(raw: object, expected: str) -> None:
    assert safe_cell(raw) == expected


@given(st.text())
def test_no_output_starts_with_a_trigger_unless_numeric(text: str) -> None:
    out = safe_cell(text)
    if out.startswith(TRIGGERS):
        assert out == text
        float(out)  # only plain numbers keep a leading sign
    else:
        assert out in (text, "'" + text)


@given(st.text())
def test_round_trips_through_csv(text: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(text)])
    [[cell]] = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert cell == safe_cell(text)
