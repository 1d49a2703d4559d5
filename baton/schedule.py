"""Schedules and review deadlines: what ``baton tick`` and ``baton worker`` do besides runs.

Why in the runtime and not in cron alone: cron (or a worker's loop) only says "it is
time to look"; what is due, and that it runs exactly once however many ticks race, must
live next to the run registry. Both checks here are compare-and-set updates in the
registry's database (SQLite locally, PostgreSQL at scale), so two ticks, or a tick and
a worker, never start the same scheduled run twice nor expire the same review twice.

* A **schedule** (``baton schedule add``) starts a normal durable run of a scenario
  every interval (``--every 1h``) or on a cron expression (``--cron "0 * * * *"``,
  read by ``croniter``). A tick runs each due schedule once and moves its next time
  past *now*, so ticks missed while nothing ran coalesce into one run, not one each.
  The run's id is derived from the schedule and its slot (:func:`slot_run_id`), so
  the registry's primary key makes each slot's run exactly once, even under SIGKILL.
* A **review deadline** is the ``deadline`` (ISO-8601) a scenario puts in its review
  packet. Once it has passed, a tick resumes the paused run through
  :meth:`baton.runtime.Runner.resume` with an ``expire`` decision by
  ``baton:deadline``, which the scenario handles (e.g. escalates) and the audit trail
  records like any other decision.

"Now" is :func:`baton.clock.now`, so tests move time with ``BATON_NOW``.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from croniter import croniter
from pydantic import BaseModel

from baton import clock
from baton.errors import UserError
from baton.registry import BaseRegistry
from baton.review import DEADLINE_REVIEWER, ReviewDecision
from baton.runtime import Runner
from baton.scenario import REVIEW_MODES, ReviewMode, get_scenario

LogFn = Callable[[str], None]

_EVERY = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": 60, "h": 3600, "d": 86_400, "w": 604_800}

_SCHEDULE_COLUMNS = (
    "id",
    "scenario",
    "every_s",
    "cron",
    "input_path",
    "review_mode",
    "created_at",
    "last_run_at",
    "next_at",
    "last_run_id",
)


class Schedule(BaseModel):
    """One row of the ``schedules`` table."""

    id: str
    scenario: str
    every_s: int | None = None
    cron: str | None = None
    input_path: str
    review_mode: str | None = None
    created_at: str
    last_run_at: str | None = None
    next_at: str
    last_run_id: str | None = None

    @property
    def when(self) -> str:
        """How the schedule repeats, as the user wrote it (``every 1h``, ``cron 0 * * * *``)."""
        return f"cron {self.cron}" if self.cron else f"every {_span(self.every_s or 0)}"


def parse_every(text: str) -> int:
    """``30m``, ``1h``, ``1d`` or ``2w`` as seconds; anything else is a one-line error."""
    match = _EVERY.fullmatch(text.strip())
    seconds = int(match[1]) * _UNITS[match[2]] if match else 0
    if seconds <= 0:
        raise UserError(f"--every: expected an interval like 30m, 1h, 1d or 2w (got '{text}')")
    return seconds


def check_cron(expression: str) -> str:
    """A five-field cron expression as given, or a one-line error."""
    text = " ".join(expression.split())
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise UserError(f"--cron: not a valid five-field cron expression: '{expression}'")
    return text


def _span(seconds: int) -> str:
    for unit in ("w", "d", "h"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds // 60}m"


def next_after(schedule: Schedule, now: datetime) -> datetime:
    """The first due time strictly after ``now``, keeping the schedule's phase.

    Interval schedules step from their previous due time (so a tick that is a little
    late does not drift the series); missed slots are skipped, not queued up.
    """
    if schedule.cron:
        return croniter(schedule.cron, now).get_next(datetime)
    step = timedelta(seconds=schedule.every_s or 0)
    due = clock.parse_utc(schedule.next_at, "next_at")
    missed = max(0, int((now - due) / step))
    due += step * missed
    while due <= now:
        due += step
    return due


class Schedules:
    """The schedules stored in a run registry's database (the same one workers share)."""

    def __init__(self, registry: BaseRegistry) -> None:
        self.registry = registry

    def add(
        self,
        scenario: str,
        input_path: Path,
        *,
        every: str | None = None,
        cron: str | None = None,
        review: str | None = None,
    ) -> Schedule:
        """Check everything first (one-line errors), then record the schedule."""
        if (every is None) == (cron is None):
            raise UserError("say when: --every 1h (30m, 1d, ...) or --cron '0 * * * *', not both")
        every_s = parse_every(every) if every is not None else None
        cron_text = check_cron(cron) if cron is not None else None
        name = get_scenario(scenario).name
        if review is not None and review not in REVIEW_MODES:
            raise UserError(f"--review: expected one of {', '.join(REVIEW_MODES)} (got '{review}')")
        if not input_path.exists():
            raise UserError(f"{input_path}: no such input file or folder")
        now = clock.now()
        first = croniter(cron_text, now).get_next(datetime) if cron_text else now
        row = Schedule(
            id=f"sched-{secrets.token_hex(3)}",
            scenario=name,
            every_s=every_s,
            cron=cron_text,
            input_path=str(input_path.resolve()),
            review_mode=review,
            created_at=clock.iso(now),
            next_at=clock.iso(first),
        )
        data = row.model_dump()
        marks = ", ".join("?" for _ in _SCHEDULE_COLUMNS)
        with self.registry._tx() as c:
            c.execute(
                f"INSERT INTO schedules ({', '.join(_SCHEDULE_COLUMNS)}) VALUES ({marks})",
                [data[k] for k in _SCHEDULE_COLUMNS],
            )
        return row

    def all(self) -> list[Schedule]:
        rows = self.registry._rows(
            f"SELECT {', '.join(_SCHEDULE_COLUMNS)} FROM schedules ORDER BY created_at, id"
        )
        return [Schedule.model_validate(r) for r in rows]

    def remove(self, schedule_id: str) -> None:
        with self.registry._tx() as c:
            if c.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)).rowcount != 1:
                raise UserError(f"unknown schedule id '{schedule_id}' (see `baton schedule list`)")

    def due(self, now: datetime) -> list[Schedule]:
        return [s for s in self.all() if s.next_at <= clock.iso(now)]

    def advance(self, schedule: Schedule, now: datetime, run_id: str) -> bool:
        """Move past the slot ``run_id`` served (compare-and-set on ``next_at``).

        False if another tick or worker already moved it.
        """
        with self.registry._tx() as c:
            cur = c.execute(
                "UPDATE schedules SET last_run_at = ?, next_at = ?, last_run_id = ?"
                " WHERE id = ? AND next_at = ?",
                (
                    clock.iso(now),
                    clock.iso(next_after(schedule, now)),
                    run_id,
                    schedule.id,
                    schedule.next_at,
                ),
            )
            return bool(cur.rowcount == 1)


