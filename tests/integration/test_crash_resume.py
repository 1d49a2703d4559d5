"""SIGKILL a run mid-node, resume it from another process, and count model calls.

A node that finished before the kill must never run again; the node that was cut off
runs again from its start; the audit trail holds exactly one record per completed node.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import QUESTION, Baton

pytestmark = pytest.mark.integration


def _calls(baton: Baton) -> Counter[str]:
    log = Path(baton.env["BATON_FAKE_CALL_LOG"])
    return Counter(log.read_text().split()) if log.exists() else Counter()


def test_sigkill_mid_node_then_resume(baton_fake: Baton) -> None:
    proc = baton_fake.popen("run", "research-brief", "--input", str(QUESTION))
    deadline = time.monotonic() + 120
    # Wait until the critic's model call has started: researcher and writer are done.
    while _calls(baton_fake)["critic"] < 1:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never reached the critic"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _calls(baton_fake)
    assert before["researcher"] == 1 and before["writer"] == 1

    runs = baton_fake.json("runs")
    assert len(runs) == 1 and runs[0]["status"] == "running"
    run_id = runs[0]["id"]

    paused = baton_fake.json("resume", run_id)
    assert paused["status"] == "awaiting_review"
    after = _calls(baton_fake)
    assert after["researcher"] == 1, "researcher ran again after the crash"
    assert after["writer"] == 1, "writer ran again after the crash"
    assert after["critic"] == 2  # the killed call, then one clean re-run

    done = baton_fake.json("resume", run_id, "--approve")
    assert done["status"] == "done" and Path(done["outputs"][0]).exists()
    nodes = Counter(
        n["node"] for n in baton_fake.json("show", run_id)["nodes"] if n["kind"] == "node"
    )
    assert nodes == Counter(
        {"researcher": 1, "writer": 1, "critic": 1, "review": 1, "formatter": 1}
    )
    leftovers = [p for p in Path(done["output_dir"]).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_resume_refuses_a_live_run(baton_fake: Baton) -> None:
    baton_fake.env = {**baton_fake.env, "BATON_MODEL__FAKE_LATENCY_S": "20"}
    proc = baton_fake.popen("run", "research-brief", "--input", str(QUESTION))
    try:
        deadline = time.monotonic() + 120
        while _calls(baton_fake)["researcher"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        run_id = baton_fake.json("runs")[0]["id"]
        refused = baton_fake("resume", run_id, check=False)
        assert refused.returncode == 2 and "still running" in refused.stderr
    finally:
        proc.kill()
        proc.wait()
