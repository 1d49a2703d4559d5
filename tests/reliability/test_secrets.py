"""The API key never lands on disk or on the terminal, even when everything goes wrong.

Why a grep over the whole home: checkpoints pickle state, the registry stores reasons
and packets, outputs echo inputs; any of them could capture a settings object or an
exception message carrying the key. The run goes through the fault server so the
error paths (retries, failures, resumes) are exercised, not just the happy one.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.reliability.conftest import DOCS, cli_env, input_for, openai_env, run_cli
from tests.reliability.fault_server import FaultServer

pytestmark = pytest.mark.reliability


def _check(proc: subprocess.CompletedProcess[str], key: str) -> None:
    assert proc.returncode in (0, 1, 2, 3), proc
    assert "Traceback" not in proc.stderr, proc.stderr
    assert key not in proc.stdout and key not in proc.stderr


def test_api_key_never_written_or_printed(
    home: Path, fault_server: FaultServer, tmp_path: Path
) -> None:
    key = f"sk-reliability-{secrets.token_hex(16)}"
    env = cli_env(home, **openai_env(home, fault_server, key=key))
    seen: list[subprocess.CompletedProcess[str]] = []

    def baton(*args: str) -> subprocess.CompletedProcess[str]:
        proc = run_cli(tmp_path, env, *args)
        _check(proc, key)
        seen.append(proc)
        return proc

    assert baton("ingest", str(DOCS), "-C", "company-docs").returncode == 0
    scenario = "research-brief"
    # Endpoint down: the run fails with a reason printed on stderr.
    fault_server.kinds, fault_server.rate = ("unavailable", "rate_limit", "reset"), 1.0
    failed = baton("run", scenario, "--input", str(input_for(scenario)), "--json")
    assert failed.returncode == 3 and json.loads(failed.stdout)["status"] == "failed"
    run_id = json.loads(failed.stdout)["run_id"]
    # Flaky endpoint, then healthy: resume until it pauses for review, then approve.
    fault_server.kinds, fault_server.rate = ("hang", "truncated", "bad_json_args"), 0.3
    status = json.loads(baton("resume", run_id, "--json").stdout)["status"]
    fault_server.rate = 0.0
    if status == "failed":
        status = json.loads(baton("resume", run_id, "--json").stdout)["status"]
    assert status == "awaiting_review"
    done = json.loads(baton("resume", run_id, "--approve", "--json").stdout)
    assert done["status"] == "done" and done["outputs"]
    for args in (("runs",), ("show", run_id), ("audit", run_id), ("resume", run_id)):
        baton(*args)
    assert seen[-1].returncode == 2  # resuming a done run: a one-line user error
    # Every request did carry the key, so its absence below means something.
    assert fault_server.auth_headers == {f"Bearer {key}"}
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".sqlite") for p in files) and Path(done["outputs"][0]).exists()
    leaked = [str(p) for p in files if key.encode() in p.read_bytes()]
    assert leaked == []
