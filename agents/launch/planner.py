"""Planner: turns the free-text request into a task graph over the catalogue.

The model proposes the tasks (type, index, calendar days, dependencies, acceptance
check); code validates the plan (no cycle, known types, the request's counts, the caps).
A plan that fails, or no answer, is replaced by the deterministic plan, and the audit
says why. A plan written in ``request.yaml`` by a person is validated at load time and
used as is.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.launch.plan import (
    ACCEPTANCE,
    CATALOGUE,
    MAX_TASKS,
    Counts,
    PlanError,
    Task,
    deterministic_plan,
    validate_plan,
)

PROMPT = (
    "You plan the work of a product-launch team. Break the request into tasks, using only"
    " these task types:\n{catalogue}\nOne research_competitor task per competitor and one"
    " write_post task per post, numbered from 1 in 'index'; the plan_calendar task's"
    " 'days' is the calendar length. Give each task an id, the ids it depends on, and its"
    " acceptance check."
)


# The task type the model may write is an enum of the catalogue: with llama.cpp the tool
# schema becomes a grammar, so the model cannot spell a type Baton cannot run (the
# embedded model once planned a task of type 'list'). ``Task`` itself keeps ``type: str``
# so that a person's plan in request.yaml with an unknown type gets validation's one-line
# error, and code still validates every plan.
_KNOWN: Any = Literal.__getitem__(tuple(CATALOGUE))
PlannedTask = create_model(
    "Task", __base__=Task, type=(_KNOWN, Field(description="a catalogue task type"))
)


class PlanDraft(BaseModel):
    tasks: list[PlannedTask] = Field(min_length=1, max_length=MAX_TASKS)


def ask_plan(ctx: RunContext, request: str, comment: str = "") -> list[Task] | None:
    """The model's plan as it answered (schema-checked, not yet validated), or ``None``."""
    catalogue = "\n".join(f"- {k}: {v}" for k, v in CATALOGUE.items())
    user = f"Request: {request}"
    if comment:
        user += f"\n\nThe reviewer rejected the last plan: {comment}"
    draft = ask_structured(ctx, "planner", PlanDraft, PROMPT.format(catalogue=catalogue), user)
    if draft is None:
        return None
    return [Task.model_validate(t.model_dump()) for t in draft.tasks]


def model_plan(
    ctx: RunContext, request: str, counts: Counts, comment: str
) -> tuple[list[Task] | None, str]:
    """The model's plan if it validates, else ``None`` and why not."""
    tasks = ask_plan(ctx, request, comment)
    if tasks is None:
        return None, "the model gave no valid plan"
    try:
        validate_plan(tasks, counts)
    except PlanError as exc:
        return None, f"the model's plan failed validation: {exc}"
    return tasks, ""


@agent_node("planner")
def plan(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Plan once per run (a resumed run keeps its plan); again only after a rejection."""
    req = state["request"]
    counts = Counts.model_validate(state["counts"])
    review = state.get("plan_review") or {}
    comment = str(review.get("comment") or "") if review.get("action") == "reject" else ""
    if req.get("plan"):
        tasks, by, note = [Task.model_validate(t) for t in req["plan"]], "request.yaml", ""
    else:
        got, why = model_plan(ctx, req["request"], counts, comment)
        if got is not None:
            tasks, by, note = got, "model", ""
        else:
            tasks, by, note = deterministic_plan(counts), "code (fallback)", why
    tasks = [
        t if t.acceptance else t.model_copy(update={"acceptance": ACCEPTANCE.get(t.type, "")})
        for t in tasks
    ]
    trace = current_trace()
    if trace is not None:
        trace.decision = f"{len(tasks)} tasks planned by {by}" + (f": {note}" if note else "")
        if note:
            trace.flag(f"deterministic planner used: {note}")
    return {
        "plan": [t.model_dump() for t in tasks],
        "plan_by": by,
        "plan_note": note,
        "done": {tid: None for tid in (state.get("done") or {})},
        "runs": {tid: None for tid in (state.get("runs") or {})},
        "feedback": {},
        "critic_rounds": 0,
        "critic_history": [],
        "check_rounds": 0,
        "check_history": [],
    }
