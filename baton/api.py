"""The public Python API: run, resume, inspect and feed scenarios from a script.

Why a separate layer over :class:`baton.runtime.Runner`: scripts need a handful of
typed calls (``baton.run(...)``, ``baton.resume(...)``) that open and close what they
use, report user mistakes as typed exceptions, and never print. The CLI, the inbox and
the workers go through the same :class:`Runner`, so a run started here can be resumed
from the CLI or the browser, and the reverse.

Every function has an ``a``-prefixed twin for asyncio callers (``await baton.arun(...)``);
it runs the same code in a worker thread, because agent nodes are synchronous.
What is public is listed once, in ``baton/__init__.py`` (``__all__``), which imports
these names lazily.

Errors: :class:`baton.UserError` (and its subclasses :class:`baton.InputError`,
:class:`baton.ConfigError`) is a mistake the caller can fix; the CLI turns exactly these
into one line and exit code 2. A run that ran out of budget or lost its model endpoint
is not an exception: it comes back with ``status == "failed"`` and a ``reason``.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from baton.config import Settings, load_settings
from baton.context import ModelFactory, ReviewMode
from baton.errors import UserError
from baton.registry import STATUSES, AuditRecord, RunRecord
from baton.review import ReviewDecision, make_decision
from baton.runtime import ProgressFn, Runner, RunOutcome
from baton.scenario import Scenario, discover
from baton.stores import IngestResult


class RunDetails(BaseModel):
    """What ``baton show`` reports: the outcome, timestamps, audit trail and storage used."""

    outcome: RunOutcome
    created_at: str
    updated_at: str
    review_mode: str
    audit: list[AuditRecord]
    checkpoint_bytes: int


@contextmanager
def open_runner(
    config: Path | str | None = None,
    *,
    settings: Settings | None = None,
    model_factory: ModelFactory | None = None,
) -> Iterator[Runner]:
    """A :class:`Runner` over the configured home, closed on exit.

    Use it to make many calls over one open checkpointer and registry; the module-level
    functions open one per call. ``model_factory`` swaps the model (e.g. a scripted fake).
    """
    runner = Runner(settings or load_settings(config), model_factory=model_factory)
    try:
        yield runner
    finally:
        runner.close()


def scenarios() -> list[Scenario]:
    """Every scenario this process can run (installed plugins and the project's own)."""
    return [s for _, s in sorted(discover().items())]


def run(
    scenario: str,
    input: Path | str,
    *,
    review: ReviewMode | None = None,
    output_dir: Path | str | None = None,
    config: Path | str | None = None,
    settings: Settings | None = None,
    model_factory: ModelFactory | None = None,
    progress: ProgressFn | None = None,
) -> RunOutcome:
    """Start ``scenario`` on ``input`` and drive it to a review pause or the end.

    ``review`` overrides the scenario's default (``always``, ``exceptions``, ``never``).
    Raises :class:`UserError` for an unknown scenario or bad input, before anything runs.
    """
    with open_runner(config, settings=settings, model_factory=model_factory) as runner:
        return runner.start(
            scenario,
            Path(input),
            review=review,
            output_dir=Path(output_dir) if output_dir is not None else None,
            progress=progress,
        )


def decision(
    *,
    approve: bool = False,
    reject: bool = False,
    edits: Mapping[str, Any] | None = None,
    comment: str | None = None,
    reviewer: str | None = None,
    settings: Settings | None = None,
) -> ReviewDecision | None:
    """The review decision the flags describe (``None``: no decision, continue a failed run)."""
    chosen = [
        name
        for name, on in (("approve", approve), ("reject", reject), ("edits", edits is not None))
        if on
    ]
    if len(chosen) > 1:
        raise UserError(f"choose one of approve, reject, edits (got {', '.join(chosen)})")
    if not chosen:
        if comment is not None:
            raise UserError("a comment needs a decision: approve, reject or edits")
        return None
    who = reviewer or (settings.review.reviewer if settings else None) or getpass.getuser()
    action: Literal["approve", "reject", "edit"] = (
        "edit" if edits is not None else "reject" if reject else "approve"
    )
    return make_decision(action, who, comment, dict(edits) if edits is not None else None)


def resume(
    run_id: str,
    *,
    approve: bool = False,
    reject: bool = False,
    edits: Mapping[str, Any] | None = None,
    comment: str | None = None,
    reviewer: str | None = None,
    config: Path | str | None = None,
    settings: Settings | None = None,
    model_factory: ModelFactory | None = None,
    progress: ProgressFn | None = None,
) -> RunOutcome:
    """Decide a paused run's review (approve, reject with a comment, or edits), or continue
    a failed or crashed run when no decision is given.

    Edits are validated against the scenario's edit schema and the packet being answered;
    a bad edit raises :class:`UserError` and changes nothing.
    """
    with open_runner(config, settings=settings, model_factory=model_factory) as runner:
        chosen = decision(
            approve=approve,
            reject=reject,
            edits=edits,
            comment=comment,
            reviewer=reviewer,
            settings=runner.settings,
        )
        return runner.resume(run_id, chosen, progress=progress)


def show(run_id: str, *, config: Path | str | None = None) -> RunDetails:
    """A run's status, packet, outputs and audit trail (raises :class:`UserError` if unknown)."""
    with open_runner(config) as runner:
        record = runner.registry.get(run_id)
        trail = runner.sync_audit(run_id)
        return RunDetails(
            outcome=RunOutcome.of(record),
            created_at=record.created_at,
            updated_at=record.updated_at,
            review_mode=record.review_mode,
            audit=trail,
            checkpoint_bytes=runner.checkpoint_bytes(run_id),
        )


def list_runs(
    status: str | None = None, *, limit: int = 100, config: Path | str | None = None
) -> list[RunRecord]:
    """Runs, newest first, optionally only those with ``status``."""
    if status is not None and status not in STATUSES:
        raise UserError(f"status: unknown status '{status}' (use one of {', '.join(STATUSES)})")
    with open_runner(config) as runner:
        return runner.registry.list_runs(status, limit=limit)


def audit_trail(run_id: str, *, config: Path | str | None = None) -> list[AuditRecord]:
    """Every agent and human decision of a run, in order."""
    with open_runner(config) as runner:
        return runner.sync_audit(run_id)


def ingest(
    paths: Sequence[Path | str] | Path | str,
    collection: str,
    *,
    config: Path | str | None = None,
    settings: Settings | None = None,
) -> IngestResult:
    """Add files and folders to the context store's ``collection``, idempotently."""
    from baton.stores import store_backend

    items = [paths] if isinstance(paths, Path | str) else list(paths)
    cfg = settings or load_settings(config)
    return store_backend(cfg).ingest([Path(p) for p in items], collection, cfg, None)


async def arun(scenario: str, input: Path | str, **kwargs: Any) -> RunOutcome:
    """:func:`run` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(run, scenario, input, **kwargs)


async def aresume(run_id: str, **kwargs: Any) -> RunOutcome:
    """:func:`resume` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(resume, run_id, **kwargs)


async def ashow(run_id: str, **kwargs: Any) -> RunDetails:
    """:func:`show` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(show, run_id, **kwargs)


async def alist_runs(status: str | None = None, **kwargs: Any) -> list[RunRecord]:
    """:func:`list_runs` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(list_runs, status, **kwargs)


async def aaudit_trail(run_id: str, **kwargs: Any) -> list[AuditRecord]:
    """:func:`audit_trail` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(audit_trail, run_id, **kwargs)


async def aingest(
    paths: Sequence[Path | str] | Path | str, collection: str, **kwargs: Any
) -> IngestResult:
    """:func:`ingest` for asyncio callers (runs in a worker thread)."""
    return await asyncio.to_thread(ingest, paths, collection, **kwargs)
