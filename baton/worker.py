"""``baton worker``: take queued runs from PostgreSQL and drive them, one at a time.

Why workers: in the ``scale`` profile people submit runs (``baton run --queue``) and
decisions (``baton resume --queue``) and any number of workers on any machines do the
work. Every worker reads the same checkpoints, so a run started by one worker, paused
for a human, and approved later is continued by whichever worker is free, and a run
whose worker died is continued by another once the lease expires, from its last
checkpoint (completed nodes never run again).

Schedules and review deadlines: when the queue is empty a worker also does what
``baton tick`` does (see :mod:`baton.schedule`): start due scheduled runs and expire
reviews whose deadline passed.

Stopping: the first SIGTERM or Ctrl-C lets the current run reach its next stop (done,
paused or failed) and then exits; a second one exits at once, and the run's lease
simply expires so that another worker continues it.

Shared filesystem: a queued run's input path and output folder are absolute paths from
the machine that enqueued it; workers must see the same paths (see :mod:`baton.pg`).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from types import FrameType

from baton.config import Settings
from baton.errors import UserError
from baton.pg import PostgresRegistry, QueuedRun
from baton.runtime import Runner, RunOutcome
from baton.schedule import tick

LogFn = Callable[[str], None]


@dataclass
class WorkerOptions:
    """Knobs of one worker process (CLI flags; defaults from ``queue`` settings)."""

    lease_s: float
    poll_s: float
    max_runs: int | None = None
    """Exit after driving this many runs (tests and rolling restarts)."""
    idle_exit_s: float | None = None
    """Exit after the queue has been empty this long (batch jobs, tests)."""


class _Stop:
    """SIGTERM/SIGINT handling: first signal finishes the current run, second exits."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self)
        signal.signal(signal.SIGINT, self)


def work(settings: Settings, options: WorkerOptions, log: LogFn) -> int:
    """Drive queued runs until told to stop; returns how many runs this worker drove."""
    settings = settings.model_copy(
        update={"queue": settings.queue.model_copy(update={"lease_s": options.lease_s})}
    )
    runner = Runner(settings)
    try:
        queue = runner.registry
        if not isinstance(queue, PostgresRegistry):
            raise UserError(
                "baton worker needs the 'scale' profile (checkpoints.backend: postgres);"
                " set BATON_PROFILE=scale and BATON_DATABASE_URL"
            )
        stop = _Stop()
        stop.install()
        log(f"worker {queue.holder} waiting for runs (lease {options.lease_s:g}s)")
        driven = 0
        idle_since = time.monotonic()
        while not stop.requested and (options.max_runs is None or driven < options.max_runs):
            job = queue.take(queue.holder, options.lease_s)
            if job is None and _tick(runner, log):
                idle_since = time.monotonic()
                continue
            if job is None:
                idle = time.monotonic() - idle_since
                if options.idle_exit_s is not None and idle >= options.idle_exit_s:
                    log(f"worker {queue.holder}: queue empty for {idle:.0f}s, exiting")
                    break
                time.sleep(options.poll_s)
                continue
            log(f"took {job.run_id} ({job.action or 'continue'}, attempt {job.attempts})")
            outcome = _drive_one(runner, job, log)
            queue.complete(job.run_id, queue.holder)
            if outcome is not None:
                log(f"{outcome.run_id}: {outcome.status}")
            driven += 1
            idle_since = time.monotonic()
        return driven
    finally:
        runner.close()


def _tick(runner: Runner, log: LogFn) -> bool:
    """Between queued runs, do what ``baton tick`` does; True if anything was due.

    Every worker ticks; the schedule slot and the expiry are each claimed by a
    compare-and-set in the shared database, so only one worker acts on each.
    """
    report = tick(runner)
    if not (report.started or report.expired or report.failed):
        return False
    for line in report.lines():
        log(line)
    return True


def _drive_one(runner: Runner, job: QueuedRun, log: LogFn) -> RunOutcome | None:
    """One run; its failure is recorded on the run and never stops the worker."""
    try:
        return runner.drive_taken(job)
    except UserError as exc:
        reason = str(exc)
    except Exception as exc:  # recorded as the run's reason by the runner; keep working
        reason = f"internal error: {type(exc).__name__}: {exc}"
    log(f"{job.run_id}: failed: {reason}")
    # A failure before the first step leaves the run 'running' with nobody driving it;
    # mark it failed so `baton resume RUN --queue` (or plain resume) can retry it.
    with suppress(Exception):
        if runner.registry.get(job.run_id).status == "running":
            runner.registry.set_status(job.run_id, "failed", reason=reason)
    return None
