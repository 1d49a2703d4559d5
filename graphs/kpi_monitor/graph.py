"""kpi-monitor: detect -> writer -> send -> triage (loops while alerts wait) -> digest.

START -> detect (code: detector, drill-down, router, de-dup) -> writer (model: incident
notes, numbers and citations checked in code) -> send (code: outbox exactly once, ledger)
-> triage (human, only for high severity or low confidence; a passed deadline escalates
and pauses again) --(alerts still waiting)--> triage
                 \\--> digest (overnight_digest.md) -> END
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from baton.agents.kpi.writer import write_notes
from baton.context import RunContext
from baton.graphs.kpi_monitor.nodes import detect_anomalies, digest, send
from baton.graphs.kpi_monitor.review import TriageEdit, route_after_triage, triage
from baton.graphs.kpi_monitor.state import State
from baton.graphs.kpi_monitor.state import load_input as _load_input

DEFAULT_REVIEW = "exceptions"
EDIT_SCHEMA = TriageEdit


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(State, context_schema=RunContext)
    builder.add_node("detect", detect_anomalies)
    builder.add_node("writer", write_notes)
    builder.add_node("send", send)
    builder.add_node("triage", triage)
    builder.add_node("digest", digest)
    builder.add_edge(START, "detect")
    builder.add_edge("detect", "writer")
    builder.add_edge("writer", "send")
    builder.add_edge("send", "triage")
    builder.add_conditional_edges("triage", route_after_triage)
    builder.add_edge("digest", END)
    return builder.compile(checkpointer=checkpointer, name="kpi-monitor")


def load_input(path: Path) -> dict[str, Any]:
    return _load_input(path)


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
