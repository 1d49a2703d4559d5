"""kpi-monitor: detect -> writer -> send -> triage (loops while alerts wait) -> digest.

START -> detect (code: detector, drill-down, router, de-dup) -> writer (model: incident
notes, numbers and citations checked in code) -> send (code: outbox exactly once, ledger)
-> triage (human, only for high severity or low confidence; a passed deadline escalates
and pauses again) --(alerts still waiting)--> triage
                 \\--> digest (overnight_digest.md) -> END
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from baton.agents.kpi.writer import write_notes
from baton.graphs.kpi_monitor.nodes import detect_anomalies, digest, send
from baton.graphs.kpi_monitor.review import TriageEdit, route_after_triage, triage
from baton.graphs.kpi_monitor.state import State
from baton.graphs.kpi_monitor.state import load_input as load_input
from baton.team import team_graph

DEFAULT_REVIEW = "exceptions"
EDIT_SCHEMA = TriageEdit


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = team_graph(
        State,
        {
            "detect": detect_anomalies,
            "writer": write_notes,
            "send": send,
            "triage": triage,
            "digest": digest,
        },
        flow="START -> detect -> writer -> send -> triage; digest -> END",
    )
    builder.add_conditional_edges("triage", route_after_triage)
    return builder.compile(checkpointer=checkpointer, name="kpi-monitor")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
