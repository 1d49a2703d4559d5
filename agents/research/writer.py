"""Writer: drafts the brief (title, summary, recommendations) from verified findings.

Findings and their citations are carried over from the researcher untouched; the
model writes only prose, so it cannot invent a source. Critic issues and a reviewer's
comment are fed back on the next round.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.research.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.grounding import Tally, clip_words
from baton.tools.research.briefs import MAX_TITLE, chunk_texts, fit_title, ground_draft

PROMPT = (
    "You write short internal briefs in plain UK English. Write a title (under 80"
    " characters), a two-sentence summary and up to 3 recommendations, using only the"
    " findings given. Fix every issue listed."
)


class BriefDraft(BaseModel):
    title: str = Field(description="under 80 characters", max_length=MAX_TITLE)
    summary: str = Field(description="two sentences", max_length=600)
    recommendations: list[str] = Field(max_length=3)


def fallback_draft(question: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A plain draft assembled from the findings when the model gives nothing usable.

    The title is the question itself (a question asserts nothing), cut at a word.
    """
    title = clip_words(question, MAX_TITLE)
    summary = " ".join(f["point"] for f in findings[:2]) or "No supporting documents were found."
    return {"title": title, "summary": summary, "recommendations": []}


@agent_node("writer")
def write(state: State, ctx: RunContext) -> dict[str, Any]:
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
    fallback = fallback_draft(state["question"], findings)
    result, tally = fallback, Tally(fallback=2)
    dropped: list[dict[str, Any]] = []
    if draft and draft.title.strip() and draft.summary.strip():
        proposed = {
            "title": fit_title(draft.title),
            "summary": " ".join(draft.summary.split())[:1200],
            "recommendations": [
                " ".join(r.split())[:300] for r in draft.recommendations[:3] if r.strip()
            ],
        }
        texts = chunk_texts(state.get("sources", []))
        result, dropped, tally = ground_draft(proposed, findings, texts, fallback)
    rounds = state.get("rounds", 0) + 1
    trace = current_trace()
    if trace:
        trace.flag(tally.flag())
        trace.decision = (
            f"draft round {rounds}: '{result['title'][:60]}'"
            + ("" if draft else " (fallback draft)")
            + (f"; dropped {len(dropped)} unsupported sentences" if dropped else "")
        )
    earlier = [u for u in state.get("unsupported", []) if u["part"] == "finding"]
    return {"draft": result, "rounds": rounds, "unsupported": earlier + dropped}
