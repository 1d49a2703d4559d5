"""Atomic claims: extracted from the drafts, checked in code against the chunks they cite.

Why in code first: the fact-checker's model sees only a claim and its sources, and a
135M model cannot be trusted to notice that "$9.49" is not "$7.49". Every number, date
and name of a claim must appear in the chunk it cites (:func:`baton.tools.grounding.check_sentence`
in ``facts`` mode); a claim that fails is *refuted by code*. Only the claims that pass
are then compared with the cited chunk as text: a claim that is (near-)verbatim a span of
it is *supported by code* (:func:`verbatim_in`), since copying the source states what it
says. Only paraphrases go to the model, which labels them supported, refuted or not
enough information: a 135M model answered "not enough information" for half of the true,
copied claims of the coffee example, each one a true fact wrongly removed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from rapidfuzz import fuzz

from baton.tools.grounding import (
    CITATION,
    check_sentence,
    facts_of,
    split_sentences,
    strip_citations,
)

_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")
"""Where a removed citation leaves a gap ("... of 10 ." -> "... of 10.")."""
_LEADING = re.compile(r"^(?:\s*\[[0-9a-f]{16}\])+")
Verdict = Literal["supported", "refuted", "not_enough_info"]
CHECKED_TYPES = ("research_competitor", "brand_brief", "analyse", "write_post")
"""Task types whose text states facts (the calendar only schedules them)."""


def claim_id(text: str) -> str:
    """A stable id for a claim: the same sentence in two drafts is one claim."""
    key = " ".join(strip_citations(text).split()).casefold()
    return "C-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def is_claim(sentence: str) -> bool:
    """A sentence states a checkable fact when it cites a source or names a number,
    a date or a name; calls to action and tone carry none."""
    if CITATION.search(sentence):
        return True
    facts = facts_of(strip_citations(sentence))
    return bool(facts.numbers or facts.dates or facts.names)


def _split(line: str) -> list[str]:
    """One line's sentences; a citation written after the full stop stays with its
    sentence ("... box of 10. [id]"). Headings name sections and state nothing."""
    body = line.strip().lstrip("-*> ").strip()
    if not body or line.lstrip().startswith("#"):
        return []
    out: list[str] = []
    for part in split_sentences(body):
        lead = _LEADING.match(part)
        if out and lead:
            out[-1] = f"{out[-1]} {lead.group(0).strip()}"
            part = part[lead.end() :].strip()
        if part:
            out.append(part)
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a draft, line by line."""
    return [s for line in text.splitlines() for s in _split(line)]


def extract_claims(drafts: Mapping[str, str], ignore: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every claim of every draft (task id -> text), merged by claim id, in task order.

    ``ignore`` is text that is not a claim of the team (the product name on its own).
    """
    skip = {s.casefold() for s in ignore}
    claims: dict[str, dict[str, Any]] = {}
    for task_id, text in drafts.items():
        for sentence in sentences(text):
            body = _SPACE_BEFORE_STOP.sub(r"\1", strip_citations(sentence).strip())
            if not body or body.casefold() in skip or not is_claim(sentence):
                continue
            cid = claim_id(sentence)
            entry = claims.setdefault(
                cid,
                {"id": cid, "text": body, "citations": CITATION.findall(sentence), "tasks": []},
            )
            if task_id not in entry["tasks"]:
                entry["tasks"].append(task_id)
    return list(claims.values())


VERBATIM = 95.0
"""Least partial-ratio similarity (0-100) of a claim to a span of its cited chunk for code
to call it verbatim: room for a changed article or punctuation, not for a changed word
of a short claim (numbers, dates and names are checked exactly before this anyway)."""
_WORD = re.compile(r"[\w£$€%]+(?:['’.,][\w]+)*")
_NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "without", "cannot", "non"})


def normalise(text: str) -> str:
    """Lower case words and numbers only: what verbatim comparison looks at."""
    words = _WORD.findall(strip_citations(text).casefold().replace("n't", " not"))
    return " ".join(words)


def verbatim_in(text: str, chunks: Iterable[str]) -> float | None:
    """The similarity of ``text`` to its best-matching span of one of ``chunks`` when it
    is at least :data:`VERBATIM` and the span negates exactly as the claim does
    (dropping a "not" changes a few characters and the whole meaning); else ``None``."""
    claim = normalise(text)
    if not claim:
        return None
    for chunk in chunks:
        source = normalise(chunk)
        match = fuzz.partial_ratio_alignment(claim, source, score_cutoff=VERBATIM)
        if match is None:
            continue
        span = source[match.dest_start : match.dest_end]
        if _NEGATIONS.intersection(span.split()) == _NEGATIONS.intersection(claim.split()):
            return float(match.score)
    return None


def code_verdict(claim: Mapping[str, Any], chunks: Mapping[str, str]) -> tuple[Verdict | None, str]:
    """``refuted`` / ``not_enough_info`` with the reason; ``supported`` when every number,
    date and name checks out and the claim is (near-)verbatim in a cited chunk; or
    ``(None, "")`` when the facts check out but the claim paraphrases, for the model."""
    cited: Sequence[str] = claim.get("citations") or []
    if not cited:
        return "not_enough_info", "cites no source"
    if not any(c in chunks for c in cited):
        return "not_enough_info", "cites no chunk of the context store"
    support = check_sentence(str(claim["text"]), chunks, cited, mode="facts")
    if not support.supported:
        return "refuted", support.reason
    subject = _subject(str(claim["text"]))
    texts = " ".join(chunks[c] for c in cited if c in chunks)
    if subject and not re.search(rf"\b{re.escape(subject)}\b", texts, re.I):
        return "refuted", f"the cited source does not name '{subject}'"
    score = verbatim_in(str(claim["text"]), [chunks[c] for c in cited if c in chunks])
    if score is not None:
        return "supported", f"verbatim in the cited source (similarity {score:.0f}/100)"
    return None, ""


def _subject(sentence: str) -> str | None:
    """The sentence's first word when it may be a name ("Zentora pods cost ...").

    The grounding check skips a sentence's first word (it is capitalised anyway); a
    claim's subject is exactly where an invented competitor goes, so the fact-checker
    holds it to the cited source too, unless it is a stop word ("The", "Our").
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    first = re.match(r"[^\W\d_][\w'’-]*", sentence.strip())
    if first is None or not first.group(0)[0].isupper():
        return None
    word = re.sub(r"['’]s$", "", first.group(0))
    return None if word.casefold() in ENGLISH_STOP_WORDS else word


def strip_claims(text: str, removed: Iterable[str]) -> str:
    """``text`` without the sentences whose claim id is in ``removed`` (line structure kept)."""
    gone = set(removed)
    lines: list[str] = []
    for line in text.splitlines():
        parts = _split(line)
        kept = [s for s in parts if claim_id(s) not in gone]
        if parts and not kept:
            continue
        if len(kept) < len(parts):
            prefix = line[: len(line) - len(line.lstrip())]
            marker = "- " if line.strip().startswith("- ") else ""
            line = prefix + marker + " ".join(kept)
        lines.append(line)
    return "\n".join(lines)
