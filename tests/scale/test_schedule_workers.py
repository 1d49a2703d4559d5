"""Schedules and review deadlines in the scale profile: idle ``baton worker`` processes
tick, and two of them racing start a due schedule once and expire a review once.

Why real processes on real PostgreSQL: the guarantee is the compare-and-set in the
shared registry under concurrent workers, which only a real server can show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from baton.config import Settings
from baton.runtime import Runner
from baton.schedule import Schedules
from tests.unit import deadline_scenario as demo
from tests.unit.deadline_scenario import at

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_two_idle_workers_run_a_schedule_once_and_expire_a_review_once(
    scale_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    waiting = demo.register(tmp_path, deadline="2026-12-03T10:00:00Z")
    at(monkeypatch, "2026-12-03T09:00:00Z")
    runner = Runner(scale_env)
    try:
        paused = runner.start(demo.NAME, waiting)
        assert runner.registry.get(paused.run_id).deadline == "2026-12-03T10:00:00.000+00:00"
        Schedules(runner.registry).add(demo.NAME, waiting, every="1h", review="never")
        at(monkeypatch, "2026-12-03T10:30:00Z")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        worker = [sys.executable, "-m", "baton.cli", "worker", "--idle-exit", "2", "--poll", "0.2"]
        workers = [
            subprocess.Popen(worker, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        logs = [w.communicate(timeout=300)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0], logs
        said = "".join(logs)
        assert said.count("review deadline passed, expired") == 1, logs
        assert said.count(": started ") == 1, logs
        run = runner.registry.get(paused.run_id)
        assert run.status == "awaiting_review" and run.packet and run.packet["owner"] == "bob"
        assert len(runner.registry.list_runs()) == 2
        humans = [a for a in runner.sync_audit(paused.run_id) if a.kind == "human"]
        assert [h.actor for h in humans] == ["baton:deadline"]
    finally:
        runner.close()
