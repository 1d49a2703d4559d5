"""Analyst: the gap analysis, from the research notes and the brand brief only.

The competitor facts are carried into the analysis as the researchers wrote them (so a
refuted one is traced to every task that built on it); the model adds the gaps, each
citing a chunk its inputs cited. Without a usable answer, code lists the product's own
facts as the differences to lead with.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.launch.common import (
    cite_line,
    cited,
    fact_lines,
    feedback_block,
    result,
    upstream_text,
)
from baton.agents.launch.researcher import Fact
from baton.audit import agent_node
from baton.context import RunContext
from baton.llm import ask_structured, cited_schema
from baton.team import ungrounded

PROMPT = (
    "You are a market analyst. From the competitor facts and our product facts given,"
    " write two to four gaps: where our product differs. Each gap is one sentence that"
    " cites, in its citations, the ids of the facts it uses. Use only the facts given."
)


class GapAnalysis(BaseModel):
    findings: list[Fact] = Field(min_length=1, max_length=4)


@agent_node("analyst")
def analyse(p: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Write the competitor table and the gaps."""
    research = upstream_text(p, "research_competitor")
    brand = upstream_text(p, "brand_brief")
    sections = []
    for tid, text in research:
        name = p["inputs"][tid].get("competitor", tid)
        sections.append(f"### {name}\n\n{text}")
    ours = "\n".join(text for _, text in brand)
    allowed = cited("\n".join(t for _, t in [*research, *brand]))
    gaps, by = "", "code (fallback)"
    if allowed:
        user = (
            f"Our product: {p['request']['product']}\n\nCompetitor facts:\n"
            + "\n".join(t for _, t in research)
            + f"\n\nOur facts:\n{ours}"
            + feedback_block(p)
        )
        got = ask_structured(ctx, "analyst", cited_schema(GapAnalysis, allowed), PROMPT, user)
        if got is not None:
            gaps = "\n".join(
                cite_line(f.text, f.citations)
                for f in got.findings
                if not ungrounded(f.citations, allowed, allowed)
            )
            by = "model"
    if not fact_lines(gaps):
        gaps, by = ours, "code (fallback)"
    text = (
        "## Competitors\n\n"
        + "\n\n".join(sections)
        + f"\n\n## {p['request']['product']}\n\n{ours}\n\n## Gaps\n\n{gaps}"
    )
    return result(p, text, by)
