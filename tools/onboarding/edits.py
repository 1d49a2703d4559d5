"""Apply the HR reviewer's edits: move a session, pick another buddy, decide IT requests.

Edits are applied literally, not second-guessed: the reviewer is in charge. Whatever
rule an edit breaks (a double booking, an ineligible buddy) is then reported by
:func:`tools.onboarding.critic.check_plan`, which the graph runs again after every edit.
Only edits that cannot be applied at all (an unknown session, person or request) are
errors. Request decisions can only narrow access: they name requests the plan already
has, so no decision can add a ticket or turn a held suggestion into one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import AwareDatetime, Field, ValidationError, ValidationInfo, field_validator

from baton.errors import InputError
from baton.review import known_id
from baton.tools.onboarding.models import Record
from baton.tools.onboarding.plan import OnboardingPlan
from baton.tools.onboarding.provisioning import RequestAction, RequestReview
from baton.tools.onboarding.scheduling import Attendee, ScheduledSession, SessionException
from baton.tools.onboarding.yamlio import first_error, format_loc


class SessionMove(Record):
    """Move a booked session (or book an excepted one) to start at ``start``."""

    session_id: str = Field(min_length=1)
    start: AwareDatetime


def request_ids(plan: OnboardingPlan) -> list[str]:
    """Every id a request decision may name: the tickets, then the held suggestions."""
    provisioning = plan.provisioning
    held = [e.request_id for e in provisioning.exceptions if e.request_id]
    return [t.ticket_id for t in provisioning.tickets] + held


class RequestDecision(Record):
    """The reviewer's decision on one IT request (a ticket or a held suggestion)."""

    id: str = Field(min_length=1, max_length=200, description="request id from the packet")
    action: RequestAction
    note: str = Field("", max_length=1000)

    @field_validator("id")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        """Checked against the packet when validated with one, as ``baton resume`` does."""
        return known_id(value, info, "requests", "request")


class PlanEdits(Record):
    """What the reviewer changed; an empty edit set leaves the plan as it is."""

    moves: tuple[SessionMove, ...] = ()
    buddy_id: str | None = None
    requests: tuple[RequestDecision, ...] = ()
    comment: str = ""


def parse_edits(data: Mapping[str, Any] | str | bytes, *, source: str = "edits") -> PlanEdits:
    """Validate edits from JSON text or a mapping, as a one-line :class:`InputError`."""
    try:
        if isinstance(data, str | bytes):
            return PlanEdits.model_validate_json(data)
        return PlanEdits.model_validate(data)
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise InputError(source, message, column=format_loc(loc) or None) from exc


def _with_buddy(attendees: tuple[Attendee, ...], buddy_id: str) -> tuple[Attendee, ...]:
    return tuple(
        a.model_copy(update={"person_id": buddy_id}) if a.slot == "buddy" else a for a in attendees
    )


def _rebuddy(plan: OnboardingPlan, buddy_id: str, source: str) -> OnboardingPlan:
    candidate = next((c for c in plan.buddy_match.candidates if c.person_id == buddy_id), None)
    if candidate is None:
        raise InputError(source, f"buddy {buddy_id!r} is not in the directory", column="buddy_id")
    sessions = tuple(
        s.model_copy(update={"attendees": _with_buddy(s.attendees, buddy_id)})
        for s in plan.schedule.sessions
    )
    exceptions: list[SessionException] = []
    for exc in plan.schedule.exceptions:
        attendees = _with_buddy(exc.attendees, buddy_id)
        if "buddy" in exc.unresolved:
            attendees = (*attendees, Attendee(person_id=buddy_id, slot="buddy"))
        unresolved = tuple(u for u in exc.unresolved if u != "buddy")
        exceptions.append(exc.model_copy(update={"attendees": attendees, "unresolved": unresolved}))
    schedule = plan.schedule.model_copy(
        update={"sessions": sessions, "exceptions": tuple(exceptions)}
    )
    return plan.model_copy(update={"buddy": candidate, "schedule": schedule})


