"""The human checkpoint of onboarding, and publishing once HR has approved.

HR sees one packet: the whole plan as Markdown and every exception (a session that could
not be booked, an IT item held back, no eligible buddy, an unresolved critic problem, an
edit that broke a rule) plus every IT request with its id. An edit (move a session, pick
another buddy, approve/hold/drop an IT request) is applied and the whole plan re-checked
by the same critic code; an edit that introduces a problem is not
accepted but sent back to the reviewer with the reason. Files are written only after
approval, so resuming a paused run can never write or re-send anything twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from baton.agents.onboarding.buddy import fallback_note
from baton.agents.onboarding.critic import problem_key
from baton.agents.onboarding.state import State, config_of, inputs_of, plan_of
from baton.audit import agent_node, current_trace, human_record
from baton.context import RunContext
from baton.errors import InputError
from baton.outputs import atomic_write
from baton.retrieval.injection import packet_flags
from baton.review import request_review
from baton.tools.onboarding.calendars import Publication
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.edits import PlanEdits, apply_edits, request_ids
from baton.tools.onboarding.plan import OnboardingPlan, make_schedule, render_outputs

DEFAULT_REVIEW: Literal["always"] = "always"
EDIT_EXAMPLE = (
    '{"moves": [{"session_id": "benefits", "start": "2026-03-05T14:00:00+01:00"}],'
    ' "buddy_id": "p03", "requests": [{"id": "IT-maya-okafor-access_group-staging-deploy",'
    ' "action": "hold", "note": "after the security training"}]}'
)


# Packet ------------------------------------------------------------------------------------
def exceptions(state: State) -> list[dict[str, Any]]:
    """Everything a human must decide or know before approving, with a suggested action."""
    plan = plan_of(state)
    out: list[dict[str, Any]] = []

    def add(prefix: str, kind: str, detail: str, evidence: str | None, action: str) -> None:
        number = sum(1 for e in out if e["id"].startswith(prefix + "-")) + 1
        out.append(
            {
                "id": f"{prefix}-{number}",
                "kind": kind,
                "detail": detail,
                "evidence": evidence,
                "suggested_action": action,
            }
        )

    for exc in plan.schedule.exceptions:
        add(
            "SCHED",
            "scheduling",
            f"{exc.title} not booked: {exc.reason}",
            exc.session_id,
            "move it with an edit if some slot suits everyone, or arrange it after week one",
        )
    for held in plan.provisioning.exceptions:
        add(
            "IT",
            "provisioning",
            f"{held.kind} '{held.item}' suggested by {held.source}: {held.reason}",
            held.request_id or held.item,
            "drop it, or keep it held and request it separately with manager and security approval",
        )
    if plan.buddy_match.exception and plan.buddy is None:
        add(
            "BUDDY",
            "buddy",
            plan.buddy_match.exception,
            None,
            "give someone mentoring capacity in directory.csv and start a new run",
        )
    for gap in state.get("content_gaps", []):
        add("CONTENT", "content", gap, None, "add the HR playbook to the input and start a new run")
    for problem in state.get("problems", []):
        add(
            "CRITIC",
            f"critic:{problem['agent']}",
            problem["message"],
            problem.get("ref"),
            "fix it with an edit, or reject with a comment",
        )
    for refused in state.get("edit_errors", []):
        add(
            "EDIT",
            "edit",
            f"your edit was not applied: {refused}",
            None,
            "send a corrected edit, approve the plan as it is, or reject",
        )
    return out


def render_preview(state: State) -> str:
    """The plan as HR reads it: week one in the starter's time zone, then every other part."""
    plan, inputs = plan_of(state), inputs_of(state)
    starter, tz, names = inputs.starter, inputs.starter.tz, inputs.names
    schedule = plan.schedule
    lines = [
        f"# Onboarding plan for {starter.name}",
        "",
        f"{starter.role}, {starter.department}; starts {starter.start_date:%a %d %b %Y};"
        f" manager {inputs.manager.name}; times in {starter.timezone}.",
        "",
    ]
    for note in state.get("reviewer_notes", []):
        lines += [f"> Earlier review comment: {note}", ""]
    total = len(schedule.sessions) + len(schedule.exceptions)
    lines += [
        f"## Week one: {len(schedule.sessions)} of {total} sessions booked",
        "",
        "| When | Session | With |",
        "| --- | --- | --- |",
    ]
    for s in schedule.sessions:
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        others = ", ".join(
            names.get(a.person_id, a.person_id) for a in s.attendees if a.slot != "starter"
        )
        lines.append(
            f"| {start:%a %d %b %H:%M}-{end:%H:%M} | {s.title} (`{s.session_id}`) | {others} |"
        )
    lines.append("")
    for exc in schedule.exceptions:
        lines.append(f"- Not booked: **{exc.title}** (`{exc.session_id}`): {exc.reason}")
    lines += ["", "## Buddy", ""]
    if plan.buddy is None:
        lines.append(f"**No buddy assigned.** {plan.buddy_match.exception or ''}")
    else:
        b = plan.buddy
        alternatives = ", ".join(
            f"{c.name} (`{c.person_id}`, {c.score:.2f})"
            for c in plan.buddy_match.alternatives
            if c.person_id != b.person_id
        )
        lines += [
            f"**{b.name}** (`{b.person_id}`, {b.role}, {b.department}), score "
            f"{b.score:.2f}; alternatives: {alternatives or 'none'}",
            "",
            f"> {state.get('buddy_note', '')}",
        ]
    tickets = plan.provisioning.tickets
    lines += ["", f"## IT requests: {len(tickets)} tickets from the {starter.role} catalogue", ""]
    for row in request_rows(plan):
        what = f"{row['kind'].replace('_', ' ')} {row['item']} (`{row['id']}`)"
        if row["status"] == "requested":
            lines.append(f"- {what}")
        else:
            lines.append(f"- Held for review (not requested): {what}")
    for review in plan.provisioning.reviews:
        lines.append(
            f"- Decided: {review.action} `{review.request_id}` by {review.reviewer}"
            + (f": {review.note}" if review.note else "")
        )
    lines += ["", "## Reading list and training", ""]
    for item in plan.pathway:
        cites = " ".join(f"[{c}]" for c in item.chunk_ids)
        lines.append(f"- Week {item.week}, {item.kind}: **{item.title}**: {item.summary} {cites}")
    if not plan.pathway:
        lines.append("_No playbook items._")
    lines += ["", "## Pulse check-ins", ""]
    for c in plan.checkins:
        moved = f" (moved: {'; '.join(c.moved_because)})" if c.moved_because else ""
        lines.append(
            f"- Day {c.day}: {c.scheduled_date:%a %d %b %Y}, {len(c.questions)} questions{moved}"
        )
    lines += ["", f"Edit with `baton resume RUN --edit edits.json`, e.g. `{EDIT_EXAMPLE}`", ""]
    return "\n".join(lines)


