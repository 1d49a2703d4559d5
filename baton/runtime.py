"""The run lifecycle: start, stream progress, pause for review, resume, fail, finish.

Why here and not in the CLI: scripts, the CLI, tests and later the web inbox and
workers all start and resume runs; they must share one code path so that a run
started one way can be resumed any other way, from any process, days later.

Durability: every run is a LangGraph thread (``thread_id = run_id``) in a persistent
SQLite checkpointer. A resume continues from the last committed step, so finished
nodes (and their side effects) never run again.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command
from pydantic import BaseModel

from baton.config import Settings
from baton.context import ModelFactory, ReviewMode, RunContext
from baton.errors import BudgetExceeded, ModelFailure, UserError
from baton.registry import (
    AuditRecord,
    BaseRegistry,
    RunRecord,
    RunStatus,
    database_url,
    open_registry,
    tune_sqlite,
    utcnow,
    when_locked,
)
from baton.review import ReviewDecision, separation_of_duties, validate_edits
from baton.scenario import Scenario, get_scenario
from baton.tracing import run_span

if TYPE_CHECKING:
    from baton.pg import PostgresRegistry, QueuedRun

MAX_PARALLEL_BRANCHES = 64
ProgressFn = Callable[[str, dict[str, Any]], None]
TokenFn = Callable[[str, str], None]
"""``(node, text)``: a piece of model output as it arrives (``baton run --stream``)."""


class RunOutcome(BaseModel):
    """What a start or a resume ended with; also the ``--json`` output of the CLI."""

    run_id: str
    scenario: str
    status: RunStatus
    output_dir: str
    outputs: list[str]
    reason: str | None = None
    packet: dict[str, Any] | None = None
    resume_command: str | None = None

    @classmethod
    def of(cls, run: RunRecord) -> RunOutcome:
        """The outcome as the registry records it (no resume hint)."""
        return cls(
            run_id=run.id,
            scenario=run.scenario,
            status=run.status,
            output_dir=run.output_dir,
            outputs=run.outputs,
            reason=run.reason,
            packet=run.packet,
        )


def _request(scenario: Scenario, path: Path) -> dict[str, Any]:
    """Validate the input at ``path`` and return what the graph starts from.

    A scenario with a start request (``REQUEST``) gets the request an Agent Server
    client would send, which its first node expands; any other the initial state.
    """
    request = getattr(scenario, "request", None)
    return cast(dict[str, Any], request(path)) if request else scenario.load_input(path)


def new_run_id(scenario: str) -> str:
    """Readable, sortable and unique: ``research-brief-20261121-1a2b3c``."""
    return f"{scenario}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[Any]]:
    """The persistent checkpointer for the configured backend.

    ``sqlite``: one file in WAL mode with NORMAL sync and a busy timeout. ``postgres``
    (profile ``scale``): ``PostgresSaver`` over a psycopg connection pool, its tables
    created on first use, shared by every worker.
    """
    if settings.checkpoints.backend == "postgres":
        from baton.pg import open_postgres_saver

        with open_postgres_saver(database_url(settings)) as pg_saver:
            yield pg_saver
        return
    path = settings.checkpoint_path
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    try:
        tune_sqlite(conn)
        saver = SqliteSaver(conn)
        when_locked(saver.setup)()
        yield saver
    finally:
        conn.close()


def _config(run_id: str) -> RunnableConfig:
    # max_concurrency sizes LangGraph's thread pool for parallel (Send) branches; its
    # default on 2 cores is 6 workers, which would serialise wide fan-outs. Model calls
    # are still capped separately by ``model.concurrency``.
    return {
        "configurable": {"thread_id": run_id},
        "recursion_limit": 200,
        "max_concurrency": MAX_PARALLEL_BRANCHES,
    }


def is_read_only(exc: BaseException) -> bool:
    """Whether ``exc`` says the home (or an output folder) cannot be written."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "readonly" in text or "read-only" in text
    return isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)


