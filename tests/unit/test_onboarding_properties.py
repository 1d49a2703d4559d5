"""Property test over generated directories and .ics calendars.

Whatever the directory and calendars look like, the plan has zero double bookings, zero
ineligible buddies and zero IT requests outside the catalogue; a session that cannot fit
(someone out all week) is reported as an exception, never forced. The checks here use an
independent oracle (the generated busy spans), not the code under test.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.tools.onboarding.calendars import load_calendars
from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.io import OnboardingInputs
from baton.tools.onboarding.models import STARTER_ID, Interval, Person
from baton.tools.onboarding.plan import build_plan
from baton.tools.onboarding.provisioning import ProvisioningSuggestion, catalogue_items
from baton.tools.onboarding.testing import make_config, make_person, make_starter

TZS = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Tokyo"]
DAYS = tuple(date(2026, 3, 2) + timedelta(days=i) for i in range(5))
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class BusySpec:
    day: int
    quarter: int  # local start = quarter * 15 minutes after midnight
    minutes: int
    daily: bool  # repeats on every week-one day via RRULE


person_st = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(TZS),
        "department": st.sampled_from(["Engineering", "Data"]),
        "level": st.integers(1, 6),
        "mentor_capacity": st.integers(0, 2),
        "skills": st.lists(
            st.sampled_from(["python", "sql", "go", "kubernetes"]), max_size=3, unique=True
        ),
    }
)
busy_st = st.builds(
    BusySpec,
    day=st.integers(0, 4),
    quarter=st.integers(28, 72),
    minutes=st.sampled_from([15, 30, 60, 120, 240]),
    daily=st.booleans(),
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    people = draw(st.lists(person_st, min_size=2, max_size=6))
    ids = [f"p{i}" for i in range(len(people))]
    busy = {pid: draw(st.lists(busy_st, max_size=4)) for pid in ids}
    blackout = draw(st.none() | st.sampled_from(ids))
    refs = ["manager", "buddy", *(f"id:{pid}" for pid in ids)]
    sessions = []
    for n in range(draw(st.integers(1, 5))):
        others = draw(st.lists(st.sampled_from(refs), max_size=2, unique=True))
        first = draw(st.integers(1, 5))
        sessions.append(
            {
                "id": f"s{n}",
                "title": f"Session {n}",
                "duration_minutes": draw(st.sampled_from([30, 45, 60, 90, 120])),
                "participants": ["starter", *others],
                "earliest_day": first,
                "latest_day": draw(st.integers(first, 5)),
            }
        )
    suggestions = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["account", "equipment", "access_group"]),
                st.sampled_from(["Slack", "GitHub", "Laptop", "eng-all", "prod-admin", "root"]),
            ),
            max_size=4,
        )
    )
    return {
        "people": people,
        "busy": busy,
        "blackout": blackout,
        "sessions": sessions,
        "suggestions": suggestions,
        "cap_hours": draw(st.sampled_from([2, 3, 4, 6])),
        "manager_manages_starter": draw(st.booleans()),
    }


def _local(day: date, quarter: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=15 * quarter)


def _write_calendar(
    path: Path, pid: str, specs: list[BusySpec], tz: ZoneInfo, blackout: bool
) -> list[Interval]:
    """Write the .ics and return the oracle's own expansion of its busy time."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    oracle: list[Interval] = []
    for n, spec in enumerate(specs):
        start = _local(DAYS[spec.day], spec.quarter, tz)
        event = icalendar.Event()
        event.add("uid", f"{pid}-{n}")
        event.add("dtstamp", STAMP)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=spec.minutes))
        days = [DAYS[spec.day]]
        if spec.daily:
            event.add("rrule", {"freq": "daily", "count": 5 - spec.day})
            days = list(DAYS[spec.day :])
        cal.add_component(event)
        for day in days:
            first = _local(day, spec.quarter, tz)
            oracle.append(
                Interval(
                    first.astimezone(UTC), (first + timedelta(minutes=spec.minutes)).astimezone(UTC)
                )
            )
    if blackout:
        event = icalendar.Event()
        event.add("uid", f"{pid}-ooo")
        event.add("dtstamp", STAMP)
        event.add("dtstart", DAYS[0])
        event.add("dtend", DAYS[-1] + timedelta(days=1))
        cal.add_component(event)
        start = datetime.combine(DAYS[0], time(0), tzinfo=tz)
        oracle.append(Interval(start.astimezone(UTC), (start + timedelta(days=5)).astimezone(UTC)))
    path.write_bytes(cal.to_ical())
    return oracle


