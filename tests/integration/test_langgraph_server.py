"""``langgraph dev`` serves Baton's graphs offline; the official SDK runs, sees the
interrupt, and resumes it (real embedded model, real Chroma)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import ROOT, Baton

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"langgraph dev did not start:\n{log.read_text()[-3000:]}")


async def _drive(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    from langgraph_sdk import get_client

    client = get_client(url=url)
    graphs = {a["graph_id"] for a in await client.assistants.search()}
    assert "research-brief" in graphs
    thread = await client.threads.create()
    request: Any = {
        "question": "What does a box of Cold Brew pods cost?",
        "collections": ["company-docs"],
        "k": 4,
        "max_rounds": 1,
    }
    await client.runs.wait(thread["thread_id"], "research-brief", input=request)
    state: dict[str, Any] = dict(await client.threads.get_state(thread["thread_id"]))
    assert state["next"] == ["review"]
    decision = {"action": "approve", "reviewer": "sdk", "at": "2026-11-21T00:00:00+00:00"}
    final = await client.runs.wait(
        thread["thread_id"], "research-brief", command={"resume": decision}
    )
    assert isinstance(final, dict)
    return state, final


def test_langgraph_dev_runs_interrupts_and_resumes(baton_embedded: Baton, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "langgraph-dev.log"
    env = {**baton_embedded.env, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false"}
    langgraph = Path(sys.executable).parent / "langgraph"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [
                str(langgraph),
                "dev",
                "--no-reload",
                "--no-browser",
                "--allow-blocking",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/ok", proc, log)
        state, final = asyncio.run(_drive(url))
        interrupts = state.get("interrupts") or []
        assert interrupts and interrupts[0]["value"]["scenario"] == "research-brief"
        outputs = final.get("outputs") or []
        assert outputs and Path(outputs[0]).read_text().startswith("# ")
        assert any(r["kind"] == "human" and r["actor"] == "sdk" for r in final["audit"])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
