"""Integration fixtures: real Chroma, real embeddings, real processes.

Each helper runs the installed ``baton`` CLI in a subprocess, exactly as a user would,
against a throwaway home folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"
DOCS = ROOT / "examples" / "docs"


class Baton:
    """Runs ``baton`` commands with a fixed environment and working directory."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "baton.cli", *args]

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            self.argv(*args),
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"baton {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
        return proc

    def json(self, *args: str, timeout: float = 600) -> Any:
        return json.loads(self(*args, "--json", timeout=timeout).stdout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            cwd=self.cwd,
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )


def make_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update({"BATON_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


@pytest.fixture
def baton_fake(tmp_path: Path) -> Iterator[Baton]:
    """A home with the example docs ingested and the scripted model (1 s per call)."""
    log = tmp_path / "calls.log"
    b = Baton(
        tmp_path,
        make_env(
            tmp_path / "home",
            BATON_MODEL__PROVIDER="fake",
            BATON_MODEL__FAKE_LATENCY_S="1.0",
            BATON_FAKE_CALL_LOG=str(log),
        ),
    )
    b("ingest", str(DOCS), "--collection", "company-docs")
    yield b


@pytest.fixture
def baton_embedded(tmp_path: Path) -> Iterator[Baton]:
    """A home with the example docs ingested and the real embedded SmolLM2 model."""
    b = Baton(tmp_path, make_env(tmp_path / "home"))
    b("ingest", str(DOCS), "--collection", "company-docs")
    yield b