def slot_run_id(schedule: Schedule) -> str:
    """The run id of the slot a schedule is due for: one per schedule and slot.

    Why deterministic: the run registry's primary key then makes the slot's run exactly
    once. Two ticks racing try to register the same id and only one insert succeeds;
    a tick killed before registering leaves the slot due, so the next tick runs it; a
    tick killed after registering leaves a run that ``baton resume`` (or a worker,
    once the lease expires) continues, and the next tick only moves the slot on.
    """
    slot = clock.parse_utc(schedule.next_at, "next_at")
    return f"{schedule.scenario}-{slot:%Y%m%d-%H%M}-{schedule.id.removeprefix('sched-')}"


def _is_duplicate(exc: BaseException) -> bool:
    """Whether ``exc`` is the registry refusing a second run with the same id."""
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    try:
        import psycopg
    except ImportError:  # the scale extra is not installed
        return False
    return isinstance(exc, psycopg.IntegrityError)


@dataclass
class TickReport:
    """What one tick did, for the CLI and the worker's log."""

    started: list[tuple[str, str, str]] = field(default_factory=list)
    """``(schedule id, run id, status)`` per scheduled run started."""
    expired: list[tuple[str, str]] = field(default_factory=list)
    """``(run id, status after the expiry)`` per review whose deadline passed."""
    failed: list[str] = field(default_factory=list)
    """One line per schedule or expiry that could not be carried out."""

    def lines(self) -> list[str]:
        out = [f"{sid}: started {rid} ({status})" for sid, rid, status in self.started]
        out += [f"{rid}: review deadline passed, expired ({st})" for rid, st in self.expired]
        return out + self.failed or ["nothing due"]

    def as_json(self) -> dict[str, list[Any]]:
        """``baton tick --json``: named fields rather than positional tuples."""
        return {
            "started": [
                {"schedule": sid, "run_id": rid, "status": st} for sid, rid, st in self.started
            ],
            "expired": [{"run_id": rid, "status": st} for rid, st in self.expired],
            "failed": list(self.failed),
        }