def request_rows(plan: OnboardingPlan) -> list[dict[str, str]]:
    """Every IT request a reviewer can decide, by the id :class:`RequestDecision` takes.

    ``requested`` tickets would be filed; ``held`` suggestions never are without a
    catalogue change, whatever the decision.
    """
    ids = set(request_ids(plan))
    rows = [
        {"id": t.ticket_id, "kind": t.kind, "item": t.item, "status": "requested", "source": ""}
        for t in plan.provisioning.tickets
    ]
    rows += [
        {"id": e.request_id, "kind": e.kind, "item": e.item, "status": "held", "source": e.source}
        for e in plan.provisioning.exceptions
        if e.request_id in ids
    ]
    return rows


def packet(state: State, found: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scenario": "onboarding",
        "starter": state["starter"]["name"],
        "preview": render_preview(state),
        "exceptions": found,
        "requests": request_rows(plan_of(state)),
        "injection_flags": packet_flags(state),
        "edit_schema": PlanEdits.model_json_schema(),
    }


# Edits -------------------------------------------------------------------------------------
def _rebook_buddy_sessions(
    state: State, plan: OnboardingPlan, buddy_id: str, moved: set[str]
) -> OnboardingPlan:
    """A new buddy has their own calendar: re-place the buddy's sessions around it.

    Sessions the reviewer moved explicitly, and sessions without the buddy, stay put.
    """
    keep = [
        s
        for s in plan.schedule.sessions
        if s.session_id in moved or all(a.slot != "buddy" for a in s.attendees)
    ]
    schedule = make_schedule(inputs_of(state), config_of(state), buddy_id=buddy_id, fixed=keep)
    return plan.model_copy(update={"schedule": schedule})


