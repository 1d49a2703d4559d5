"""The CLI contract: exit codes, one-line errors without tracebacks, JSON for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from baton.cli import main

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"
RUN_BRIEF = ("run", "research-brief", "--input", str(QUESTION))
"""`baton run` on the example question; a test adds its own options."""


def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["baton", *args])
    with pytest.raises(SystemExit) as info:
        main()
    captured = capsys.readouterr()
    code = info.value.code if isinstance(info.value.code, int) else 0
    return code, captured.out, captured.err


def assert_user_error(result: tuple[int, str, str], *needles: str) -> None:
    code, _, err = result
    assert code == 2, err
    assert "Traceback" not in err
    assert err.strip().startswith("error:")
    for needle in needles:
        assert needle in err.replace("\n", "")


@pytest.fixture
def ingested(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        monkeypatch,
        capsys,
        "ingest",
        str(ROOT / "examples" / "docs"),
        "--collection",
        "company-docs",
    )
    assert code == 0 and "added" in out


def _run_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, object]:
    code, out, err = cli(monkeypatch, capsys, *RUN_BRIEF, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_run_json_then_resume_and_show(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ingested: None
) -> None:
    data = _run_json(monkeypatch, capsys)
    assert data["status"] == "awaiting_review" and data["outputs"] == []
    run_id = str(data["run_id"])
    code, out, _ = cli(monkeypatch, capsys, "runs", "--status", "awaiting_review", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [run_id]
    code, out, _ = cli(
        monkeypatch, capsys, "resume", run_id, "--approve", "--reviewer", "dana", "--json"
    )
    resumed = json.loads(out)
    assert code == 0 and resumed["status"] == "done" and resumed["outputs"][0].endswith("brief.md")
    code, out, _ = cli(monkeypatch, capsys, "show", run_id, "--json")
    shown = json.loads(out)
    assert shown["status"] == "done"
    assert {"researcher", "writer", "critic", "review", "formatter"} <= {
        n["node"] for n in shown["nodes"]
    }
    code, out, _ = cli(monkeypatch, capsys, "audit", run_id, "--format", "jsonl")
    humans = [json.loads(line) for line in out.splitlines() if '"human"' in line]
    assert code == 0 and humans[0]["actor"] == "dana" and humans[0]["decision"] == "approve"
    code, out, _ = cli(monkeypatch, capsys, "audit", run_id, "--format", "csv")
    assert out.splitlines()[0].startswith("id,run_id,seq,kind,node")
    # the same review a second time is refused and changes nothing
    assert_user_error(cli(monkeypatch, capsys, "resume", run_id, "--approve"), "already done")


def test_bad_edit_file_is_rejected(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ingested: None,
    tmp_path: Path,
) -> None:
    run_id = str(_run_json(monkeypatch, capsys)["run_id"])
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"title": ""}))
    assert_user_error(cli(monkeypatch, capsys, "resume", run_id, "--edit", str(edit)), "title")
    edit.write_text("{not json")
    assert_user_error(
        cli(monkeypatch, capsys, "resume", run_id, "--edit", str(edit)), "invalid JSON"
    )
    _code, out, _ = cli(monkeypatch, capsys, "show", run_id, "--json")
    assert json.loads(out)["status"] == "awaiting_review"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "research-brief", "--input", "missing.yaml"], ["missing.yaml", "no such file"]),
        (
            ["run", "no-such-scenario", "--input", str(QUESTION)],
            ["unknown scenario", "research-brief"],
        ),
        (["show", "nope-123"], ["unknown run id 'nope-123'"]),
        (["resume", "nope-123", "--approve"], ["unknown run id"]),
        (["graph", "nope"], ["unknown scenario"]),
        (["runs", "--status", "weird"], ["unknown status"]),
    ],
)
def test_user_errors_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needles: list[str],
) -> None:
    assert_user_error(cli(monkeypatch, capsys, *args), *needles)


def test_bad_config_and_input_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: [oops\n")
    assert_user_error(
        cli(monkeypatch, capsys, *RUN_BRIEF, "--config", str(bad)),
        "bad.yaml",
        "invalid YAML",
    )
    bad.write_text("modle: {}\n")
    assert_user_error(cli(monkeypatch, capsys, "--config", str(bad), "runs"), "bad.yaml", "modle")
    q = tmp_path / "q.yaml"
    q.write_text("question: hi there friend\ncolections: [x]\n")
    assert_user_error(
        cli(monkeypatch, capsys, "run", "research-brief", "--input", str(q)), "q.yaml", "colections"
    )
    q.write_text("question: [unclosed\n")
    assert_user_error(
        cli(monkeypatch, capsys, "run", "research-brief", "--input", str(q)), "invalid YAML"
    )
    # nothing was registered for any of these
    code, out, _ = cli(monkeypatch, capsys, "runs", "--json")
    assert code == 0 and json.loads(out) == []


def test_ingest_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "x.docx").write_bytes(b"PK")
    assert_user_error(
        cli(monkeypatch, capsys, "ingest", str(tmp_path / "x.docx"), "-C", "docs"), "unsupported"
    )
    (tmp_path / "e.txt").write_text("")
    assert_user_error(
        cli(monkeypatch, capsys, "ingest", str(tmp_path / "e.txt"), "-C", "docs"), "empty"
    )
    assert_user_error(
        cli(monkeypatch, capsys, "ingest", str(tmp_path / "nope"), "-C", "docs"), "no such file"
    )


def test_scenarios_and_graph(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(monkeypatch, capsys, "scenarios")
    assert code == 0 and "research-brief" in out
    code, out, _ = cli(monkeypatch, capsys, "graph", "research-brief")
    assert code == 0 and "researcher" in out and "-->" in out


def test_prune_keeps_outputs_and_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ingested: None
) -> None:
    ids = []
    for _ in range(3):
        code, out, err = cli(monkeypatch, capsys, *RUN_BRIEF, "--review", "never", "--json")
        assert code == 0, err
        ids.append(json.loads(out)["run_id"])
    paused = str(_run_json(monkeypatch, capsys)["run_id"])
    sizes = {}
    for run_id in [*ids, paused]:
        code, out, _ = cli(monkeypatch, capsys, "show", run_id, "--json")
        sizes[run_id] = json.loads(out)["checkpoint_bytes"]
        assert sizes[run_id] > 0
    assert_user_error(cli(monkeypatch, capsys, "runs", "prune"), "--keep-last")

    code, out, _ = cli(monkeypatch, capsys, "runs", "prune", "--keep-last", "1", "--json")
    pruned = json.loads(out)
    assert code == 0
    # the two oldest done runs go; the newest done run and the paused run stay
    assert [p["run_id"] for p in pruned] == list(reversed(ids[:2]))
    assert all(p["bytes"] == sizes[p["run_id"]] for p in pruned)
    for run_id in ids[:2]:
        code, out, _ = cli(monkeypatch, capsys, "show", run_id, "--json")
        shown = json.loads(out)
        assert shown["checkpoint_bytes"] == 0 and shown["status"] == "done"
        assert Path(shown["outputs"][0]).exists()
        assert {"researcher", "formatter"} <= {n["node"] for n in shown["nodes"]}
    code, out, _ = cli(monkeypatch, capsys, "resume", paused, "--approve", "--json")
    assert code == 0 and json.loads(out)["status"] == "done"
    code, out, _ = cli(monkeypatch, capsys, "runs", "prune", "--older-than", "1", "--json")
    assert code == 0 and json.loads(out) == []
