"""The files finance and HR people actually export are accepted, read exactly, or refused clearly.

Each test writes the bytes Excel, Outlook or a bank portal produces (semicolons and a
BOM, German and accounting amounts, day-first dates, UTF-16, Windows-1252, ``€``) and
checks the exact values read; RELIABILITY.md's "real-world formats" table points here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from baton.errors import InputError
from baton.tools.finance.formats import AmountStyle, DateStyle, FormatError
from baton.tools.finance.io import load_bank, load_claims, load_month, read_receipt

BANK = "id,date,description,amount\n"
CLAIMS = "id,employee,date,merchant,amount,currency,category,receipt\n"


def _bank(tmp_path: Path, data: bytes) -> list[tuple[date, Decimal]]:
    path = tmp_path / "bank.csv"
    path.write_bytes(data)
    return [(line.date, line.amount) for line in load_bank(path)]


def test_semicolon_csv_with_bom(tmp_path: Path) -> None:
    text = (
        "id;date;description;amount\r\nB1;2026-10-01;Kaffee;-1.234,56\r\nB2;2026-10-02;X;12,50\r\n"
    )
    rows = _bank(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert rows == [
        (date(2026, 10, 1), Decimal("-1234.56")),
        (date(2026, 10, 2), Decimal("12.50")),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('"-1.234,56"', Decimal("-1234.56")),
        ('"$1,200.00"', Decimal("1200.00")),
        ("(45.00)", Decimal("-45.00")),
        ('"1,200.00"', Decimal("1200.00")),
        ('"€12,50"', Decimal("12.50")),
        ("45.00-", Decimal("-45.00")),
        ("-$3.10", Decimal("-3.10")),
        ("7", Decimal("7")),
    ],
)
def test_locale_amounts(tmp_path: Path, cell: str, expected: Decimal) -> None:
    rows = _bank(tmp_path, f"{BANK}B1,2026-10-01,X,{cell}\n".encode())
    assert rows == [(date(2026, 10, 1), expected)]


def test_grouping_only_amounts_follow_the_files_decimal_comma(tmp_path: Path) -> None:
    text = "id;date;description;amount\nB1;2026-10-01;X;1.234\nB2;2026-10-02;Y;-0,99\n"
    assert [a for _, a in _bank(tmp_path, text.encode())] == [Decimal("1234"), Decimal("-0.99")]


def test_amounts_mixing_conventions_are_an_error(tmp_path: Path) -> None:
    text = f'{BANK}B1,2026-10-01,X,"1,50"\nB2,2026-10-02,Y,2.50\n'
    with pytest.raises(InputError, match="mix a decimal comma") as error:
        _bank(tmp_path, text.encode())
    assert error.value.line == 3


def test_day_first_dates_detected_per_file(tmp_path: Path) -> None:
    text = f"{BANK}B1,02/10/2026,X,1.00\nB2,13/10/2026,Y,2.00\n"
    assert [d for d, _ in _bank(tmp_path, text.encode())] == [
        date(2026, 10, 2),
        date(2026, 10, 13),
    ]


def test_month_first_dates_detected_per_file(tmp_path: Path) -> None:
    text = f"{BANK}B1,10/02/2026,X,1.00\nB2,10/13/2026,Y,2.00\n"
    assert [d for d, _ in _bank(tmp_path, text.encode())] == [
        date(2026, 10, 2),
        date(2026, 10, 13),
    ]


def test_day_first_from_config(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(f"{BANK}B1,02/01/2026,X,1.00\nB2,03.01.2026,Y,2.00\n")
    rows = load_bank(path, date_order="day_first")
    assert [r.date for r in rows] == [date(2026, 1, 2), date(2026, 1, 3)]


def test_ambiguous_dates_are_an_error_that_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ambiguous") as error:
        _bank(tmp_path, f"{BANK}B1,2026-01-01,X,1.00\nB2,02/01/2026,Y,2.00\n".encode())
    assert (error.value.line, error.value.column) == (3, "date")
    assert "input_date_order" in str(error.value)


def test_dates_mixing_orders_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="day-first on line 2 but month-first on line 3"):
        _bank(tmp_path, f"{BANK}B1,13/01/2026,X,1.00\nB2,01/13/2026,Y,2.00\n".encode())


def test_config_contradicted_by_the_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(f"{BANK}B1,01/13/2026,X,1.00\n")
    with pytest.raises(InputError, match="month-first date but the config says day_first"):
        load_bank(path, date_order="day_first")


def test_utf16_csv(tmp_path: Path) -> None:
    text = f"{BANK}B1,2026-10-01,Café Müller,-3.20\n"
    path = tmp_path / "bank.csv"
    path.write_bytes(text.encode("utf-16"))
    assert [line.description for line in load_bank(path)] == ["Café Müller"]


def test_windows_1252_csv(tmp_path: Path) -> None:
    text = f"{BANK}B1,2026-10-01,Café Müller £ €,-3.20\n"
    path = tmp_path / "bank.csv"
    path.write_bytes(text.encode("cp1252"))
    assert [line.description for line in load_bank(path)] == ["Café Müller £ €"]


@pytest.mark.parametrize("codec", ["utf-16", "cp1252"])
def test_utf16_and_windows_1252_receipt_text(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "r1.txt"
    path.write_bytes("Brasserie Lipp\nTotal: €42,50 — merci\n".encode(codec))
    assert "€42,50 — merci" in read_receipt(path).text


def test_euro_sign_is_eur(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(f'{CLAIMS}C1,Ann Lee,2026-10-01,Lipp,"42,50",€,meals,\n', encoding="utf-8")
    claim = load_claims(path)[0]
    assert (claim.currency, claim.amount) == ("EUR", Decimal("42.50"))


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01"])
def test_implausible_dates_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InputError, match="outside the years 1970-2099") as error:
        _bank(tmp_path, f"{BANK}B1,2026-10-01,X,1.00\nB2,{bad},Y,2.00\n".encode())
    assert (error.value.line, error.value.column) == (3, "date")


def test_a_date_a_year_away_from_the_month_is_rejected(tmp_path: Path) -> None:
    rows = "".join(f"B{i},2026-10-{i:02d},X,1.00\n" for i in range(1, 6))
    with pytest.raises(InputError, match="more than 400 days") as error:
        _bank(tmp_path, f"{BANK}{rows}B9,2062-10-01,Y,2.00\n".encode())
    assert error.value.line == 7


def test_sixty_digit_amount_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="more than 13 digits") as error:
        _bank(tmp_path, f"{BANK}B1,2026-10-01,X,{'9' * 60}\n".encode())
    assert error.value.column == "amount"


def test_the_example_month_still_loads_identically() -> None:
    root = Path(__file__).resolve().parents[2] / "examples" / "finance" / "2026-10"
    month = load_month(root)
    assert len(month.bank) > 10 and all(
        line.amount == line.amount.quantize(Decimal("0.01")) for line in month.bank
    )


def test_style_parsers_refuse_what_they_cannot_read() -> None:
    with pytest.raises(FormatError):
        AmountStyle().parse("1e5")
    with pytest.raises(FormatError):
        AmountStyle(decimal_comma=False).parse("1,2,3")
    with pytest.raises(FormatError):
        DateStyle(day_first=True).parse("31/02/2026")
    assert DateStyle(day_first=True).parse("2026-02-28") == date(2026, 2, 28)
