"""Amounts, dates and currencies as finance people's exports write them, into exact values.

Why: a month's bank and ledger files come from Excel, Outlook and bank portals, not from
a program. They write ``-1.234,56`` (German), ``$1,200.00``, ``(45.00)`` (accounting
negative), ``02/01/2025`` (day or month first, depending on the country) and ``€``.
Rejecting those made people retype their exports; guessing wrong would silently change
money or dates. So each file's convention is *detected from the file itself*, value by
value evidence (``12,50`` can only be a decimal comma, ``13/01/2025`` can only be day
first), and a file whose dates cannot tell is an error that says so, unless the
convention is set in the reviewed config. Numbers go through Babel's strict
locale-aware parser into :class:`~decimal.Decimal`; no float ever touches money.

Implausible values are rejected rather than carried into matching: a date outside
1970-2099 (``9999-12-31``, ``0001-01-01``) or an amount with more than
:data:`MAX_INTEGER_DIGITS` digits before the decimal separator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from babel.numbers import NumberFormatError, parse_decimal

DateOrder = Literal["auto", "day_first", "month_first"]

MAX_INTEGER_DIGITS = 13
"""Ten trillion minus one: beyond any real transaction, well inside Decimal's precision."""
MAX_FRACTION_DIGITS = 4
MIN_YEAR, MAX_YEAR = 1970, 2099

CURRENCY_SIGNS = {"€": "EUR", "£": "GBP"}
"""Signs that name exactly one ISO 4217 currency (``$`` and ``¥`` name several)."""

_SIGNS = "$€£¥"
_MINUS = "-\u2212"
_GROUP_SPACES = re.compile(r"(?<=\d)[ '\u00a0\u202f](?=\d{3}(?:\D|$))")
_NUMBER = re.compile(r"\d[\d.,]*")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")


class FormatError(ValueError):
    """A value that cannot be read; the message is meant for the user, ``line`` 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def show_value(value: str) -> str:
    """A value quoted for a one-line message, cut short if it is huge."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _decimal_hint(number: str) -> bool | None:
    """True if ``number`` can only use a decimal comma, False if only a decimal point."""
    if "," in number and "." in number:
        return number.rfind(",") > number.rfind(".")
    for sep, comma in ((",", True), (".", False)):
        if number.count(sep) == 1 and len(number.rsplit(sep, 1)[1]) in (1, 2):
            return comma
        if number.count(sep) > 1:
            return not comma  # repeated, so it groups thousands
    return None


def _strip(value: str) -> tuple[str, bool]:
    """The bare number of ``value`` and whether it is negative."""
    text = value.strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    changed = True
    while changed and text:
        changed = False
        if text[0] in _MINUS or text[0] == "+":
            negative, text, changed = negative or text[0] in _MINUS, text[1:].strip(), True
        elif text[-1] in _MINUS:  # "45.00-", as some banks print debits
            negative, text, changed = True, text[:-1].strip(), True
        elif text[0] in _SIGNS:
            text, changed = text[1:].strip(), True
        elif text[-1] in _SIGNS:
            text, changed = text[:-1].strip(), True
    return _GROUP_SPACES.sub("", text), negative


def _one_convention(seen: dict[bool, int], clash: str) -> None:
    """Refuse a file whose values show both conventions, naming a line of each.

    Why one rule: a file exported with mixed conventions cannot be read safely either
    way (1.234 is a thousand or one), so amounts and dates fail alike, at the later line.
    """
    if len(seen) == 2:
        raise FormatError(
            clash.format(yes=seen[True], no=seen[False]) + "; export the file with one convention",
            max(seen.values()),
        )


