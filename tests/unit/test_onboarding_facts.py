"""Facts in generated onboarding text come from the right fields and the right country.

The issue: a buddy note said "You both work with docker, kubernetes, observability"
when kubernetes and observability were the starter's interests, not skills; and a
Berlin starter's check-in note named "Labor Day" (Germany's 1 May, named in English
like the American holiday).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from baton.agents.onboarding.buddy import common_ground, fallback_note
from baton.tools.onboarding.buddy import match_buddy
from baton.tools.onboarding.checkins import plan_checkins
from baton.tools.onboarding.config import BuddyConfig, CheckinConfig
from baton.tools.onboarding.testing import make_person, make_starter

STARTER: dict[str, Any] = {
    "name": "Maya Okafor",
    "skills": ("python", "sql", "docker"),
    "interests": ("kubernetes", "observability"),
}
THIRTY_DAYS = CheckinConfig(
    days_after_start=(30,), default_questions=("How is it going?",), local_time=time(10)
)


def _buddy() -> Any:
    directory = [
        make_person("m1"),
        make_person(
            "p07",
            name="Jonas Weber",
            level=3,
            skills=("docker", "kubernetes", "observability", "go"),
        ),
    ]
    match = match_buddy(make_starter(**STARTER), directory, manager_id="m1", config=BuddyConfig())
    assert match.choice is not None and match.choice.person_id == "p07"
    return match.choice


def test_shared_skills_and_interests_are_stated_as_what_they_are() -> None:
    buddy = _buddy()
    assert buddy.shared_skills == ("docker",)
    assert buddy.teaches == ("kubernetes", "observability")
    note = fallback_note(make_starter(**STARTER), buddy)
    assert "You both work with docker." in note
    assert "Jonas works with kubernetes, observability, which you want to learn." in note
    assert "both work with docker, kubernetes" not in note
    about = common_ground(buddy, starter_first="Maya")  # what the model's prompt says
    assert about == (
        "Maya and Jonas both work with docker."
        " Jonas works with kubernetes, observability, which Maya wants to learn."
    )


def test_nothing_in_common_says_nothing() -> None:
    buddy = _buddy().model_copy(update={"shared_skills": (), "teaches": ()})
    assert common_ground(buddy) == ""
    assert "work with" not in fallback_note(make_starter(**STARTER), buddy)


def test_a_berlin_starters_holiday_is_named_as_germany_names_it() -> None:
    (first,) = plan_checkins(
        make_starter(subdivision="BE", start_date=date(2026, 4, 1)), THIRTY_DAYS
    )
    assert first.due_date == date(2026, 5, 1)
    assert first.moved_because[0] == "2026-05-01 is Erster Mai (a public holiday in DE-BE)"
    assert not any("Labor Day" in reason for reason in first.moved_because)


def test_us_labor_day_moves_a_us_check_in_but_not_a_berlin_one() -> None:
    start = date(2026, 8, 8)  # + 30 days = Monday 2026-09-07, US Labor Day
    (berlin,) = plan_checkins(make_starter(start_date=start), THIRTY_DAYS)
    assert berlin.scheduled_date == date(2026, 9, 7) and berlin.moved_because == ()
    us = make_starter(country="US", timezone="America/New_York", start_date=start)
    (new_york,) = plan_checkins(us, THIRTY_DAYS)
    assert new_york.scheduled_date == date(2026, 9, 8)
    assert new_york.moved_because == ("2026-09-07 is Labor Day (a public holiday in US)",)
