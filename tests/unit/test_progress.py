"""Live progress: running nodes with elapsed time, fan-out branches done out of the total."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from baton.config import Settings
from baton.progress import LiveProgress
from baton.runtime import Runner
from baton.tools.marketing.testing import EXAMPLE_DIR


class FakeClock:
    """Seconds that advance only when the test says so (no timing assertions)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder(LiveProgress):
    """LiveProgress that keeps what its display showed after every task event."""

    def __init__(self, console: Console, clock: FakeClock) -> None:
        super().__init__(console, clock)
        self.clock = clock
        self.shown: list[list[str]] = []

    def task(self, event: dict[str, Any]) -> None:
        super().task(event)
        self.clock.now += 1.5
        self.shown.append(self.lines())


def test_display_counts_branches_and_elapsed_seconds() -> None:
    clock = FakeClock()
    progress = LiveProgress(Console(file=io.StringIO(), width=80), clock)
    for i in range(3):
        progress.task({"id": f"t{i}", "name": "draft", "triggers": ("__pregel_push",)})
    progress.task({"id": "w", "name": "writer", "triggers": ("branch:to:writer",)})
    clock.now += 176
    progress.task({"id": "t1", "name": "draft", "result": {}, "error": None})
    assert progress.lines() == ["draft · 1/3 branches done · 176s", "writer · 176s"]
    progress.task({"id": "w", "name": "writer", "result": {}, "error": None})
    progress.task({"id": "t0", "name": "draft", "result": {}, "error": None})
    progress.task({"id": "t2", "name": "draft", "result": {}, "error": None})
    assert progress.lines() == []


def test_a_run_reports_each_node_and_the_fan_out_while_it_runs(settings: Settings) -> None:
    buffer = io.StringIO()
    recorder = Recorder(Console(file=buffer, width=80), FakeClock())
    runner = Runner(settings)
    try:
        with recorder:
            outcome = runner.start("content-calendar", EXAMPLE_DIR, progress=recorder)
    finally:
        runner.close()
    assert outcome.status == "awaiting_review"
    flat = [line for shown in recorder.shown for line in shown]
    assert any(line.startswith("research · ") for line in flat)
    drafts = [line for line in flat if line.startswith("draft · ")]
    totals = {line.split(" · ")[1].split("/")[1] for line in drafts if "/" in line}
    assert drafts and totals and all(int(t.split()[0]) > 1 for t in totals)
    assert any(" 0/" in line for line in drafts) and any(" 0/" not in line for line in drafts)
    assert recorder.shown[-1] == []  # nothing left running at the review pause
    printed = buffer.getvalue()
    for node in ("ingest", "research", "strategy", "draft", "critic", "schedule"):
        assert f"✓ {node}" in printed


def test_on_a_terminal_the_live_display_starts_and_stops(settings: Settings) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=True)
    progress = LiveProgress(console)
    runner = Runner(settings)
    try:
        with progress:
            assert progress._live is not None and progress._live.is_started
            runner.start("content-calendar", EXAMPLE_DIR, progress=progress)
    finally:
        runner.close()
    assert progress._live is None and "✓" in buffer.getvalue()
