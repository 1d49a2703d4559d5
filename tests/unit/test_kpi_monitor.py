"""kpi-monitor end to end on a scripted model: review only where the policy says, alerts
once across runs, hourly appended data, reassign, and exactly-once sending under SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from baton.config import Settings
from baton.errors import InputError
from baton.graphs.kpi_monitor.state import load_input
from baton.review import make_decision
from baton.runtime import Runner
from baton.tools.kpi.notes import mismatched_numbers
from tests.unit.kpi_data import SHOP, export_until, outbox_files


def test_high_severity_waits_for_a_human_then_the_digest_says_who(
    runner: Runner, settings: Settings
) -> None:
    paused = runner.start("kpi-monitor", SHOP)
    assert paused.status == "awaiting_review", paused.reason
    assert paused.packet is not None
    alerts = paused.packet["alerts"]
    assert len(alerts) == 3 and all(a["severity"] == "high" for a in alerts)
    assert paused.packet["deadline"] == min(a["deadline"] for a in alerts)
    assert len(outbox_files(settings)) == 4  # three high alerts + the west revenue (medium) one
    done = runner.resume(paused.run_id, make_decision("approve", "Kim"))
    assert done.status == "done"
    out = Path(done.output_dir)
    digest = (out / "overnight_digest.md").read_text()
    assert "west-sales@fjordline.example" in digest and "mobile-team@fjordline.example" in digest
    assert digest.count(": confirmed (by Kim)") == 3
    sent = json.loads((out / "alerts.json").read_text())["sent"]
    assert {s["to"] for s in sent} == {
        "mobile-team@fjordline.example",
        "west-sales@fjordline.example",
        "growth@fjordline.example",
    }


def test_notes_state_only_computed_numbers(runner: Runner) -> None:
    from baton.tools.kpi.io import load_folder
    from baton.tools.kpi.monitor import analyse

    paused = runner.start("kpi-monitor", SHOP)
    assert paused.packet is not None
    series, changes, policy = load_folder(SHOP)
    findings = {f["anomaly"]["id"]: f for f in analyse(series, changes, policy)}
    for row in paused.packet["exceptions"]:
        assert mismatched_numbers(row["detail"], findings[row["id"]]) == []


def test_a_second_run_alerts_nobody_again(runner: Runner, settings: Settings) -> None:
    first = runner.start("kpi-monitor", SHOP)
    runner.resume(first.run_id, make_decision("approve", "Kim"))
    before = outbox_files(settings)
    again = runner.start("kpi-monitor", SHOP)
    assert again.status == "done"  # nothing new: no review
    digest = Path(again.output_dir, "overnight_digest.md").read_text()
    assert "0 new anomalies" in digest and "- nobody" in digest
    assert outbox_files(settings) == before


def test_appended_data_only_alerts_on_what_is_new(
    runner: Runner, settings: Settings, tmp_path: Path
) -> None:
    folder = export_until(tmp_path, "2026-03-31")
    first = runner.start("kpi-monitor", folder)
    assert first.packet is not None
    assert {a["id"] for a in first.packet["alerts"]} != set()
    runner.resume(first.run_id, make_decision("reject", "Kim", comment="known incidents"))
    sent_before = outbox_files(settings)
    shutil.copy(SHOP / "kpis.csv", folder / "kpis.csv")  # the export grew by 19 days
    second = runner.start("kpi-monitor", folder)
    assert second.packet is not None
    assert len(second.packet["alerts"]) == 1  # the Easter signups spike only
    new = set(outbox_files(settings)) - set(sent_before)
    assert len(new) == 1 and next(iter(new)).endswith(".json")  # signups: json channel


def test_reassign_alerts_the_new_owner_and_waits_for_them(
    runner: Runner, settings: Settings
) -> None:
    paused = runner.start("kpi-monitor", SHOP)
    assert paused.packet is not None
    target = paused.packet["alerts"][0]["id"]
    edits = {"decisions": [{"id": target, "action": "reassign", "to": "ops@fjordline.example"}]}
    before = set(outbox_files(settings))
    again = runner.resume(paused.run_id, make_decision("edit", "Kim", edits=edits))
    assert again.status == "awaiting_review" and again.packet is not None
    owners = {a["id"]: a["owner"] for a in again.packet["alerts"]}
    assert owners[target] == "ops@fjordline.example"
    assert len(set(outbox_files(settings)) - before) == 1
    done = runner.resume(again.run_id, make_decision("approve", "Lee"))
    assert done.status == "done"


def test_an_unknown_alert_id_in_an_edit_is_refused(runner: Runner) -> None:
    from baton.errors import UserError

    paused = runner.start("kpi-monitor", SHOP)
    edits = {"decisions": [{"id": "A-nope", "action": "confirm"}]}
    with pytest.raises(UserError, match="unknown alert"):
        runner.resume(paused.run_id, make_decision("edit", "Kim", edits=edits))


def _python(*args: str, timeout: float, check: bool = False) -> subprocess.CompletedProcess[str]:
    """A Python subprocess with this test's import path (and so this worktree's Baton)."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=timeout,
        check=check,
    )


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    folder = export_until(tmp_path, "2026-01-05")  # a single point per KPI
    with pytest.raises(InputError, match="has 1 point"):
        load_input(folder)
    proc = _python("-m", "baton.cli", "run", "kpi-monitor", "--input", str(folder), timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "has 1 point" in proc.stderr and "Traceback" not in proc.stderr


KILLER = """
import os, signal, sys
from baton.graphs.kpi_monitor import nodes
written = []
def hook(path):
    written.append(path)
    if len(written) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
nodes.SEND_HOOK = hook
from baton.cli import main
sys.argv = ["baton", "run", "kpi-monitor", "--input", sys.argv[1]]
main()
"""


def test_sigkill_mid_send_then_resume_sends_each_alert_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    proc = _python("-c", KILLER, str(SHOP), timeout=300)
    assert proc.returncode == -9, proc.stderr
    assert len(outbox_files(settings)) == 2
    runs = json.loads(_python("-m", "baton.cli", "runs", "--json", timeout=120, check=True).stdout)
    resumed = _python("-m", "baton.cli", "resume", runs[0]["id"], timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    names = outbox_files(settings)
    assert len(names) == 4 and len(set(names)) == 4
