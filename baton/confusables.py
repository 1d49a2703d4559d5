"""Fold look-alike characters onto Latin letters before matching word lists.

Why: a banned word written with a Cyrillic "е" ("rеvolutionary") or full-width letters
looks identical to a reader and slips past any plain string match. The mapping comes
from Unicode's confusables data (UTS #39) as shipped by the maintained
``confusable-homoglyphs`` package, not from a hand-written table.

The skeleton is for *matching* only (banned words, injection patterns); text shown to
people is never rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_MIXED = re.compile(r"\b(?=\w*[^\W\d_])(?=\w*\d)\w+\b")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Non-ASCII character -> its ASCII look-alike (letters and digits only)."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, glyphs in confusables_data.items():
        for glyph in glyphs:
            target = str(glyph["c"])
            if target.isascii() and target.isalnum():
                if len(char) == 1 and not char.isascii():
                    table[char] = target.lower()
                elif char.isdigit() and len(target) == 1 and target.isalpha():
                    table[char] = target.lower()  # "0" -> "o", "1" -> "l" inside words
                break
    return table


def skeleton(text: str) -> str:
    """``text`` with confusable characters replaced by their Latin look-alikes.

    NFKC first (full-width and mathematical letters), invisible format characters
    dropped (zero-width joiners, Unicode tag characters), then every remaining non-ASCII
    look-alike mapped; ASCII digits are mapped only inside words that also hold letters
    ("rev0lutionary"), so "10 pods" stays a number.
    """
    table = _table()
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = "".join(table.get(ch, ch) if not ch.isascii() else ch for ch in text)
    return _MIXED.sub(lambda m: "".join(table.get(c, c) for c in m.group(0)), text)
