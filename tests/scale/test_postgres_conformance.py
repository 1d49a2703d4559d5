"""LangGraph's checkpoint conformance suite against PostgreSQL, configured as Baton does.

What runs, and why two savers:

* ``PostgresSaver`` opened by :func:`baton.runtime.open_checkpointer` with the ``scale``
  backend (a ``psycopg_pool.ConnectionPool`` whose connections use ``autocommit=True``,
  ``prepare_threshold=0`` and ``row_factory=dict_row``). That is the saver Baton's
  runner and workers use. The suite drives only the async API, so its sync methods are
  called from worker threads through :func:`tests.checkpoint_conformance.sync_driven`.
* ``AsyncPostgresSaver`` over an ``AsyncConnectionPool`` with the same connection
  settings, for async callers of the same tables.

Both implement the five base capabilities plus ``prune``; ``copy_thread`` and
``delete_for_runs`` must be reported as not implemented (the test fails if that
changes, so new capabilities get covered rather than silently skipped).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from baton.config import CheckpointSettings, Settings
from baton.runtime import open_checkpointer
from tests.checkpoint_conformance import ALL, check, run_capability, sync_driven

pytestmark = pytest.mark.integration

IMPLEMENTED = {"prune"}


@pytest.mark.parametrize("capability", ALL)
def test_baton_postgres_saver(capability: str, database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        checkpoints=CheckpointSettings(backend="postgres", database_url=database_url),
    )

    async def factory() -> AsyncGenerator[BaseCheckpointSaver[Any], None]:
        with open_checkpointer(settings) as saver:
            yield sync_driven(saver)

    check(run_capability("baton-PostgresSaver", factory, capability), capability, IMPLEMENTED)


@pytest.mark.parametrize("capability", ALL)
def test_async_postgres_saver(capability: str, database_url: str) -> None:
    async def factory() -> AsyncGenerator[BaseCheckpointSaver[Any], None]:
        kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        async with AsyncConnectionPool(database_url, kwargs=kwargs, max_size=4) as pool:
            saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
            await saver.setup()
            yield saver

    check(run_capability("AsyncPostgresSaver", factory, capability), capability, IMPLEMENTED)
