"""Neutralise spreadsheet formula injection in CSV cells built from user input.

Why: Baton's CSV outputs (matches, exceptions, calendars) carry text that came from
input files — bank descriptions, merchant names, post titles. A cell such as
``=HYPERLINK("http://evil","click")`` is inert in a CSV file but becomes a live
formula the moment a reviewer opens it in Excel or LibreOffice. Prefixing a single
quote makes spreadsheets show the text literally (OWASP "CSV injection" advice).
Plain numbers like ``-45.99`` or ``+3`` are left alone: they are data, not formulas,
and mangling amounts would break reconciliation files that other tools read back.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a cell as a formula."""


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A plain signed decimal; stricter than ``Decimal()``, which also accepts
whitespace, underscores, ``NaN`` and ``Infinity``."""


def safe_cell(value: object) -> str:
    """Render one CSV cell, quoting away a leading formula trigger in non-numeric text.

    ``None`` becomes an empty cell so callers can pass optional fields straight through.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
