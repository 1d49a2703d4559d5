"""Writer: drafts the brief (title, summary, recommendations) from verified findings.

Findings and their citations are carried over from the researcher untouched; the
model writes only prose, so it cannot invent a source. Critic issues and a reviewer's
comment are fed back on the next round.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured

PROMPT = (
    "You write short internal briefs in plain UK English. Write a title (under 80"
    " characters), a two-sentence summary and up to 3 recommendations, using only the"
    " findings given. Fix every issue listed."
)


class BriefDraft(BaseModel):
    title: str = Field(description="under 80 characters", max_length=80)
    summary: str = Field(description="two sentences", max_length=600)
    recommendations: list[str] = Field(max_length=3)


def fallback_draft(question: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A plain draft assembled from the findings when the model gives nothing usable."""
    title = question.rstrip("?")[:77] + ("..." if len(question) > 77 else "")
    summary = " ".join(f["point"] for f in findings[:2]) or "No supporting documents were found."
    return {"title": title, "summary": summary, "recommendations": []}


@agent_node("writer")
def write(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Draft (or redraft) the brief."""
    findings = state.get("findings", [])
    bullet = "\n".join(f"- {f['point']}" for f in findings)
    feedback = list(state.get("issues", []))
    comment = (state.get("review") or {}).get("comment")
    if comment:
        feedback.append(f"Reviewer: {comment}")
    prompt = f"Question: {state['question']}\n\nFindings:\n{bullet}"
    if feedback:
        prompt += "\n\nIssues to fix:\n" + "\n".join(f"- {i}" for i in feedback[:5])
    draft = ask_structured(ctx, "writer", BriefDraft, PROMPT, prompt)
    result = fallback_draft(state["question"], findings)
    if draft and draft.title.strip() and draft.summary.strip():
        result = {
            "title": draft.title.strip()[:120],
            "summary": draft.summary.strip()[:1200],
            "recommendations": [r.strip()[:300] for r in draft.recommendations[:3] if r.strip()],
        }
    rounds = state.get("rounds", 0) + 1
    trace = current_trace()
    if trace:
        trace.decision = f"draft round {rounds}: '{result['title'][:60]}'" + (
            "" if draft else " (fallback draft)"
        )
    return {"draft": result, "rounds": rounds}