@dataclass(frozen=True)
class AmountStyle:
    """A file's decimal separator: comma, point, or not shown by any value (None)."""

    decimal_comma: bool | None = None

    @classmethod
    def detect(cls, values: Iterable[tuple[int, str]]) -> AmountStyle:
        """The convention the values show; values that show both are an error."""
        seen: dict[bool, int] = {}
        for line, value in values:
            number, _ = _strip(value)
            hint = _decimal_hint(number) if _NUMBER.fullmatch(number) else None
            if hint is not None:
                seen.setdefault(hint, line)
        _one_convention(
            seen, "amounts mix a decimal comma (line {yes}) and a decimal point (line {no})"
        )
        return cls(next(iter(seen), None))

    def parse(self, value: str) -> Decimal:
        """``value`` as an exact amount (see the module docstring for what is accepted)."""
        number, negative = _strip(value)
        if not _NUMBER.fullmatch(number):
            raise FormatError(f"{show_value(value)} is not an amount")
        if len(number) > 2 * MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS:
            raise FormatError(
                f"{show_value(value)} has more than {MAX_INTEGER_DIGITS} digits before the decimal "
                "separator"
            )
        comma = self.decimal_comma
        hint = _decimal_hint(number)
        if comma is None:
            comma = bool(hint)
        locale = "de_DE" if comma else "en_US"
        try:
            amount = parse_decimal(number, locale=locale, strict=True)
        except NumberFormatError:
            sep = "comma" if comma else "point"
            raise FormatError(
                f"{show_value(value)} is not an amount (this file uses a decimal {sep})"
            ) from None
        digits = amount.as_tuple()
        exponent = digits.exponent if isinstance(digits.exponent, int) else 0
        if len(digits.digits) + min(exponent, 0) > MAX_INTEGER_DIGITS:
            raise FormatError(
                f"{show_value(value)} has more than {MAX_INTEGER_DIGITS} digits before the decimal "
                "separator"
            )
        if -exponent > MAX_FRACTION_DIGITS:
            raise FormatError(f"{show_value(value)} has more than {MAX_FRACTION_DIGITS} decimals")
        return -amount if negative else amount


@dataclass(frozen=True)
class DateStyle:
    """Whether a file's ``01/02/2025``-style dates put the day or the month first."""

    day_first: bool | None = None

    @classmethod
    def detect(cls, values: Iterable[tuple[int, str]], order: DateOrder = "auto") -> DateStyle:
        """Read the convention from the values, or from ``order`` when they cannot tell.

        A value such as ``13/01/2025`` proves day first and ``01/13/2025`` month first;
        a file showing both, or (with ``order: auto``) showing neither while having
        numeric dates, is an error naming a line.
        """
        evidence: dict[bool, int] = {}
        first_numeric: int | None = None
        for line, value in values:
            found = _NUMERIC_DATE.fullmatch(value.strip())
            if not found:
                continue
            first_numeric = first_numeric or line
            a, b = int(found.group(1)), int(found.group(3))
            if a > 12 >= b:
                evidence.setdefault(True, line)
            elif b > 12 >= a:
                evidence.setdefault(False, line)
        _one_convention(evidence, "dates are day-first on line {yes} but month-first on line {no}")
        if evidence:
            shown = next(iter(evidence))
            if order != "auto" and shown != (order == "day_first"):
                line = evidence[shown]
                raise FormatError(
                    f"line {line} has a {'day' if shown else 'month'}-first date but the "
                    f"config says {order}",
                    line,
                )
            return cls(shown)
        if order != "auto":
            return cls(order == "day_first")
        if first_numeric is not None:
            raise FormatError(
                f"dates such as the one on line {first_numeric} are ambiguous (day or month "
                "first?) and no date in the file tells; set input_date_order: day_first or "
                "month_first in the expense policy config, or export ISO dates (YYYY-MM-DD)",
                first_numeric,
            )
        return cls(None)

    def parse(self, value: str) -> date:
        """``value`` (ISO, or numeric in the file's order) as a plausible date."""
        text = value.strip()
        iso = _ISO.fullmatch(text)
        numeric = _NUMERIC_DATE.fullmatch(text)
        try:
            if iso:
                parsed = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            elif numeric and self.day_first is not None:
                a, b, year = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
                day, month = (a, b) if self.day_first else (b, a)
                parsed = date(year, month, day)
            else:
                raise ValueError
        except ValueError:
            raise FormatError(
                f"{show_value(value)} is not a date (YYYY-MM-DD, or DD/MM/YYYY / MM/DD/YYYY)"
            ) from None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise FormatError(f"{show_value(value)} is outside the years {MIN_YEAR}-{MAX_YEAR}")
        return parsed


def parse_currency(value: str) -> str:
    """An ISO code as written, or the code of an unambiguous sign (``€`` is EUR)."""
    text = value.strip()
    return CURRENCY_SIGNS.get(text, text.upper())
