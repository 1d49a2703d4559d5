"""Critic: checks the draft in code, then asks the model for advisory feedback.

Code decides whether citations exist and were retrieved in this run and whether house
rules hold; those issues send the draft back. The model's critique is advisory and is
passed to the writer, but the loop is bounded by ``max_rounds`` and stops early when
the same feedback repeats (see ``route_after_critic``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.research.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.research.briefs import check_brief, cited_ids, is_echo

PROMPT = (
    "You review internal briefs for tone: warm, plain-spoken, evidence-led, no hype."
    " List at most 2 concrete problems, or an empty list if the brief is fine."
)


class Critique(BaseModel):
    problems: list[str] = Field(max_length=2)


@agent_node("critic")
def critique(state: State, ctx: RunContext) -> dict[str, Any]:
    """Verify the draft and collect the issues for the next round."""
    draft, findings = state.get("draft", {}), state.get("findings", [])
    retrieved = [s["id"] for s in state.get("sources", [])]
    cited = cited_ids(draft, findings)
    existing = ctx.store.get_chunks(cited, state["collections"]).keys() if cited else []
    issues = check_brief(draft, findings, retrieved, existing)
    text = f"Title: {draft.get('title')}\nSummary: {draft.get('summary')}"
    advice = ask_structured(ctx, "critic", Critique, PROMPT, text)
    advisory = [
        p.strip()[:200]
        for p in (advice.problems if advice else [])[:2]
        if p.strip() and not is_echo(p, text)
    ]
    trace = current_trace()
    if trace:
        trace.cite(cited)
        trace.decision = (
            f"{len(issues)} rule issues, {len(advisory)} tone notes"
            if issues or advisory
            else "brief passes every check"
        )
    history = [*state.get("issue_history", []), issues]
    return {"issues": issues + [f"(tone) {a}" for a in advisory], "issue_history": history}