def _config(scenario: dict[str, Any]) -> OnboardingConfig:
    base = make_config()
    scheduling = base.scheduling.model_copy(
        update={"max_meeting_hours_per_day": scenario["cap_hours"], "search_budget": 300}
    )
    return make_config(sessions=scenario["sessions"]).model_copy(update={"scheduling": scheduling})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenarios())
def test_plan_never_double_books_never_picks_ineligible_never_over_provisions(
    scenario: dict[str, Any],
) -> None:
    starter = make_starter(manager="p0")
    directory: list[Person] = [
        make_person(
            f"p{i}",
            **spec,
            is_manager_of=("sam.starter@example.com",)
            if i == 0 and scenario["manager_manages_starter"]
            else (),
        )
        for i, spec in enumerate(scenario["people"])
    ]
    tz_of = {p.id: p.tz for p in directory} | {STARTER_ID: starter.tz}
    config = _config(scenario)
    window = Interval(
        datetime.combine(DAYS[0], time(0), tzinfo=starter.tz).astimezone(UTC),
        datetime.combine(DAYS[-1] + timedelta(days=1), time(0), tzinfo=starter.tz).astimezone(UTC),
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        oracle = {
            p.id: _write_calendar(
                folder / f"{p.id}.ics",
                p.id,
                scenario["busy"][p.id],
                p.tz,
                p.id == scenario["blackout"],
            )
            for p in directory
        }
        busy = load_calendars(folder, tz_of, window)
    inputs = OnboardingInputs(
        folder=Path("."),
        starter=starter,
        directory=tuple(directory),
        manager=directory[0],
        days=DAYS,
        tz_of=tz_of,
        busy=busy,
    )
    suggestions = [
        ProvisioningSuggestion(kind=k, item=i, source="model") for k, i in scenario["suggestions"]
    ]
    plan = build_plan(inputs, config, suggestions=suggestions)

    # 1. The critic finds nothing (it re-checks every rule from the inputs).
    assert check_plan(plan, inputs=inputs, config=config, known_chunk_ids=set()) == []

    # 2. Oracle: no double booking, no overlap with generated busy time, weekday hours.
    by_person: dict[str, list[Interval]] = {}
    for session in plan.schedule.sessions:
        for person in session.person_ids:
            by_person.setdefault(person, []).append(session.span)
            assert not any(b.overlaps(session.span) for b in oracle.get(person, [])), (
                person,
                session,
            )
            local = session.start.astimezone(tz_of[person])
            assert local.weekday() < 5 and time(9) <= local.time()
            assert session.end.astimezone(tz_of[person]).time() <= time(17)
    for spans in by_person.values():
        ordered = sorted(spans, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in pairwise(ordered))

    # 3. Every required session is booked or an exception, exactly once.
    ids = [s.session_id for s in plan.schedule.sessions] + [
        e.session_id for e in plan.schedule.exceptions
    ]
    assert sorted(ids) == sorted(s["id"] for s in scenario["sessions"])

    # 4. Anyone out all week makes their sessions exceptions, never booked.
    if scenario["blackout"]:
        assert all(scenario["blackout"] not in s.person_ids for s in plan.schedule.sessions)

    # 5. The buddy is eligible; no buddy only when nobody is.
    def eligible(p: Person) -> bool:
        return p.id != "p0" and p.mentor_capacity > 0 and starter.email not in p.is_manager_of

    if plan.buddy is None:
        assert not any(eligible(p) for p in directory)
        assert plan.buddy_match.exception
    else:
        assert eligible(next(p for p in directory if p.id == plan.buddy.person_id))

    # 6. Tickets are exactly the catalogue; off-catalogue suggestions are exceptions.
    allowed = set(catalogue_items(config.it_catalogue[starter.role]))
    assert {(t.kind, t.item) for t in plan.provisioning.tickets} == allowed
    assert len(plan.provisioning.tickets) == len(allowed)
    outside = {(k, i) for k, i in scenario["suggestions"] if (k, i) not in allowed}
    assert {(e.kind, e.item) for e in plan.provisioning.exceptions} == outside
