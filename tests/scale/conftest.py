"""Real servers for the scale tests: PostgreSQL and a Chroma server on loopback.

Why session fixtures that start the servers themselves: ``.ci/run`` starts them once
and exports ``BATON_TEST_DATABASE_URL`` and ``BATON_TEST_CHROMA_URL``; on a developer
machine plain ``python -m pytest -q tests`` must work too, so without those variables
the fixtures run ``.ci/services start`` into a temporary folder and stop it at the end.
In CI (``CI=true``) unreachable servers fail the suite: a skipped scale test would hide
exactly the breakage it exists to catch.
"""

from __future__ import annotations

import os
import secrets
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from baton.config import Settings, load_settings
from baton.retrieval.testing import hashing_embed
from baton.testing import throwaway_services


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"scale test servers unavailable in CI: {reason}")
    pytest.skip(f"scale test servers unavailable: {reason}")


def _reachable(database_url: str, chroma_url: str) -> str | None:
    """None when both servers answer, else why not."""
    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {database_url}: {exc}"
    try:
        urllib.request.urlopen(f"{chroma_url}/api/v2/heartbeat", timeout=5).read()
    except OSError as exc:
        return f"Chroma at {chroma_url}: {exc}"
    return None


@pytest.fixture(scope="session")
def _servers() -> Iterator[tuple[str, str]]:
    database_url = os.environ.get("BATON_TEST_DATABASE_URL")
    chroma_url = os.environ.get("BATON_TEST_CHROMA_URL")
    if database_url and chroma_url:
        problem = _reachable(database_url, chroma_url)
        if problem:
            _unavailable(problem)
        yield database_url, chroma_url
        return
    with ExitStack() as stack:
        try:
            exported = stack.enter_context(throwaway_services())
        except RuntimeError as exc:
            _unavailable(str(exc))
        yield exported["BATON_TEST_DATABASE_URL"], exported["BATON_TEST_CHROMA_URL"]


@pytest.fixture(scope="session")
def database_url(_servers: tuple[str, str]) -> str:
    """The test cluster's ``baton`` database, shared by the whole session."""
    return _servers[0]


@pytest.fixture(scope="session")
def chroma_url(_servers: tuple[str, str]) -> str:
    """The loopback Chroma server; tests use their own collection names."""
    return _servers[1]


@pytest.fixture
def fresh_database_url(database_url: str) -> Iterator[str]:
    """A new, empty database on the test cluster, dropped afterwards.

    The run queue hands out *any* queued run in its database, so tests that count or
    take runs need a database of their own.
    """
    name = f"baton_{secrets.token_hex(4)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def scale_env(
    tmp_path: Path, fresh_database_url: str, chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The ``scale`` profile as a deployment configures it: two URL variables."""
    for key in list(os.environ):
        if key.startswith("BATON_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BATON_PROFILE", "scale")
    monkeypatch.setenv("BATON_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("BATON_CHROMA_URL", chroma_url)
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.setenv("BATON_CACHE__ENABLED", "false")
    monkeypatch.setattr("baton.retrieval.embeddings.embed", hashing_embed)
    return load_settings()
