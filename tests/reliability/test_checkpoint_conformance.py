"""LangGraph's checkpoint conformance suite against SQLite, configured exactly as Baton does.

What runs, and why two savers:

* ``SqliteSaver`` opened by :func:`baton.runtime.open_checkpointer` itself (WAL,
  ``synchronous=NORMAL``, 30 s busy timeout via :func:`baton.registry.tune_sqlite`,
  ``check_same_thread=False``). This is the saver Baton's runner uses. Its async methods
  are unimplemented, and the suite drives only the async API, so the sync methods are
  called from worker threads through :func:`tests.checkpoint_conformance.sync_driven`,
  which is how LangGraph runs them under ``astream`` too.
* ``AsyncSqliteSaver`` over an ``aiosqlite`` connection with the same PRAGMAs (checked
  by reading them back), for async callers of the same file format.

Each capability is a separate test so a failure names the capability and the checks.
SQLite's savers implement the five base capabilities only (no ``prune``,
``copy_thread`` or ``delete_for_runs``); the tests assert those are *not detected*,
so a future saver version that adds them turns this test red until it is covered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from baton.config import CheckpointSettings, Settings
from baton.registry import tune_sqlite
from baton.runtime import open_checkpointer
from tests.checkpoint_conformance import ALL, check, run_capability, sync_driven

PRAGMAS = ("journal_mode", "synchronous", "busy_timeout")


def _pragmas(conn: sqlite3.Connection) -> dict[str, Any]:
    return {p: conn.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}


async def _apragmas(conn: aiosqlite.Connection) -> dict[str, Any]:
    out = {}
    for p in PRAGMAS:
        async with conn.execute(f"PRAGMA {p}") as cur:
            row = await cur.fetchone()
            assert row is not None
            out[p] = row[0]
    return out


@pytest.fixture
def baton_pragmas(tmp_path: Path) -> dict[str, Any]:
    """The PRAGMA values Baton's tuning produces on a fresh file."""
    conn = sqlite3.connect(tmp_path / "reference.sqlite")
    tune_sqlite(conn)
    values = _pragmas(conn)
    conn.close()
    assert values["journal_mode"] == "wal"
    return values


@pytest.mark.parametrize("capability", ALL)
def test_baton_sqlite_saver(capability: str, tmp_path: Path, baton_pragmas: dict[str, Any]) -> None:
    settings = Settings(
        home=tmp_path,
        checkpoints=CheckpointSettings(backend="sqlite", path=tmp_path / "checkpoints.sqlite"),
    )

    async def factory() -> AsyncGenerator[BaseCheckpointSaver[Any], None]:
        with open_checkpointer(settings) as saver:
            assert isinstance(saver, SqliteSaver)
            assert _pragmas(saver.conn) == baton_pragmas
            yield sync_driven(saver)

    check(run_capability("baton-SqliteSaver", factory, capability), capability, set())


@pytest.mark.parametrize("capability", ALL)
def test_async_sqlite_saver(capability: str, tmp_path: Path, baton_pragmas: dict[str, Any]) -> None:
    async def factory() -> AsyncGenerator[BaseCheckpointSaver[Any], None]:
        async with aiosqlite.connect(tmp_path / "checkpoints.sqlite", timeout=30) as conn:
            for pragma, value in baton_pragmas.items():
                await conn.execute(f"PRAGMA {pragma}={value}")
            assert await _apragmas(conn) == baton_pragmas
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver

    check(run_capability("AsyncSqliteSaver", factory, capability), capability, set())
