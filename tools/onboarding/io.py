"""Load and validate the onboarding input folder before anything is computed.

Layout of the folder::

    starter.yaml        the new hire
    directory.csv       id,name,email,role,department,level,skills,timezone,
                        mentor_capacity,is_manager_of   (lists are ';'-separated)
    calendars/<id>.ics  busy time per person (``starter.ics`` for the starter, optional)

Every mistake is raised as :class:`~baton.errors.InputError` naming file, line and
field, and all files are checked before any output exists, so a run never writes half a
plan. A directory in which nobody is eligible to be a buddy is valid input (the plan
carries an exception for HR instead), see :mod:`.buddy`.
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from baton import safepath
from baton.errors import ConfigError, InputError
from baton.tools.onboarding.buddy import find_manager
from baton.tools.onboarding.calendars import load_calendars
from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.models import STARTER_ID, Interval, Person, Starter
from baton.tools.onboarding.workdays import (
    holiday_calendar,
    non_working_reasons,
    supported_country,
    working_days_from,
)
from baton.tools.yamlmodel import first_error, input_error, read_yaml, validate_doc

DIRECTORY_COLUMNS = (
    "id",
    "name",
    "email",
    "role",
    "department",
    "level",
    "skills",
    "timezone",
    "mentor_capacity",
    "is_manager_of",
)
LIST_COLUMNS = ("skills", "is_manager_of")


def load_starter(path: str | Path, config: OnboardingConfig) -> Starter:
    """Read ``starter.yaml`` and check it against the config and the holiday calendar.

    Rejects an unknown role (no IT catalogue, no sessions), an unsupported country and a
    start date that is not a working day.
    """
    doc = read_yaml(Path(path), input_error)
    starter = validate_doc(doc, Starter, input_error)

    def fail(field: str, message: str) -> InputError:
        return InputError(doc.path, message, line=doc.line_of((field,)), column=field)

    if starter.role not in config.it_catalogue:
        raise fail("role", f"unknown role {starter.role!r}; known roles: {', '.join(config.roles)}")
    bad_country = supported_country(starter.country, starter.subdivision)
    if bad_country:
        raise fail(
            "subdivision"
            if starter.subdivision and supported_country(starter.country) is None
            else "country",
            bad_country,
        )
    reasons = non_working_reasons(
        starter.start_date,
        holiday_calendar(starter.country, starter.subdivision, [starter.start_date.year]),
    )
    if reasons:
        raise fail(
            "start_date",
            f"start date {starter.start_date} is not a working day ({' / '.join(reasons)})",
        )
    return starter


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def _rows(reader: csv.DictReader[str], path: Path) -> Iterator[dict[str, str]]:
    """Rows of ``reader``, with the csv module's own errors turned into input errors."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from None


def load_directory(path: str | Path) -> list[Person]:
    """Read ``directory.csv``; list columns (``skills``, ``is_manager_of``) use ``;``."""
    path = Path(path)
    text = safepath.decode(safepath.read_bytes(path, what="directory"), path, what="directory")
    reader = csv.DictReader(_io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
    missing = [c for c in DIRECTORY_COLUMNS if c not in header]
    if missing:
        raise InputError(
            path, f"missing column(s): {', '.join(missing)}", line=1, column=missing[0]
        )
    people: list[Person] = []
    ids: dict[str, int] = {}
    emails: dict[str, int] = {}
    for row in _rows(reader, path):
        line = reader.line_num
        if None in row:
            raise InputError(path, "more fields than header columns", line=line)
        if any(row[c] is None for c in DIRECTORY_COLUMNS):
            raise InputError(path, "fewer fields than header columns", line=line)
        data: dict[str, Any] = {c: (row[c] or "").strip() for c in DIRECTORY_COLUMNS}
        for column in LIST_COLUMNS:
            data[column] = _split(data[column])
        try:
            person = Person.model_validate(data)
        except ValidationError as exc:
            loc, message = first_error(exc)
            field = str(loc[0]) if loc else None
            raise InputError(path, message, line=line, column=field) from exc
        for key, seen, label in ((person.id, ids, "id"), (person.email, emails, "email")):
            if key in seen:
                raise InputError(
                    path,
                    f"duplicate {label} {key!r} (first on line {seen[key]})",
                    line=line,
                    column=label,
                )
            seen[key] = line
        if person.id == STARTER_ID:
            raise InputError(
                path, f"id {STARTER_ID!r} is reserved for the starter", line=line, column="id"
            )
        people.append(person)
    if not people:
        raise InputError(path, "the directory lists nobody", line=1)
    return people


@dataclass(frozen=True)
class OnboardingInputs:
    """Everything validated, ready for the agents and tools."""

    folder: Path
    starter: Starter
    directory: tuple[Person, ...]
    manager: Person
    days: tuple[date, ...]
    tz_of: dict[str, ZoneInfo]
    busy: dict[str, list[Interval]]

    @property
    def names(self) -> dict[str, str]:
        return {STARTER_ID: self.starter.name} | {p.id: p.name for p in self.directory}

    @property
    def emails(self) -> dict[str, str]:
        return {STARTER_ID: self.starter.email} | {p.id: p.email for p in self.directory}


def check_config_against_directory(
    config: OnboardingConfig, directory: Sequence[Person], *, config_path: str | Path
) -> None:
    """Session participants named by id or role must exist, or the config has a typo."""
    ids = {p.id for p in directory}
    roles = {p.role for p in directory}
    for s_index, session in enumerate(config.sessions):
        for p_index, ref in enumerate(session.participants):
            kind, _, value = ref.partition(":")
            if (kind == "id" and value not in ids) or (kind == "role" and value not in roles):
                raise ConfigError(
                    f"{config_path}: sessions[{s_index}].participants[{p_index}]: "
                    f"{ref!r} matches nobody in the directory (directory.csv)"
                )


def load_inputs(
    folder: str | Path,
    config: OnboardingConfig,
    *,
    config_path: str | Path = "configs/onboarding.yaml",
    starter_path: Path | None = None,
) -> OnboardingInputs:
    """Validate the whole input folder against ``config`` and load busy time for week one.

    ``starter_path`` replaces the folder's ``starter.yaml``: HR keeps one folder
    (directory, calendars, playbook) and sends each new hire's own starter file.
    """
    folder = Path(folder)
    starter_path = starter_path or folder / "starter.yaml"
    starter = load_starter(starter_path, config)
    directory = load_directory(folder / "directory.csv")
    manager = find_manager(starter, directory)
    if manager is None:
        doc = read_yaml(starter_path, input_error)
        raise InputError(
            starter_path,
            f"manager {starter.manager!r} is not in directory.csv",
            line=doc.line_of(("manager",)),
            column="manager",
        )
    check_config_against_directory(config, directory, config_path=config_path)
    calendar = holiday_calendar(
        starter.country, starter.subdivision, [starter.start_date.year, starter.start_date.year + 1]
    )
    days = tuple(working_days_from(starter.start_date, config.scheduling.week_one_days, calendar))
    tz_of = {p.id: p.tz for p in directory} | {STARTER_ID: starter.tz}
    window = Interval(
        datetime.combine(days[0], time(0), tzinfo=starter.tz).astimezone(UTC),
        datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=starter.tz).astimezone(UTC),
    )
    busy = load_calendars(folder / "calendars", tz_of, window)
    return OnboardingInputs(
        folder=folder,
        starter=starter,
        directory=tuple(directory),
        manager=manager,
        days=days,
        tz_of=tz_of,
        busy=busy,
    )
