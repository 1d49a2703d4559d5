"""Claim support: is each sentence a model wrote backed by the chunk it cites?

Why in code: a citation that *exists* proves nothing about the sentence next to it. A
small model happily writes "30% off on Amazon Prime Day, 12 November 2026" and cites a
real chunk about a product launch. So every model-written sentence that states a fact
is checked against the text of the chunks it cites, deterministically and offline:

* its **numbers** (``1,200`` = ``1200``, ``£4.50`` = ``4.5``), **dates** (``12 November
  2026`` = ``2026-11-12``; a partial date must match a date of the chunk) and **names**
  (capitalised words that are not sentence-initial common words, acronyms, codes) must
  all appear in the cited chunks;
* in ``claim`` mode (findings, summaries), the share of its key terms (stemmed content
  words) found in the cited chunks must reach :data:`THRESHOLD`, and its polarity must
  agree with the chunk sentence it overlaps most ("are not certified" vs "are
  certified");
* ``facts`` mode (titles, recommendations, which are short or imperative) checks only
  numbers, dates and names.

Citation *forms* are validated strictly too: the only citation is ``[`` + 16 lowercase hex
+ ``]``; anything that looks like a citation but is not ("(source 0123…)", an uppercase
id, a bare id) is an error, because a reader cannot look it up.

A sentence that fails is dropped from what is shown as fact and reported (callers turn
the reports into review exceptions). The check is conservative by design: it may reject
a true paraphrase (the fallback text then stands), it should not pass an invented fact.
Measured precision and recall on a labelled set are in RELIABILITY.md.
"""

from __future__ import annotations

import calendar
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from baton.tools.marketing._text import is_content, stem, words

Mode = Literal["claim", "facts"]
THRESHOLD = 0.7
"""Share of a sentence's key terms that must occur in the cited chunks (claim mode).

Chosen on the examples/docs labelled set; the second, held-out set reports how it
generalises (see RELIABILITY.md)."""

CITATION = re.compile(r"\[([0-9a-f]{16})\]")
_CITATION_LIKE = re.compile(
    r"[\[(]\s*(?:sources?|chunks?|refs?|citations?|doc(?:ument)?s?|ids?)\b\s*[:#=]?\s*"
    r"[0-9a-fA-F]{3,}[^\])\n]{0,40}[\])]"
    r"|[\[(][^\])\n]{0,40}?\b[0-9a-fA-F]{8,}\b[^\])\n]{0,40}?[\])]"
    r"|(?<![0-9a-zA-Z\[])[0-9a-fA-F]{16}(?![0-9a-zA-Z\]])",
    re.IGNORECASE,
)
_MONTHS = {name.casefold(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): n for n, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DATES = (
    ("ymd", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+({_MONTH})\s*,?\s+(\d{{4}})\b", re.I)),
    ("mdy", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}){_ORD}\s*,?\s+(\d{{4}})\b", re.I)),
    ("my", re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b", re.I)),
    ("dm", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+({_MONTH})\b", re.I)),
    ("md", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}){_ORD}\b", re.I)),
)
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z0-9.,])\d+(?:\.\d+)?"
)
_WORD = re.compile(r"[^\W\d_][\w'’&-]*|\d+[A-Za-z]\w*", re.UNICODE)
_NEGATIONS = frozenset({"not", "no", "never", "cannot", "nor", "neither", "none", "nothing"})
_GENERIC = frozenset(
    {"according", "source", "sources", "document", "documents", "states", "says", "notes"}
)
"""Attribution words: "the survey says" adds no fact to check against the chunk."""


@dataclass(frozen=True)
class Support:
    """The verdict on one sentence: supported or not, and why, in words for a reviewer."""

    sentence: str
    cited: tuple[str, ...]
    supported: bool
    reason: str = ""
    score: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def citation_errors(text: str) -> list[str]:
    """Citation-like forms that are not ``[0123456789abcdef]`` (16 lowercase hex)."""
    bad: list[str] = []
    for match in _CITATION_LIKE.finditer(text):
        form = match.group(0)
        if CITATION.fullmatch(form):
            continue
        bad.append(form.strip())
    return list(dict.fromkeys(bad))


