"""Reliability fixtures: a fault-injecting endpoint, a throwaway home, example inputs.

Why in-process by default: the fault matrix runs every registered scenario several
times, and a Python start-up per run would cost more than the runs themselves. The
CLI-level guarantees (exit codes, no tracebacks, nothing secret on stderr) are checked
separately with real subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.config import Settings, load_settings
from baton.retrieval.ingest import ingest
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner, RunOutcome
from baton.scenario import discover
from tests.examples import EXAMPLE_INPUTS
from tests.reliability.fault_server import FaultServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOCS = EXAMPLES / "docs"

SCENARIO_INPUTS = EXAMPLE_INPUTS
"""Example input per scenario; a scenario missing here fails the suite on purpose."""

TIMEOUT_S = 2.0
MAX_RETRIES = 2


CLI_SCRIPT = textwrap.dedent(
    """
    import sys
    from baton.retrieval import embeddings as retrieval_embeddings
    from baton.retrieval.testing import hashing_embed
    retrieval_embeddings.embed = hashing_embed
    from baton.cli import main
    sys.argv = ["baton", *sys.argv[1:]]
    main()
    """
)


def run_cli(
    cwd: Path, env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The real ``baton`` entry point in a subprocess, with the hashing embedder
    (loading MiniLM would dominate every run and may need the network)."""
    return subprocess.run(
        [sys.executable, "-c", CLI_SCRIPT, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The parent's environment minus any ``BATON_*``, plus a home and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    # Fault and concurrency trials must reach the model, so answers are never cached.
    env.update(
        {"BATON_HOME": str(home), "PYTHONPATH": str(ROOT), "BATON_CACHE__ENABLED": "false", **extra}
    )
    return env


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: slow fault-injection, concurrency and secrets checks"
    )


def scenario_names() -> list[str]:
    """Every registered scenario, so a new one joins the suite automatically."""
    return sorted(discover())


def approve_until_done(runner: Runner, outcome: RunOutcome) -> RunOutcome:
    """Approve every review a run pauses at (by a reviewer who prepared nothing).

    Why: some scenarios' approval is a control that no review mode skips (compliance-report's
    two-person rule), so a run started with ``review="never"`` still stops there once.
    """
    from baton.review import make_decision

    while outcome.status == "awaiting_review":
        outcome = runner.resume(outcome.run_id, make_decision("approve", "reliability-check"))
    return outcome


def input_for(name: str) -> Path:
    if name not in SCENARIO_INPUTS:
        raise AssertionError(
            f"scenario '{name}' has no example input in tests/reliability/conftest.py"
        )
    return SCENARIO_INPUTS[name]


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer(hang_s=TIMEOUT_S + 1.5).start()
    try:
        yield server
    finally:
        server.stop()


def openai_env(home: Path, server: FaultServer, key: str = "test") -> dict[str, str]:
    """The ``openai`` profile pointed at the fault server, with short timeouts."""
    return {
        "BATON_HOME": str(home),
        "BATON_CACHE__ENABLED": "false",
        "BATON_PROFILE": "openai",
        "BATON_MODEL__BASE_URL": server.base_url,
        "BATON_MODEL__TIMEOUT_S": str(TIMEOUT_S),
        "BATON_MODEL__MAX_RETRIES": str(MAX_RETRIES),
        "OPENAI_API_KEY": key,
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean home and environment, with the hashing embedder in place of MiniLM."""
    for key in list(os.environ):
        if key.startswith("BATON_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BATON_CACHE__ENABLED", "false")
    monkeypatch.setattr("baton.retrieval.embeddings.embed", hashing_embed)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


@pytest.fixture
def openai_settings(
    home: Path, fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings for the fault server, with the example docs already ingested."""
    for key, value in openai_env(home, fault_server).items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    ingest([DOCS], "company-docs", settings)
    return settings
