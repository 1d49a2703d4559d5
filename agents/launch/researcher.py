"""Researcher: facts about one competitor, from its pages in the context store, cited.

Code checks that every citation names a chunk of *this* competitor's pages; whether the
fact is true is the fact-checker's job, later, so that a wrong fact here is caught
where it lands rather than trusted by everyone downstream (the hallucination loop).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.launch.common import cite_line, fact_lines, feedback_block, result, use_model
from baton.audit import agent_node
from baton.context import RunContext
from baton.llm import ask_structured, cited_schema, quote
from baton.retrieval.injection import scan
from baton.team import ungrounded

PROMPT = (
    "You research one competitor for a product launch. From the quoted pages only, list up"
    " to five facts: prices, pack sizes, materials, dates. Each fact is one sentence that"
    " names the competitor, copies numbers exactly, and cites the page id it comes from."
)
MAX_FACTS = 5


class Fact(BaseModel):
    text: str = Field(min_length=10, max_length=240, description="one sentence")
    citations: list[str] = Field(min_length=1, max_length=2)


class ResearchNotes(BaseModel):
    facts: list[Fact] = Field(min_length=1, max_length=6)


def fallback(sources: dict[str, str]) -> str:
    """The pages' own fact lines, each cited: true by construction."""
    lines = [
        cite_line(line, [cid]) for cid, text in sources.items() for line in fact_lines_of(text)
    ]
    return "\n".join(lines[:MAX_FACTS])


def fact_lines_of(page: str) -> list[str]:
    """A page's bullet lines: its facts. A line that reads like an instruction to the
    model (flagged by the injection scan, as the ingest node flags its chunk) is not one."""
    lines = [ln.strip()[2:].strip() for ln in page.splitlines() if ln.strip().startswith("- ")]
    return [ln for ln in lines if not scan(ln, "")]


def render(notes: ResearchNotes, allowed: list[str]) -> str:
    """The model's facts whose citations all check out, as cited bullet lines."""
    kept = [
        cite_line(f.text, f.citations)
        for f in notes.facts
        if not ungrounded(f.citations, allowed, allowed)
    ]
    return "\n".join(kept[:MAX_FACTS])


@agent_node("researcher")
def research(p: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Research competitor ``index`` (ranked by the market share its pages state)."""
    sources: dict[str, str] = p["sources"]
    name = (p.get("competitor") or {}).get("name", "the competitor")
    text, by = "", "code (fallback)"
    if sources and use_model(ctx, p["task"]):
        user = (
            f"Competitor: {name}\nProduct being launched: {p['request']['product']}\n\n"
            + "\n\n".join(quote(cid, t) for cid, t in sources.items())
            + feedback_block(p)
        )
        notes = ask_structured(
            ctx,
            "researcher",
            cited_schema(ResearchNotes, list(sources), items="facts"),
            PROMPT,
            user,
        )
        if notes is not None:
            text, by = render(notes, list(sources)), "model"
    if not fact_lines(text):
        text, by = fallback(sources), "code (fallback)"
    return result(p, text, by, competitor=name)