def strip_citations(text: str) -> str:
    return " ".join(CITATION.sub(" ", text).split())


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (pysbd's rules: "e.g.", "£4.50", "Dr." do not end one).

    Bullets, headings and blank lines also end a sentence (they carry no full stop);
    hard-wrapped lines inside a paragraph do not.
    """
    return list(_split(text))


_BLOCK_START = re.compile(r"^\s*(?:[#>|]|[-*•+]\s|\d+[.)]\s)")


def _blocks(text: str) -> list[str]:
    """Paragraphs, bullets and headings, with hard-wrapped lines joined back together."""
    blocks: list[list[str]] = []
    fresh = True
    for line in text.splitlines():
        if not line.strip():
            fresh = True
            continue
        if fresh or _BLOCK_START.match(line):
            blocks.append([])
        blocks[-1].append(line.strip())
        fresh = bool(re.match(r"^\s*#", line))  # a heading ends its own block
    return [" ".join(b) for b in blocks]


_SEGMENTER_LOCK = threading.Lock()
"""pysbd's Segmenter keeps the text being split on the instance: two threads (parallel
``Send`` branches) splitting at once get each other's sentences, and ``_split``'s cache
would keep the garbled result for the rest of the process."""


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for block in _blocks(text):
        block = block.lstrip("#*->•+ |").strip()
        if block:
            with _SEGMENTER_LOCK:
                parts = _segmenter().segment(block)
            out.extend(s.strip() for s in parts if s.strip())
    return tuple(out)


def clip_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` shortened to at most ``limit`` characters at a word boundary, never mid-word.

    Dangling punctuation, bare numbers and short connecting words ("on", "the") are
    dropped before the ellipsis, so a cut "Offer on 12 November 2026" never ends in "2"
    or "on 12".
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: max(0, limit - len(ellipsis)) + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else ""
    parts = cut.split()
    while parts and (  # "on 12" of "on 12 November" is a cut date, not a title
        parts[-1].casefold() in _CONNECTORS
        or parts[-1].isdigit()
        or not any(ch.isalnum() for ch in parts[-1])
    ):
        parts.pop()
    cut = " ".join(parts).rstrip(",;:-–—(")
    return f"{cut}{ellipsis}" if cut else flat[: max(0, limit - len(ellipsis))] + ellipsis


_CONNECTORS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}
)


def truncated_at_cap(text: str, cap: int) -> str:
    """A model string that hit its schema's length cap loses its last, possibly cut, word.

    llama.cpp's grammar stops a string at ``maxLength`` wherever it is, so a title of
    exactly the cap may end in half a word ("12 November 2").
    """
    flat = " ".join(text.split())
    if len(flat) < cap:
        return flat
    return clip_words(flat, cap - 1)


# -- facts in a text ---------------------------------------------------------------------


def _num(raw: str) -> str | None:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def _date_key(kind: str, g: Sequence[str]) -> list[str]:
    """Keys for one matched date, or ``[]`` when it is not a real calendar date."""
    month = {k: _MONTHS.get(v.casefold().rstrip(".")) for k, v in zip(kind, g, strict=True)}
    nums = {k: int(v) for k, v in zip(kind, g, strict=True) if v.isdigit()}
    mo = nums.get("m") if kind == "ymd" else month.get("m")
    day, year = nums.get("d"), nums.get("y")
    if mo is None or not 1 <= mo <= 12 or (day is not None and not 1 <= day <= 31):
        return []
    keys = []
    if year is not None and day is not None:
        keys.append(f"{year}-{mo}-{day}")
    if year is not None:
        keys.append(f"{year}-{mo}")
    if day is not None:
        keys.append(f"{mo}-{day}")
    return keys


def _dates(text: str) -> tuple[set[str], str]:
    """Date keys in ``text`` and the text with the dates blanked out.

    A full date yields ``Y-M-D`` plus its partial keys (``Y-M``, ``M-D``) so a sentence
    saying "November 2026" or "12 November" matches a chunk saying "2026-11-12".
    """
    keys: set[str] = set()
    for kind, pattern in _DATES:

        def take(m: re.Match[str], kind: str = kind) -> str:
            found = _date_key(kind, m.groups())
            keys.update(found)
            return " " if found else m.group(0)

        text = pattern.sub(take, text)
    return keys, text


def _names(sentence: str) -> list[str]:
    """Capitalised words that name something: proper nouns, acronyms, codes.

    The first word of a sentence is capitalised anyway, so it counts only when the next
    word is capitalised too ("Amazon Prime Day") or it labels the sentence ("Zestify:
    ..."); stop words ("The", "Our") never count.
    """
    tokens = [(m.group(0), m.start()) for m in _WORD.finditer(sentence)]
    out: list[str] = []
    for n, (tok, _) in enumerate(tokens):
        word = re.sub(r"['’]s$", "", tok).strip("-'’&")
        if not word or not (word[0].isupper() or any(c.isdigit() for c in word)):
            continue
        if word.casefold() in _STOP or word.casefold() in _MONTHS:
            continue
        label = sentence[tokens[0][1] + len(tokens[0][0]) :].lstrip().startswith(":")
        if (
            n == 0
            and not label  # "Zestify: ..." names something
            and not (
                len(tokens) > 1
                and tokens[1][0][:1].isupper()
                and tokens[1][0].casefold() not in _STOP
            )
            and not (sum(c.isupper() for c in word) > 1)
        ):
            continue
        out.append(word)
    return out


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


class _Stop:
    def __contains__(self, item: object) -> bool:
        return item in _stop_words()


_STOP = _Stop()


def fold(text: str) -> str:
    """NFKC and case folding, so "ﬁ", full-width digits and case never hide a match."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Facts:
    """The checkable content of a text: numbers, date keys, names, key-term stems."""

    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]
    stems: frozenset[str]
    tokens: frozenset[str]


