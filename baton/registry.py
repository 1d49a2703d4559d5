"""The run registry and audit trail: one small SQLite database beside the checkpoints.

Why a registry next to LangGraph's checkpoints: checkpoints answer "where is this run
in its graph", but people ask "which runs are waiting for me, when did they start,
where are the outputs, who approved what". Those questions need an index that a
status change can update atomically, which is what this module keeps.

Audit records are written here *from checkpointed graph state* (see
:mod:`baton.audit`), keyed by a deterministic id, so a crash and a resume can never
record a node twice.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel
from tenacity import retry, retry_if_exception, stop_after_delay, wait_random_exponential

from baton import clock
from baton.config import HOME_HELP
from baton.errors import UserError

if TYPE_CHECKING:
    from baton.config import Settings

RunStatus = Literal["queued", "running", "awaiting_review", "done", "failed"]
STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    input_path TEXT NOT NULL,
    output_dir TEXT NOT NULL,
    review_mode TEXT NOT NULL,
    reason TEXT,
    owner INTEGER,
    packet TEXT,
    outputs TEXT NOT NULL DEFAULT '[]',
    deadline TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status, updated_at);
CREATE TABLE IF NOT EXISTS audit (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    node TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    actor TEXT,
    model TEXT,
    prompt_hash TEXT,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    cache_hits INTEGER NOT NULL DEFAULT 0,
    model_seconds REAL NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    decision TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_run ON audit(run_id, seq);
CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,
    every_s INTEGER,
    cron TEXT,
    input_path TEXT NOT NULL,
    review_mode TEXT,
    created_at TEXT NOT NULL,
    last_run_at TEXT,
    next_at TEXT NOT NULL,
    last_run_id TEXT
);
"""


_ADDED_COLUMNS = (
    ("cache_hits", "INTEGER NOT NULL DEFAULT 0"),
    ("model_seconds", "REAL NOT NULL DEFAULT 0"),
    ("flags", "TEXT NOT NULL DEFAULT '[]'"),
)
_ADDED_RUN_COLUMNS = (("deadline", "TEXT"),)


def utcnow() -> str:
    """ISO-8601 UTC timestamps: sortable as text and unambiguous across machines.

    Read from :func:`baton.clock.now`, so a test clock (``BATON_NOW``) applies here too.
    """
    return clock.iso(clock.now())


class RunRecord(BaseModel):
    """One row of the registry."""

    id: str
    scenario: str
    status: RunStatus
    created_at: str
    updated_at: str
    input_path: str
    output_dir: str
    review_mode: str
    reason: str | None = None
    owner: int | None = None
    packet: dict[str, Any] | None = None
    outputs: list[str] = []
    deadline: str | None = None
    """When a paused run's review expires (the packet's ``deadline``, UTC), if it has one."""


class AuditRecord(BaseModel):
    """What one node or one human decided, with enough detail to answer an auditor."""

    id: str
    run_id: str
    seq: int
    kind: Literal["node", "human"]
    node: str
    started_at: str
    ended_at: str
    actor: str | None = None
    model: str | None = None
    prompt_hash: str | None = None
    llm_calls: int = 0
    cache_hits: int = 0
    model_seconds: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    chunk_ids: list[str] = []
    flags: list[str] = []
    """Warnings a reviewer must see, e.g. ``suspected-injection:<chunk id>``."""
    decision: str


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


when_locked = retry(
    retry=retry_if_exception(_is_locked),
    wait=wait_random_exponential(multiplier=0.02, max=0.5),
    stop=stop_after_delay(30),
    reraise=True,
)
"""Retry a database set-up step that SQLite refused with "database is locked".

Switching a new file to WAL or creating tables needs an exclusive lock, and SQLite
answers SQLITE_BUSY at once (without its busy handler) when several processes or
threads open a fresh home together; a short randomised backoff resolves it.
"""


