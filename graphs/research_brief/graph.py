"""research-brief: researcher -> writer -> critic (bounded loop) -> human review -> formatter.

START -> researcher -> writer -> critic --(issues, rounds left, not repeating)--> writer
                                   \\--> review --(reject: revise with comment)--> writer
                                              \\--(approve | edit)--> formatter -> END
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from baton.agents.research.critic import critique
from baton.agents.research.formatter import publish
from baton.agents.research.researcher import research
from baton.agents.research.state import State
from baton.agents.research.writer import write
from baton.graphs.research_brief.review import BriefEdit, review
from baton.graphs.research_brief.state import BriefInput, BriefRequest, expand
from baton.graphs.research_brief.state import load_input as load_input
from baton.loops import keep_revising
from baton.served import ends_run, takes_request
from baton.team import team_graph

DEFAULT_REVIEW = "always"
EDIT_SCHEMA = BriefEdit
REQUEST = BriefRequest
"""The start request (Agent Server input), validated by the first node; ``baton run`` sends it."""


def route_after_critic(state: State) -> Literal["writer", "review"]:
    """Loop back only for rule issues, within the round budget, unless feedback repeats."""
    history = state.get("issue_history", [])
    if keep_revising(history, state.get("rounds", 0), state.get("max_rounds", 2)):
        return "writer"
    return "review"


def route_after_review(state: State) -> Literal["writer", "formatter"]:
    """A rejection is a request to revise; approve and edit go to publishing."""
    return "writer" if state.get("review", {}).get("action") == "reject" else "formatter"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    first = takes_request(
        BriefRequest, expand, scenario="research-brief", default_review=DEFAULT_REVIEW
    )
    builder = team_graph(
        State,
        {
            "researcher": first(research),
            "writer": write,
            "critic": critique,
            "review": review,
            "formatter": ends_run(publish),
        },
        flow="START -> researcher -> writer -> critic; formatter -> END",
        input_schema=BriefInput,
    )
    builder.add_conditional_edges("critic", route_after_critic)
    builder.add_conditional_edges("review", route_after_review)
    return builder.compile(checkpointer=checkpointer, name="research-brief")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