def facts_of(text: str) -> Facts:
    text = unicodedata.normalize("NFKC", strip_citations(text))
    dates, rest = _dates(text)
    numbers = {n for raw in _NUMBER.findall(rest) if (n := _num(raw)) is not None}
    names = {fold(n) for n in _names(rest)}
    toks = [fold(t) for t in words(text)]
    stems = {stem(w) for w in toks if is_content(w) and w not in _GENERIC}
    return Facts(
        frozenset(numbers), frozenset(dates), frozenset(names), frozenset(stems), frozenset(toks)
    )


def _chunk_facts(texts: Iterable[str]) -> Facts:
    parts = [facts_of(t) for t in texts]
    dates = set().union(*(p.dates for p in parts)) if parts else set()
    numbers = set().union(*(p.numbers for p in parts)) if parts else set()
    # Years and days inside a chunk's dates are numbers of the chunk as well.
    for key in dates:
        numbers.update(str(int(x)) for x in key.split("-"))
    tokens = set().union(*(p.tokens for p in parts)) if parts else set()
    for key in dates:  # a chunk with "2026-11-12" also says "November"
        bits = key.split("-")
        month = int(bits[1]) if len(bits[0]) == 4 else int(bits[0])
        tokens.add(calendar.month_name[month].casefold())
    return Facts(
        frozenset(numbers),
        frozenset(dates),
        frozenset(),
        frozenset(set().union(*(p.stems for p in parts)) if parts else set()),
        frozenset(tokens),
    )


def _name_found(name: str, chunk: Facts) -> bool:
    parts = [p for p in re.split(r"[-'’&]", name) if p]
    return all(p in chunk.tokens or stem(p) in chunk.stems for p in parts)


def _negated(text: str) -> bool:
    low = fold(text)
    return bool(set(words(low)) & _NEGATIONS) or "n't" in low or "n’t" in low


