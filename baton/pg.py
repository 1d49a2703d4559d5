"""PostgreSQL for the ``scale`` profile: checkpoints, the run registry and the run queue.

Why one database for all three: a worker on any machine must see the same checkpoints,
the same run statuses and the same queue, and a status change must be atomic with
taking a run off the queue. PostgreSQL gives that with row locks, and
``SELECT … FOR UPDATE SKIP LOCKED`` turns the ``runs`` table itself into a queue
without another service.

Leases instead of process ids: in the ``local`` profile a run marked ``running`` is
claimable when its owner process is gone, which only works on one machine. Here the
process driving a run holds a *lease* (``lease_owner``, ``lease_until``) that a
background thread renews; a worker that dies (even by SIGKILL) stops renewing, and
once the lease has expired any worker may take the run and continue it from its last
checkpoint.

Shared filesystem: a queued run records its input path and output folder as absolute
paths on the machine that enqueued it, so workers must see the same paths (one machine,
or a shared mount such as NFS) to read inputs and write outputs.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

from baton.errors import UserError
from baton.registry import SCHEMA, BaseRegistry, RunStatus, utcnow

CONNECTION_KWARGS: dict[str, Any] = {
    "autocommit": True,
    "prepare_threshold": 0,
    "row_factory": dict_row,
}
"""What ``PostgresSaver`` requires of its connections (see the langgraph docs)."""

_MIGRATION_LOCK = 0x42A70_0001
"""Advisory lock key serialising schema set-up when several workers start at once."""

_PG_SCHEMA = (
    SCHEMA.replace(" REAL ", " DOUBLE PRECISION ")
    + """
ALTER TABLE runs ADD COLUMN IF NOT EXISTS lease_owner TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS action TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS payload TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS deadline TEXT;
CREATE INDEX IF NOT EXISTS runs_queue ON runs(updated_at) WHERE status IN ('queued', 'running');
"""
)


def open_pool(database_url: str, max_size: int = 8) -> ConnectionPool:
    """A connection pool with the settings ``PostgresSaver`` needs, opened and checked."""
    # One direct attempt first: an unreachable server is then one clear line, not the
    # pool's background reconnect errors repeated on stderr for the whole timeout.
    try:
        psycopg.connect(database_url, connect_timeout=10).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"cannot connect to PostgreSQL at {_redact(database_url)}: {reason}"
        ) from None
    pool: ConnectionPool = ConnectionPool(
        database_url, kwargs=CONNECTION_KWARGS, min_size=1, max_size=max_size, open=False
    )
    try:
        pool.open(wait=True, timeout=30)
    except Exception as exc:
        pool.close()
        raise UserError(f"cannot connect to PostgreSQL at {_redact(database_url)}: {exc}") from None
    return pool


def _redact(url: str) -> str:
    """The URL without a password, for error messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host, port, db = info.get("host", ""), info.get("port", ""), info.get("dbname", "")
    return f"{host}:{port}/{db}" if port else f"{host}/{db}"


def _try_lock(conn: psycopg.Connection[Any]) -> bool:
    row: Any = conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (_MIGRATION_LOCK,)).fetchone()
    return bool(row and row["got"])


@contextmanager
def migration_lock(pool: ConnectionPool) -> Iterator[psycopg.Connection[Any]]:
    """One connection holding a session advisory lock while schemas are created."""
    with pool.connection() as conn:
        # Poll rather than block: a session blocked inside pg_advisory_lock keeps a
        # statement open, and the saver's CREATE INDEX CONCURRENTLY in the lock holder
        # waits for every open statement, so workers starting together on a new
        # database would deadlock.
        deadline = time.monotonic() + 300
        while not _try_lock(conn):
            if time.monotonic() > deadline:
                raise UserError("timed out waiting for another process to migrate PostgreSQL")
            time.sleep(random.uniform(0.05, 0.25))
        try:
            yield conn
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))


@contextmanager
def open_postgres_saver(database_url: str) -> Iterator[PostgresSaver]:
    """``PostgresSaver`` over a pool, with its migrations run (once, under a lock)."""
    pool = open_pool(database_url)
    try:
        with migration_lock(pool) as conn:
            PostgresSaver(conn).setup()
        yield PostgresSaver(pool)  # type: ignore[arg-type]
    finally:
        pool.close()


def checkpoint_bytes(saver: PostgresSaver, thread_id: str) -> int:
    """Bytes a thread occupies: checkpoints and metadata, channel blobs, pending writes."""
    with saver._cursor() as cur:
        cur.execute(
            "SELECT COALESCE((SELECT SUM(pg_column_size(checkpoint) + pg_column_size(metadata))"
            " FROM checkpoints WHERE thread_id = %s), 0)"
            " + COALESCE((SELECT SUM(LENGTH(blob)) FROM checkpoint_blobs WHERE thread_id = %s), 0)"
            " + COALESCE((SELECT SUM(LENGTH(blob)) FROM checkpoint_writes WHERE thread_id = %s), 0)"
            " AS size",
            (thread_id, thread_id, thread_id),
        )
        row = cur.fetchone()
    return int(row["size"] or 0) if row else 0


class QueuedRun(BaseModel):
    """A run a worker has taken off the queue, with what to do with it."""

    run_id: str
    action: str | None
    payload: dict[str, Any] | None
    attempts: int


def new_holder() -> str:
    """A lease holder id that names the machine and process, for ``baton runs`` and logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class _Cursor:
    """Adapts psycopg's ``%s`` placeholders to the ``?`` the shared SQL is written with."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self._conn.execute(sql.replace("?", "%s"), tuple(args))


