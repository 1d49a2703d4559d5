"""A run that ends ``failed`` exits 3 from ``run`` and ``resume``; ``doctor`` reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_cli import QUESTION, cli, ingested

__all__ = ["ingested"]  # the fixture, shared with test_cli


@pytest.mark.usefixtures("ingested")
def test_failed_run_and_failed_resume_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BATON_BUDGET__MAX_LLM_CALLS", "1")
    code, out, err = cli(
        monkeypatch, capsys, "run", "research-brief", "--input", str(QUESTION), "--json"
    )
    assert code == 3, err
    outcome = json.loads(out)
    assert outcome["status"] == "failed" and "budget exhausted" in outcome["reason"]

    code, _, err = cli(monkeypatch, capsys, "resume", outcome["run_id"])
    assert code == 3, err
    assert "failed" in err and "reason: budget exhausted" in err.replace("\n", " ")

    monkeypatch.setenv("BATON_BUDGET__MAX_LLM_CALLS", "60")
    code, out, err = cli(monkeypatch, capsys, "resume", outcome["run_id"], "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "awaiting_review"


def test_doctor_with_the_scripted_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, "doctor")
    assert code == 0, out + err
    lines = out.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "versions"],
        ["ok", "home"],
        ["ok", "store"],
        ["ok", "model"],
    ]
    assert "langgraph " in lines[0] and "`baton ingest` creates it" in lines[2]


def test_doctor_fails_on_a_home_that_is_not_writable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BATON_HOME", str(blocker / "home"))
    code, out, _ = cli(monkeypatch, capsys, "doctor")
    assert code == 3
    home = next(line for line in out.splitlines() if " home " in f" {line} ")
    assert home.startswith("FAIL") and "is not a folder" in home
