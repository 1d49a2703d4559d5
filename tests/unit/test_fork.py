"""``baton fork``: a new run from a mid-run checkpoint, with an edit; only later nodes re-run."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.config import Settings
from baton.errors import UserError
from baton.fork import fork_run
from baton.retrieval.ingest import ingest
from baton.review import make_decision
from baton.runtime import Runner
from baton.testing import ScriptedChatModel
from tests.unit.test_cli import QUESTION, assert_user_error, cli

ROOT = Path(__file__).resolve().parents[2]
EDITED = "Return bags cost 0.40 EUR each and cut returns by a third."


@pytest.fixture
def calls() -> Counter[str]:
    return Counter()


@pytest.fixture
def runner(settings: Settings, calls: Counter[str]) -> Iterator[Runner]:
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)

    def factory(role: str) -> ScriptedChatModel:
        model = ScriptedChatModel(role=role)
        original = model._log_call

        def count() -> None:
            calls[role] += 1
            original()

        object.__setattr__(model, "_log_call", count)
        return model

    r = Runner(settings, model_factory=factory)
    yield r
    r.close()


def test_fork_at_writer_with_edited_findings_reruns_only_later_nodes(
    runner: Runner, calls: Counter[str]
) -> None:
    parent = runner.start("research-brief", QUESTION)
    assert parent.status == "awaiting_review"
    done = runner.resume(parent.run_id, make_decision("approve", "alice"))
    assert done.status == "done"
    parent_calls = Counter(calls)
    assert parent_calls["researcher"] >= 1 and parent_calls["writer"] >= 1
    parent_nodes = [r.node for r in runner.sync_audit(parent.run_id) if r.kind == "node"]

    calls.clear()
    state = runner.state(parent.run_id)
    findings = [{**state["findings"][0], "point": EDITED}]
    fork = fork_run(runner, parent.run_id, "writer", {"findings": findings}, actor="bob")
    assert fork.status == "awaiting_review" and fork.run_id != parent.run_id
    assert EDITED in (fork.packet or {}).get("preview", "")
    # Only the nodes after the fork point asked the model: no researcher call at all,
    # and the writer and critic exactly as often as in the parent run.
    assert calls["researcher"] == 0
    assert calls["writer"] == parent_calls["writer"] and calls["critic"] == parent_calls["critic"]
    assert sum(calls.values()) == parent_calls["writer"] + parent_calls["critic"]

    finished = runner.resume(fork.run_id, make_decision("approve", "bob"))
    assert finished.status == "done"
    brief = Path(finished.outputs[0])
    assert brief.parent.name == fork.run_id and EDITED in brief.read_text()
    assert Path(done.outputs[0]).exists() and EDITED not in Path(done.outputs[0]).read_text()

    trail = runner.sync_audit(fork.run_id)
    assert trail[0].kind == "human" and trail[0].node == "fork" and trail[0].actor == "bob"
    assert trail[0].decision.startswith(f"fork of {parent.run_id} at writer (checkpoint ")
    assert trail[0].decision.endswith("(edited: findings)")
    fork_nodes = [r.node for r in trail if r.kind == "node"]
    assert "researcher" not in fork_nodes and fork_nodes[0] == "writer"
    assert fork_nodes[-1] == "formatter"
    # The parent's trail is untouched.
    assert [r.node for r in runner.sync_audit(parent.run_id) if r.kind == "node"] == parent_nodes


def test_fork_errors_are_one_line(runner: Runner) -> None:
    parent = runner.start("research-brief", QUESTION)
    with pytest.raises(UserError, match="never reached node 'formatter'"):
        fork_run(runner, parent.run_id, "formatter", actor="x")
    with pytest.raises(UserError, match="not a state key"):
        fork_run(runner, parent.run_id, "writer", {"nope": 1}, actor="x")
    with pytest.raises(UserError, match="append-only"):
        fork_run(runner, parent.run_id, "writer", {"audit": []}, actor="x")
    with pytest.raises(UserError, match="unknown run id"):
        fork_run(runner, "no-such-run", "writer", actor="x")


def test_cli_fork(
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    parent = runner.start("research-brief", QUESTION)
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"question": "What should the PodBack brief say?"}))
    code, out, err = cli(
        monkeypatch,
        capsys,
        "fork",
        parent.run_id,
        "--at",
        "researcher",
        "--edit",
        str(edit),
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "awaiting_review" and data["run_id"] != parent.run_id
    assert "What should the PodBack brief say?" in data["packet"]["question"]
    assert_user_error(
        cli(monkeypatch, capsys, "fork", parent.run_id, "--at", "nowhere"), "nowhere", "writer"
    )
