"""Typed records shared by the onboarding tools.

The starter and the directory are validated once at the edge (see :mod:`.io`) so that
every later step can trust them; :class:`Problem` is the one shape the plan critic and
the per-topic checkers return, because the graph routes a problem back to the agent it
names and needs nothing else to do that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

STARTER_ID = "starter"
"""Person id the starter gets in calendars and sessions (the starter is not in the directory)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

AgentName = Literal["scheduling", "provisioning", "content", "buddy", "checkin"]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"not an e-mail address: {value!r}")
    return value.lower()


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
Email = Annotated[str, AfterValidator(_check_email)]
NonEmpty = Annotated[str, Field(min_length=1)]


class Record(BaseModel):
    """Base of every onboarding record: immutable (safe to share between graph nodes)
    and strict (an unexpected field from a model's JSON is an error, not ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Starter(Record):
    """The new hire as described by ``starter.yaml``.

    ``manager`` is the manager's directory id or e-mail so that HR can write whichever
    they have; ``country`` (ISO 3166-1 alpha-2) drives the public-holiday calendar.
    """

    name: NonEmpty
    email: Email
    role: NonEmpty
    department: NonEmpty
    level: int = Field(ge=1, le=20)
    manager: NonEmpty
    location: NonEmpty
    country: str = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = None
    timezone: TimeZoneName
    start_date: date
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Person(Record):
    """One row of ``directory.csv``.

    ``mentor_capacity`` is the number of mentees the person can *still* take, so 0 means
    "at capacity"; ``is_manager_of`` lists directory ids or e-mails of their reports.
    """

    id: NonEmpty
    name: NonEmpty
    email: Email
    role: NonEmpty
    department: NonEmpty
    level: int = Field(ge=1, le=20)
    skills: tuple[str, ...] = ()
    timezone: TimeZoneName
    mentor_capacity: int = Field(ge=0)
    is_manager_of: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open busy span ``[start, end)`` in aware datetimes.

    A plain dataclass rather than a pydantic model because the solver builds and
    compares many of them.
    """

    start: datetime
    end: datetime
    label: str = ""

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


class Problem(Record):
    """One rule the plan breaks, addressed to the agent that must redo its part."""

    agent: AgentName
    code: str
    message: str
    ref: str | None = None


@dataclass
class ProblemLog:
    """The problems one rule check finds, all addressed to the same agent.

    Why: a check routes every finding back to one agent, so the agent is named once here
    and each finding states only what differs: its code, message and ref.
    """

    agent: AgentName
    found: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, ref: str | None = None) -> None:
        """Record one finding for this log's agent."""
        self.found.append(Problem(agent=self.agent, code=code, message=message, ref=ref))
