"""Critic: checks the posts against the brand rules in code and sends failing ones back.

Bounded by the shared loop rule (:func:`baton.loops.keep_revising`): at most
``max_critic_rounds`` rounds, and it stops as soon as the same feedback comes back
twice. What is still wrong after that becomes a review exception, not another round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baton.agents.launch.common import cited
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.loops import keep_revising
from baton.tools.marketing._text import contains_phrase


def post_issues(post: Mapping[str, Any], brand: Mapping[str, Any]) -> list[str]:
    """What is wrong with one post, in words the writer can act on."""
    issues: list[str] = []
    text = f"{post.get('title', '')} {post.get('text', '')}"
    for word in brand.get("banned_words", []):
        if contains_phrase(text, word):
            issues.append(f"uses the banned word '{word}'")
    for avoid, prefer in (brand.get("preferred_words") or {}).items():
        if contains_phrase(text, avoid):
            issues.append(f"says '{avoid}': write '{prefer}'")
    limit = int(brand.get("title_max_chars", 60))
    if len(str(post.get("title", ""))) > limit:
        issues.append(f"title is longer than {limit} characters")
    if not cited(str(post.get("text", ""))):
        issues.append("cites no source for its facts")
    return issues


@agent_node("critic")
def critique(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Review every post; send the failing ones back while the loop rule allows."""
    done = state.get("done") or {}
    found = {
        tid: post_issues(r, state["brand"])
        for tid, r in sorted(done.items())
        if r["type"] == "write_post"
    }
    found = {tid: issues for tid, issues in found.items() if issues}
    flat = sorted(f"{tid}: {i}" for tid, issues in found.items() for i in issues)
    history = [*state.get("critic_history", []), flat]
    rounds = int(state.get("critic_rounds", 0))
    trace = current_trace()
    if keep_revising(history, rounds, int(state.get("max_critic_rounds", 2))):
        feedback = {**state.get("feedback", {}), **found}
        if trace is not None:
            trace.decision = f"round {rounds + 1}: {len(found)} posts sent back"
        return {
            "critic_history": history,
            "critic_rounds": rounds + 1,
            "feedback": feedback,
            "done": {tid: None for tid in found},
            "critic_issues": {},
        }
    if trace is not None:
        trace.decision = f"settled: {len(found)} posts with open issues"
    return {"critic_history": history, "critic_issues": found}
