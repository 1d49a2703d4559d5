"""Schema of ``configs/onboarding.yaml``.

Everything HR may tune without touching code lives here: the week-one sessions per
role or department, working hours, lunch, the daily meeting cap, the IT catalogue (the
*only* source of provisioning requests, which is how least privilege is enforced), the
buddy scoring weights and the check-in questions. Validation is strict (unknown keys are
errors) so that a typo cannot silently switch a rule off.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from baton.tools.onboarding.models import Record, Starter
from baton.tools.yamlmodel import config_error, load_yaml_model

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_REF = re.compile(r"^(starter|manager|buddy|id:\S.*|role:\S.*)$")


def _parse_clock(value: Any) -> time:
    # YAML 1.1 reads an unquoted 17:00 as the base-60 integer 1020, so insist on text.
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"expected a quoted clock time 'HH:MM', got {value!r}")
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _check_ref(value: str) -> str:
    if not _REF.match(value):
        raise ValueError(
            f"participant {value!r} must be 'starter', 'manager', 'buddy', 'id:<directory id>' "
            "or 'role:<directory role>'"
        )
    return value


ClockTime = Annotated[time, BeforeValidator(_parse_clock)]
ParticipantRef = Annotated[str, AfterValidator(_check_ref)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


class TimeRange(Record):
    """A local clock-time range, interpreted in each participant's own time zone."""

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start >= self.end:
            raise ValueError(f"start {self.start:%H:%M} must be before end {self.end:%H:%M}")
        return self

    @property
    def minutes(self) -> int:
        return _minutes(self.end) - _minutes(self.start)


class SchedulingConfig(Record):
    """Rules every booked session must satisfy for every participant."""

    working_hours: TimeRange
    lunch: TimeRange
    max_meeting_hours_per_day: float = Field(gt=0, le=24)
    slot_minutes: int = Field(default=15, ge=5, le=60)
    week_one_days: int = Field(default=5, ge=1, le=10)
    count_existing_meetings: bool = True
    search_budget: int = Field(default=20_000, ge=100, le=1_000_000)

    @model_validator(mode="after")
    def _consistent(self) -> SchedulingConfig:
        if 60 % self.slot_minutes:
            raise ValueError(f"slot_minutes {self.slot_minutes} must divide 60")
        if self.lunch.start < self.working_hours.start or self.lunch.end > self.working_hours.end:
            raise ValueError("lunch must lie inside working_hours")
        return self

    @property
    def max_meeting_minutes(self) -> int:
        return round(self.max_meeting_hours_per_day * 60)


class AppliesTo(Record):
    """Who needs a session; both lists empty means every starter."""

    roles: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    def matches(self, starter: Starter) -> bool:
        if not self.roles and not self.departments:
            return True
        return starter.role in self.roles or starter.department in self.departments


class SessionTemplate(Record):
    """A week-one session; ``earliest_day``/``latest_day`` count working days from 1."""

    id: Slug
    title: str = Field(min_length=1)
    duration_minutes: int = Field(gt=0, le=480)
    participants: tuple[ParticipantRef, ...] = Field(min_length=1)
    applies_to: AppliesTo = AppliesTo()
    earliest_day: int = Field(default=1, ge=1)
    latest_day: int | None = Field(default=None, ge=1)
    description: str = ""

    @model_validator(mode="after")
    def _sane(self) -> SessionTemplate:
        if "starter" not in self.participants:
            raise ValueError("participants must include 'starter'")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants must not repeat")
        if self.latest_day is not None and self.latest_day < self.earliest_day:
            raise ValueError("latest_day must not be before earliest_day")
        return self

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(items)) != len(items):
        raise ValueError("items must be unique")
    return items


UniqueItems = Annotated[tuple[Annotated[str, Field(min_length=1)], ...], AfterValidator(_unique)]


class CatalogueEntry(Record):
    """Everything a role may be given; anything else needs a human (least privilege)."""

    accounts: UniqueItems = ()
    equipment: UniqueItems = ()
    access_groups: UniqueItems = ()


