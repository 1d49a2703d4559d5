"""The plan critic: every hard rule re-checked in code, each failure routed to its agent.

It trusts nothing in the plan that it can recompute - buddy eligibility is judged from
the directory, not from the plan's own flag; bookings are checked against the calendars
and each other, not against the solver's bookkeeping - so it also catches mistakes
introduced by a model or by a reviewer's edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from baton.tools.onboarding.buddy import buddy_ineligibility
from baton.tools.onboarding.checkins import checkin_problems
from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.content import check_citations
from baton.tools.onboarding.io import OnboardingInputs
from baton.tools.onboarding.models import Problem, ProblemLog
from baton.tools.onboarding.plan import OnboardingPlan
from baton.tools.onboarding.provisioning import provisioning_problems
from baton.tools.onboarding.scheduling import AvailabilityRules, schedule_problems


def _buddy_problems(plan: OnboardingPlan, inputs: OnboardingInputs) -> list[Problem]:
    people = {p.id: p for p in inputs.directory}
    if plan.buddy is None:
        eligible = [
            p
            for p in inputs.directory
            if buddy_ineligibility(p, inputs.starter, inputs.manager.id) is None
        ]
        if eligible:
            return [
                Problem(
                    agent="buddy",
                    code="missing-buddy",
                    message=f"no buddy chosen although {len(eligible)} people are eligible",
                )
            ]
        return []
    person = people.get(plan.buddy.person_id)
    if person is None:
        return [
            Problem(
                agent="buddy",
                code="unknown-buddy",
                message=f"buddy {plan.buddy.person_id!r} is not in the directory",
                ref=plan.buddy.person_id,
            )
        ]
    reason = buddy_ineligibility(person, inputs.starter, inputs.manager.id)
    if reason:
        return [
            Problem(
                agent="buddy",
                code="ineligible-buddy",
                message=f"buddy {person.name} {reason}",
                ref=person.id,
            )
        ]
    return []


def _session_roster_problems(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> list[Problem]:
    """Each required session booked or excepted exactly once, with the right people."""
    problems = ProblemLog("scheduling")
    required = [t for t in config.sessions if t.applies_to.matches(inputs.starter)]
    counts = Counter(s.session_id for s in plan.schedule.sessions) + Counter(
        e.session_id for e in plan.schedule.exceptions
    )
    templates = {t.id: t for t in required}
    for template in required:
        if counts[template.id] == 0:
            problems.add(
                "missing-session",
                f"required session {template.id!r} is neither booked nor an exception",
                template.id,
            )
    for session_id, count in sorted(counts.items()):
        if count > 1:
            problems.add(
                "duplicate-session", f"session {session_id!r} appears {count} times", session_id
            )
        if session_id not in templates:
            problems.add(
                "unexpected-session",
                f"session {session_id!r} is not required for this starter",
                session_id,
            )
    expected = {"manager": inputs.manager.id, "buddy": plan.buddy.person_id if plan.buddy else None}
    for session in plan.schedule.sessions:
        wanted = templates.get(session.session_id)
        if wanted is not None and session.end - session.start != wanted.duration:
            problems.add(
                "wrong-duration",
                f"{session.session_id} lasts {session.end - session.start}, "
                f"config says {wanted.duration}",
                session.session_id,
            )
        for attendee in session.attendees:
            want = expected.get(attendee.slot)
            if attendee.slot in expected and attendee.person_id != want:
                problems.add(
                    "wrong-attendee",
                    f"{session.session_id}: {attendee.slot} should be {want}, "
                    f"not {attendee.person_id}",
                    session.session_id,
                )
    return problems.found


def check_plan(
    plan: OnboardingPlan,
    *,
    inputs: OnboardingInputs,
    config: OnboardingConfig,
    known_chunk_ids: Collection[str],
) -> list[Problem]:
    """All problems in the plan; an empty list means it may go to the HR reviewer.

    Covers: no double booking (between sessions, and against anyone's calendar), all
    other scheduling rules, every citation exists, provisioning equals the catalogue,
    the buddy is eligible, and the check-ins fall on the right working days.
    """
    problems = schedule_problems(
        plan.schedule.sessions,
        days=inputs.days,
        starter_tz=inputs.starter.tz,
        tz_of=inputs.tz_of,
        busy=inputs.busy,
        rules=AvailabilityRules.from_config(config.scheduling),
    )
    problems += _session_roster_problems(plan, inputs, config)
    problems += check_citations(plan.pathway, known_chunk_ids)
    problems += provisioning_problems(plan.provisioning, inputs.starter, config.it_catalogue)
    problems += _buddy_problems(plan, inputs)
    problems += checkin_problems(plan.checkins, inputs.starter, config.checkins)
    return problems
