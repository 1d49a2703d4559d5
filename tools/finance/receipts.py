"""Receipt records: the schema the extraction model fills, and a parser that checks it.

A 135M-parameter model reading a receipt will sometimes pick the subtotal, the VAT line
or the wrong date. :func:`parse_receipt` reads the same text with plain rules, and
:func:`cross_check` lists where the two disagree, so the extraction agent can raise an
exception for a human instead of trusting either side blindly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple

from dateutil import parser as date_parser
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from baton.tools.finance.models import Claim
from baton.tools.finance.policy import is_iso_currency

_AMOUNT_SCHEMA = {"type": "string", "pattern": "^-?[0-9]+([.][0-9]{1,2})?$"}
SchemaAmount = Annotated[Decimal, Field(allow_inf_nan=False), WithJsonSchema(_AMOUNT_SCHEMA)]
"""Decimal in Python, a plain digit string in the JSON schema: easy to constrain with a grammar."""


class LineItem(BaseModel):
    """One priced line on a receipt."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(max_length=80)
    amount: SchemaAmount


class ReceiptRecord(BaseModel):
    """What the extraction agent's model returns for one receipt (kept small and flat)."""

    model_config = ConfigDict(extra="forbid")

    merchant: str = Field(max_length=80)
    date: Annotated[
        dt.date, WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
    ]
    total: SchemaAmount
    currency: Annotated[str, WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})]
    tax: SchemaAmount | None = None
    line_items: list[LineItem] = Field(default_factory=list, max_length=20)

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        code = value.strip().upper()
        if not is_iso_currency(code):
            raise ValueError(f"'{value}' is not an ISO 4217 currency code")
        return code


class ParsedReceipt(BaseModel):
    """What the rule-based parser could read; ``None`` means "not found", not "zero"."""

    model_config = ConfigDict(extra="forbid")

    merchant: str | None = None
    date: dt.date | None = None
    dates: list[dt.date] = Field(default_factory=list)
    total: Decimal | None = None
    total_source: Literal["labelled", "largest", "none"] = "none"
    currency: str | None = None
    tax: Decimal | None = None
    line_items: list[LineItem] = Field(default_factory=list)


