"""Unit-test guards and fixtures: no network, a scripted model, a throwaway home.

The socket guard (pytest-socket) makes any real network connection fail the test, so a
unit test can never silently talk to a model endpoint or download weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_socket import disable_socket, enable_socket

from baton.config import Settings, load_settings
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


@pytest.fixture(autouse=True)
def _offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own home, the scripted model and the hashing embedder."""
    for key in list(__import__("os").environ):
        if key.startswith("BATON_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.setenv("BATON_CACHE__ENABLED", "false")  # tests that cache say so
    monkeypatch.setattr("baton.retrieval.embeddings.embed", hashing_embed)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def runner(settings: Settings) -> Iterator[Runner]:
    """A runner on the test's settings (scripted model, throwaway home), closed afterwards;
    a test module that needs another model or store defines its own ``runner``."""
    r = Runner(settings)
    yield r
    r.close()
