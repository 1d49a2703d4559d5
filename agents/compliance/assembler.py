"""Assembler: pure code. Replaces any section still failing the critic with code's own
sentence (so the approver never reads unverified text), renders the report and hashes it.
"""

from __future__ import annotations

from typing import Any

from baton.agents.compliance.critic import section_issues
from baton.agents.compliance.drafter import fallback
from baton.agents.compliance.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.compliance.approval import content_hash
from baton.tools.compliance.render import render_report


@agent_node("assembler")
def assemble(state: State, ctx: RunContext) -> dict[str, Any]:
    sections = dict(state.get("sections", {}))
    drafted_by = dict(state.get("drafted_by", {}))
    breached = {b["clause"] for b in state.get("breaches", [])}
    replaced: list[str] = []
    for issue in section_issues({**state, "sections": sections}):
        cid = issue.split(":", 1)[0]
        clause = next((c for c in state.get("clauses", []) if c["id"] == cid), None)
        if clause is None or drafted_by.get(cid) == "code":
            continue  # code's own text failing means the issue is a gap, not the prose
        sections[cid] = fallback(clause, state["figures"], cid in breached)
        drafted_by[cid] = "code"
        replaced.append(f"{issue} (section replaced by code's text)")
    report = render_report(
        state["obligations"],
        state.get("clauses", []),
        state["figures"],
        sections,
        state.get("clause_chunks", {}),
        state.get("breaches", []),
        state.get("gaps", []),
    )
    digest = content_hash(report)
    trace = current_trace()
    if trace:
        trace.cite([c for c in state.get("clause_chunks", {}).values() if c])
        trace.decision = f"report {digest[:12]} ({len(replaced)} sections replaced)"
    return {
        "sections": sections,
        "drafted_by": drafted_by,
        "replaced": replaced,
        "report": report,
        "report_hash": digest,
    }