class PostgresRegistry(BaseRegistry):
    """The run registry, audit trail and run queue in PostgreSQL."""

    release_sql = ", lease_owner = NULL, lease_until = NULL"

    def __init__(self, database_url: str, lease_s: float = 30.0) -> None:
        self.lease_s = lease_s
        self.holder = new_holder()
        self._pool = open_pool(database_url, max_size=4)
        with migration_lock(self._pool) as conn:
            conn.execute(_PG_SCHEMA, prepare=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self) -> Iterator[_Cursor]:
        with self._pool.connection() as conn, conn.transaction():
            yield _Cursor(conn)

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._pool.connection() as conn:
            return list(_Cursor(conn).execute(sql, args).fetchall())

    # Leases --------------------------------------------------------------------------
    def _held_elsewhere(self, c: Any, run_id: str, status: str, owner: Any) -> bool:
        row = c.execute(
            "SELECT lease_owner FROM runs WHERE id = ? AND lease_until > now()", (run_id,)
        ).fetchone()
        return row is not None and row["lease_owner"] != self.holder

    def _after_claim(self, c: Any, run_id: str) -> None:
        c.execute(
            "UPDATE runs SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)"
            " WHERE id = ?",
            (self.holder, self.lease_s, run_id),
        )

    def heartbeat(
        self, run_id: str, worker_id: str | None = None, lease_s: float | None = None
    ) -> bool:
        """Extend the lease on a run this holder drives; False if the lease was lost."""
        with self._tx() as c:
            cur = c.execute(
                "UPDATE runs SET lease_until = now() + make_interval(secs => ?)"
                " WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (lease_s or self.lease_s, run_id, worker_id or self.holder),
            )
            return cur.rowcount == 1

    @contextmanager
    def hold(self, run_id: str) -> Iterator[threading.Event]:
        """Renew the run's lease in the background while the caller drives it.

        Yields an event that is set once a renewal finds the lease gone (this process
        stalled past it and another worker took the run over): the caller must stop at
        the next step instead of racing the new holder.
        """
        stop, lost = threading.Event(), threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_s / 3):
                # A failed beat is retried by the next; the lease outlives two misses.
                with suppress(psycopg.Error):
                    if not self.heartbeat(run_id):
                        lost.set()
                        return

        thread = threading.Thread(target=renew, name=f"lease-{run_id}", daemon=True)
        thread.start()
        try:
            yield lost
        finally:
            stop.set()
            thread.join()

    # Queue -----------------------------------------------------------------------------
    def enqueue(
        self,
        run_id: str,
        action: str,
        payload: dict[str, Any] | None = None,
        *,
        expected: Sequence[RunStatus] | None = None,
    ) -> bool:
        """Mark a run ``queued`` for any worker, if its status is one of ``expected``.

        The compare-and-set makes two reviewers deciding at once harmless: one decision
        is queued, the other is told the run is no longer waiting.
        """
        query = (
            "UPDATE runs SET status = 'queued', action = ?, payload = ?, updated_at = ?,"
            " lease_owner = NULL, lease_until = NULL WHERE id = ?"
        )
        args: list[Any] = [
            action,
            None if payload is None else json.dumps(payload),
            utcnow(),
            run_id,
        ]
        if expected is not None:
            query += " AND status = ANY(?)"
            args.append(list(expected))
        with self._tx() as c:
            return c.execute(query, args).rowcount == 1

    def take(self, worker_id: str | None = None, lease_s: float | None = None) -> QueuedRun | None:
        """Take the oldest queued run, or a running one whose lease expired, under a lease.

        ``FOR UPDATE SKIP LOCKED`` lets many workers poll at once: each locks a
        different row, and none waits for another's transaction.
        """
        with self._tx() as c:
            row = c.execute(
                "UPDATE runs SET status = 'running', lease_owner = ?,"
                " lease_until = now() + make_interval(secs => ?), owner = NULL,"
                " attempts = attempts + 1, updated_at = ?"
                " WHERE id = (SELECT id FROM runs WHERE status = 'queued'"
                " OR (status = 'running' AND lease_until < now())"
                " ORDER BY updated_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                " RETURNING id, action, payload, attempts",
                (worker_id or self.holder, lease_s or self.lease_s, utcnow()),
            ).fetchone()
        if row is None:
            return None
        return QueuedRun(
            run_id=row["id"],
            action=row["action"],
            payload=json.loads(row["payload"]) if row["payload"] else None,
            attempts=row["attempts"],
        )

    def complete(self, run_id: str, worker_id: str | None = None) -> None:
        """Forget the queued action once the taker has driven the run to a stop."""
        with self._tx() as c:
            c.execute(
                "UPDATE runs SET action = NULL, payload = NULL, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ? AND status <> 'queued'"
                " AND (lease_owner IS NULL OR lease_owner = ?)",
                (run_id, worker_id or self.holder),
            )

    def lease(self, run_id: str) -> tuple[str | None, int]:
        """Who holds the run's lease (``None`` if nobody) and how often it was taken."""
        rows = self._rows(
            "SELECT CASE WHEN lease_until > now() THEN lease_owner END AS holder, attempts"
            " FROM runs WHERE id = ?",
            (run_id,),
        )
        if not rows:
            raise UserError(f"unknown run id '{run_id}' (see `baton runs`)")
        return rows[0]["holder"], int(rows[0]["attempts"])
