"""Deterministic checks and rendering for research briefs.

Why in code: whether a citation exists, whether it was actually retrieved in this
run, and whether the brief follows the house rules are facts, not opinions, so no
model gets a vote on them. The critic agent only adds advisory tone feedback on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from baton.confusables import skeleton
from baton.team import ungrounded
from baton.tools.grounding import (
    CITATION,
    Support,
    Tally,
    check_text,
    citation_errors,
    clip_words,
    find_support,
    split_sentences,
    truncated_at_cap,
)

BANNED_WORDS = ("revolutionary", "game-changing", "game changing", "disruptive", "best-in-class")
MAX_TITLE = 80
MIN_SUMMARY = 20


def cited_ids(draft: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every chunk id the brief cites, in findings and inline in its prose."""
    ids: list[str] = []
    for finding in findings:
        ids.extend(str(c) for c in finding.get("citations", []))
    for text in _prose(draft):
        ids.extend(CITATION.findall(text))
    return list(dict.fromkeys(ids))


def _prose(draft: Mapping[str, Any]) -> Iterable[str]:
    yield str(draft.get("title", ""))
    yield str(draft.get("summary", ""))
    yield from (str(r) for r in draft.get("recommendations", []))


def check_brief(
    draft: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    retrieved: Iterable[str],
    existing: Iterable[str],
) -> list[str]:
    """Problems that must be fixed before a human sees the brief (empty list = clean)."""
    problems = ungrounded(cited_ids(draft, findings), retrieved, existing)
    if not findings:
        problems.append("the brief has no findings")
    for n, finding in enumerate(findings, 1):
        if not finding.get("citations"):
            problems.append(f"finding {n} cites no source")
    title = str(draft.get("title", "")).strip()
    if not title:
        problems.append("the title is empty")
    elif len(title) > MAX_TITLE:
        problems.append(f"the title is {len(title)} characters; the limit is {MAX_TITLE}")
    if len(str(draft.get("summary", "")).strip()) < MIN_SUMMARY:
        problems.append("the summary is missing or too short")
    for text in _prose(draft):
        for form in citation_errors(text):
            problems.append(f"malformed citation {form!r}: cite as [0123456789abcdef]")
    lowered = skeleton(" ".join(_prose(draft))).lower()  # look-alike letters count too
    for word in BANNED_WORDS:
        if word in lowered:
            problems.append(f"banned word '{word}' (brand voice guide)")
    return problems


def chunk_texts(sources: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Chunk id -> full text of every source retrieved in this run (what a reader can open)."""
    return {str(s["id"]): str(s["text"]) for s in sources}


def unsupported_row(part: str, verdict: Support) -> dict[str, Any]:
    """A dropped sentence as the review packet shows it: where, what, why, which sources."""
    return {
        "part": part,
        "sentence": verdict.sentence,
        "reason": verdict.reason,
        "cited": list(verdict.cited),
    }


def finding_supported(finding: Mapping[str, Any], chunks: Mapping[str, str]) -> list[Support]:
    """Verdicts on the finding's sentences that its own citations do not support."""
    cited = [str(c) for c in finding.get("citations", [])]
    return [v for v in check_text(str(finding["point"]), chunks, cited) if not v.supported]


def ground_draft(
    draft: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    chunks: Mapping[str, str],
    fallback: Mapping[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]], Tally]:
    """The draft with every unsupported sentence removed, what was removed, and the tally.

    Each sentence is checked against the chunks the findings cite together, else against
    any one chunk retrieved in this run, which a summary sentence then cites inline so
    the reader can open it (a sentence with its own ``[id]`` is held to that chunk).
    The title and recommendations are checked for their numbers, dates and names only
    (they are short or imperative); the summary fully. An unsupported title
    or an emptied summary falls back to ``fallback``'s, which is built from verified
    findings. Returns the draft, the dropped rows and the :class:`Tally`.
    """
    cited = list(dict.fromkeys(str(c) for f in findings for c in f.get("citations", [])))
    dropped: list[dict[str, Any]] = []
    kept = written = fallbacks = 0

    title = clip_words(str(draft.get("title", "")), MAX_TITLE)
    verdict = find_support(title, chunks, cited, mode="facts")
    written += 1
    if not title or not verdict.supported:
        if title:
            dropped.append(unsupported_row("title", verdict))
        title = str(fallback["title"])
        fallbacks += 1
    else:
        kept += 1

    summary_parts: list[str] = []
    sentences = split_sentences(str(draft.get("summary", "")))
    for sentence in sentences:
        verdict = find_support(sentence, chunks, cited)
        if not verdict.supported:
            dropped.append(unsupported_row("summary", verdict))
            continue
        kept += 1
        extra = [c for c in verdict.cited if c not in cited and f"[{c}]" not in sentence]
        summary_parts.append(sentence + "".join(f" [{c}]" for c in extra))
    written += len(sentences)
    summary = " ".join(summary_parts)
    if not summary:
        summary = str(fallback["summary"])
        fallbacks += 1

    recs: list[str] = []
    for rec in draft.get("recommendations", []):
        written += 1
        verdict = find_support(str(rec), chunks, cited, mode="facts")
        if verdict.supported:
            recs.append(str(rec))
            kept += 1
        else:
            dropped.append(unsupported_row("recommendation", verdict))
    draft_out = {"title": title, "summary": summary, "recommendations": recs}
    return draft_out, dropped, Tally(kept, written, fallbacks)


def fit_title(text: str, cap: int = MAX_TITLE) -> str:
    """A model title within ``cap`` characters that never ends in half a word."""
    return clip_words(truncated_at_cap(text, cap), cap)


def is_echo(note: str, text: str, threshold: float = 80.0) -> bool:
    """Whether a critique merely repeats the draft back (small models often do).

    An echo is not feedback: passing it to the writer wastes a round and showing it to
    a reviewer wastes their attention.
    """
    from rapidfuzz import fuzz

    return bool(fuzz.token_set_ratio(note.lower(), text.lower()) >= threshold)


def render_brief(
    question: str,
    draft: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    sources: Sequence[Mapping[str, Any]],
    reviewer_note: str | None = None,
) -> str:
    """The final Markdown brief in the house structure: summary, findings, actions, sources."""
    lines = [f"# {draft.get('title', '').strip() or question}", "", f"*Question:* {question}", ""]
    lines += ["## Summary", "", str(draft.get("summary", "")).strip(), "", "## Findings", ""]
    for finding in findings:
        refs = " ".join(f"[{c}]" for c in finding.get("citations", []))
        lines.append(f"- {str(finding.get('point', '')).strip()} {refs}".rstrip())
    recs = [str(r).strip() for r in draft.get("recommendations", []) if str(r).strip()]
    if recs:
        lines += ["", "## Recommendations", ""] + [f"- {r}" for r in recs]
    used = set(cited_ids(draft, findings))
    lines += ["", "## Sources", ""]
    for src in sources:
        if src["id"] in used:
            lines.append(f"- [{src['id']}] {src['display']} ({src['collection']})")
    if reviewer_note:
        lines += ["", f"*Review:* {reviewer_note}"]
    return "\n".join(lines) + "\n"
