"""content-calendar: research -> strategy -> parallel drafting with a bounded critic loop
-> scheduler -> human review -> publish.

    START -> ingest -> research -> strategy ==Send, one per post==> draft ----> critic
                                     ^                               ^             |
                                     |                               |   Send, each failing post
                                     |                               +== (rounds left, no repeat)
                                     |                                             |
                                     |                                all settled  v
                                     +--- reject: re-plan with comment --- review <- schedule
                                                                           |   ^
                                                 invalid edit: pause again +---+
                                                                           |
                                                  approve | valid edit --> publish -> END
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Send

from baton.agents.marketing.coordinator import publish, schedule
from baton.agents.marketing.drafter import draft, draft_task
from baton.agents.marketing.research import ingest_inputs, research
from baton.agents.marketing.reviewer import critique, feedback
from baton.agents.marketing.state import State
from baton.agents.marketing.strategy import strategy
from baton.graphs.content_calendar.review import review
from baton.graphs.content_calendar.state import CalendarInput, CalendarRequest, expand
from baton.graphs.content_calendar.state import load_input as load_input
from baton.served import ends_run, takes_request
from baton.team import team_graph
from baton.tools.marketing.edits import CalendarEdits

DEFAULT_REVIEW = "always"
EDIT_SCHEMA = CalendarEdits
REQUEST = CalendarRequest
"""The start request (Agent Server input), validated by the first node; ``baton run`` sends it."""


def route_after_strategy(state: State) -> list[Send] | Literal["schedule"]:
    """Fan out: one drafting branch per planned post, run in parallel."""
    sends = [Send("draft", draft_task(state, post, 1, [])) for post in state.get("posts", [])]
    return sends or "schedule"


def route_after_critic(state: State) -> list[Send] | Literal["schedule"]:
    """Redraft only the posts the critic sent back (it applies the bound and repeat check)."""
    reviews = state.get("reviews", {})
    sends = [
        Send(
            "draft",
            draft_task(
                state, post, reviews[post["id"]]["attempt"] + 1, feedback(reviews[post["id"]])
            ),
        )
        for post in state.get("posts", [])
        if reviews.get(post["id"], {}).get("status") == "revising"
    ]
    return sends or "schedule"


def route_after_review(state: State) -> Literal["strategy", "review", "publish"]:
    """Reject re-plans with the comment; an edit that broke a rule is shown again."""
    if state.get("review", {}).get("action") == "reject":
        return "strategy"
    return "review" if state.get("edit_errors") else "publish"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    first = takes_request(
        CalendarRequest, expand, scenario="content-calendar", default_review=DEFAULT_REVIEW
    )
    builder = team_graph(
        State,
        {
            "ingest": first(ingest_inputs),
            "research": research,
            "strategy": strategy,
            "draft": draft,
            "critic": critique,
            "schedule": schedule,
            "review": review,
            "publish": ends_run(publish),
        },
        flow="START -> ingest -> research -> strategy; draft -> critic; schedule -> review; "
        "publish -> END",
        input_schema=CalendarInput,
    )
    builder.add_conditional_edges("strategy", route_after_strategy, ["draft", "schedule"])
    builder.add_conditional_edges("critic", route_after_critic, ["draft", "schedule"])
    builder.add_conditional_edges("review", route_after_review)
    return builder.compile(checkpointer=checkpointer, name="content-calendar")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
