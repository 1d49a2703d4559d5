"""Small builders for tests of the onboarding tools and graph.

Tests need many slightly different starters, directories and configs; building them
from one set of defaults keeps each test down to the one field it is about.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.models import Person, Starter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = ROOT / "examples" / "hr"
CONFIG_PATH = ROOT / "configs" / "onboarding.yaml"


def make_starter(**overrides: Any) -> Starter:
    """A valid starter (Berlin, Monday 2026-03-02) with ``overrides`` applied."""
    data: dict[str, Any] = {
        "name": "Sam Starter",
        "email": "sam.starter@example.com",
        "role": "Software Engineer",
        "department": "Engineering",
        "level": 2,
        "manager": "m1",
        "location": "Berlin",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "start_date": date(2026, 3, 2),
        "skills": ("python", "sql"),
        "interests": ("kubernetes",),
    }
    return Starter.model_validate(data | overrides)


def make_person(person_id: str, **overrides: Any) -> Person:
    """A valid directory row with id ``person_id`` and ``overrides`` applied."""
    data: dict[str, Any] = {
        "id": person_id,
        "name": f"Person {person_id}",
        "email": f"{person_id}@example.com",
        "role": "Software Engineer",
        "department": "Engineering",
        "level": 3,
        "skills": ("python",),
        "timezone": "Europe/Berlin",
        "mentor_capacity": 1,
        "is_manager_of": (),
    }
    return Person.model_validate(data | overrides)


def make_config(**overrides: Any) -> OnboardingConfig:
    """A small valid config: one role, two sessions, 09-17 with lunch 12-13, 4 h cap."""
    data: dict[str, Any] = {
        "scheduling": {
            "working_hours": {"start": "09:00", "end": "17:00"},
            "lunch": {"start": "12:00", "end": "13:00"},
            "max_meeting_hours_per_day": 4,
            "slot_minutes": 15,
            "week_one_days": 5,
        },
        "sessions": [
            {
                "id": "manager-1on1",
                "title": "Manager 1:1",
                "duration_minutes": 60,
                "participants": ["starter", "manager"],
            },
            {
                "id": "buddy-intro",
                "title": "Buddy intro",
                "duration_minutes": 30,
                "participants": ["starter", "buddy"],
            },
        ],
        "it_catalogue": {
            "Software Engineer": {
                "accounts": ["Slack", "GitHub"],
                "equipment": ["Laptop"],
                "access_groups": ["eng-all"],
            }
        },
        "checkins": {"default_questions": ["How is it going?"]},
    }
    return OnboardingConfig.model_validate(data | overrides)