_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD"}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\d+\.\d{2}|\d+"
_MONEY = re.compile(
    rf"(?P<sign>-)?\s?(?P<pre>[£€$]|\b[A-Z]{{3}}\b)?\s?(?P<sign2>-)?(?P<num>{_NUMBER})(?!\d|[.,]\d|\s?%)"
    rf"(?:\s?(?P<post>\b[A-Z]{{3}}\b))?"
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
_TOTAL_STRONG = re.compile(
    r"grand\s+total|amount\s+(?:due|payable|paid|claimed)|balance\s+due|total\s+(?:due|payable|to\s+pay|paid|amount)",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"\btota+l\b", re.IGNORECASE)  # "totaal" on Dutch receipts
_NOT_TOTAL = re.compile(
    r"sub\s*-?\s*total|\bexcl|\bnet\b|before|\bvat\b|\btax\b|items?\b|\bqty\b", re.IGNORECASE
)
_INCL = re.compile(r"\bincl", re.IGNORECASE)
_VAT = re.compile(r"\b(?:vat|btw|gst|iva|tva|mwst)\b", re.IGNORECASE)
_TAX = re.compile(r"\b(?:tax|sales\s+tax)\b", re.IGNORECASE)
_TAX_NOT = re.compile(
    r"\b(?:excl\w*|before|net|reg\w*|no\.?|number)\b|tota+l|exempt", re.IGNORECASE
)
_DATE_LABEL = re.compile(r"\b(?:date|dated|issued|invoice\s+date|receipt\s+date)\b", re.IGNORECASE)
_DUE_LABEL = re.compile(r"\b(?:due|pay\s+by|expires?)\b", re.IGNORECASE)
_MERCHANT_LABEL = re.compile(
    r"^\s*(?:merchant|supplier|vendor|seller|sold\s+by)\s*:\s*(?P<name>.+)$", re.IGNORECASE
)
_SEPARATOR = re.compile(r"\s+[—–|-]\s+|\s+·\s+")
_NOT_MERCHANT = re.compile(
    r"^(?:receipt|invoice|tax\s+invoice|vat\s+receipt|customer\s+copy|order|sales\s+receipt)\b",
    re.IGNORECASE,
)
_NOT_ITEM = re.compile(
    r"\b(?:sub\s*-?\s*total|tota+l|vat|btw|tax|change|cash|card|visa|mastercard|amex|contactless|paid|balance|"
    r"tendered|due|tip|gratuity|auth|pin)\b",
    re.IGNORECASE,
)


class _Amount(NamedTuple):
    value: Decimal
    currency: str | None
    start: int


def _find_amounts(line: str) -> list[_Amount]:
    """Money amounts on a line with any currency marker next to them.

    Bare integers count only when a currency marker sits beside them, so quantities,
    table numbers and phone digits are not mistaken for money.
    """
    found: list[_Amount] = []
    date_spans = [m.span() for m in _DATE.finditer(line)]
    for match in _MONEY.finditer(line):
        number = match["num"]
        currency = _currency_of(match["pre"]) or _currency_of(match["post"])
        if "." not in number and currency is None:
            continue
        if any(start <= match.start("num") < end for start, end in date_spans):
            continue
        value = Decimal(number.replace(",", ""))
        if match["sign"] or match["sign2"]:
            value = -value
        # A word mistaken for a marker ("PEN 2.50") belongs to the description, not the amount.
        pre_is_word = match["pre"] is not None and _currency_of(match["pre"]) is None
        start = match.start("sign2" if match["sign2"] else "num") if pre_is_word else match.start()
        found.append(_Amount(value, currency, start))
    return found


# ISO 4217 codes that are also everyday words on receipts ("BLUE PEN 2.50", "12 CUP LANE",
# "TOP UP"); next to a number they are far more often the word than the currency.
_WORD_CODES = frozenset({"ALL", "BAM", "BOB", "CUP", "DOP", "GEL", "LAK", "MAD", "MOP", "PEN"})
_WORD_CODES |= {"RON", "SOS", "TOP", "TRY", "VES"}


def _currency_of(marker: str | None) -> str | None:
    if marker is None:
        return None
    if marker in _SYMBOLS:
        return _SYMBOLS[marker]
    return marker if is_iso_currency(marker) and marker not in _WORD_CODES else None


def _parse_date(text: str) -> dt.date | None:
    try:
        return date_parser.parse(text, dayfirst=not re.match(r"\d{4}-", text)).date()
    except (ValueError, OverflowError):
        return None


def _dates(lines: list[str]) -> tuple[dt.date | None, list[dt.date]]:
    """All dates in order, and the receipt's own date: labelled, else the first non-due one."""
    labelled: dt.date | None = None
    fallback: dt.date | None = None
    found: list[dt.date] = []
    for line in lines:
        for match in _DATE.finditer(line):
            parsed = _parse_date(match.group(0))
            if parsed is None:
                continue
            if parsed not in found:
                found.append(parsed)
            prefix = line[: match.start()]
            if _DUE_LABEL.search(prefix):
                continue
            if labelled is None and _DATE_LABEL.search(prefix):
                labelled = parsed
            if fallback is None:
                fallback = parsed
    return labelled or fallback, found


def _merchant(lines: list[str]) -> str | None:
    """A labelled merchant, else the first line that reads like a name rather than a heading."""
    for line in lines:
        labelled = _MERCHANT_LABEL.match(line)
        if labelled:
            return labelled["name"].strip(" *#")
    for line in lines:
        cleaned = _SEPARATOR.split(re.sub(r"[#*_]+", "", line))[0].strip(" =-\t")
        if len(cleaned) < 2 or not re.search(r"[A-Za-z]{2}", cleaned):
            continue
        if _NOT_MERCHANT.match(cleaned) or _DATE.search(cleaned) or _find_amounts(cleaned):
            continue
        return cleaned
    return None


def _total(
    lines: list[str],
) -> tuple[Decimal | None, Literal["labelled", "largest", "none"], str | None]:
    """The labelled total (strongest label wins, later lines break ties), else the largest."""
    best: tuple[int, int, Decimal, str | None] | None = None
    everything: list[_Amount] = []
    for index, line in enumerate(lines):
        amounts = _find_amounts(line)
        everything.extend(amounts)
        if _TOTAL_STRONG.search(line):
            rank = 3
        elif _TOTAL.search(line) and _INCL.search(line):
            rank = 2
        elif _TOTAL.search(line) and not _NOT_TOTAL.search(line):
            rank = 1
        else:
            continue
        if not amounts:
            following = next((ln for ln in lines[index + 1 :] if ln.strip()), "")
            amounts = _find_amounts(following) if not re.search(r"[A-Za-z]{3,}", following) else []
        if amounts:
            value, currency, _ = amounts[-1]
            candidate = (rank, index, value, currency)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is not None:
        return best[2], "labelled", best[3]
    positives = [amount for amount in everything if amount.value > 0]
    if positives:
        largest = max(positives, key=lambda amount: amount.value)
        return largest.value, "largest", largest.currency
    return None, "none", None


def _currency(text: str, lines: list[str], total_currency: str | None) -> str | None:
    """The total line's currency, else the most frequent marker, else a 'Currency:' label."""
    if total_currency:
        return total_currency
    markers = Counter(a.currency for line in lines for a in _find_amounts(line) if a.currency)
    if markers:
        return markers.most_common(1)[0][0]
    labelled = re.search(r"currency\s*:?\s*([A-Z]{3})\b", text, re.IGNORECASE)
    if labelled and is_iso_currency(labelled.group(1).upper()):
        return labelled.group(1).upper()
    return None


def _tax(lines: list[str]) -> Decimal | None:
    """The VAT amount (VAT/BTW/GST lines before generic "tax"), skipping totals and reg numbers."""
    for pattern in (_VAT, _TAX):
        for line in lines:
            if pattern.search(line) and not _TAX_NOT.search(line):
                amounts = _find_amounts(line)
                if amounts:
                    return amounts[-1].value
    return None


def _line_items(lines: list[str]) -> list[LineItem]:
    """Lines of the form "description ... amount" that are not totals, tax or payment lines."""
    items: list[LineItem] = []
    for line in lines:
        amounts = _find_amounts(line)
        if len(amounts) == 0 or _NOT_ITEM.search(line) or _DATE.search(line):
            continue
        description = line[: amounts[0].start]
        description = re.sub(r"[|*#]+", " ", description).strip(" .:-—\t")
        description = re.sub(r"\s{2,}", " ", description)
        if not re.search(r"[A-Za-z]{2}", description):
            continue
        items.append(LineItem(description=description[:80], amount=amounts[-1].value))
    return items[:20]


def parse_receipt(text: str) -> ParsedReceipt:
    """Read merchant, dates, total, currency, tax and simple line items with plain rules."""
    lines = [line.rstrip() for line in text.splitlines()]
    total, source, total_currency = _total(lines)
    primary, found = _dates(lines)
    return ParsedReceipt(
        merchant=_merchant(lines),
        date=primary,
        dates=found,
        total=total,
        total_source=source,
        currency=_currency(text, lines, total_currency),
        tax=_tax(lines),
        line_items=_line_items(lines),
    )


def _disagreements(
    label_a: str, label_b: str, pairs: Iterable[tuple[str, object, object]]
) -> list[str]:
    """One message per field where both sides know a value and the values differ."""
    problems: list[str] = []
    for field, a, b in pairs:
        if a is None or b is None or a == b:
            continue
        shown_a = a.isoformat() if isinstance(a, dt.date) else str(a)
        shown_b = b.isoformat() if isinstance(b, dt.date) else str(b)
        problems.append(f"{field} differs: {label_a} says {shown_a}, {label_b} says {shown_b}")
    return problems


def cross_check(model_record: ReceiptRecord, parsed: ParsedReceipt) -> list[str]:
    """Where the model's extraction and the rule-based parse disagree.

    Only fields the parser actually found are compared, so a receipt the rules cannot
    read never produces false alarms; the model's tax is compared only when both have one.
    """
    return _disagreements(
        "model",
        "receipt text",
        [
            ("amount", model_record.total, parsed.total),
            ("date", model_record.date, parsed.date),
            ("currency", model_record.currency, parsed.currency),
            ("tax", model_record.tax, parsed.tax),
        ],
    )


def claim_vs_receipt(claim: Claim, record: ReceiptRecord | ParsedReceipt) -> list[str]:
    """Where a claim disagrees with its receipt (e.g. £86.40 claimed, £68.40 on the receipt)."""
    return _disagreements(
        "claim",
        "receipt",
        [
            ("amount", claim.amount, record.total),
            ("date", claim.date, record.date),
            ("currency", claim.currency, record.currency),
        ],
    )
