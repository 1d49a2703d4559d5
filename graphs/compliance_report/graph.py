"""compliance-report: evidence, mapper, drafter/critic loop, approval, distributor.

START -> evidence -> mapper -> drafter -> critic --(issues, rounds left, no repeat)--> drafter
                                            \\--> assembler -> approval --(reject)--> drafter
                                                                 \\--(edit)--> critic
                                                                 \\--(approve)--> distributor
distributor -> END. The approval is refused, and asked again, when the approver is the
preparer or an editor of the text (two-person rule).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from baton.agents.compliance.assembler import assemble
from baton.agents.compliance.critic import critique
from baton.agents.compliance.distributor import send
from baton.agents.compliance.drafter import draft
from baton.agents.compliance.evidence import compute_evidence, map_clauses
from baton.agents.compliance.state import State
from baton.context import RunContext
from baton.graphs.compliance_report.review import ReportEdit, approve
from baton.graphs.compliance_report.state import load_input as _load_input
from baton.loops import keep_revising

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
    builder = StateGraph(State, context_schema=RunContext)
    builder.add_node("evidence", compute_evidence)
    builder.add_node("mapper", map_clauses)
    builder.add_node("drafter", draft)
    builder.add_node("critic", critique)
    builder.add_node("assembler", assemble)
    builder.add_node("approval", approve)
    builder.add_node("distributor", send)
    builder.add_edge(START, "evidence")
    builder.add_edge("evidence", "mapper")
    builder.add_edge("mapper", "drafter")
    builder.add_edge("drafter", "critic")
    builder.add_conditional_edges("critic", route_after_critic)
    builder.add_edge("assembler", "approval")
    builder.add_conditional_edges("approval", route_after_approval)
    builder.add_edge("distributor", END)
    return builder.compile(checkpointer=checkpointer, name="compliance-report")


def load_input(path: Path) -> dict[str, Any]:
    return _load_input(path)


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
