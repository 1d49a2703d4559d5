"""onboarding: intake fans out to the agents, the critic joins them, HR approves, files follow.

    START -> intake -+-> buddy --------> scheduling -+
                     +-> provisioning ---------------+
                     +-> content --------------------+-> critic (runs once every branch is done)
                     +-> checkin --------------------+     |
                                                           +--(problems, rounds left, not
                                                           |   repeating)--> each failing agent
                                                           |   (buddy re-runs scheduling too)
                                                           |   --> critic
                                                           +--> review
    review --(reject + comment)--> buddy, provisioning, content, checkin --> ... --> review
    review --(edit that breaks a rule)--> review (asks again, with the reason)
    review --(approve | accepted edit)--> publish -> END

Buddy precedes scheduling because several sessions include the buddy; the other agents are
independent and run in parallel. The critic is a deferred node, so it waits for every
branch that is still running (the scheduling after buddy included) and runs once.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from baton.agents.onboarding.buddy import pick_buddy
from baton.agents.onboarding.checkin import plan_pulse
from baton.agents.onboarding.content import plan_reading
from baton.agents.onboarding.critic import check
from baton.agents.onboarding.provisioning import request_it
from baton.agents.onboarding.scheduling import book_week_one
from baton.agents.onboarding.state import State
from baton.graphs.onboarding.review import DEFAULT_REVIEW, publish, review
from baton.graphs.onboarding.state import OnboardingInput, OnboardingRequest, expand, intake
from baton.graphs.onboarding.state import load_input as load_input
from baton.loops import keep_revising
from baton.served import ends_run, takes_request
from baton.team import team_graph
from baton.tools.onboarding.edits import PlanEdits

__all__ = ["DEFAULT_REVIEW", "EDIT_SCHEMA", "REQUEST", "build_graph", "graph", "load_input"]

EDIT_SCHEMA = PlanEdits
REQUEST = OnboardingRequest
"""The start request (Agent Server input), validated by the first node; ``baton run`` sends it."""
FAN_OUT = ("buddy", "provisioning", "content", "checkin")
"""The agents that depend only on the input; scheduling follows buddy."""


def route_after_critic(state: State) -> list[str]:
    """Send each failing part back to its agent, within the rounds, unless nothing changed."""
    problems = state.get("problems", [])
    # rounds already sent back: the critic's passes before this one
    sent_back = state.get("critic_passes", 0) - 1
    if not keep_revising(state.get("problem_history", []), sent_back, state.get("max_rounds", 2)):
        return ["review"]
    agents = {p["agent"] for p in problems}
    if "buddy" in agents:
        agents.discard("scheduling")  # the buddy's edge re-runs scheduling anyway
    return sorted(agents)


def route_after_review(state: State) -> list[str]:
    """Reject re-plans every agent; a rule-breaking edit asks again; otherwise publish."""
    if (state.get("review") or {}).get("action") == "reject":
        return list(FAN_OUT)
    return ["review"] if state.get("edit_errors") else ["publish"]


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    first = takes_request(
        OnboardingRequest, expand, scenario="onboarding", default_review=DEFAULT_REVIEW
    )
    builder = team_graph(
        State,
        {
            "intake": first(intake),
            "buddy": pick_buddy,
            "scheduling": book_week_one,
            "provisioning": request_it,
            "content": plan_reading,
            "checkin": plan_pulse,
            "critic": check,
            "review": review,
            "publish": ends_run(publish),
        },
        flow="START -> intake; publish -> END; buddy -> scheduling",
        input_schema=OnboardingInput,
        deferred=["critic"],
    )
    for agent in FAN_OUT:
        builder.add_edge("intake", agent)
    for agent in ("scheduling", "provisioning", "content", "checkin"):
        builder.add_edge(agent, "critic")
    builder.add_conditional_edges(
        "critic", route_after_critic, ["buddy", "scheduling", *FAN_OUT[1:], "review"]
    )
    builder.add_conditional_edges("review", route_after_review, [*FAN_OUT, "review", "publish"])
    return builder.compile(checkpointer=checkpointer, name="onboarding")


graph = build_graph()
"""Module-level graph for ``langgraph.json`` (the API server supplies its own checkpointer)."""
