"""Formatter: renders the approved brief to the company's Markdown house style.

Pure code, no model: formatting to guidelines is deterministic, and the file is written
atomically so a crash can never leave a half-written brief behind.
"""

from __future__ import annotations

from typing import Any

from baton.agents.research.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.outputs import atomic_write
from baton.tools.research.briefs import cited_ids, render_brief


@agent_node("formatter")
def publish(state: State, ctx: RunContext) -> dict[str, Any]:
    """Apply the reviewer's edits (already validated) and write ``brief.md``."""
    review = state.get("review") or {}
    draft = {**state.get("draft", {}), **(review.get("edits") or {})}
    findings = state.get("findings", [])
    note = f"{review.get('action', 'approve')} by {review.get('reviewer', 'unknown')}"
    if review.get("comment"):
        note += f": {review['comment']}"
    text = render_brief(state["question"], draft, findings, state.get("sources", []), note)
    path = atomic_write(ctx.output_dir / "brief.md", text)
    trace = current_trace()
    if trace:
        trace.cite(cited_ids(draft, findings))
        trace.decision = f"wrote {path.name} ({len(text)} bytes)"
    return {"draft": draft, "outputs": [str(path)]}
