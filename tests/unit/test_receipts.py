"""Rule-based receipt parsing and the cross-checks that turn disagreements into exceptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from baton.tools.finance.io import load_month, read_receipt
from baton.tools.finance.receipts import (
    ParsedReceipt,
    ReceiptRecord,
    claim_vs_receipt,
    cross_check,
    parse_receipt,
)
from tests import records

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "finance" / "2026-10"


# --- the example receipts ---------------------------------------------------------------------


def test_every_example_receipt_parses_to_its_claim_except_the_planted_one() -> None:
    month = load_month(MONTH)
    disagreements: dict[str, list[str]] = {}
    for claim in month.claims:
        receipt = month.receipt_for(claim)
        if receipt is None:
            continue
        parsed = parse_receipt(receipt.text)
        assert parsed.total is not None, receipt.name
        assert parsed.date is not None, receipt.name
        problems = claim_vs_receipt(claim, parsed)
        if problems:
            disagreements[claim.id] = problems
    assert disagreements == {"C-1014": ["amount differs: claim says 86.40, receipt says 68.40"]}


@pytest.mark.parametrize(
    ("name", "merchant", "total", "currency", "tax", "day"),
    [
        ("r01-trainline.txt", "trainline", "128.40", "GBP", None, date(2026, 10, 6)),
        ("r02-premier-inn.md", "Premier Inn London Euston", "139.00", "GBP", "23.17", None),
        ("r08-hotel-chocolat.md", "Hotel Chocolat", "45.00", "GBP", "0.00", None),
        ("r10-ryman.txt", "RYMAN STATIONERY", "68.40", None, "11.40", date(2026, 10, 15)),
        ("r13-hotel-v.md", "Hotel V Nesplein", "160.00", "EUR", "12.22", date(2026, 10, 17)),
        ("r14-cafe-de-jaren.txt", "CAFE DE JAREN", "42.50", "EUR", "3.51", date(2026, 10, 18)),
        ("r15-adobe.txt", "Adobe Inc.", "35.99", "USD", "0.00", date(2026, 10, 19)),
        ("r21-coffee-hit-invoice.pdf", "COFFEE HIT LTD", "1349.00", "GBP", "224.83", None),
    ],
)
def test_example_receipt_fields(
    name: str, merchant: str, total: str, currency: str | None, tax: str | None, day: date | None
) -> None:
    receipt = read_receipt(MONTH / "receipts" / name)
    parsed = parse_receipt(receipt.text)
    assert parsed.merchant == merchant
    assert parsed.total == Decimal(total)
    assert parsed.total_source == "labelled"
    assert parsed.currency == currency
    assert parsed.tax == (None if tax is None else Decimal(tax))
    if day is not None:
        assert parsed.date == day


# --- parsing rules -----------------------------------------------------------------------------


def test_total_beats_subtotal_and_label_may_sit_on_the_next_line() -> None:
    parsed = parse_receipt("Shop\nSubtotal 10.00\nVAT 2.00\nAmount due\n£12.00\n")
    assert (parsed.total, parsed.total_source, parsed.currency, parsed.tax) == (
        Decimal("12.00"),
        "labelled",
        "GBP",
        Decimal("2.00"),
    )


def test_grand_total_outranks_plain_total() -> None:
    text = "Hotel\nTotal 100.00\nCity tax 5.00\nGrand total 105.00\nTotal paid 105.00\n"
    assert parse_receipt(text).total == Decimal("105.00")


def test_without_a_label_the_largest_amount_is_the_total() -> None:
    parsed = parse_receipt("Market stall\nApples 4.00\nPears 9.50\nBag 0.10\n")
    assert (parsed.total, parsed.total_source) == (Decimal("9.50"), "largest")


def test_nothing_found_is_none_not_zero() -> None:
    parsed = parse_receipt("Thank you for shopping with us")
    assert (parsed.total, parsed.total_source, parsed.currency, parsed.date) == (
        None,
        "none",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("line", "currency", "total"),
    [
        ("Total £1,250.50", "GBP", "1250.50"),
        ("TOTAL € 42.50", "EUR", "42.50"),
        ("Total $35.99", "USD", "35.99"),
        ("Total EUR 95.00", "EUR", "95.00"),
        ("Total 95.00 CHF", "CHF", "95.00"),
        ("Total £45", "GBP", "45"),
    ],
)
def test_currency_symbols_and_iso_codes(line: str, currency: str, total: str) -> None:
    parsed = parse_receipt(f"Shop\n{line}\n")
    assert (parsed.currency, parsed.total) == (currency, Decimal(total))


def test_words_that_are_iso_codes_percentages_and_quantities_are_not_money() -> None:
    parsed = parse_receipt("Cafe\n12 CUP LANE\nBLUE PEN 2.50\n2 x Latte 20% off 3.20\nTOTAL 5.70\n")
    assert parsed.currency is None
    assert parsed.total == Decimal("5.70")
    assert [(i.description, i.amount) for i in parsed.line_items] == [
        ("BLUE PEN", Decimal("2.50")),
        ("2 x Latte 20% off", Decimal("3.20")),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date: 2026-10-03", date(2026, 10, 3)),
        ("Date 03/10/2026", date(2026, 10, 3)),  # day first, as on UK receipts
        ("Issued 3rd October 2026", date(2026, 10, 3)),
        ("Invoice date: Oct 19, 2026", date(2026, 10, 19)),
        ("Tafel 12   18-10-2026  13:20", date(2026, 10, 18)),
    ],
)
def test_date_formats(text: str, expected: date) -> None:
    assert parse_receipt(f"Shop\n{text}\nTotal 1.00\n").date == expected


def test_due_date_is_not_the_receipt_date_and_labelled_date_wins() -> None:
    text = "Booked on 01/10/2026\nDue date: 30/11/2026\nInvoice date: 05/10/2026\nTotal 9.00"
    parsed = parse_receipt(text)
    assert parsed.date == date(2026, 10, 5)
    assert parsed.dates == [date(2026, 10, 1), date(2026, 11, 30), date(2026, 10, 5)]


def test_negative_discount_is_negative() -> None:
    parsed = parse_receipt("Store\nShirt 10.00\nDiscount -£2.00\nTotal £8.00\n")
    assert Decimal("-2.00") in [item.amount for item in parsed.line_items]
    assert parsed.total == Decimal("8.00")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises_on_arbitrary_text(text: str) -> None:
    parsed = parse_receipt(text)
    assert isinstance(parsed, ParsedReceipt)
    assert parsed.total is None or parsed.total_source != "none"


@settings(max_examples=100, deadline=None)
@given(
    total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    item=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    symbol=st.sampled_from([("£", "GBP"), ("€", "EUR"), ("$", "USD")]),
)
def test_labelled_total_is_read_back_exactly(
    total: Decimal, item: Decimal, symbol: tuple[str, str]
) -> None:
    text = f"Some Shop\nWidget {item}\nSubtotal {item}\nTOTAL {symbol[0]}{total:,.2f}\n"
    parsed = parse_receipt(text)
    assert (parsed.total, parsed.currency) == (total, symbol[1])


# --- schema and cross-checks --------------------------------------------------------------------


def test_record_schema_is_flat_strings_for_grammar_constrained_models() -> None:
    schema = ReceiptRecord.model_json_schema()
    properties = schema["properties"]
    assert set(properties) == {"merchant", "date", "total", "currency", "tax", "line_items"}
    assert set(schema["required"]) == {"merchant", "date", "total", "currency"}
    assert properties["total"]["type"] == "string" and "pattern" in properties["total"]
    assert properties["date"]["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert schema["additionalProperties"] is False


def test_record_parses_amounts_exactly_and_rejects_unknown_currency() -> None:
    parsed = ReceiptRecord.model_validate(
        {"merchant": "A", "date": "2026-10-01", "total": 0.1, "currency": "gbp"}
    )
    assert (parsed.total, parsed.currency) == (Decimal("0.1"), "GBP")
    with pytest.raises(ValidationError, match="ISO 4217"):
        records.receipt(currency="XYZ")
    with pytest.raises(ValidationError):
        records.receipt(surprise="field")


def test_cross_check_agreement_and_each_disagreement() -> None:
    parsed = parse_receipt((MONTH / "receipts" / "r10-ryman.txt").read_text())
    assert cross_check(records.receipt(), parsed) == []
    assert cross_check(records.receipt(total="86.40"), parsed) == [
        "amount differs: model says 86.40, receipt text says 68.40"
    ]
    assert cross_check(records.receipt(date="2026-10-16"), parsed) == [
        "date differs: model says 2026-10-16, receipt text says 2026-10-15"
    ]
    assert cross_check(records.receipt(tax="11.41"), parsed) == [
        "tax differs: model says 11.41, receipt text says 11.40"
    ]


def test_cross_check_ignores_fields_the_parser_could_not_read() -> None:
    parsed = ParsedReceipt(total=Decimal("68.40"))
    assert cross_check(records.receipt(currency="EUR", date="2020-01-01"), parsed) == []
    assert cross_check(records.receipt(currency="EUR"), ParsedReceipt(currency="GBP")) == [
        "currency differs: model says EUR, receipt text says GBP"
    ]


def test_claim_vs_receipt_reports_the_claimed_amount_against_the_receipt() -> None:
    claim = records.claim(
        id="C-1014",
        employee="Dan Cole",
        date=date(2026, 10, 15),
        merchant="Ryman",
        amount=Decimal("86.40"),
        category="office_supplies",
    )
    assert claim_vs_receipt(claim, records.receipt()) == [
        "amount differs: claim says 86.40, receipt says 68.40"
    ]
    assert (
        claim_vs_receipt(claim.model_copy(update={"amount": Decimal("68.4")}), records.receipt())
        == []
    )