def _best_sentence(stems: frozenset[str], texts: Iterable[str]) -> str:
    best, score = "", -1
    for text in texts:
        for sentence in split_sentences(text):
            if "|" in sentence:  # a table row: "No" is a cell, not a negation
                continue
            overlap = len(stems & facts_of(sentence).stems)
            if overlap > score:
                best, score = sentence, overlap
    return best


def _misplaced_numbers(own: Facts, texts: Sequence[str]) -> list[str]:
    """Numbers of the sentence that the source states only about something else.

    "Hotels are reimbursed up to £250 per night" against a policy whose £250 is the rail
    limit: the number exists in the chunk, but every chunk sentence holding it shares
    fewer than half as many key terms with the claim as the chunk sentence the claim is
    most about. A chunk sentence whose key terms the claim repeats in full (a heading
    "3. ENERGY", a table row) vouches for its numbers.
    """
    parts = [_chunk_facts([s]) for t in texts for s in split_sentences(t)]
    if not parts or not own.numbers:
        return []
    need = max(1.0, max(len(own.stems & p.stems) for p in parts) / 2)
    out = []
    for n in sorted(own.numbers):
        if n.isdigit() and len(n) == 4 and 1900 <= int(n) <= 2100:
            continue  # a year dates the claim; headings such as "Costs in 2025" hold it
        if n.isdigit() and int(n) <= 10:
            continue  # list numbers and small counts: present in the chunk is enough
        holders = [p for p in parts if n in p.numbers]
        if holders and not any(
            len(own.stems & p.stems) >= need or p.stems <= own.stems for p in holders
        ):
            out.append(n)
    return out


def _flat(text: str) -> str:
    lines = (line.strip().lstrip("#*->•+ ").strip() for line in text.splitlines())
    return " ".join(fold(" ".join(line for line in lines if line)).split())


def _verbatim(body: str, texts: Sequence[str]) -> bool:
    """A sentence that quotes a cited chunk word for word (markup aside) is supported."""
    quote = _flat(body).rstrip(".!?…")
    return len(quote) >= 12 and any(quote in _flat(t) for t in texts)


def _polarity_conflict(own: Facts, body: str, texts: Sequence[str]) -> str | None:
    """The chunk sentence that says the opposite of ``body``, if the claim flips one.

    An affirmative claim conflicts when the chunk sentence it overlaps most is negated
    ("are certified home compostable" vs "are not yet certified home compostable"); a
    negated claim conflicts when no negated chunk sentence shares two key terms with it.
    """
    if not _negated(body):
        best = _best_sentence(own.stems, texts)
        return best if best and _negated(best) else None
    for text in texts:
        for sentence in split_sentences(text):
            shared = len(own.stems & facts_of(sentence).stems)
            if "|" not in sentence and _negated(sentence) and shared >= min(2, len(own.stems)):
                return None
    return _best_sentence(own.stems, texts) or None


def states_fact(sentence: str) -> bool:
    """Whether a sentence asserts something checkable (a question or a fragment does not)."""
    body = strip_citations(sentence).strip()
    if not body or body.endswith("?"):
        return False
    f = facts_of(body)
    return bool(f.numbers or f.dates or f.names or len(f.stems) >= 2)