def apply_review_edits(
    state: State, edits: PlanEdits, reviewer: str = ""
) -> tuple[dict[str, Any], list[str]]:
    """The state update for an accepted edit, or the problems it would introduce.

    Problems the plan already had before the edit (and that HR sees in the packet) do not
    block it; only new ones do. Request decisions are recorded under ``reviewer``.
    """
    plan, inputs, config = plan_of(state), inputs_of(state), config_of(state)
    try:
        edited = apply_edits(plan, edits, source="edit", reviewer=reviewer)
    except InputError as exc:
        return {}, [exc.detail + (f" ({exc.column})" if exc.column else "")]
    old_buddy = plan.buddy.person_id if plan.buddy else None
    new_buddy = edits.buddy_id is not None and edits.buddy_id != old_buddy
    if new_buddy and edits.buddy_id:
        edited = _rebook_buddy_sessions(
            state, edited, edits.buddy_id, {m.session_id for m in edits.moves}
        )
    known = state.get("verified_chunk_ids", [])
    before = {
        problem_key(p)
        for p in check_plan(plan, inputs=inputs, config=config, known_chunk_ids=known)
    }
    after = check_plan(edited, inputs=inputs, config=config, known_chunk_ids=known)
    introduced = [p.message for p in after if problem_key(p) not in before]
    if introduced:
        return {}, introduced
    update: dict[str, Any] = {
        "schedule": edited.schedule.model_dump(mode="json"),
        "buddy": edited.buddy.model_dump(mode="json") if edited.buddy else None,
        "provisioning": edited.provisioning.model_dump(mode="json"),
    }
    if new_buddy and edited.buddy is not None:
        update["buddy_note"] = fallback_note(inputs.starter, edited.buddy)
    return update, []


# Nodes -------------------------------------------------------------------------------------
@agent_node("review")
def review(state: State, ctx: RunContext) -> dict[str, Any]:
    """Pause for HR; apply and re-check an edit; note a rejection's comment for the re-plan."""
    found = exceptions(state)
    decision, audit = request_review(
        ctx,
        "review",
        packet(state, found),
        has_exceptions=bool(found),
        default_mode=DEFAULT_REVIEW,
        edit_schema=PlanEdits,
    )
    update: dict[str, Any] = {"review": decision.model_dump(), "audit": audit, "edit_errors": []}
    notes = list(state.get("reviewer_notes", []))
    outcome: str = decision.action
    if decision.action == "reject":
        notes.append(decision.comment or "re-plan")
        update |= {"problems": [], "problem_history": [], "critic_passes": 0}
    elif decision.action == "edit":
        edits = PlanEdits.model_validate(decision.edits or {})
        changes, problems = apply_review_edits(state, edits, decision.reviewer)
        update |= changes
        update["edit_errors"] = problems
        outcome = f"edit sent back ({len(problems)} problems)" if problems else "edit accepted"
        if not problems:
            update["audit"] = audit + [
                human_record(
                    ctx.run_id,
                    "review",
                    decision.reviewer,
                    f"IT request {d.id}: {d.action}" + (f" ({d.note})" if d.note else ""),
                )
                for d in edits.requests
            ]
        notes += [n for n in (decision.comment, edits.comment) if n]
    update["reviewer_notes"] = notes
    trace = current_trace()
    if trace:
        trace.decision = f"{outcome} by {decision.reviewer}; {len(found)} exceptions shown"
    return update


def publication(state: Mapping[str, Any], run_id: str) -> Publication:
    """The calendars' identity for this run: its id, its review's time, its edit count.

    Everything comes from the checkpointed state (the decision record), never from the
    clock, so a resumed or re-run publish writes the same bytes.
    """
    at = (state.get("review") or {}).get("at")
    edits = sum(
        1
        for r in state.get("audit") or []
        if r.get("kind") == "human"
        and r.get("node") == "review"
        and str(r.get("decision", "")).startswith("edit")
    )
    return Publication(
        run_id=run_id, dtstamp=datetime.fromisoformat(at) if at else None, sequence=edits
    )


@agent_node("publish")
def publish(state: State, ctx: RunContext) -> dict[str, Any]:
    """Render every file in memory first, then write each one atomically."""
    plan = plan_of(state)
    files = render_outputs(
        plan,
        inputs_of(state),
        intro_note=state.get("buddy_note", ""),
        sources=state.get("sources"),
        publication=publication(state, ctx.run_id),
    )
    paths = [str(atomic_write(ctx.output_dir / name, data)) for name, data in files.items()]
    review_state = state.get("review") or {}
    trace = current_trace()
    if trace:
        trace.cite([c for item in plan.pathway for c in item.chunk_ids])
        trace.decision = (
            f"wrote {len(paths)} files after {review_state.get('action', 'approve')} by "
            f"{review_state.get('reviewer', 'unknown')}; {len(plan.provisioning.tickets)} IT"
            f" tickets, {len(plan.provisioning.held)} held by the reviewer"
        )
    return {"outputs": paths}
