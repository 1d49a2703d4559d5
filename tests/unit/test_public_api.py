"""The public API (``import baton``): typed outcomes, typed errors, and the example scripts."""

from __future__ import annotations

import asyncio
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import baton
from baton.retrieval.testing import hashing_embed

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "examples" / "scripts"
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


def test_import_baton_is_light() -> None:
    code = "import sys, baton; print('baton.runtime' in sys.modules, 'langgraph' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "False"]


def test_run_then_resume_returns_typed_outcomes() -> None:
    baton.ingest(ROOT / "examples" / "docs", "company-docs")
    paused = baton.run("research-brief", input=QUESTION)
    assert isinstance(paused, baton.RunOutcome)
    assert paused.status == "awaiting_review" and paused.packet is not None
    done = baton.resume(paused.run_id, approve=True, reviewer="alice")
    assert done.status == "done" and Path(done.outputs[0]).name == "brief.md"
    details = baton.show(paused.run_id)
    assert details.outcome.status == "done"
    humans = [a for a in details.audit if a.kind == "human"]
    assert [h.actor for h in humans] == ["alice"]
    assert [r.id for r in baton.list_runs("done")] == [paused.run_id]
    assert baton.audit_trail(paused.run_id) == details.audit


def test_user_mistakes_raise_typed_errors() -> None:
    with pytest.raises(baton.UserError, match="unknown scenario 'nope'"):
        baton.run("nope", input=QUESTION)
    with pytest.raises(baton.InputError):
        baton.run("research-brief", input=ROOT / "missing.yaml")
    with pytest.raises(baton.UserError, match="choose one of approve, reject, edits"):
        baton.resume("x", approve=True, reject=True)
    with pytest.raises(baton.UserError, match="unknown status"):
        baton.list_runs("sleeping")


def test_async_twins() -> None:
    async def go() -> tuple[str, str]:
        await baton.aingest(ROOT / "examples" / "docs", "company-docs")
        paused = await baton.arun("research-brief", QUESTION, review="never")
        return paused.run_id, paused.status

    run_id, status = asyncio.run(go())
    assert status == "done"
    assert asyncio.run(baton.ashow(run_id)).outcome.outputs


def test_scenarios_lists_the_built_ins_through_entry_points() -> None:
    names = {s.name for s in baton.scenarios()}
    assert {"research-brief", "expense-reconciliation", "content-calendar", "onboarding"} <= names


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py")))
def test_example_scripts_run(
    script: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baton.retrieval.embeddings.embed", hashing_embed)
    namespace = runpy.run_path(str(SCRIPTS / script), run_name="example")
    result = namespace["main"]()
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    printed = capsys.readouterr().out
    assert result, printed
    for run_id in [result] if isinstance(result, str) else result:
        assert run_id in printed
    assert "Traceback" not in printed
