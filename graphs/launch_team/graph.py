"""launch-team: a planner builds the team at run time; a dispatcher runs it; a critic and
an adversarial fact-checker send work back; a human sees only the exceptions.

START -> ingest -> planner -> plan_review --(reject)--> planner
                                  |
                                  v
            +-------------> dispatch ==Send, every ready task==> researcher | brand |
            |                  |                                 analyst | calendar | writer
            |                  |  all tasks done                          |
            |                  v                                          +--> dispatch (join)
            +--(posts sent back)-- critic
            +--(refuted claims: invalidate dependants)-- fact_checker
            +--(reject: redo analysis and posts)-- review --(approve | edit)--> publish -> END

The plan is data in the state (``plan``, ``done``): a resumed run continues the same plan,
and a finished task is never run again unless the critic, the fact-checker or the
reviewer invalidated it.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Send

from baton.agents.launch.analyst import analyse
from baton.agents.launch.brand import brand_brief
from baton.agents.launch.calendar import plan_calendar
from baton.agents.launch.common import payload
from baton.agents.launch.critic import critique
from baton.agents.launch.fact_checker import fact_check
from baton.agents.launch.ingest import ingest_corpus
from baton.agents.launch.planner import plan
from baton.agents.launch.researcher import research
from baton.agents.launch.writer import write_post
from baton.graphs.launch_team.review import LaunchEdits, plan_review, publish, review
from baton.graphs.launch_team.state import State
from baton.graphs.launch_team.state import load_input as load_input
from baton.served import ends_run
from baton.team import team_graph
from baton.tools.launch.plan import ANALYSE, BRAND, CALENDAR, POST, RESEARCH, Task, ready

DEFAULT_REVIEW = "exceptions"
EDIT_SCHEMA = LaunchEdits
SPECIALISTS = {
    RESEARCH: "researcher",
    BRAND: "brand",
    ANALYSE: "analyst",
    CALENDAR: "calendar",
    POST: "writer",
}
"""Task type -> the graph node (agent) that performs it."""


def dispatch(state: State) -> dict[str, Any]:
    """The join point: every wave of tasks returns here; routing decides the next wave."""
    return {}


def unfinished(state: State) -> list[str]:
    done = state.get("done") or {}
    return [t["id"] for t in state.get("plan", []) if t["id"] not in done]


def route_dispatch(state: State) -> list[Send] | Literal["critic"]:
    """Send every ready task to its specialist, in parallel; all done: to the critic."""
    tasks = [Task.model_validate(t) for t in state.get("plan", [])]
    wave = ready(tasks, (state.get("done") or {}).keys())
    return [Send(SPECIALISTS[t.type], payload(state, t)) for t in wave] or "critic"


def route_after_plan_review(state: State) -> Literal["planner", "dispatch"]:
    return "planner" if (state.get("plan_review") or {}).get("action") == "reject" else "dispatch"


def route_after_critic(state: State) -> Literal["dispatch", "fact_checker"]:
    return "dispatch" if unfinished(state) else "fact_checker"


def route_after_check(state: State) -> Literal["dispatch", "review"]:
    return "dispatch" if unfinished(state) else "review"


def route_after_review(state: State) -> Literal["dispatch", "publish"]:
    return "dispatch" if unfinished(state) else "publish"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = team_graph(
        State,
        {
            "ingest": ingest_corpus,
            "planner": plan,
            "plan_review": plan_review,
            "dispatch": dispatch,
            "researcher": research,
            "brand": brand_brief,
            "analyst": analyse,
            "calendar": plan_calendar,
            "writer": write_post,
            "critic": critique,
            "fact_checker": fact_check,
            "review": review,
            "publish": ends_run(publish),
        },
        flow="START -> ingest -> planner -> plan_review; publish -> END",
    )
    builder.add_conditional_edges("plan_review", route_after_plan_review)
    builder.add_conditional_edges("dispatch", route_dispatch, [*SPECIALISTS.values(), "critic"])
    for node in SPECIALISTS.values():
        builder.add_edge(node, "dispatch")
    builder.add_conditional_edges("critic", route_after_critic)
    builder.add_conditional_edges("fact_checker", route_after_check)
    builder.add_conditional_edges("review", route_after_review)
    return builder.compile(checkpointer=checkpointer, name="launch-team")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
