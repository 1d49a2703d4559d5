"""Scheduling: the deterministic solver books week one around everyone's calendars.

No model call: a calendar is a hard-constraint problem where one overlooked conflict is
a real double booking, so :func:`tools.onboarding.plan.make_schedule` decides every
time. A session that cannot be placed is never forced; it becomes an exception whose
reason names who was unavailable and which rule stopped them. The agent runs after the
buddy match because several sessions include the buddy.
"""

from __future__ import annotations

from typing import Any

from baton.agents.onboarding.state import State, config_of, inputs_of, problems_for
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.onboarding.plan import make_schedule


@agent_node("scheduling")
def book_week_one(state: State, ctx: RunContext) -> dict[str, Any]:
    """Solve week one from scratch (also on a critic round: the solver never breaks a rule)."""
    buddy = state.get("buddy")
    schedule = make_schedule(
        inputs_of(state), config_of(state), buddy_id=buddy["person_id"] if buddy else None
    )
    trace = current_trace()
    if trace:
        total = len(schedule.sessions) + len(schedule.exceptions)
        redo = len(problems_for(state, "scheduling"))
        trace.decision = (
            f"booked {len(schedule.sessions)} of {total} sessions"
            + (
                f"; not placed: {', '.join(e.session_id for e in schedule.exceptions)}"
                if schedule.exceptions
                else ""
            )
            + (f" (re-solved after {redo} critic problems)" if redo else "")
        )
    return {"schedule": schedule.model_dump(mode="json")}
