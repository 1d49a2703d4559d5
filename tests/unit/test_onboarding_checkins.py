"""30/60/90 check-ins: moved off weekends and public holidays, role questions, outputs."""

from __future__ import annotations

import json
from datetime import date, time

import icalendar

from baton.tools.onboarding.checkins import (
    checkin_problems,
    plan_checkins,
    questions_for,
    render_checkins_ics,
    render_pulse_surveys_json,
)
from baton.tools.onboarding.config import CheckinConfig
from baton.tools.onboarding.testing import make_starter
from baton.tools.onboarding.workdays import holiday_calendar, working_days_from

CONFIG = CheckinConfig(
    default_questions=("How is it going?", "Anything missing?"),
    role_questions={"Software Engineer": ("Shipped yet?", "How is it going?")},
    local_time=time(10, 0),
)


def test_days_are_moved_past_weekends_and_holidays() -> None:
    # 2026-03-02 + 30 = Wed 04-01; + 60 = Fri 05-01 (Labour Day); + 90 = Sun 05-31.
    checkins = plan_checkins(make_starter(), CONFIG)
    assert [(c.day, c.due_date, c.scheduled_date) for c in checkins] == [
        (30, date(2026, 4, 1), date(2026, 4, 1)),
        (60, date(2026, 5, 1), date(2026, 5, 4)),
        (90, date(2026, 5, 31), date(2026, 6, 1)),
    ]
    assert checkins[0].moved_because == ()
    assert checkins[1].moved_because[0].startswith("2026-05-01 is ")
    assert checkins[1].moved_because[1:] == ("2026-05-02 is Saturday", "2026-05-03 is Sunday")


def test_holidays_follow_the_starters_country() -> None:
    # 03-04 + 30 = Good Friday 2026-04-03 (UK-wide); Easter Monday 04-06 is a holiday in
    # England but not UK-wide, so the region matters.
    london = {"country": "GB", "timezone": "Europe/London", "start_date": date(2026, 3, 4)}
    (first, *_) = plan_checkins(make_starter(**london, subdivision="ENG"), CONFIG)
    assert first.due_date == date(2026, 4, 3)
    assert first.scheduled_date == date(2026, 4, 7)
    assert plan_checkins(make_starter(**london), CONFIG)[0].scheduled_date == date(2026, 4, 6)
    us = make_starter(country="US", timezone="America/New_York", start_date=date(2026, 3, 4))
    assert plan_checkins(us, CONFIG)[0].scheduled_date == date(2026, 4, 3)


def test_start_time_is_local_to_the_starter() -> None:
    starter = make_starter(country="US", timezone="America/Los_Angeles")
    first = plan_checkins(starter, CONFIG)[0]
    assert first.start.isoformat() == "2026-04-01T10:00:00-07:00"
    assert (first.end - first.start).total_seconds() == 30 * 60


def test_role_questions_are_appended_without_repeats() -> None:
    assert questions_for("Software Engineer", CONFIG) == (
        "How is it going?",
        "Anything missing?",
        "Shipped yet?",
    )
    assert questions_for("Data Analyst", CONFIG) == ("How is it going?", "Anything missing?")


def test_checkin_problems_catch_a_moved_or_missing_checkin() -> None:
    starter = make_starter()
    checkins = plan_checkins(starter, CONFIG)
    assert checkin_problems(checkins, starter, CONFIG) == []
    holiday = checkins[1].model_copy(update={"scheduled_date": date(2026, 5, 1)})
    problems = checkin_problems([checkins[0], holiday], starter, CONFIG)
    assert [(p.code, p.ref) for p in problems] == [
        ("missing-checkin", "90"),
        ("not-a-working-day", "60"),
        ("wrong-date", "60"),
    ]
    assert all(p.agent == "checkin" for p in problems)


def test_ics_and_json_outputs() -> None:
    starter = make_starter()
    checkins = plan_checkins(starter, CONFIG)
    events = icalendar.Calendar.from_ical(render_checkins_ics(starter, checkins)).walk("VEVENT")
    assert [e.decoded("DTSTART").date() for e in events] == [c.scheduled_date for c in checkins]
    data = json.loads(render_pulse_surveys_json(starter, checkins))
    assert [s["send_on"] for s in data["surveys"]] == ["2026-04-01", "2026-05-04", "2026-06-01"]
    assert data["surveys"][0]["questions"][2] == {"id": "q3", "text": "Shipped yet?"}


def test_week_one_skips_public_holidays() -> None:
    calendar = holiday_calendar("DE", None, [2026])
    days = working_days_from(date(2026, 4, 2), 3, calendar)  # Good Friday, Easter Monday
    assert days == [date(2026, 4, 2), date(2026, 4, 7), date(2026, 4, 8)]
