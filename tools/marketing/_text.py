"""Word-level text helpers shared by research, strategy and review.

Topics are compared on *stems* of content words so that "home composting", "home
compostable" and "compost at home" meet, while stop words never make two topics look
alike. One tokenizer for every step keeps "covered", "related" and "contains the
keyword" consistent with each other.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # Snowball stemmers keep state; parallel branches share this


def words(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside words, possessive ``'s`` dropped)."""
    return [re.sub(r"['’]s$", "", w) for w in _WORD_RE.findall(text.lower())]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter2) stem, cached because research stems the same words many times."""
    with _STEM_LOCK:
        return str(_STEMMER.stemWord(word))


def is_content(word: str) -> bool:
    """A word that can carry a topic: not a stop word, not a bare number, 2+ letters."""
    return len(word) > 1 and not word.isdigit() and word not in ENGLISH_STOP_WORDS


def content_stems(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order."""
    return [stem(w) for w in words(text) if is_content(w)]


def stem_set(text: str) -> frozenset[str]:
    """Distinct content stems: the unit in which topics are compared."""
    return frozenset(content_stems(text))


def phrase_stripper(phrases: Iterable[str]) -> Callable[[str], str]:
    """A function that blanks out whole ignore phrases ("Kilnworth Coffee Roasters").

    Phrases are removed as units, so ignoring a competitor called "Kilnworth Coffee
    Roasters" does not ignore the word "coffee" everywhere; the gap is filled with a
    stop word so no bigram is formed across it.
    """
    parts = sorted({" ".join(words(p)) for p in phrases if words(p)}, key=len, reverse=True)
    if not parts:
        return lambda text: text
    pattern = re.compile(
        r"(?<![a-z0-9])(?:"
        + "|".join(r"[^a-z0-9]+".join(map(re.escape, p.split())) for p in parts)
        + r")(?![a-z0-9])",
        re.IGNORECASE,
    )
    return lambda text: pattern.sub(" the ", text)


def normalise(text: str) -> str:
    """Lower-case, punctuation-free, single-spaced text for phrase containment checks."""
    return " ".join(words(text))


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case- and punctuation-insensitive containment ("Cold-brew" has "cold brew")."""
    needle = normalise(phrase)
    return bool(needle) and f" {needle} " in f" {normalise(text)} "


def contains_stemmed(text: str, phrase: str) -> bool:
    """Like :func:`contains_phrase` but on stems, so "utilising" matches "utilise".

    Used for brand word lists, where missing an inflected form of a banned word is
    worse than occasionally flagging a related word.
    """
    needle = [stem(w) for w in words(phrase)]
    if not needle:
        return False
    hay = [stem(w) for w in words(text)]
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))
