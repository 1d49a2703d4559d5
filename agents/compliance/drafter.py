"""Drafter: writes each section's commentary from the computed figures and its clause.

The model sees the figures as code printed them and the clause's reviewed text, nothing
else: no incident summaries or request notes (which hold personal data), no other
document. It writes prose only; the figures table and the breach line of each section
are rendered by code. A section the model fails to draft, or whose draft the critic
rejects in the last round, gets the deterministic sentence below, which states only
computed figures and so always passes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.compliance.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured, drafting_calls, quote

PROMPT = (
    "You write one section of a regulatory compliance report. Write two or three plain"
    " sentences that state what the figures show against the clause. Use only the numbers"
    " given, exactly as written. Never name or describe any person."
)


class SectionDraft(BaseModel):
    text: str = Field(description="two or three sentences", min_length=10, max_length=900)


def figure_lines(clause: dict[str, Any], figures: dict[str, dict[str, Any]]) -> list[str]:
    from baton.tools.compliance.models import Figure

    return [
        f"{figures[f]['label']}: {Figure.model_validate(figures[f]).text()}"
        for f in clause["figures"]
    ]


def fallback(clause: dict[str, Any], figures: dict[str, dict[str, Any]], breached: bool) -> str:
    """A section written by code from the figures alone (the always-valid baseline)."""
    facts = "; ".join(figure_lines(clause, figures))
    verdict = (
        "The clause was not met this period." if breached else "The clause was met this period."
    )
    return f"{clause['title']}. {facts}. {verdict}"


@agent_node("drafter")
def draft(state: State, ctx: RunContext) -> dict[str, Any]:
    """Draft the sections that need it: all in round 1, then only those the critic failed."""
    figures = state["figures"]
    breached = {b["clause"] for b in state.get("breaches", [])}
    sections = dict(state.get("sections", {}))
    drafted_by = dict(state.get("drafted_by", {}))
    history = state.get("issue_history", [])
    failing = {i.split(":", 1)[0] for i in (history[-1] if history else [])}
    comment = (
        (state.get("review") or {}).get("comment")
        if state.get("review", {}).get("action") == "reject"
        else None
    )
    budget = drafting_calls(ctx, embedded=1)  # sections per round
    last_round = state.get("rounds", 0) + 1 >= state.get("max_rounds", 2)
    asked = 0
    for clause in state.get("clauses", []):
        cid = clause["id"]
        if cid in sections and cid not in failing and not comment:
            continue
        text = None
        if asked < budget and not (last_round and cid in failing):
            asked += 1
            chunk = state.get("clause_chunks", {}).get(cid)
            source = quote(chunk, state.get("chunk_text", {}).get(chunk or "", "")) if chunk else ""
            feedback = [i for i in (history[-1] if history else []) if i.startswith(cid)]
            user = (
                f"Clause {cid}: {clause['title']}\nSection: {clause['section']}\n"
                + "\n".join(figure_lines(clause, figures))
                + f"\nOutcome: {'not met' if cid in breached else 'met'}\n{source}"
                + (f"\nFix: {'; '.join(feedback)}" if feedback else "")
                + (f"\nReviewer's comment: {comment}" if comment else "")
            )
            reply = ask_structured(ctx, "drafter", SectionDraft, PROMPT, user)
            text = reply.text.strip() if reply else None
        sections[cid] = text or fallback(clause, figures, cid in breached)
        drafted_by[cid] = "model" if text else "code"
    trace = current_trace()
    if trace:
        by_model = sum(v == "model" for v in drafted_by.values())
        trace.decision = f"{by_model} sections by the model, {len(drafted_by) - by_model} by code"
    return {"sections": sections, "drafted_by": drafted_by}
