"""The CLI as a person uses it: where runs live, whole ids at 80 columns, one decision rule.

Every scenario runs here on the scripted ("fake") model through ``baton.cli.main``, with
the consoles held at 80 columns, the width a new user's terminal often has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton import cli as baton_cli
from tests.examples import EXAMPLE_INPUTS
from tests.unit.test_cli import cli

ROOT = Path(__file__).resolve().parents[2]
INPUTS = {
    name: EXAMPLE_INPUTS[name]
    for name in (
        "research-brief",
        "expense-reconciliation",
        "content-calendar",
        "onboarding",
        "compliance-report",
    )
}
"""The scenarios whose review takes an edit file and a reject with a comment."""

Result = tuple[int, str, str]


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COLUMNS", "80")
    for console in (baton_cli.out, baton_cli.err):
        monkeypatch.setattr(console, "_width", 80)
    yield


def one_line_error(result: Result, *needles: str) -> str:
    code, _, err = result
    assert code == 2, err
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line and line.startswith("error:"), err
    for needle in needles:
        assert needle in line, line
    return line


def start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], scenario: str
) -> tuple[dict[str, object], str]:
    if scenario == "research-brief":
        docs = str(ROOT / "examples" / "docs")
        assert cli(monkeypatch, capsys, "ingest", docs, "-C", "company-docs")[0] == 0
    if scenario == "expense-reconciliation":
        policy = str(ROOT / "examples" / "finance" / "policy")
        assert cli(monkeypatch, capsys, "ingest", policy, "-C", "finance-policy")[0] == 0
    code, out, err = cli(
        monkeypatch,
        capsys,
        "run",
        scenario,
        "--input",
        str(INPUTS[scenario]),
        "--review",
        "always",
        "--json",
    )
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    assert data["status"] == "awaiting_review"
    return data, err


def status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], run: str) -> str:
    code, out, err = cli(monkeypatch, capsys, "show", run, "--json")
    assert code == 0, err
    return str(json.loads(out)["status"])


# 1. Runs are findable: every miss names the home it looked in --------------------------
def test_commands_in_an_empty_home_say_where_they_looked_and_create_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere" / ".baton"
    monkeypatch.setenv("BATON_HOME", str(elsewhere))
    code, out, err = cli(monkeypatch, capsys, "runs")
    assert code == 0 and out == ""
    hint = " ".join(err.split())
    assert f"no runs in home {elsewhere}" in hint and "BATON_HOME" in hint
    code, out, err = cli(monkeypatch, capsys, "runs", "--json")
    assert code == 0 and json.loads(out) == []
    for args in (["show", "research-brief-1"], ["audit", "research-brief-1"]):
        one_line_error(
            cli(monkeypatch, capsys, *args),
            "unknown run id 'research-brief-1'",
            f"no runs in home {elsewhere}",
            "BATON_HOME",
        )
    one_line_error(
        cli(monkeypatch, capsys, "resume", "research-brief-1", "--approve"), str(elsewhere)
    )
    code, _, err = cli(monkeypatch, capsys, "store", "list")
    assert code == 0 and f"no context store in home {elsewhere}" in " ".join(err.split())
    one_line_error(
        cli(monkeypatch, capsys, "store", "query", "coffee", "-C", "docs"),
        "no context store in home",
    )
    code, _, _ = cli(monkeypatch, capsys, "runs", "prune", "--keep-last", "1")
    assert code == 0
    assert not elsewhere.exists() and not elsewhere.parent.exists()


def test_a_run_in_another_home_is_named_with_the_home_looked_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data, _ = start(monkeypatch, capsys, "research-brief")
    run_id = str(data["run_id"])
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "baton.sqlite").touch()  # a home with a registry, but not this run
    monkeypatch.setenv("BATON_HOME", str(other))
    one_line_error(
        cli(monkeypatch, capsys, "show", run_id),
        f"unknown run id '{run_id}' in home {other}",
        "BATON_HOME",
    )
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    assert status(monkeypatch, capsys, run_id) == "awaiting_review"


# 2. Ids and paths whole at 80 columns ----------------------------------------------------
def test_ids_and_paths_are_never_truncated_or_wrapped_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = "expense-reconciliation"
    policy = str(ROOT / "examples" / "finance" / "policy")
    assert cli(monkeypatch, capsys, "ingest", policy, "-C", "finance-policy")[0] == 0
    code, _, err = cli(monkeypatch, capsys, "run", scenario, "--input", str(INPUTS[scenario]))
    assert code == 0, err
    code, out, _ = cli(monkeypatch, capsys, "runs", "--json")
    run_id = json.loads(out)[0]["id"]
    assert len(run_id) > 36
    code, out, _ = cli(monkeypatch, capsys, "show", run_id, "--json")
    packet = json.loads(out)["packet"]
    ids = [str(e["id"]) for e in packet["exceptions"]]
    long_ids = [i for i in ids if len(i) > 16]
    assert long_ids, ids  # ids at least as long as the ones the issue saw cut
    lines = err.splitlines()
    for exc_id in ids:
        assert any(exc_id in line for line in lines), exc_id
    # The packet is presented as items (related exceptions merged, alike ones grouped):
    # every item id, and every member id of a merged item, is printed whole too.
    items = packet["items"]
    assert any(len(i["members"]) > 1 for i in items)
    assert f"{len(items)} item(s) to decide" in err
    for item in items:
        assert any(str(item["id"]) in line for line in lines), item["id"]
    assert "…" not in err
    code, out, _ = cli(monkeypatch, capsys, "runs")
    assert code == 0 and run_id in out and "…" not in out
    code, _, err = cli(monkeypatch, capsys, "resume", run_id, "--approve")
    assert code == 0, err
    paths = [line.removeprefix("output: ") for line in err.splitlines() if "output: " in line]
    assert paths and all(Path(p).is_file() for p in paths)
    assert any(len(p) > 80 for p in paths)  # longer than the terminal, still one line


# 4. One decision rule for every scenario -------------------------------------------------
UNKNOWN_ID_EDITS = {
    "expense-reconciliation": (
        {"decisions": [{"id": "EXC-nope", "action": "accept"}]},
        "unknown exception 'EXC-nope'",
    ),
    "onboarding": (
        {"requests": [{"id": "IT-nope", "action": "drop"}]},
        "unknown request 'IT-nope'",
    ),
    "content-calendar": (
        {"edits": [{"action": "drop", "post_id": "post-nope"}]},
        "unknown post 'post-nope'",
    ),
}


@pytest.mark.parametrize("scenario", sorted(UNKNOWN_ID_EDITS))
def test_unknown_ids_in_an_edit_file_are_one_line_exit_2_in_every_scenario(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    scenario: str,
) -> None:
    data, _ = start(monkeypatch, capsys, scenario)
    run_id = str(data["run_id"])
    edits, needle = UNKNOWN_ID_EDITS[scenario]
    path = tmp_path / "edits.json"
    path.write_text(json.dumps(edits))
    one_line_error(cli(monkeypatch, capsys, "resume", run_id, "--edit", str(path)), needle)
    assert status(monkeypatch, capsys, run_id) == "awaiting_review"


@pytest.mark.parametrize("scenario", sorted(INPUTS))
def test_reject_needs_a_comment_in_every_scenario_as_in_the_inbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    data, _ = start(monkeypatch, capsys, scenario)
    run_id = str(data["run_id"])
    for extra in ([], ["--comment", "  "]):
        one_line_error(
            cli(monkeypatch, capsys, "resume", run_id, "--reject", *extra),
            "--reject needs --comment",
            "say why you reject",  # the inbox's words for the same rule
        )
    assert status(monkeypatch, capsys, run_id) == "awaiting_review"
    code, _, err = cli(monkeypatch, capsys, "resume", run_id, "--reject", "--comment", "shorter")
    assert code == 0, err
    assert status(monkeypatch, capsys, run_id) != "done"
