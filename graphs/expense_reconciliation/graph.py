"""expense-reconciliation: receipts, matching, anomalies, policy, report, review, publish.

    START -> extraction -> matching -> anomaly -> compliance -> reporting -> report_critic
                                                                   ^             |
                                  (figures do not add up, rounds left, not repeating)
                                                                                 v
                         reporting <--(reject: redraft with comment)-- review <--+
                                          (edit refused: ask again) -> review
                                          (approve | valid edit) -> publish -> END

Everything but the commentary, the receipt readings the parser was unsure of and the
breach explanations is computed in code (tools/finance). The review pauses only when
there are exceptions (DEFAULT_REVIEW = "exceptions"); outputs are written after it.

Policy documents: if the input folder has a ``policy/`` sub-folder, the compliance step
ingests it into the ``finance-policy`` collection (idempotent); otherwise the collection
is expected to be ingested already (``baton ingest examples/finance/policy --collection
finance-policy``). Without it, breaches are still found but cite no clause.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from baton.agents.finance.anomaly import detect
from baton.agents.finance.compliance import comply
from baton.agents.finance.extraction import extract
from baton.agents.finance.matching import match
from baton.agents.finance.reporting import critique, publish, report
from baton.agents.finance.state import State
from baton.graphs.expense_reconciliation.review import DEFAULT_REVIEW, DecisionsEdit, review
from baton.graphs.expense_reconciliation.state import (
    MAX_REPORT_ROUNDS,
    ExpenseInput,
    ExpenseRequest,
    expand,
)
from baton.graphs.expense_reconciliation.state import load_input as load_input
from baton.loops import keep_revising
from baton.served import ends_run, takes_request
from baton.team import team_graph

__all__ = ["DEFAULT_REVIEW", "EDIT_SCHEMA", "REQUEST", "build_graph", "graph", "load_input"]

EDIT_SCHEMA = DecisionsEdit
REQUEST = ExpenseRequest
"""The start request (Agent Server input), validated by the first node; ``baton run`` sends it."""


def route_after_report_critic(state: State) -> Literal["reporting", "review"]:
    """Back to the reporter while the figures do not add up, within the round budget,
    unless the same problems came back twice (another pass would not change them)."""
    history = state.get("report_issue_history", [])
    rounds = state.get("report_rounds", 0)
    limit = state.get("max_report_rounds", MAX_REPORT_ROUNDS)
    return "reporting" if keep_revising(history, rounds, limit) else "review"


def route_after_review(state: State) -> Literal["reporting", "review", "publish"]:
    """A refused edit asks again; a rejection redrafts the report; the rest publishes."""
    if state.get("edit_errors"):
        return "review"
    if state.get("review", {}).get("action") == "reject":
        return "reporting"
    return "publish"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    first = takes_request(
        ExpenseRequest, expand, scenario="expense-reconciliation", default_review=DEFAULT_REVIEW
    )
    builder = team_graph(
        State,
        {
            "extraction": first(extract),
            "matching": match,
            "anomaly": detect,
            "compliance": comply,
            "reporting": report,
            "report_critic": critique,
            "review": review,
            "publish": ends_run(publish),
        },
        flow="START -> extraction -> matching -> anomaly -> compliance -> reporting"
        " -> report_critic; publish -> END",
        input_schema=ExpenseInput,
    )
    builder.add_conditional_edges("report_critic", route_after_report_critic)
    builder.add_conditional_edges("review", route_after_review)
    return builder.compile(checkpointer=checkpointer, name="expense-reconciliation")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