def read_only_error(settings: Settings, exc: BaseException, run_id: str | None) -> UserError:
    """One line naming the folder that refused a write and how to continue afterwards.

    Why not "internal error": a home on a full or read-only disk, or with the wrong
    owner, is the user's to fix, and the checkpoints written before the failure are
    intact, so the run continues from there (``baton resume``) once it is writable.
    """
    where = getattr(exc, "filename", None) or settings.home_dir
    detail = getattr(exc, "strerror", None) or str(exc)
    then = f"run `baton resume {run_id}`" if run_id else "run the command again"
    return UserError(f"{where}: cannot write ({detail}); make it writable, then {then}")


class Runner:
    """Starts and resumes runs against one home folder (registry + checkpoints)."""

    def __init__(self, settings: Settings, model_factory: ModelFactory | None = None) -> None:
        self.settings = settings
        self.model_factory = model_factory
        self.registry: BaseRegistry = open_registry(settings)
        self._resources = ExitStack()
        self._saver: BaseCheckpointSaver[Any] | None = None
        self._graphs: dict[str, Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._resources.close()
        self.registry.close()

    def _graph(self, scenario: Scenario) -> Any:
        """The compiled graph, built once per runner over one open checkpointer."""
        with self._lock:
            if self._saver is None:
                self._saver = self._resources.enter_context(open_checkpointer(self.settings))
            if scenario.name not in self._graphs:
                self._graphs[scenario.name] = scenario.build(self._saver)
            return self._graphs[scenario.name]

    # Public API ----------------------------------------------------------------------
    def start(
        self,
        scenario_name: str,
        input_path: Path,
        *,
        review: ReviewMode | None = None,
        output_dir: Path | None = None,
        progress: ProgressFn | None = None,
        run_id: str | None = None,
        tokens: TokenFn | None = None,
    ) -> RunOutcome:
        """Validate the input, register the run, and drive it to a pause or the end."""
        scenario = get_scenario(scenario_name)
        initial = _request(scenario, input_path)
        run_id = run_id or new_run_id(scenario.name)
        out = (output_dir or self.settings.runs_dir / run_id).resolve()
        mode = review or scenario.default_review
        self.registry.create_run(
            run_id, scenario.name, str(input_path.resolve()), str(out), mode, owner=os.getpid()
        )
        return self._drive(scenario, self.registry.get(run_id), initial, progress, tokens)

    async def astart(self, scenario_name: str, input_path: Path, **kwargs: Any) -> RunOutcome:
        """``start`` for asyncio callers: many runs share one runner and one process.

        Agent nodes are plain synchronous functions (LangGraph would run them in worker
        threads under ``astream`` anyway), so each run is driven in a worker thread; the
        shared checkpointer and registry are thread-safe, and model calls are capped
        process-wide by ``model.concurrency``.
        """
        return await asyncio.to_thread(self.start, scenario_name, input_path, **kwargs)

    async def aresume(self, run_id: str, decision: ReviewDecision | None = None) -> RunOutcome:
        """``resume`` for asyncio callers (see :meth:`astart`)."""
        return await asyncio.to_thread(self.resume, run_id, decision)

    def resume(
        self,
        run_id: str,
        decision: ReviewDecision | None = None,
        progress: ProgressFn | None = None,
        tokens: TokenFn | None = None,
    ) -> RunOutcome:
        """Continue a paused or failed run from its last checkpoint, in any process."""
        _, scenario = self._resumable(run_id, decision)
        if decision is not None:
            if not self._graph(scenario).get_state(_config(run_id)).created_at:
                # Paused, yet no checkpoint here: LangGraph Agent Server holds this thread.
                raise UserError(
                    f"run {run_id} is paused on a LangGraph server (no checkpoint here):"
                    " resume it with the SDK, runs.wait(..., command={'resume': ...})"
                )
            due_by = utcnow() if decision.action == "expire" else None
            if not self.registry.claim(
                run_id, ("awaiting_review",), owner=os.getpid(), due_by=due_by
            ):
                raise UserError(f"run {run_id} is no longer awaiting review (resumed elsewhere?)")
            command: Any = Command(resume=decision.model_dump())
        else:
            if not self.registry.claim(run_id, ("failed", "running"), owner=os.getpid()):
                raise UserError(f"run {run_id} is still running in another process")
            command = None
            graph = self._graph(scenario)
            if not graph.get_state(_config(run_id)).created_at:
                # Killed before its first checkpoint committed: nothing ran, so start the
                # graph again from the input the run was registered with.
                command = _request(scenario, Path(self.registry.get(run_id).input_path))
        return self._drive(scenario, self.registry.get(run_id), command, progress, tokens)

    def _resumable(
        self, run_id: str, decision: ReviewDecision | None
    ) -> tuple[RunRecord, Scenario]:
        """Check that ``decision`` fits the run's status (and its edit schema)."""
        run = self.registry.get(run_id)
        scenario = get_scenario(run.scenario)
        if run.status == "done":
            raise UserError(f"run {run_id} is already done; nothing to resume")
        if run.status == "awaiting_review":
            if decision is None:
                raise UserError(
                    f"run {run_id} is awaiting review: pass --approve, --reject or --edit FILE.json"
                )
            if decision.action == "expire" and not (run.deadline and run.deadline <= utcnow()):
                raise UserError(
                    f"run {run_id}: 'expire' is only for a review whose deadline has passed"
                    f" (deadline: {run.deadline or 'none'})"
                )
            if decision.edits is not None:
                decision.edits = validate_edits(
                    decision.edits, scenario.edit_schema, packet=run.packet
                )
            separation_of_duties(decision, run.packet)
        elif decision is not None:
            raise UserError(f"run {run_id} is not awaiting review (status: {run.status})")
        elif run.status == "queued":
            raise UserError(f"run {run_id} is queued; a `baton worker` will take it")
        return run, scenario

    # Queue (scale profile) -------------------------------------------------------------
    @property
    def queued(self) -> bool:
        """Whether runs here can be queued for workers (the scale profile's registry)."""
        from baton.pg import PostgresRegistry

        return isinstance(self.registry, PostgresRegistry)

    def _queue(self) -> PostgresRegistry:
        from baton.pg import PostgresRegistry

        if not isinstance(self.registry, PostgresRegistry):
            raise UserError(
                "--queue needs the 'scale' profile (checkpoints.backend: postgres);"
                " set BATON_PROFILE=scale and BATON_DATABASE_URL"
            )
        return self.registry

    def enqueue(
        self,
        scenario_name: str,
        input_path: Path,
        *,
        review: ReviewMode | None = None,
        output_dir: Path | None = None,
    ) -> RunOutcome:
        """Validate the input now, then queue the run for any ``baton worker``.

        Validating here means a bad input is reported to the person who submitted it
        (exit code 2), not discovered later in a worker's log.
        """
        queue = self._queue()
        scenario = get_scenario(scenario_name)
        scenario.load_input(input_path)
        run_id = new_run_id(scenario.name)
        out = (output_dir or self.settings.runs_dir / run_id).resolve()
        mode = review or scenario.default_review
        queue.create_run(
            run_id, scenario.name, str(input_path.resolve()), str(out), mode, status="queued"
        )
        queue.enqueue(run_id, "start")
        return RunOutcome.of(queue.get(run_id))

    def enqueue_resume(self, run_id: str, decision: ReviewDecision | None = None) -> RunOutcome:
        """Record a human decision (or a retry of a failed run) and queue the continuation.

        The decision is stored with the id of the interrupt it answers, so a worker that
        takes the run after a crash never applies it to a later review.
        """
        queue = self._queue()
        run, scenario = self._resumable(run_id, decision)
        if decision is not None:
            interrupts = self._graph(scenario).get_state(_config(run_id)).interrupts
            payload = {
                "decision": decision.model_dump(),
                "interrupt": interrupts[0].id if interrupts else None,
            }
            if not queue.enqueue(run_id, "review", payload, expected=("awaiting_review",)):
                raise UserError(f"run {run_id} is no longer awaiting review (resumed elsewhere?)")
        elif not queue.enqueue(run_id, "retry", expected=("failed",)):
            raise UserError(
                f"run {run_id} is {run.status}; only failed runs can be queued without a"
                " decision (a worker continues a crashed run once its lease expires)"
            )
        return RunOutcome.of(queue.get(run_id))

    def drive_taken(self, job: QueuedRun, progress: ProgressFn | None = None) -> RunOutcome:
        """Drive a run a worker took off the queue, from wherever its checkpoints say.

        No checkpoint yet: start from the input. Paused at the interrupt the queued
        decision answers: resume with it. Anything else (a worker died mid-run): continue
        from the last checkpoint, so completed nodes never run again.
        """
        run = self.registry.get(job.run_id)
        scenario = get_scenario(run.scenario)
        config = _config(run.id)
        graph = self._graph(scenario)
        snapshot = graph.get_state(config)
        queued = job.payload or {}
        payload: Any = None
        if snapshot.created_at is None:
            try:
                payload = _request(scenario, Path(run.input_path))
            except UserError as exc:  # e.g. the input is not on this worker's filesystem
                return self._finish(graph, config, run, True, str(exc))
        elif queued.get("decision") and any(
            i.id == queued.get("interrupt") for i in snapshot.interrupts
        ):
            payload = Command(resume=queued["decision"])
        return self._drive(scenario, run, payload, progress)

    def sync_audit(self, run_id: str) -> list[AuditRecord]:
        """Copy the audit records committed in the run's checkpoints into the registry."""
        run = self.registry.get(run_id)
        values = self._graph(get_scenario(run.scenario)).get_state(_config(run_id)).values
        self._record(run_id, values)
        return self.registry.audit(run_id)

    def state(self, run_id: str) -> dict[str, Any]:
        """The run's latest checkpointed graph state (empty once pruned).

        Read-only, so a UI can poll it while another thread or process drives the run.
        """
        run = self.registry.get(run_id)
        snapshot = self._graph(get_scenario(run.scenario)).get_state(_config(run_id))
        return dict(snapshot.values or {})

    def checkpoint_bytes(self, run_id: str) -> int:
        """Bytes of checkpoint storage a run occupies (checkpoints plus pending writes)."""
        self._graph(get_scenario(self.registry.get(run_id).scenario))
        assert self._saver is not None
        if not isinstance(self._saver, SqliteSaver):
            from baton.pg import checkpoint_bytes

            return checkpoint_bytes(self._saver, run_id)  # type: ignore[arg-type]
        row = self._saver.conn.execute(
            "SELECT COALESCE((SELECT SUM(LENGTH(checkpoint) + LENGTH(metadata)) FROM checkpoints"
            " WHERE thread_id = ?), 0) + COALESCE((SELECT SUM(LENGTH(value)) FROM writes"
            " WHERE thread_id = ?), 0)",
            (run_id, run_id),
        ).fetchone()
        return int(row[0] or 0)

    def prune(
        self, keep_last: int | None = None, older_than_days: float | None = None
    ) -> list[tuple[str, int]]:
        """Delete finished runs' checkpoints; outputs, registry rows and audit trail stay.

        Only ``done`` runs are candidates (a paused or failed run still needs its
        checkpoints to resume). A run is pruned when it is outside the newest
        ``keep_last`` done runs and, if given, finished more than ``older_than_days``
        ago. Returns ``(run_id, bytes freed)`` per pruned run.
        """
        if keep_last is None and older_than_days is None:
            raise UserError("say what to prune: --keep-last N and/or --older-than DAYS")
        done = self.registry.list_runs("done", limit=1_000_000)
        candidates = done[keep_last:] if keep_last is not None else done
        if older_than_days is not None:
            cutoff = datetime.now(UTC).timestamp() - older_than_days * 86_400
            candidates = [
                r for r in candidates if datetime.fromisoformat(r.updated_at).timestamp() < cutoff
            ]
        pruned: list[tuple[str, int]] = []
        for run in candidates:
            size = self.checkpoint_bytes(run.id)
            if size == 0:
                continue
            self.sync_audit(run.id)  # the trail must be safe in the registry first
            assert self._saver is not None
            self._saver.delete_thread(run.id)
            pruned.append((run.id, size))
        return pruned

    # Internals -------------------------------------------------------------------------
    def _record(self, run_id: str, values: dict[str, Any]) -> None:
        records = []
        for seq, raw in enumerate(values.get("audit") or []):
            records.append(AuditRecord.model_validate({**raw, "seq": seq}))
        self.registry.record_audit(records)

    def _context(self, run: RunRecord) -> RunContext:
        return RunContext(
            run_id=run.id,
            settings=self.settings,
            output_dir=Path(run.output_dir),
            review_mode=run.review_mode,  # type: ignore[arg-type]
            model_factory=self.model_factory,
        )

    def _drive(
        self,
        scenario: Scenario,
        run: RunRecord,
        payload: Any,
        progress: ProgressFn | None,
        tokens: TokenFn | None = None,
        first: bool | None = None,
    ) -> RunOutcome:
        """Stream the graph to a pause or the end; ``first``: this drive starts the run
        (default: when ``payload`` is the input), so its span is the run's trace root."""
        config = _config(run.id)
        first = isinstance(payload, dict) if first is None else first
        graph = self._graph(scenario)
        reason: str | None = None
        failed = False
        # "messages" makes LangGraph stream each model call inside a node token by token
        # (its callback switches the chat model to streaming); only asked for when shown.
        modes = ["updates", "messages"] if tokens else ["updates"]
        try:
            with (
                self.registry.hold(run.id) as lost,
                run_span(self.settings, run, resumed=not first),
            ):
                # A progress object with a ``task`` method (baton.progress.LiveProgress)
                # also hears when each task starts and ends, to show what is running.
                on_task = getattr(progress, "task", None)
                if on_task is not None:
                    modes.append("tasks")
                for mode, chunk in graph.stream(
                    payload,
                    config,
                    context=self._context(run),
                    stream_mode=modes,
                    durability=self.settings.run.durability,
                ):
                    if mode == "tasks":
                        if on_task is not None:
                            on_task(chunk)
                        continue
                    if mode == "messages":
                        if tokens is not None:
                            _emit_tokens(tokens, chunk)
                        continue
                    for node, update in chunk.items():
                        if progress and node != "__interrupt__" and isinstance(update, dict):
                            progress(node, update)
                    if lost.is_set():
                        # Another worker holds the run now; it continues from the last
                        # checkpoint, so stop here and leave the registry to it.
                        outcome = RunOutcome.of(self.registry.get(run.id))
                        outcome.reason = "lease lost: another worker continues this run"
                        return outcome
        except (BudgetExceeded, ModelFailure) as exc:
            failed, reason = True, str(exc)
        except UserError as exc:
            self._finish(graph, config, run, True, str(exc))
            raise
        except Exception as exc:
            if is_read_only(exc):
                raise read_only_error(self.settings, exc, run.id) from None
            self._finish(graph, config, run, True, f"internal error: {type(exc).__name__}: {exc}")
            raise
        return self._finish(graph, config, run, failed, reason)

    def _finish(
        self, graph: Any, config: RunnableConfig, run: RunRecord, failed: bool, reason: str | None
    ) -> RunOutcome:
        snapshot = graph.get_state(config)
        values: dict[str, Any] = dict(snapshot.values or {})
        self._record(run.id, values)
        outputs = list(dict.fromkeys(values.get("outputs") or []))
        packet: dict[str, Any] | None = None
        resume: str | None = None
        if failed:
            status: RunStatus = "failed"
            resume = f"baton resume {run.id}"
        elif snapshot.interrupts:
            status = "awaiting_review"
            packet = dict(snapshot.interrupts[0].value)
            resume = (
                f"baton resume {run.id} --approve   # or --reject --comment TEXT, --edit FILE.json"
            )
        elif snapshot.next:
            status, reason = "failed", f"stopped before {', '.join(snapshot.next)}"
            resume = f"baton resume {run.id}"
        else:
            status = "done"
        self.registry.set_status(run.id, status, reason=reason, packet=packet, outputs=outputs)
        return RunOutcome(
            run_id=run.id,
            scenario=run.scenario,
            status=status,
            output_dir=run.output_dir,
            outputs=outputs,
            reason=reason,
            packet=packet,
            resume_command=resume,
        )


def _emit_tokens(tokens: TokenFn, chunk: Any) -> None:
    """Hand one streamed message piece to ``tokens``: its text, or its tool-call arguments.

    Agents ask for structured output through a forced tool call, so most of what a
    model "writes" arrives as argument fragments rather than message content.
    """
    message, meta = chunk
    node = str(meta.get("langgraph_node", "")) if isinstance(meta, dict) else ""
    text = message.content if isinstance(message.content, str) else ""
    for part in getattr(message, "tool_call_chunks", None) or []:
        text += part.get("args") or ""
    if not text:
        for call in getattr(message, "tool_calls", None) or []:  # a model that did not stream
            text += json.dumps(call.get("args", {}))
    if text:
        tokens(node, text)
