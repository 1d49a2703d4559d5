"""Schedules: ``baton tick`` starts one normal run per due slot, never two for the same
slot (even with ticks racing), coalesces missed slots, and refuses bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from baton.config import Settings
from baton.runtime import Runner
from baton.schedule import Schedules, parse_every, run_due, slot_run_id
from tests.unit import deadline_scenario as demo
from tests.unit.deadline_scenario import at, race
from tests.unit.test_cli import cli

Cli = Callable[..., tuple[int, str, str]]
"""``baton ARGS...`` in this process: exit code, stdout, stderr."""


@pytest.fixture
def baton(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The CLI bound to this test's argv patching and captured output."""
    return partial(cli, monkeypatch, capsys)


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    return demo.register(tmp_path)


def started(runner: Runner) -> int:
    return len(runner.registry.list_runs())


def test_an_hourly_schedule_runs_once_per_due_tick_and_coalesces_missed_ticks(
    monkeypatch: pytest.MonkeyPatch, baton: Cli, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    code, added, _ = baton(
        "schedule",
        "add",
        demo.NAME,
        "--every",
        "1h",
        "--input",
        str(input_file),
        "--review",
        "never",
    )
    assert code == 0 and "every 1h" in added
    code, ticked, _ = baton("tick")
    assert code == 0 and "started" in ticked and started(runner) == 1
    assert runner.registry.list_runs()[0].status == "done"  # review never: a whole run

    at(monkeypatch, "2026-12-03T09:59:00Z")
    assert baton("tick")[1].strip() == "nothing due"
    assert started(runner) == 1

    at(monkeypatch, "2026-12-03T10:00:30Z")
    assert len(run_due(runner).started) == 1
    assert run_due(runner).started == []  # the same slot twice: no second run
    assert started(runner) == 2

    at(monkeypatch, "2026-12-03T15:30:00Z")  # five slots missed
    assert len(run_due(runner).started) == 1
    assert started(runner) == 3
    (schedule,) = Schedules(runner.registry).all()
    assert schedule.next_at == "2026-12-03T16:00:00.000+00:00"  # phase kept
    assert schedule.last_run_at == "2026-12-03T15:30:00.000+00:00"
    assert schedule.last_run_id == runner.registry.list_runs()[0].id
    code, listed, _ = baton("schedule", "list", "--json")
    assert code == 0 and schedule.id in listed


def test_a_cron_schedule_waits_for_its_first_slot(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:20:00Z")
    added = Schedules(runner.registry).add(demo.NAME, input_file, cron="0 * * * *", review="never")
    assert added.next_at == "2026-12-03T10:00:00.000+00:00"
    at(monkeypatch, "2026-12-03T09:59:59Z")
    assert run_due(runner).started == []
    at(monkeypatch, "2026-12-03T10:00:00Z")
    assert len(run_due(runner).started) == 1
    assert Schedules(runner.registry).all()[0].next_at == "2026-12-03T11:00:00.000+00:00"


def test_concurrent_ticks_start_a_due_slot_once(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    Schedules(runner.registry).add(demo.NAME, input_file, every="30m", review="never")
    reported = race(settings, lambda r: run_due(r).started)
    assert len(reported) == 1 and started(runner) == 1


def test_a_slot_whose_tick_was_killed_is_continued_once_not_started_again(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    added = Schedules(runner.registry).add(demo.NAME, input_file, every="1h", review="never")
    # A tick registered the slot's run and was SIGKILLed before its first checkpoint.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    run_id = slot_run_id(added)
    runner.registry.create_run(
        run_id,
        demo.NAME,
        str(input_file),
        str(runner.settings.runs_dir / run_id),
        "never",
        owner=int(dead.stdout),
    )
    at(monkeypatch, "2026-12-03T09:05:00Z")
    assert run_due(runner).started == [(added.id, run_id, "done")]
    assert [r.id for r in runner.registry.list_runs()] == [run_id]
    assert run_due(runner).started == []  # the slot moved on
    assert Schedules(runner.registry).all()[0].next_at == "2026-12-03T10:00:00.000+00:00"


def test_removed_schedules_stop(
    monkeypatch: pytest.MonkeyPatch, baton: Cli, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    added = Schedules(runner.registry).add(demo.NAME, input_file, every="1d", review="never")
    assert baton("schedule", "remove", added.id)[0] == 0
    assert run_due(runner).started == [] and started(runner) == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nope", "--every", "1h"], "unknown scenario 'nope'"),
        ([demo.NAME, "--every", "often"], "--every: expected an interval"),
        ([demo.NAME, "--every", "0h"], "--every: expected an interval"),
        ([demo.NAME, "--cron", "61 * * * *"], "--cron: not a valid"),
        ([demo.NAME, "--cron", "* * *"], "--cron: not a valid"),
        ([demo.NAME], "say when"),
        ([demo.NAME, "--every", "1h", "--cron", "0 * * * *"], "say when"),
        ([demo.NAME, "--every", "1h", "--input", "missing.yaml"], "no such input"),
    ],
)
def test_bad_schedule_input_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, baton: Cli, input_file: Path, args: list[str], needle: str
) -> None:
    if "--input" not in args:
        args = [*args, "--input", str(input_file)]
    code, _, err = baton("schedule", "add", *args)
    assert code == 2, err
    assert needle in err and len(err.strip().splitlines()) == 1
    assert baton("schedule", "list")[1].strip() == "no schedules"


def test_a_schedule_whose_input_vanished_fails_the_tick_and_others_still_run(
    monkeypatch: pytest.MonkeyPatch, baton: Cli, runner: Runner, input_file: Path, tmp_path: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    doomed = tmp_path / "doomed.yaml"
    doomed.write_text(input_file.read_text(encoding="utf-8"), encoding="utf-8")
    gone = Schedules(runner.registry).add(demo.NAME, doomed, every="1h", review="never")
    kept = Schedules(runner.registry).add(demo.NAME, input_file, every="1h", review="never")
    doomed.unlink()
    code, printed, _ = baton("tick", "--json")
    assert code == 3
    report = json.loads(printed)
    assert [s["schedule"] for s in report["started"]] == [kept.id]
    assert report["started"][0]["status"] == "done"
    assert len(report["failed"]) == 1 and report["failed"][0].startswith(f"{gone.id}: ")
    assert started(runner) == 1


def test_unknown_schedule_id_is_one_line(baton: Cli) -> None:
    code, _, err = baton("schedule", "remove", "sched-000000")
    assert code == 2 and "unknown schedule id 'sched-000000'" in err


def test_intervals() -> None:
    assert [parse_every(t) for t in ("30m", "1h", "1d", "2w")] == [1800, 3600, 86400, 1209600]
