"""Critic: pure code. Sections present, numbers computed, clause cited, no personal data.

It re-runs after every redraft, within the round budget, and stops early when the same
feedback comes back (another round would not change anything); see ``baton/loops.py``.
"""

from __future__ import annotations

from typing import Any

from baton.agents.compliance.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.compliance.critic import check_sections
from baton.tools.compliance.models import Clause, Figure
from baton.tools.compliance.render import section_text


def section_issues(state: State) -> list[str]:
    clauses = [Clause.model_validate(c) for c in state.get("clauses", [])]
    figures = {k: Figure.model_validate(v) for k, v in state["figures"].items()}
    chunks = state.get("clause_chunks", {})
    rendered = {
        cid: section_text(text, chunks.get(cid)) for cid, text in state.get("sections", {}).items()
    }
    people = state["data"].get("people", [])
    return check_sections(rendered, clauses, figures, chunks, people)


@agent_node("critic")
def critique(state: State, ctx: RunContext) -> dict[str, Any]:
    issues = section_issues(state)
    trace = current_trace()
    if trace:
        trace.decision = f"{len(issues)} issues" if issues else "every check passes"
    return {
        "issues": issues,
        "issue_history": [*state.get("issue_history", []), issues],
        "rounds": state.get("rounds", 0) + 1,
    }