def expire_overdue(runner: Runner, report: TickReport | None = None) -> TickReport:
    """Resume every paused run whose review deadline has passed with an ``expire`` decision.

    The runner's claim is a compare-and-set that also re-checks the deadline, so a run
    another tick or worker already expired (or that paused again with a later
    deadline) is skipped, not expired twice.
    """
    report = report or TickReport()
    now = clock.iso(clock.now())
    for run in runner.registry.overdue_reviews(now):
        decision = ReviewDecision(
            action="expire",
            reviewer=DEADLINE_REVIEWER,
            at=now,
            comment=f"no decision by {run.deadline}",
        )
        try:
            outcome = runner.resume(run.id, decision)
        except UserError as exc:
            if _still_overdue(runner, run.id, now):  # not just lost to another tick
                report.failed.append(f"{run.id}: {exc}")
            continue
        except Exception as exc:  # recorded on the run by the runner; keep ticking
            report.failed.append(f"{run.id}: internal error: {type(exc).__name__}: {exc}")
            continue
        report.expired.append((run.id, outcome.status))
    return report


def _still_overdue(runner: Runner, run_id: str, now: str) -> bool:
    """Whether the run still waits on a passed deadline (else another tick took it)."""
    run = runner.registry.find(run_id)
    return bool(run and run.status == "awaiting_review" and run.deadline and run.deadline <= now)


def run_due(runner: Runner, report: TickReport | None = None) -> TickReport:
    """Start one run of every due schedule (a normal durable run each), exactly once."""
    report = report or TickReport()
    schedules = Schedules(runner.registry)
    now = clock.now()
    for schedule in schedules.due(now):
        run_id = slot_run_id(schedule)
        existing = runner.registry.find(run_id)
        if existing is None:
            _start(runner, schedule, run_id, report)
        elif existing.status == "running":
            _continue(runner, schedule, run_id, report)
        schedules.advance(schedule, now, run_id)
    return report


def _continue(runner: Runner, schedule: Schedule, run_id: str, report: TickReport) -> None:
    """Continue the slot's run if the tick that started it was killed (nobody drives it).

    The runner's claim refuses a run whose process is alive (or whose lease holds), so
    a run another tick is still driving is left alone.
    """
    try:
        outcome = runner.resume(run_id)
    except UserError:
        return  # still driven by another process
    except Exception as exc:  # the run records its own failure; keep ticking
        report.failed.append(f"{schedule.id}: internal error: {type(exc).__name__}: {exc}")
        return
    report.started.append((schedule.id, outcome.run_id, outcome.status))


def _start(runner: Runner, schedule: Schedule, run_id: str, report: TickReport) -> None:
    """Start the slot's run; a failure is one report line and never stops the tick."""
    try:
        mode = cast("ReviewMode | None", schedule.review_mode)
        outcome = runner.start(
            schedule.scenario, Path(schedule.input_path), review=mode, run_id=run_id
        )
    except UserError as exc:
        report.failed.append(f"{schedule.id}: {exc}")
        return
    except Exception as exc:  # the run records its own failure; keep ticking
        if not _is_duplicate(exc):  # a duplicate: another tick started this slot
            report.failed.append(f"{schedule.id}: internal error: {type(exc).__name__}: {exc}")
        return
    report.started.append((schedule.id, outcome.run_id, outcome.status))


def tick(runner: Runner) -> TickReport:
    """Run every due schedule once, then expire overdue reviews (``baton tick``)."""
    return expire_overdue(runner, run_due(runner))
