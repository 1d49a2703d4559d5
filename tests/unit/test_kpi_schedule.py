"""kpi-monitor on a schedule with a test clock: ``baton tick`` runs it hourly over an
export that grows, alerting only on what is new; an unanswered high-severity alert
escalates after its deadline, up the ladder, and is left unanswered when it runs out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from baton.config import Settings
from baton.review import DEADLINE_REVIEWER
from baton.runtime import Runner
from baton.schedule import expire_overdue, run_due
from tests.unit.deadline_scenario import at
from tests.unit.kpi_data import SHOP, export_until, outbox_files
from tests.unit.test_cli import cli


def test_hourly_ticks_over_appended_data_alert_only_on_new_anomalies(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    runner: Runner,
    settings: Settings,
    tmp_path: Path,
) -> None:
    folder = export_until(tmp_path, "2026-03-31")
    at(monkeypatch, "2026-04-01T06:00:00Z")
    code, added, _ = cli(
        monkeypatch,
        capsys,
        "schedule",
        "add",
        "kpi-monitor",
        "--every",
        "1h",
        "--input",
        str(folder),
        "--review",
        "never",
    )
    assert code == 0, added
    code, ticked, _ = cli(monkeypatch, capsys, "tick")
    assert code == 0 and "started" in ticked
    first = outbox_files(settings)
    assert len(first) == 3  # orders and revenue (app release), revenue (west price rise)

    at(monkeypatch, "2026-04-01T06:30:00Z")
    assert run_due(runner).started == []  # not due yet

    export_until(tmp_path, "2026-04-03")  # the nightly export appended three days
    at(monkeypatch, "2026-04-01T07:00:10Z")
    (started,) = run_due(runner).started
    assert started[2] == "done"
    new = outbox_files(settings) - first
    assert len(new) == 1 and next(iter(new)).endswith(".json")  # the signups spike only

    at(monkeypatch, "2026-04-01T08:00:10Z")  # nothing appended since
    (again,) = run_due(runner).started
    digest = (settings.runs_dir / again[1] / "overnight_digest.md").read_text()
    assert "0 new anomalies" in digest
    assert len(outbox_files(settings)) == 4
    assert len(runner.registry.list_runs()) == 3


def test_an_unanswered_high_alert_escalates_after_its_deadline(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, settings: Settings, tmp_path: Path
) -> None:
    at(monkeypatch, "2026-04-20T01:00:00Z")
    paused = runner.start("kpi-monitor", SHOP)
    assert paused.status == "awaiting_review" and paused.packet is not None
    assert paused.packet["deadline"].startswith("2026-04-20T05:00:00")  # policy: 4 hours
    owners = {a["id"]: a["owner"] for a in paused.packet["alerts"]}
    before = outbox_files(settings)

    at(monkeypatch, "2026-04-20T04:59:00Z")
    assert expire_overdue(runner).expired == []

    at(monkeypatch, "2026-04-20T05:00:30Z")
    assert expire_overdue(runner).expired == [(paused.run_id, "awaiting_review")]
    run = runner.registry.get(paused.run_id)
    assert run.status == "awaiting_review"
    assert run.deadline is not None and run.deadline.startswith("2026-04-20T09:00:30")
    assert len(outbox_files(settings) - before) == 3  # one escalation alert per waiting alert
    escalations = [a for a in runner.sync_audit(paused.run_id) if a.actor == DEADLINE_REVIEWER]
    lines = [a.decision for a in escalations if "escalated from" in a.decision]
    assert len(lines) == 3
    for aid, owner in owners.items():
        line = next(x for x in lines if x.startswith(aid))
        assert re.search(rf"escalated from {re.escape(owner)} to \S+@fjordline.example", line)
        assert "no decision by 2026-04-20T05:00:00" in line


def test_when_the_ladder_runs_out_the_alert_is_left_unanswered(
    monkeypatch: pytest.MonkeyPatch, runner: Runner, tmp_path: Path
) -> None:
    folder = export_until(tmp_path, "2026-04-19")
    policy = (folder / "alert_policy.yaml").read_text()
    (folder / "alert_policy.yaml").write_text(re.sub(r"\n\s+ladder: \[.*\]", "", policy))
    at(monkeypatch, "2026-04-20T01:00:00Z")
    paused = runner.start("kpi-monitor", folder)
    assert paused.status == "awaiting_review"
    at(monkeypatch, "2026-04-20T05:00:30Z")
    (expired,) = expire_overdue(runner).expired
    assert expired[1] in ("done", "awaiting_review")
    at(monkeypatch, "2026-04-20T09:01:00Z")
    expire_overdue(runner)
    at(monkeypatch, "2026-04-20T13:02:00Z")
    expire_overdue(runner)
    run = runner.registry.get(paused.run_id)
    assert run.status == "done"
    digest = (runner.settings.runs_dir / paused.run_id / "overnight_digest.md").read_text()
    assert digest.count(": unanswered") == 3
