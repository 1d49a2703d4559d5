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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from tenacity import retry, retry_if_exception, stop_after_delay, wait_random_exponential

from baton.errors import UserError

RunStatus = Literal["running", "awaiting_review", "done", "failed"]
STATUSES: tuple[RunStatus, ...] = ("running", "awaiting_review", "done", "failed")

_SCHEMA = """
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
    outputs TEXT NOT NULL DEFAULT '[]'
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
"""


_ADDED_COLUMNS = (
    ("cache_hits", "INTEGER NOT NULL DEFAULT 0"),
    ("model_seconds", "REAL NOT NULL DEFAULT 0"),
    ("flags", "TEXT NOT NULL DEFAULT '[]'"),
)


def utcnow() -> str:
    """ISO-8601 UTC timestamps: sortable as text and unambiguous across machines."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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


class Registry:
    """Run registry and audit trail backed by SQLite."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect_sqlite(path)
        self._lock = threading.Lock()
        self._migrate()

    @when_locked
    def _migrate(self) -> None:
        """Create the tables, and add columns that older registries lack."""
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(audit)")}
        for column, ddl in _ADDED_COLUMNS:  # registries created by older versions
            if column not in columns:
                self._conn.execute(f"ALTER TABLE audit ADD COLUMN {column} {ddl}")

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

    # Runs ----------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        scenario: str,
        input_path: str,
        output_dir: str,
        review_mode: str,
        owner: int | None = None,
    ) -> RunRecord:
        now = utcnow()
        with self._tx() as c:
            c.execute(
                "INSERT INTO runs (id, scenario, status, created_at, updated_at, input_path,"
                " output_dir, review_mode, owner) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)",
                (run_id, scenario, now, now, input_path, output_dir, review_mode, owner),
            )
        return self.get(run_id)

    def find(self, run_id: str) -> RunRecord | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            cols = [d[0] for d in self._conn.execute("SELECT * FROM runs LIMIT 0").description]
        return None if row is None else _run_from_row(dict(zip(cols, row, strict=True)))

    def get(self, run_id: str) -> RunRecord:
        """Look up a run, or tell the user exactly which id is unknown."""
        found = self.find(run_id)
        if found is None:
            raise UserError(f"unknown run id '{run_id}' (see `baton runs`)")
        return found

    def list_runs(self, status: str | None = None, limit: int = 200) -> list[RunRecord]:
        query = "SELECT * FROM runs"
        args: tuple[Any, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        query += " ORDER BY created_at DESC LIMIT ?"
        with self._lock:
            cur = self._conn.execute(query, (*args, limit))
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
        return [_run_from_row(dict(zip(cols, r, strict=True))) for r in rows]

    def set_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        reason: str | None = None,
        packet: dict[str, Any] | None = None,
        outputs: Sequence[str] | None = None,
    ) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE runs SET status = ?, updated_at = ?, reason = ?, packet = ?,"
                " outputs = COALESCE(?, outputs) WHERE id = ?",
                (
                    status,
                    utcnow(),
                    reason,
                    None if packet is None else json.dumps(packet, default=str),
                    None if outputs is None else json.dumps(list(outputs)),
                    run_id,
                ),
            )

    def claim(self, run_id: str, expected: Sequence[RunStatus], owner: int) -> bool:
        """Atomically move a run from one of ``expected`` to ``running`` under ``owner``.

        This is what makes a second, concurrent ``baton resume`` harmless: only one
        process wins the compare-and-set, the other is told the run is no longer waiting.
        A run still marked ``running`` is claimable only if its owner process is gone
        (it crashed or was killed), never while another live process drives it.
        """
        with self._tx() as c:
            row = c.execute("SELECT status, owner FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None or row[0] not in expected:
                return False
            if row[0] == "running" and row[1] is not None and _pid_alive(int(row[1])):
                return False
            cur = c.execute(
                "UPDATE runs SET status = 'running', owner = ?, updated_at = ? WHERE id = ?"
                " AND status = ?",
                (owner, utcnow(), run_id, row[0]),
            )
            return cur.rowcount == 1

    # Audit ---------------------------------------------------------------------------
    def record_audit(self, records: Sequence[AuditRecord]) -> int:
        """Insert records idempotently; returns how many were new."""
        if not records:
            return 0
        with self._tx() as c:
            before = c.total_changes
            c.executemany(
                "INSERT OR IGNORE INTO audit (id, run_id, seq, kind, node, started_at, ended_at,"
                " actor, model, prompt_hash, llm_calls, cache_hits, model_seconds, tokens_in,"
                " tokens_out, chunk_ids, flags, decision)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.id,
                        r.run_id,
                        r.seq,
                        r.kind,
                        r.node,
                        r.started_at,
                        r.ended_at,
                        r.actor,
                        r.model,
                        r.prompt_hash,
                        r.llm_calls,
                        r.cache_hits,
                        r.model_seconds,
                        r.tokens_in,
                        r.tokens_out,
                        json.dumps(r.chunk_ids),
                        json.dumps(r.flags),
                        r.decision,
                    )
                    for r in records
                ],
            )
            return c.total_changes - before

    def audit(self, run_id: str) -> list[AuditRecord]:
        with self._lock:
            cur = self._conn.execute(
                "SELECT * FROM audit WHERE run_id = ? ORDER BY seq, started_at", (run_id,)
            )
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
        out = []
        for row in rows:
            data = dict(zip(cols, row, strict=True))
            data["chunk_ids"] = json.loads(data["chunk_ids"])
            data["flags"] = json.loads(data["flags"])
            out.append(AuditRecord.model_validate(data))
        return out


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


def _run_from_row(data: dict[str, Any]) -> RunRecord:
    data["packet"] = json.loads(data["packet"]) if data.get("packet") else None
    data["outputs"] = json.loads(data["outputs"] or "[]")
    return RunRecord.model_validate(data)
