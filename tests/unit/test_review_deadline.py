"""Review deadlines: a paused run whose packet's deadline passed is resumed once, with
``expire`` by ``baton:deadline``, by ``baton tick`` (or a worker), never before, never
twice, and no human surface can send ``expire``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from baton.config import Settings
from baton.errors import UserError
from baton.langgraph_server import refusal
from baton.registry import SCHEMA, Registry, utcnow
from baton.review import DEADLINE_REVIEWER, ReviewDecision, parse_decision
from baton.runtime import Runner
from baton.schedule import expire_overdue
from baton.web.app import _decision as inbox_decision
from tests.records import run_record
from tests.unit import deadline_scenario as demo
from tests.unit.deadline_scenario import at, race

DEADLINE = "2026-12-03T10:00:00Z"


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    return demo.register(tmp_path, deadline=DEADLINE)


def test_the_test_clock_moves_registry_time_and_a_bad_one_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00+01:00")
    assert utcnow() == "2026-12-03T08:00:00.000+00:00"
    at(monkeypatch, "yesterday")
    with pytest.raises(UserError, match="BATON_NOW: 'yesterday' is not an ISO-8601"):
        utcnow()


def test_a_paused_run_expires_after_its_deadline_not_before_and_escalates(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    paused = runner.start(demo.NAME, input_file)
    assert paused.status == "awaiting_review"
    assert runner.registry.get(paused.run_id).deadline == "2026-12-03T10:00:00.000+00:00"

    at(monkeypatch, "2026-12-03T09:59:59Z")
    assert expire_overdue(runner).expired == []
    assert runner.registry.get(paused.run_id).status == "awaiting_review"

    at(monkeypatch, "2026-12-03T10:00:00Z")
    assert expire_overdue(runner).expired == [(paused.run_id, "awaiting_review")]
    escalated = runner.registry.get(paused.run_id)
    assert escalated.packet is not None and escalated.packet["owner"] == "bob"
    assert escalated.deadline == "2026-12-03T11:00:00.000+00:00"
    assert expire_overdue(runner).expired == []  # the new review is not due yet

    at(monkeypatch, "2026-12-03T11:30:00Z")
    assert expire_overdue(runner).expired == [(paused.run_id, "done")]
    done = runner.registry.get(paused.run_id)
    assert done.deadline is None
    result = Path(done.output_dir, "result.txt").read_text(encoding="utf-8")
    assert result == f"expire by {DEADLINE_REVIEWER}\n"
    humans = [a for a in runner.sync_audit(paused.run_id) if a.kind == "human"]
    assert [(h.actor, h.decision) for h in humans] == [
        (DEADLINE_REVIEWER, "expire: no decision by 2026-12-03T10:00:00.000+00:00"),
        (DEADLINE_REVIEWER, "expire: no decision by 2026-12-03T11:00:00.000+00:00"),
    ]


def test_a_human_decision_before_the_deadline_leaves_nothing_to_expire(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    paused = runner.start(demo.NAME, input_file)
    decision = ReviewDecision(action="approve", reviewer="alice", at=utcnow())
    assert runner.resume(paused.run_id, decision).status == "done"
    at(monkeypatch, "2026-12-04T00:00:00Z")
    assert expire_overdue(runner).expired == []


def test_two_concurrent_ticks_expire_the_review_once(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, runner: Runner, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    paused = runner.start(demo.NAME, input_file)
    at(monkeypatch, "2026-12-03T10:30:00Z")  # the first deadline passed, the next (11:00) not
    failed: list[str] = []

    def tick(r: Runner) -> list[tuple[str, str]]:
        report = expire_overdue(r)
        failed.extend(report.failed)
        return report.expired

    reported = race(settings, tick)
    assert failed == []  # losing the race is not an error
    # The losing side deterministically: a tick that listed the run before another
    # expired it (it re-paused with the next deadline) skips it silently.
    stale = runner.registry.get(paused.run_id).model_copy(
        update={"deadline": "2026-12-03T10:00:00.000+00:00"}
    )
    monkeypatch.setattr(runner.registry, "overdue_reviews", lambda now: [stale])
    late = expire_overdue(runner)
    assert (late.expired, late.failed) == ([], [])
    assert reported == [(paused.run_id, "awaiting_review")]
    run = runner.registry.get(paused.run_id)
    assert run.packet is not None and run.packet["owner"] == "bob"
    humans = [a for a in runner.sync_audit(paused.run_id) if a.kind == "human"]
    assert len(humans) == 1


def test_expire_is_refused_before_the_deadline_and_on_a_run_without_one(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, tmp_path: Path, input_file: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    early = runner.start(demo.NAME, input_file)
    plain = runner.start(demo.NAME, demo.register(tmp_path))  # no deadline
    assert runner.registry.get(plain.run_id).deadline is None
    forged = ReviewDecision(action="expire", reviewer="mallory", at=utcnow())
    for run_id, deadline in ((early.run_id, "2026-12-03T10:00"), (plain.run_id, "none")):
        with pytest.raises(
            UserError, match=f"only for a review whose deadline has passed.*{deadline}"
        ):
            runner.resume(run_id, forged)
        assert runner.registry.get(run_id).status == "awaiting_review"


def test_no_human_surface_can_send_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    # Agent Server input schema
    assert refusal({"action": "expire", "reviewer": "x"}) is not None
    # a served run, even with a deadline in its packet
    packet = {"deadline": DEADLINE}
    value = {"action": "expire", "reviewer": "x", "at": DEADLINE}
    with pytest.raises(UserError, match="decided by the runtime"):
        parse_decision(value, demo.NoEdit, packet, on_server=True)
    # a scenario whose packet has no deadline re-pauses instead of acting on it
    with pytest.raises(UserError, match="decided by the runtime"):
        parse_decision(value, demo.NoEdit, {})
    assert parse_decision(value, demo.NoEdit, packet).action == "expire"
    # the inbox form offers approve and reject only
    run = run_record(
        id="r1", scenario=demo.NAME, created_at=DEADLINE, updated_at=DEADLINE, packet=packet
    )
    with pytest.raises(UserError, match="choose approve or reject"):
        inbox_decision(run, {"decision": "expire"}, "x", {})
    # the CLI has no flag for it
    from baton.cli import main

    monkeypatch.setattr(sys, "argv", ["baton", "resume", "r1", "--expire"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2


def test_a_malformed_deadline_in_a_packet_fails_the_run_in_one_line(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, tmp_path: Path
) -> None:
    at(monkeypatch, "2026-12-03T09:00:00Z")
    bad = demo.register(tmp_path, deadline="soon")
    with pytest.raises(UserError, match="packet of review: deadline: 'soon' is not an ISO-8601"):
        runner.start(demo.NAME, bad)


def test_a_registry_from_before_deadlines_gains_the_column_and_keeps_its_runs(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.sqlite"
    legacy = SCHEMA.replace(",\n    deadline TEXT\n", "\n")
    assert "deadline" not in legacy.split("CREATE TABLE IF NOT EXISTS audit")[0]
    with sqlite3.connect(old) as conn:
        conn.executescript(legacy.split("CREATE TABLE IF NOT EXISTS schedules")[0])
        conn.execute(
            "INSERT INTO runs (id, scenario, status, created_at, updated_at, input_path,"
            " output_dir, review_mode) VALUES ('r1', 's', 'awaiting_review', 't', 't', 'i',"
            " 'o', 'always')"
        )
    registry = Registry(old)
    try:
        assert registry.get("r1").deadline is None
        registry.set_status("r1", "awaiting_review", packet={"deadline": DEADLINE})
        assert registry.get("r1").deadline == "2026-12-03T10:00:00.000+00:00"
        assert [r.id for r in registry.overdue_reviews("2026-12-03T10:00:00.000+00:00")] == ["r1"]
    finally:
        registry.close()