def check_sentence(
    sentence: str,
    chunks: Mapping[str, str],
    cited: Sequence[str] = (),
    *,
    mode: Mode = "claim",
    threshold: float = THRESHOLD,
) -> Support:
    """Whether ``sentence`` is supported by the chunks it cites (inline ids, else ``cited``).

    ``chunks`` maps chunk id to text: the chunks a reader could open. An id not in it
    counts as citing nothing.
    """
    inline = CITATION.findall(sentence)
    ids = tuple(dict.fromkeys(inline or cited))
    body = strip_citations(sentence)
    malformed = citation_errors(body)
    if malformed:
        return Support(body, ids, False, f"malformed citation {malformed[0]!r}", 0.0)
    if not states_fact(body):
        return Support(body, ids, True, "states no fact", 1.0)
    texts = [chunks[i] for i in ids if i in chunks]
    if not texts:
        return Support(body, ids, False, "cites no source that can be opened", 0.0)
    if _verbatim(body, texts):
        return Support(body, ids, True, "quotes the source", 1.0)
    own, src = facts_of(body), _chunk_facts(texts)
    missing = [f"the number {n}" for n in sorted(own.numbers - src.numbers)]
    missing += [f"the date {d}" for d in sorted(own.dates - src.dates)]
    missing += [f"'{n}'" for n in sorted(own.names) if not _name_found(n, src)]
    score = len(own.stems & src.stems) / len(own.stems) if own.stems else 1.0
    missing += [f"the number {n} about this" for n in _misplaced_numbers(own, texts)]
    if missing:
        return Support(
            body, ids, False, f"the cited source does not state {', '.join(missing[:3])}", score
        )
    if mode == "claim":
        if score < threshold:
            return Support(
                body,
                ids,
                False,
                f"only {score:.0%} of its key terms are in the cited source",
                score,
            )
        conflict = _polarity_conflict(own, body, texts)
        if conflict:
            return Support(
                body, ids, False, f"the cited source says the opposite: {conflict[:120]!r}", score
            )
    return Support(body, ids, True, "", score)


def find_support(
    sentence: str,
    chunks: Mapping[str, str],
    cited: Sequence[str] = (),
    *,
    mode: Mode = "claim",
) -> Support:
    """Like :func:`check_sentence`, but a sentence with no inline citation may be backed by
    any one chunk of ``chunks`` when ``cited`` does not back it.

    Used for a brief's summary, which draws on everything retrieved: the verdict's
    ``cited`` then names the chunk that backs the sentence, so the caller can cite it.
    """
    first = check_sentence(sentence, chunks, cited, mode=mode)
    if first.supported or CITATION.search(sentence):
        return first
    for cid in chunks:
        if cid not in cited:
            other = check_sentence(sentence, chunks, [cid], mode=mode)
            if other.supported:
                return other
    return first


def check_text(
    text: str,
    chunks: Mapping[str, str],
    cited: Sequence[str] = (),
    *,
    mode: Mode = "claim",
    threshold: float = THRESHOLD,
) -> list[Support]:
    """One verdict per sentence of ``text``."""
    return [
        check_sentence(s, chunks, cited, mode=mode, threshold=threshold)
        for s in split_sentences(text)
    ]


def keep_supported(
    text: str,
    chunks: Mapping[str, str],
    cited: Sequence[str] = (),
    *,
    mode: Mode = "claim",
) -> tuple[str, list[Support]]:
    """``text`` with its unsupported sentences removed, and the verdicts on those removed."""
    sentences = split_sentences(text)
    verdicts = [check_sentence(s, chunks, cited, mode=mode) for s in sentences]
    kept = " ".join(s for s, v in zip(sentences, verdicts, strict=True) if v.supported)
    return kept, [v for v in verdicts if not v.supported]


TALLY_PREFIX = "model-text:"


@dataclass(frozen=True)
class Tally:
    """How much model text a node wrote, kept after the checks, and filled from fallback.

    Units are what the node shows: sentences, titles, findings, explanations, outlines.
    """

    kept: int = 0
    written: int = 0
    fallback: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.kept + other.kept, self.written + other.written, self.fallback + other.fallback
        )

    def flag(self) -> str:
        """The audit flag ``model-text:kept=K/N;fallback=F`` that BENCHMARKS.md sums."""
        return f"{TALLY_PREFIX}kept={self.kept}/{self.written};fallback={self.fallback}"

    @classmethod
    def parse(cls, flag: str) -> Tally | None:
        m = re.fullmatch(rf"{TALLY_PREFIX}kept=(\d+)/(\d+);fallback=(\d+)", flag)
        return cls(int(m[1]), int(m[2]), int(m[3])) if m else None
