"""30/60/90-day pulse check-ins on working days, with role-tailored questions.

A check-in that lands on a weekend or public holiday is moved to the next working day
of the starter's country (``holidays`` package) rather than dropped or left on a day
off, and the move is recorded so HR can see why the date differs from start + N.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from pydantic import AwareDatetime

from baton.tools.onboarding.calendars import CalendarEvent, Publication, render_ics
from baton.tools.onboarding.config import CheckinConfig
from baton.tools.onboarding.models import Problem, ProblemLog, Record, Starter
from baton.tools.onboarding.workdays import holiday_calendar, next_working_day, non_working_reasons


class CheckIn(Record):
    """One pulse survey: when it was due, when it is held, and what it asks."""

    day: int
    due_date: date
    scheduled_date: date
    moved_because: tuple[str, ...] = ()
    start: AwareDatetime
    end: AwareDatetime
    questions: tuple[str, ...]


def questions_for(role: str, config: CheckinConfig) -> tuple[str, ...]:
    """Default questions followed by the role's own, without repeats."""
    return tuple(dict.fromkeys((*config.default_questions, *config.role_questions.get(role, ()))))


def plan_checkins(starter: Starter, config: CheckinConfig) -> list[CheckIn]:
    """One check-in per configured day offset, each on a working day."""
    due = [starter.start_date + timedelta(days=d) for d in config.days_after_start]
    calendar = holiday_calendar(
        starter.country, starter.subdivision, range(due[0].year, due[-1].year + 2)
    )
    checkins: list[CheckIn] = []
    for offset, due_date in zip(config.days_after_start, due, strict=True):
        held, skipped = next_working_day(due_date, calendar)
        start = datetime.combine(held, config.local_time, tzinfo=starter.tz)
        checkins.append(
            CheckIn(
                day=offset,
                due_date=due_date,
                scheduled_date=held,
                moved_because=tuple(skipped),
                start=start,
                end=start + timedelta(minutes=config.duration_minutes),
                questions=questions_for(starter.role, config),
            )
        )
    return checkins


def checkin_problems(
    checkins: Sequence[CheckIn], starter: Starter, config: CheckinConfig
) -> list[Problem]:
    """Differences from the rule: recomputing is cheaper and stricter than re-deriving."""
    expected = {c.day: c for c in plan_checkins(starter, config)}
    problems = ProblemLog("checkin")
    got = {c.day: c for c in checkins}
    for day in sorted(set(expected) - set(got)):
        problems.add("missing-checkin", f"no check-in for day {day}", str(day))
    for day in sorted(set(got) - set(expected)):
        problems.add("unexpected-checkin", f"check-in for day {day} is not configured", str(day))
    calendar = holiday_calendar(
        starter.country, starter.subdivision, {c.scheduled_date.year for c in checkins}
    )
    for day in sorted(set(got) & set(expected)):
        have, want = got[day], expected[day]
        if have.scheduled_date != want.scheduled_date:
            off = non_working_reasons(have.scheduled_date, calendar)
            why = f" ({' / '.join(off)})" if off else ""
            problems.add(
                "not-a-working-day" if off else "wrong-date",
                f"day-{day} check-in is on {have.scheduled_date}{why}, "
                f"expected {want.scheduled_date}",
                str(day),
            )
        if have.start.astimezone(starter.tz).date() != have.scheduled_date:
            problems.add(
                "wrong-date",
                f"day-{day} check-in starts on another day than {have.scheduled_date}",
                str(day),
            )
        if set(want.questions) - set(have.questions):
            problems.add(
                "missing-questions", f"day-{day} check-in lacks configured questions", str(day)
            )
    return problems.found


def render_checkins_ics(
    starter: Starter, checkins: Sequence[CheckIn], *, publication: Publication | None = None
) -> bytes:
    """``checkins.ics``: one event per check-in, with the starter as attendee."""
    pub = publication or Publication()
    stamp = pub.dtstamp or datetime.combine(starter.start_date, datetime.min.time(), tzinfo=UTC)
    events = [
        CalendarEvent(
            uid=pub.uid(f"checkin-day{c.day}-{starter.email}"),
            summary=f"Day-{c.day} onboarding pulse check-in: {starter.name}",
            start=c.start,
            end=c.end,
            description="\n".join(f"- {q}" for q in c.questions),
            attendees=(starter.email,),
            categories=("onboarding", "pulse-survey"),
        )
        for c in checkins
    ]
    return render_ics(
        events,
        name="Onboarding check-ins",
        dtstamp=stamp,
        organizer=pub.organizer,
        sequence=pub.sequence,
    )


def render_pulse_surveys_json(starter: Starter, checkins: Sequence[CheckIn]) -> str:
    """``pulse_surveys.json``: the surveys to send, one per check-in."""
    payload = {
        "starter": {"name": starter.name, "email": starter.email, "role": starter.role},
        "surveys": [
            {
                "id": f"pulse-day{c.day}",
                "day": c.day,
                "due_date": c.due_date.isoformat(),
                "send_on": c.scheduled_date.isoformat(),
                "moved_because": list(c.moved_because),
                "questions": [
                    {"id": f"q{i}", "text": q} for i, q in enumerate(c.questions, start=1)
                ],
            }
            for c in checkins
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