def _decide_requests(
    plan: OnboardingPlan, decisions: tuple[RequestDecision, ...], reviewer: str, source: str
) -> OnboardingPlan:
    """Hold or drop requests; every decision is recorded with its reviewer and note."""
    repeated = [rid for rid, n in Counter(d.id for d in decisions).items() if n > 1]
    if repeated:
        raise InputError(
            source, f"request {repeated[0]!r} is decided more than once", column="requests"
        )
    provisioning = plan.provisioning
    tickets = {t.ticket_id: t for t in provisioning.tickets}
    held = {e.request_id: e for e in provisioning.exceptions if e.request_id}
    on_hold = list(provisioning.held)
    reviews = list(provisioning.reviews)
    for index, decision in enumerate(decisions):
        found = tickets.get(decision.id) or held.get(decision.id)
        if found is None:
            raise InputError(
                source, f"unknown request {decision.id!r}", column=f"requests[{index}].id"
            )
        if decision.action != "approve" and decision.id in tickets:
            ticket = tickets.pop(decision.id)
            if decision.action == "hold":
                on_hold.append(ticket)
        elif decision.action == "drop":
            held.pop(decision.id)
        reviews.append(
            RequestReview(
                request_id=decision.id,
                kind=found.kind,
                item=found.item,
                action=decision.action,
                note=decision.note,
                reviewer=reviewer,
            )
        )
    kept = [e for e in provisioning.exceptions if not e.request_id or e.request_id in held]
    narrowed = provisioning.model_copy(
        update={
            "tickets": tuple(tickets.values()),
            "exceptions": tuple(kept),
            "held": tuple(on_hold),
            "reviews": tuple(reviews),
        }
    )
    return plan.model_copy(update={"provisioning": narrowed})


def apply_edits(
    plan: OnboardingPlan, edits: PlanEdits, *, source: str = "edits", reviewer: str = ""
) -> OnboardingPlan:
    """A new plan with the edits applied; run ``check_plan`` on it before approval.

    A buddy change also swaps the buddy in every session's ``buddy`` slot. Moving an
    excepted session books it (keeping its duration and resolved attendees). Request
    decisions are recorded under ``reviewer``.
    """
    if edits.requests:
        plan = _decide_requests(plan, edits.requests, reviewer, source)
    repeated = [sid for sid, n in Counter(m.session_id for m in edits.moves).items() if n > 1]
    if repeated:
        raise InputError(source, f"session {repeated[0]!r} is moved more than once", column="moves")
    if edits.buddy_id is not None:
        plan = _rebuddy(plan, edits.buddy_id, source)
    sessions = {s.session_id: s for s in plan.schedule.sessions}
    exceptions = {e.session_id: e for e in plan.schedule.exceptions}
    for index, move in enumerate(edits.moves):
        where = f"moves[{index}].session_id"
        if move.session_id in sessions:
            old = sessions[move.session_id]
            sessions[move.session_id] = old.model_copy(
                update={"start": move.start, "end": move.start + (old.end - old.start)}
            )
        elif move.session_id in exceptions:
            exc = exceptions.pop(move.session_id)
            if exc.unresolved:
                raise InputError(
                    source,
                    f"session {exc.session_id!r} has nobody for {', '.join(exc.unresolved)}; "
                    "pick a buddy first",
                    column=where,
                )
            sessions[exc.session_id] = ScheduledSession(
                session_id=exc.session_id,
                title=exc.title,
                start=move.start,
                end=move.start + timedelta(minutes=exc.duration_minutes),
                attendees=exc.attendees,
                description=exc.description,
            )
        else:
            raise InputError(source, f"unknown session {move.session_id!r}", column=where)
    schedule = plan.schedule.model_copy(
        update={
            "sessions": tuple(sorted(sessions.values(), key=lambda s: (s.start, s.session_id))),
            "exceptions": tuple(sorted(exceptions.values(), key=lambda e: e.session_id)),
        }
    )
    return plan.model_copy(update={"schedule": schedule})
