"""Deterministic checks and rendering for research briefs.

Why in code: whether a citation exists, whether it was actually retrieved in this
run, and whether the brief follows the house rules are facts, not opinions, so no
model gets a vote on them. The critic agent only adds advisory tone feedback on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from baton.team import ungrounded

CITATION = re.compile(r"\[([0-9a-f]{16})\]")
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
    lowered = " ".join(_prose(draft)).lower()
    for word in BANNED_WORDS:
        if word in lowered:
            problems.append(f"banned word '{word}' (brand voice guide)")
    return problems


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
