"""Check-in: 30/60/90-day pulse surveys on working days, with role-tailored questions.

No model call: the dates follow the holiday calendar of the starter's country (a survey
due on a weekend or holiday moves to the next working day, and the move is recorded) and
the questions come from the config, so everything here is computed.
"""

from __future__ import annotations

from typing import Any

from baton.agents.onboarding.state import State, config_of, inputs_of
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.onboarding.checkins import plan_checkins


@agent_node("checkin")
def plan_pulse(state: State, ctx: RunContext) -> dict[str, Any]:
    """Plan the pulse check-ins."""
    starter = inputs_of(state).starter
    checkins = plan_checkins(starter, config_of(state).checkins)
    trace = current_trace()
    if trace:
        moved = [f"day {c.day} -> {c.scheduled_date}" for c in checkins if c.moved_because]
        trace.decision = (
            f"{len(checkins)} check-ins, {len(checkins[0].questions)} questions for "
            f"{starter.role}" + (f"; moved {', '.join(moved)}" if moved else "")
        )
    return {"checkins": [c.model_dump(mode="json") for c in checkins]}
