"""``baton new``: the scaffold runs as a plugin without touching Baton, and its own test passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import baton
from baton.scaffold import scaffold
from baton.scenario import discover

ROOT = Path(__file__).resolve().parents[2]


def test_scaffold_runs_from_its_folder_through_langgraph_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "acme-notes"
    written = scaffold("acme-notes", project)
    assert {p.relative_to(project).as_posix() for p in written} >= {
        "pyproject.toml",
        "langgraph.json",
        "acme_notes/graph.py",
        "acme_notes/state.py",
        "acme_notes/agents.py",
        "examples/input.yaml",
        "tests/test_acme_notes.py",
    }
    assert "acme-notes" not in discover()  # not installed, and not this folder
    monkeypatch.chdir(project)
    paused = baton.run("acme-notes", input="examples/input.yaml")
    assert paused.status == "awaiting_review"
    done = baton.resume(paused.run_id, approve=True, reviewer="r")
    assert done.status == "done" and Path(done.outputs[0]).name == "note.md"
    nodes = [a.node for a in baton.audit_trail(done.run_id)]
    assert nodes[:2] == ["writer", "critic"] and nodes[-1] == "publish"


def test_the_scaffolds_own_test_passes(tmp_path: Path) -> None:
    project = tmp_path / "team-two"
    scaffold("team-two", project)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "My Team"], "use lowercase letters"),
        (["new", "research-brief"], "already installed"),
        (["new", "x-y", "--path", "full"], "is not an empty folder"),
    ],
)
def test_bad_names_and_folders_are_one_line_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "baton.cli", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