@when_locked
def tune_sqlite(conn: sqlite3.Connection) -> None:
    """WAL, NORMAL sync and a busy timeout on an open connection.

    NORMAL under WAL keeps every committed transaction consistent after a process
    crash (only an OS crash can lose the last commits), at a fraction of FULL's cost.
    """
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """Open SQLite tuned for many short writers (see :func:`tune_sqlite`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
    tune_sqlite(conn)
    return conn


_RUN_COLUMNS = tuple(RunRecord.model_fields)
_AUDIT_COLUMNS = tuple(AuditRecord.model_fields)


def _audit_row(r: AuditRecord) -> tuple[Any, ...]:
    data = r.model_dump()
    data["chunk_ids"], data["flags"] = json.dumps(r.chunk_ids), json.dumps(r.flags)
    return tuple(data[c] for c in _AUDIT_COLUMNS)


def _insert(table: str, columns: Sequence[str]) -> str:
    """An idempotent insert; ``ON CONFLICT DO NOTHING`` reads the same in both databases."""
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"


class BaseRegistry(ABC):
    """Runs and audit records over any SQL database, written once for both backends.

    Subclasses supply a transaction (:meth:`_tx`, yielding something with
    ``execute(sql, args)`` that understands ``?`` placeholders), a read helper
    (:meth:`_rows`) and the rule for whether a ``running`` run is still driven by
    someone else (:meth:`_held_elsewhere`: a live local process for SQLite, an
    unexpired lease for PostgreSQL).
    """

    release_sql = ""
    """Extra ``SET`` assignments that release the run when it stops running."""

    where = "the run registry"
    """Where runs are looked up, for "unknown run id" messages."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _tx(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    @abstractmethod
    def _held_elsewhere(self, c: Any, run_id: str, status: str, owner: Any) -> bool: ...

    @abstractmethod
    def _after_claim(self, c: Any, run_id: str) -> None:
        """Hook run inside the claiming transaction (PostgreSQL takes its lease here)."""

    @contextmanager
    def hold(self, run_id: str) -> Iterator[threading.Event]:
        """Keep the claim on a run alive while the caller drives it (a no-op locally).

        Yields an event set if the claim is lost; a local claim (owner pid) cannot be.
        """
        yield threading.Event()

    # Runs ----------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        scenario: str,
        input_path: str,
        output_dir: str,
        review_mode: str,
        owner: int | None = None,
        status: RunStatus = "running",
    ) -> RunRecord:
        now = utcnow()
        with self._tx() as c:
            c.execute(
                "INSERT INTO runs (id, scenario, status, created_at, updated_at, input_path,"
                " output_dir, review_mode, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, scenario, status, now, now, input_path, output_dir, review_mode, owner),
            )
            if status == "running":
                self._after_claim(c, run_id)
        return self.get(run_id)

    def import_run(self, record: RunRecord) -> bool:
        """Insert a whole row, e.g. copied from another registry; False if the id exists."""
        data = record.model_dump()
        data["packet"] = None if record.packet is None else json.dumps(record.packet, default=str)
        data["outputs"] = json.dumps(record.outputs)
        with self._tx() as c:
            cur = c.execute(_insert("runs", _RUN_COLUMNS), [data[k] for k in _RUN_COLUMNS])
            return bool(cur.rowcount == 1)

    def find(self, run_id: str) -> RunRecord | None:
        rows = self._rows(f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE id = ?", (run_id,))
        return _run_from_row(rows[0]) if rows else None

    def get(self, run_id: str) -> RunRecord:
        """Look up a run, or tell the user exactly which id is unknown."""
        found = self.find(run_id)
        if found is None:
            raise UserError(f"unknown run id '{run_id}' in {self.where} (see `baton runs`)")
        return found

    def list_runs(self, status: str | None = None, limit: int = 200) -> list[RunRecord]:
        query = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
        args: tuple[Any, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        query += " ORDER BY created_at DESC LIMIT ?"
        return [_run_from_row(r) for r in self._rows(query, (*args, limit))]

    def count_runs(self) -> int:
        return int(self._rows("SELECT COUNT(*) AS n FROM runs")[0]["n"])

    def count_audit(self) -> int:
        return int(self._rows("SELECT COUNT(*) AS n FROM audit")[0]["n"])

    def set_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        reason: str | None = None,
        packet: dict[str, Any] | None = None,
        outputs: Sequence[str] | None = None,
    ) -> None:
        release = self.release_sql if status != "running" else ""
        deadline = review_deadline(packet) if status == "awaiting_review" else None
        with self._tx() as c:
            c.execute(
                "UPDATE runs SET status = ?, updated_at = ?, reason = ?, packet = ?,"
                f" outputs = COALESCE(?, outputs), deadline = ?{release} WHERE id = ?",
                (
                    status,
                    utcnow(),
                    reason,
                    None if packet is None else json.dumps(packet, default=str),
                    None if outputs is None else json.dumps(list(outputs)),
                    deadline,
                    run_id,
                ),
            )

    def overdue_reviews(self, now: str) -> list[RunRecord]:
        """Runs awaiting a review whose deadline is at or before ``now`` (oldest first)."""
        rows = self._rows(
            f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE status = 'awaiting_review'"
            " AND deadline IS NOT NULL AND deadline <= ? ORDER BY deadline, id",
            (now,),
        )
        return [_run_from_row(r) for r in rows]

    def claim(
        self,
        run_id: str,
        expected: Sequence[RunStatus],
        owner: int,
        *,
        due_by: str | None = None,
    ) -> bool:
        """Atomically move a run from one of ``expected`` to ``running`` under ``owner``.

        This is what makes a second, concurrent ``baton resume`` harmless: only one
        process wins the compare-and-set, the other is told the run is no longer waiting.
        A run still marked ``running`` is claimable only if nobody drives it any more
        (its process is gone, or its lease expired), never while someone else does.
        With ``due_by`` the run's review deadline must also have passed by then, so an
        expiry racing a re-pause can never expire the *next* review early.
        """
        with self._tx() as c:
            row = c.execute(
                "SELECT status, owner, deadline FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                return False
            status, current, deadline = (
                (row["status"], row["owner"], row["deadline"]) if isinstance(row, dict) else row
            )
            if status not in expected:
                return False
            if due_by is not None and (deadline is None or deadline > due_by):
                return False
            if status == "running" and self._held_elsewhere(c, run_id, status, current):
                return False
            cur = c.execute(
                "UPDATE runs SET status = 'running', owner = ?, updated_at = ? WHERE id = ?"
                " AND status = ?",
                (owner, utcnow(), run_id, status),
            )
            if cur.rowcount != 1:
                return False
            self._after_claim(c, run_id)
            return True

    # Audit ---------------------------------------------------------------------------
    def record_audit(self, records: Sequence[AuditRecord]) -> int:
        """Insert records idempotently; returns how many were new."""
        if not records:
            return 0
        added = 0
        with self._tx() as c:
            for r in records:
                added += c.execute(_insert("audit", _AUDIT_COLUMNS), _audit_row(r)).rowcount
        return added

    def audit(self, run_id: str) -> list[AuditRecord]:
        rows = self._rows(
            f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit WHERE run_id = ?"
            " ORDER BY seq, started_at",
            (run_id,),
        )
        for data in rows:
            data["chunk_ids"] = json.loads(data["chunk_ids"])
            data["flags"] = json.loads(data["flags"])
        return [AuditRecord.model_validate(d) for d in rows]


class Registry(BaseRegistry):
    """Run registry and audit trail backed by SQLite (the ``local`` profile)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"home {path.parent}; {HOME_HELP}"
        self._conn = connect_sqlite(path)
        self._lock = threading.Lock()
        self._migrate()

    @when_locked
    def _migrate(self) -> None:
        """Create the tables, and add columns that older registries lack."""
        self._conn.executescript(SCHEMA)
        for table, added in (("audit", _ADDED_COLUMNS), ("runs", _ADDED_RUN_COLUMNS)):
            columns = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            for column, ddl in added:  # registries created by older versions
                if column not in columns:
                    self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._conn.execute(sql, tuple(args))
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _held_elsewhere(self, c: Any, run_id: str, status: str, owner: Any) -> bool:
        return owner is not None and _pid_alive(int(owner))

    def _after_claim(self, c: Any, run_id: str) -> None:
        """Nothing to add: the owner pid written by the claim is the whole claim here."""


def open_registry(settings: Settings) -> BaseRegistry:
    """The registry for the configured backend: SQLite in the home, or PostgreSQL."""
    if settings.checkpoints.backend == "postgres":
        from baton.pg import PostgresRegistry

        return PostgresRegistry(database_url(settings), lease_s=settings.queue.lease_s)
    return Registry(settings.registry_path)


def database_url(settings: Settings) -> str:
    """The PostgreSQL URL, or a one-line error naming both ways to set it."""
    if not settings.checkpoints.database_url:
        raise UserError(
            "checkpoints.backend is 'postgres' but checkpoints.database_url is not set"
            " (set BATON_DATABASE_URL)"
        )
    return settings.checkpoints.database_url


def _pid_alive(pid: int) -> bool:
    """Whether a local process still exists (zombies count as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def review_deadline(packet: Mapping[str, Any] | None) -> str | None:
    """A packet's ``deadline`` as registry time text (UTC), or None without a valid one.

    :func:`baton.review.request_review` refuses a malformed deadline before pausing, so
    a packet reaching here either has none or a valid one.
    """
    raw = (packet or {}).get("deadline")
    if not raw:
        return None
    try:
        return clock.iso(clock.parse_utc(str(raw), "deadline"))
    except UserError:
        return None


def _run_from_row(data: dict[str, Any]) -> RunRecord:
    data["packet"] = json.loads(data["packet"]) if data.get("packet") else None
    data["outputs"] = json.loads(data["outputs"] or "[]")
    return RunRecord.model_validate(data)
