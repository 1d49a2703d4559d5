"""Critic: re-checks the combined plan in code and addresses each problem to its agent.

:func:`tools.onboarding.critic.check_plan` trusts nothing it can recompute: no double
booking (between sessions and against every calendar), every citation exists in the
store (looked up here, not taken from the content agent), provisioning equals the
catalogue, the buddy is eligible, the check-ins fall on the right days. No model call:
these are rules, not opinions. The graph's ``route_after_critic`` sends each failing
part back to its agent within a bounded number of rounds.
"""

from __future__ import annotations

from typing import Any

from baton.agents.onboarding.state import State, config_of, inputs_of, plan_of
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.models import Problem


def problem_key(problem: Problem) -> str:
    """What identifies a problem across rounds, to notice that a round changed nothing."""
    return f"{problem.agent}:{problem.code}:{problem.ref or ''}"


@agent_node("critic")
def check(state: State, ctx: RunContext) -> dict[str, Any]:
    """Check the plan; record the problems and this round in the state."""
    plan = plan_of(state)
    cited = sorted({c for item in plan.pathway for c in item.chunk_ids})
    known = sorted(ctx.store.get_chunks(cited, [state["collection"]])) if cited else []
    problems = check_plan(
        plan, inputs=inputs_of(state), config=config_of(state), known_chunk_ids=known
    )
    passes = state.get("critic_passes", 0) + 1
    trace = current_trace()
    if trace:
        trace.cite(known)
        agents = sorted({p.agent for p in problems})
        trace.decision = (
            f"round {passes}: {len(problems)} problems for {', '.join(agents)}"
            if problems
            else f"round {passes}: plan passes every check"
        )
    return {
        "problems": [p.model_dump(mode="json") for p in problems],
        "problem_history": [
            *state.get("problem_history", []),
            sorted(problem_key(p) for p in problems),
        ],
        "critic_passes": passes,
        "verified_chunk_ids": known,
    }
