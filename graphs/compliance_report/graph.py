"""compliance-report: evidence, mapper, drafter/critic loop, approval, distributor.

START -> evidence -> mapper -> drafter -> critic --(issues, rounds left, no repeat)--> drafter
                                            \\--> assembler -> approval --(reject)--> drafter
                                                                 \\--(edit)--> critic
                                                                 \\--(approve)--> distributor
distributor -> END. The approval is refused, and asked again, when the approver is the
preparer or an editor of the text (two-person rule).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from baton.agents.compliance.assembler import assemble
from baton.agents.compliance.critic import critique
from baton.agents.compliance.distributor import send
from baton.agents.compliance.drafter import draft
from baton.agents.compliance.evidence import compute_evidence, map_clauses
from baton.agents.compliance.state import State
from baton.graphs.compliance_report.review import ReportEdit, approve
from baton.graphs.compliance_report.state import load_input as load_input
from baton.loops import keep_revising
from baton.team import team_graph

DEFAULT_REVIEW = "always"
EDIT_SCHEMA = ReportEdit


def route_after_critic(state: State) -> Literal["drafter", "assembler"]:
    """Redraft within the round budget unless feedback repeats; a human's edit is not redrafted."""
    if (state.get("review") or {}).get("action") == "edit":
        return "assembler"
    if keep_revising(
        state.get("issue_history", []), state.get("rounds", 0), state.get("max_rounds", 2)
    ):
        return "drafter"
    return "assembler"


def route_after_approval(state: State) -> Literal["drafter", "critic", "distributor"]:
    action = (state.get("review") or {}).get("action")
    if action == "reject":
        return "drafter"
    return "critic" if action == "edit" else "distributor"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = team_graph(
        State,
        {
            "evidence": compute_evidence,
            "mapper": map_clauses,
            "drafter": draft,
            "critic": critique,
            "assembler": assemble,
            "approval": approve,
            "distributor": send,
        },
        flow="START -> evidence -> mapper -> drafter -> critic; assembler -> approval; "
        "distributor -> END",
    )
    builder.add_conditional_edges("critic", route_after_critic)
    builder.add_conditional_edges("approval", route_after_approval)
    return builder.compile(checkpointer=checkpointer, name="compliance-report")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
