"""Week-one solver: every rule in every time zone, backtracking, exceptions, export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from baton.tools.onboarding.config import load_onboarding_config
from baton.tools.onboarding.io import load_inputs
from baton.tools.onboarding.models import STARTER_ID, Interval
from baton.tools.onboarding.plan import build_plan
from baton.tools.onboarding.scheduling import (
    AvailabilityRules,
    Pool,
    Schedule,
    ScheduledSession,
    SessionRequest,
    render_first_week_ics,
    resolve_sessions,
    schedule_problems,
    schedule_week_one,
)
from baton.tools.onboarding.testing import (
    CONFIG_PATH,
    EXAMPLE_DIR,
    make_config,
    make_person,
    make_starter,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 3, 2)
RULES = AvailabilityRules(
    work_start=time(9),
    work_end=time(17),
    lunch_start=time(12),
    lunch_end=time(13),
    max_meeting_minutes=240,
    count_existing_meetings=False,
)
COUNTING = AvailabilityRules(
    time(9), time(17), time(12), time(13), 240, count_existing_meetings=True
)


def _at(hour: int, minute: int = 0, day: date = MONDAY, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def _busy(*spans: tuple[datetime, datetime]) -> list[Interval]:
    return [Interval(a, b) for a, b in spans]


def _request(sid: str, minutes: int, *people: str, days: int = 1) -> SessionRequest:
    pools = (Pool("starter", (STARTER_ID,)), *(Pool(f"id:{p}", (p,)) for p in people))
    return SessionRequest(sid, sid.title(), timedelta(minutes=minutes), pools, 0, days - 1)


def _solve(
    requests: Sequence[SessionRequest],
    tz_of: Mapping[str, ZoneInfo],
    busy: Mapping[str, list[Interval]] | None = None,
    rules: AvailabilityRules = RULES,
    days: Sequence[date] = (MONDAY,),
) -> Schedule:
    return schedule_week_one(
        requests, days=days, starter_tz=BERLIN, tz_of=tz_of, busy=busy or {}, rules=rules
    )


def _local(session: ScheduledSession, tz: ZoneInfo = BERLIN) -> str:
    return session.start.astimezone(tz).strftime("%a %H:%M")


def test_earliest_free_slot_inside_working_hours() -> None:
    schedule = _solve([_request("a", 60, "x")], {STARTER_ID: BERLIN, "x": BERLIN})
    (session,) = schedule.sessions
    assert _local(session) == "Mon 09:00"
    assert session.end - session.start == timedelta(minutes=60)
    assert [a.person_id for a in session.attendees] == [STARTER_ID, "x"]


def test_other_time_zone_working_hours_are_respected() -> None:
    # New York 09:00 is 15:00 in Berlin on 2026-03-02, so a 60-minute slot starts at 15:00.
    tz_of = {STARTER_ID: BERLIN, "ny": ZoneInfo("America/New_York")}
    (session,) = _solve([_request("a", 60, "ny")], tz_of).sessions
    assert _local(session) == "Mon 15:00"
    assert _local(session, tz_of["ny"]) == "Mon 09:00"


def test_lunch_is_protected_for_everyone_in_their_own_zone() -> None:
    # London lunch 12-13 is 13-14 in Berlin; Berlin lunch 12-13. Busy 09-12 Berlin.
    tz_of = {STARTER_ID: BERLIN, "ldn": ZoneInfo("Europe/London")}
    busy = {"ldn": _busy((_at(9), _at(12)))}
    (session,) = _solve([_request("a", 60, "ldn")], tz_of, busy).sessions
    assert _local(session) == "Mon 14:00"


def test_busy_time_is_never_overlapped() -> None:
    busy = {"x": _busy((_at(9), _at(10, 30)), (_at(10, 45), _at(11, 30)))}
    (session,) = _solve([_request("a", 30, "x")], {STARTER_ID: BERLIN, "x": BERLIN}, busy).sessions
    assert _local(session) == "Mon 11:30"


def test_daily_meeting_cap_counts_existing_meetings() -> None:
    # x already has 3.5 h of meetings on Monday; a 60-minute session must move to Tuesday.
    busy = {"x": _busy((_at(13), _at(16, 30)))}
    days = (MONDAY, MONDAY + timedelta(days=1))
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN}
    (session,) = _solve([_request("a", 60, "x", days=2)], tz_of, busy, COUNTING, days).sessions
    assert _solve([_request("a", 60, "x")], tz_of, busy, RULES).sessions[0].start == _at(9)
    assert _local(session) == "Tue 09:00"


def test_daily_cap_spreads_the_starters_sessions_over_days() -> None:
    rules = AvailabilityRules(time(9), time(17), time(12), time(13), max_meeting_minutes=120)
    requests = [_request(s, 60, "x", days=2) for s in ("a", "b", "c")]
    days = (MONDAY, MONDAY + timedelta(days=1))
    schedule = _solve(requests, {STARTER_ID: BERLIN, "x": BERLIN}, rules=rules, days=days)
    assert [_local(s) for s in schedule.sessions] == ["Mon 09:00", "Mon 10:00", "Tue 09:00"]


def test_backtracking_finds_a_plan_that_greedy_misses() -> None:
    # b is most constrained (2 starts: 09:00, 10:30); booking b at 09:00 leaves a no room,
    # so the search must move b to 10:30 and put a at 09:00.
    busy = {
        "x": _busy((_at(10, 30), _at(17))),
        "y": _busy((_at(10), _at(10, 30)), (_at(11, 30), _at(17))),
    }
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN, "y": BERLIN}
    schedule = _solve([_request("a", 60, "x"), _request("b", 60, "y")], tz_of, busy)
    assert schedule.exceptions == ()
    assert {s.session_id: _local(s) for s in schedule.sessions} == {
        "a": "Mon 09:00",
        "b": "Mon 10:30",
    }


def test_infeasible_session_becomes_an_exception_with_reason() -> None:
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN, "tokyo": ZoneInfo("Asia/Tokyo")}
    schedule = _solve([_request("a", 60, "x"), _request("far", 60, "tokyo")], tz_of)
    assert [s.session_id for s in schedule.sessions] == ["a"]
    (exception,) = schedule.exceptions
    assert exception.session_id == "far"
    assert "Person tokyo" not in exception.reason
    assert exception.reason == (  # plain words for HR, not rule codes and counts
        "No 60-minute slot in week one: tokyo is never free within the starter's working"
        " hours this week (their time zones do not overlap)"
    )
    assert [a.person_id for a in exception.attendees] == [STARTER_ID, "tokyo"]


def test_conflict_between_sessions_is_reported_not_forced() -> None:
    # x and y are both only free 09:00-10:00; both sessions need the starter for 60 min.
    busy = {p: _busy((_at(10), _at(17))) for p in ("x", "y")}
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN, "y": BERLIN}
    schedule = _solve([_request("a", 60, "x"), _request("b", 60, "y")], tz_of, busy)
    assert len(schedule.sessions) == 1
    (exception,) = schedule.exceptions
    assert "other onboarding sessions" in exception.reason
    assert (
        schedule_problems(
            schedule.sessions, days=[MONDAY], starter_tz=BERLIN, tz_of=tz_of, busy=busy, rules=RULES
        )
        == []
    )


def test_role_pool_uses_the_first_free_member() -> None:
    busy = {"it1": _busy((_at(9), _at(17)))}
    tz_of = {STARTER_ID: BERLIN, "it1": BERLIN, "it2": BERLIN}
    pools = (Pool("starter", (STARTER_ID,)), Pool("role:IT", ("it1", "it2")))
    request = SessionRequest("it", "IT", timedelta(minutes=60), pools, 0, 0)
    (session,) = _solve([request], tz_of, busy).sessions
    assert session.attendees[1].person_id == "it2"
    assert session.attendees[1].slot == "role:IT"


def test_fixed_sessions_are_kept_and_avoided() -> None:
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN}
    first = _solve([_request("a", 60, "x")], tz_of).sessions[0]
    moved = first.model_copy(update={"start": _at(9), "end": _at(10)})
    schedule = schedule_week_one(
        [_request("a", 60, "x"), _request("b", 60, "x")],
        days=[MONDAY],
        starter_tz=BERLIN,
        tz_of=tz_of,
        busy={},
        rules=RULES,
        fixed=[moved],
    )
    assert {s.session_id: _local(s) for s in schedule.sessions} == {
        "a": "Mon 09:00",
        "b": "Mon 10:00",
    }


def test_resolve_sessions_without_buddy_gives_exception() -> None:
    config = make_config()
    starter = make_starter()
    directory = [make_person("m1")]
    requests, exceptions = resolve_sessions(
        config, starter, directory, manager_id="m1", buddy_id=None
    )
    assert [r.session_id for r in requests] == ["manager-1on1"]
    assert [(e.session_id, e.unresolved) for e in exceptions] == [("buddy-intro", ("buddy",))]


def test_schedule_problems_detects_double_booking_and_rule_breaches() -> None:
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN}
    a = _solve([_request("a", 60, "x")], tz_of).sessions[0]
    b = a.model_copy(update={"session_id": "b"})
    lunch = a.model_copy(update={"session_id": "c", "start": _at(12), "end": _at(13)})
    busy = {"x": _busy((_at(16), _at(17)))}
    late = a.model_copy(update={"session_id": "d", "start": _at(16), "end": _at(17)})
    problems = schedule_problems(
        [a, b, lunch, late], days=[MONDAY], starter_tz=BERLIN, tz_of=tz_of, busy=busy, rules=RULES
    )
    codes = sorted({(p.code, p.ref) for p in problems})
    assert ("double-booking", "a,b") in codes
    assert ("over-lunch", "c") in codes
    assert ("double-booking", "d") in codes
    assert all(p.agent == "scheduling" for p in problems)


@pytest.fixture(scope="module")
def example_schedule() -> tuple[Schedule, dict[str, str]]:
    config = load_onboarding_config(CONFIG_PATH)
    inputs = load_inputs(EXAMPLE_DIR, config)
    return build_plan(inputs, config).schedule, inputs.emails


def test_example_week_books_all_but_the_far_away_security_training(
    example_schedule: tuple[Schedule, dict[str, str]],
) -> None:
    schedule, _ = example_schedule
    assert len(schedule.sessions) == 9
    assert [e.session_id for e in schedule.exceptions] == ["security-awareness"]
    assert schedule.exceptions[0].reason == (
        "No 60-minute slot in week one: no security engineer is free within the starter's"
        " working hours this week (their time zones do not overlap)"
    )
    welcome = next(s for s in schedule.sessions if s.session_id == "welcome")
    assert welcome.start.astimezone(BERLIN).date() == MONDAY


def test_first_week_ics_has_one_event_per_session(
    example_schedule: tuple[Schedule, dict[str, str]],
) -> None:
    schedule, emails = example_schedule
    data = render_first_week_ics(schedule, emails)
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        f"{s.session_id}@onboarding.baton" for s in schedule.sessions
    )
    first = next(e for e in events if str(e["UID"]).startswith("buddy-intro"))
    lines = first.to_ical().decode().splitlines()
    attendees = sorted(ln for ln in lines if ln.startswith("ATTENDEE"))
    assert attendees == [
        "ATTENDEE:mailto:maya.okafor@example.com",
        "ATTENDEE:mailto:samuel.osei@example.com",
    ]
    assert data == render_first_week_ics(schedule, emails)


def test_tiny_search_budget_still_places_everything_that_fits() -> None:
    tz_of = {STARTER_ID: BERLIN, "x": BERLIN}
    requests = [_request(f"s{i}", 30, "x", days=2) for i in range(8)]
    days = (MONDAY, MONDAY + timedelta(days=1))
    schedule = schedule_week_one(
        requests, days=days, starter_tz=BERLIN, tz_of=tz_of, busy={}, rules=RULES, budget=1
    )
    assert len(schedule.sessions) == 8
    assert schedule.exceptions == ()
    assert (
        schedule_problems(
            schedule.sessions, days=days, starter_tz=BERLIN, tz_of=tz_of, busy={}, rules=RULES
        )
        == []
    )


def test_same_person_in_two_slots_attends_once() -> None:
    config = make_config(
        sessions=[
            {
                "id": "kickoff",
                "title": "Kick-off",
                "duration_minutes": 30,
                "participants": ["starter", "manager", "id:m1"],
            }
        ]
    )
    requests, exceptions = resolve_sessions(
        config, make_starter(), [make_person("m1")], manager_id="m1", buddy_id=None
    )
    assert exceptions == []
    assert [p.slot for p in requests[0].pools] == ["starter", "manager"]