class BuddyWeights(Record):
    """Points each criterion can contribute; the maximum score is their sum."""

    same_department: float = Field(default=3.0, ge=0)
    adjacent_department: float = Field(default=1.5, ge=0)
    skills: float = Field(default=3.0, ge=0)
    level: float = Field(default=2.0, ge=0)
    timezone: float = Field(default=2.0, ge=0)
    capacity: float = Field(default=1.0, ge=0)


class BuddyConfig(Record):
    """How mentors are scored; ``adjacent_departments`` is read symmetrically."""

    weights: BuddyWeights = BuddyWeights()
    ideal_level_gap: int = Field(default=1, ge=0, le=10)
    max_timezone_gap_hours: float = Field(default=8.0, gt=0, le=24)
    capacity_norm: int = Field(default=3, ge=1)
    adjacent_departments: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def adjacent(self, a: str, b: str) -> bool:
        return b in self.adjacent_departments.get(a, ()) or a in self.adjacent_departments.get(
            b, ()
        )


class CheckinConfig(Record):
    """Pulse surveys after the start date; role questions are added to the defaults."""

    days_after_start: tuple[int, ...] = Field(default=(30, 60, 90), min_length=1)
    local_time: ClockTime = time(10, 0)
    duration_minutes: int = Field(default=30, gt=0, le=240)
    default_questions: tuple[str, ...] = Field(min_length=1)
    role_questions: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _days(self) -> CheckinConfig:
        if any(d <= 0 for d in self.days_after_start):
            raise ValueError("days_after_start must be positive")
        if list(self.days_after_start) != sorted(set(self.days_after_start)):
            raise ValueError("days_after_start must be strictly increasing")
        return self


class OnboardingConfig(Record):
    """The whole file; the IT catalogue's keys are the roles the scenario knows."""

    scheduling: SchedulingConfig
    sessions: tuple[SessionTemplate, ...] = Field(min_length=1)
    it_catalogue: dict[str, CatalogueEntry] = Field(min_length=1)
    buddy: BuddyConfig = BuddyConfig()
    checkins: CheckinConfig
    playbook_collection: str = Field(default="hr-playbook", min_length=1)

    @model_validator(mode="after")
    def _cross_checks(self) -> OnboardingConfig:
        ids = [s.id for s in self.sessions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate session ids: {', '.join(dupes)}")
        roles = set(self.it_catalogue)
        for session in self.sessions:
            unknown = [r for r in session.applies_to.roles if r not in roles]
            if unknown:
                raise ValueError(f"session {session.id!r} applies to unknown roles {unknown}")
            if session.earliest_day > self.scheduling.week_one_days or (
                session.latest_day is not None
                and session.latest_day > self.scheduling.week_one_days
            ):
                raise ValueError(f"session {session.id!r} has a day outside week_one_days")
            if session.duration_minutes > self.scheduling.working_hours.minutes:
                raise ValueError(f"session {session.id!r} is longer than the working day")
        unknown_q = sorted(set(self.checkins.role_questions) - roles)
        if unknown_q:
            raise ValueError(f"checkins.role_questions has unknown roles {unknown_q}")
        return self

    @property
    def roles(self) -> list[str]:
        return sorted(self.it_catalogue)


def load_onboarding_config(path: str | Path) -> OnboardingConfig:
    """Parse and validate the YAML, failing with one line naming file, line and field.

    Raises :class:`baton.errors.ConfigError` on unreadable YAML, unknown keys or bad
    values, before anything else runs.
    """
    return load_yaml_model(Path(path), OnboardingConfig, config_error)


__all__ = [
    "AppliesTo",
    "BuddyConfig",
    "BuddyWeights",
    "CatalogueEntry",
    "CheckinConfig",
    "OnboardingConfig",
    "SchedulingConfig",
    "SessionTemplate",
    "TimeRange",
    "load_onboarding_config",
]
