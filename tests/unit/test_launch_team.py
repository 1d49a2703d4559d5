"""launch-team with scripted models: the whole team, the hallucination loop and its
bound, the critic's bound, plan sign-off, resume without re-running finished tasks, a
second independent example, and bad inputs."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest

from baton.config import Settings
from baton.review import make_decision
from baton.runtime import Runner, RunOutcome
from baton.testing import ScriptedChatModel
from baton.tools.launch.scripted import LaunchScript
from tests.unit.test_cli import assert_user_error, cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "launch"
COFFEE = EXAMPLE / "request.yaml"
BIKE = EXAMPLE / "bike-light" / "request.yaml"


@pytest.fixture
def script() -> LaunchScript:
    return LaunchScript()


@pytest.fixture
def runner(settings: Settings, script: LaunchScript) -> Iterator[Runner]:
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    yield r
    r.close()


def copy_request(tmp_path: Path, source: Path = COFFEE, **changes: Any) -> Path:
    """The example request with some fields changed, next to a copy of its corpus."""
    import shutil

    import yaml

    folder = tmp_path / "req"
    shutil.copytree(source.parent, folder, ignore=shutil.ignore_patterns("bike-light"))
    data = yaml.safe_load(source.read_text())
    data.update(changes)
    (folder / "request.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder / "request.yaml"


def finish(runner: Runner, outcome: RunOutcome, **edits: Any) -> RunOutcome:
    if outcome.status == "awaiting_review":
        decision = make_decision("edit" if edits else "approve", "alice", edits=edits or None)
        outcome = runner.resume(outcome.run_id, decision)
    assert outcome.status == "done", outcome.reason
    return outcome


def files(outcome: RunOutcome) -> dict[str, str]:
    return {
        str(Path(p).relative_to(Path(outcome.outputs[0]).parent)): Path(p).read_text()
        for p in outcome.outputs
    }


def test_the_source_request_end_to_end(runner: Runner, script: LaunchScript) -> None:
    outcome = runner.start("launch-team", COFFEE)
    # A competent team leaves nothing for a human: exceptions-only review passes it.
    assert outcome.status == "done", outcome.packet
    out = files(outcome)
    plan = json.loads(out["plan.json"])
    assert plan["planned_by"] == "model" and len(plan["tasks"]) == 11
    posts = sorted(k for k in out if k.startswith("posts/"))
    assert len(posts) == 5 and all("[" in out[p] for p in posts)
    rows = list(csv.DictReader(out["calendar.csv"].splitlines()))
    assert len(rows) == 5 and all("2027-03-01" <= r["date"] <= "2027-03-30" for r in rows)
    cal = icalendar.Calendar.from_ical(out["calendar.ics"])
    assert len(cal.walk("VEVENT")) == 5
    claims = list(csv.DictReader(out["claims.csv"].splitlines()))
    assert claims and {c["verdict"] for c in claims} == {"supported"}
    assert {c["by"] for c in claims} <= {"code", "model"}
    assert "Brewleaf" in out["analysis.md"] and "Kettleworks" not in out["analysis.md"]
    state = runner.state(outcome.run_id)
    assert set(state["runs"].values()) == {1}  # nothing ran twice
    assert Counter(script.calls)["researcher"] == 3


def test_dispatch_runs_each_task_after_its_dependencies(runner: Runner) -> None:
    outcome = runner.start("launch-team", COFFEE)
    trail = [r for r in runner.state(outcome.run_id)["audit"] if " (attempt " in r["decision"]]
    order = [r["decision"].split(" ")[0] for r in trail]
    plan = {t["id"]: t["deps"] for t in runner.state(outcome.run_id)["plan"]}
    for position, tid in enumerate(order):
        assert set(plan[tid]) <= set(order[:position]), tid
    assert set(order[:4]) == {"research-1", "research-2", "research-3", "brand"}


def test_planted_facts_are_refuted_and_their_dependants_rerun(
    settings: Settings, tmp_path: Path
) -> None:
    script = LaunchScript(plant_rate=0.4, seed=7)
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    outcome = finish(r, r.start("launch-team", COFFEE))
    assert script.planted, "the seed must plant something"
    text = "\n".join(v for k, v in files(outcome).items() if k != "claims.csv")
    for lie in script.planted:
        assert lie.rstrip(".") not in text
    state = r.state(outcome.run_id)
    refuted = [c for c in state["claims"] if c["verdict"] == "refuted"]
    assert not refuted  # re-runs fixed them all (the liar does not repeat itself)
    rerun = {t for t, n in state["runs"].items() if n > 1}
    lied = {f"research-{i}" for i in range(1, 4)} & rerun
    assert lied and {"analysis", "calendar", "post-1"} <= rerun
    assert "brand" not in rerun
    assert state["check_rounds"] == 1
    r.close()


def test_a_stubborn_liar_is_bounded_and_reaches_review(settings: Settings) -> None:
    script = LaunchScript(plant_rate=0.5, sticky=1.0, seed=3)
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    outcome = r.start("launch-team", COFFEE)
    assert outcome.status == "awaiting_review"
    assert outcome.packet is not None
    flagged = [e for e in outcome.packet["exceptions"] if e["kind"] == "refuted"]
    assert flagged
    state = r.state(outcome.run_id)
    assert state["check_rounds"] <= state["max_check_rounds"]
    assert max(state["runs"].values()) <= 1 + state["max_check_rounds"]
    done = finish(r, outcome)
    analysis = files(done)["analysis.md"]
    assert not any(e["detail"].split(" (")[0].rstrip(".") in analysis for e in flagged)
    claims = list(csv.DictReader(files(done)["claims.csv"].splitlines()))
    assert {c["verdict"] for c in claims} >= {"refuted", "supported"}
    r.close()


def test_without_the_fact_checker_the_plants_reach_the_outputs(
    settings: Settings, tmp_path: Path
) -> None:
    script = LaunchScript(plant_rate=0.4, seed=7)
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    outcome = finish(r, r.start("launch-team", copy_request(tmp_path, fact_check=False)))
    analysis = files(outcome)["analysis.md"]
    assert any(lie.rstrip(".") in analysis for lie in script.planted)
    r.close()


def test_the_critic_is_bounded_and_leaves_exceptions(settings: Settings, tmp_path: Path) -> None:
    class Loud(LaunchScript):
        def _writer(self, text: str) -> dict[str, Any]:
            post = super()._writer(text)
            return {**post, "body": post["body"] + " A revolutionary pod."}

    script = Loud()
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    outcome = r.start("launch-team", COFFEE)
    assert outcome.status == "awaiting_review" and outcome.packet is not None
    critic = [e for e in outcome.packet["exceptions"] if e["kind"] == "critic"]
    assert len(critic) == 5 and "revolutionary" in critic[0]["detail"]
    state = r.state(outcome.run_id)
    # Round 1 sends all five back; round 2 gets the same feedback and stops.
    assert state["critic_rounds"] == 1 and Counter(script.calls)["writer"] == 10
    r.close()


def test_plan_sign_off_uses_the_review_gate(runner: Runner, tmp_path: Path) -> None:
    outcome = runner.start("launch-team", copy_request(tmp_path, review_plan=True))
    assert outcome.status == "awaiting_review" and outcome.packet is not None
    assert [row["id"] for row in outcome.packet["plan"]][:3] == [
        "research-1",
        "research-2",
        "research-3",
    ]
    assert "researcher" not in str(runner.state(outcome.run_id).get("runs"))
    outcome = runner.resume(outcome.run_id, make_decision("approve", "alice"))
    assert outcome.status == "done"
    humans = [r for r in runner.state(outcome.run_id)["audit"] if r["node"] == "plan_review"]
    assert any(r.get("actor") == "alice" or "alice" in json.dumps(r) for r in humans)


def test_resume_after_a_crash_mid_plan_reruns_no_finished_task(
    settings: Settings,
) -> None:
    script = LaunchScript(fail_roles={"writer"})
    r = Runner(settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script))
    outcome = r.start("launch-team", COFFEE)
    assert outcome.status == "failed" and "scripted outage" in (outcome.reason or "")
    before = Counter(script.calls)
    assert before["researcher"] == 3 and before["analyst"] == 1 and before["calendar"] == 1
    outcome = r.resume(outcome.run_id)
    assert outcome.status == "done", outcome.reason
    after = Counter(script.calls)
    assert after["researcher"] == 3 and after["analyst"] == 1 and after["calendar"] == 1
    assert after["planner"] == 1
    assert set(r.state(outcome.run_id)["runs"].values()) == {1}
    r.close()


def test_a_second_independent_example(runner: Runner) -> None:
    outcome = finish(runner, runner.start("launch-team", BIKE))
    out = files(outcome)
    plan = json.loads(out["plan.json"])["tasks"]
    assert Counter(t["type"] for t in plan) == {
        "research_competitor": 2, "brand_brief": 1, "analyse": 1, "plan_calendar": 1,
        "write_post": 4,
    }  # fmt: skip
    rows = list(csv.DictReader(out["calendar.csv"].splitlines()))
    assert len(rows) == 4 and max(r["date"] for r in rows) <= "2027-09-19"
    assert "Brightspoke" in out["analysis.md"] and "Glowtail" not in out["analysis.md"]


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"request": "   "}, "request: the request is empty"),
        ({"request": "Write 10,000 posts for the launch."}, "asks for 10000 posts"),
        (
            {"plan": [{"id": "x", "type": "buy_billboards"}]},
            "unknown task type 'buy_billboards'",
        ),
        ({"request": "Research the top 7 competitors"}, "the corpus has pages for 4"),
    ],
)
def test_bad_inputs_are_one_line_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, Any],
    needle: str,
) -> None:
    path = copy_request(tmp_path, **changes)
    result = cli(monkeypatch, capsys, "run", "launch-team", "--input", str(path))
    assert_user_error(result, "request.yaml", needle)
    assert len(result[2].strip().splitlines()) == 1
    assert not (tmp_path / "home" / "runs").exists() or not any(
        (tmp_path / "home" / "runs").iterdir()
    )


def test_review_plan_from_the_cli_signs_off_the_plan_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        monkeypatch, capsys, "run", "launch-team", "--input", str(COFFEE), "--review", "plan",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    paused = json.loads(out)
    assert paused["status"] == "awaiting_review"
    assert [r["id"] for r in paused["packet"]["plan"]][-1] == "post-5"
    assert paused["packet"]["exceptions"] == [] and "claims" not in paused["packet"]
    code, out, err = cli(monkeypatch, capsys, "resume", paused["run_id"], "--approve", "--json")
    assert code == 0, err
    after = json.loads(out)
    # The final review follows the scenario's default (exceptions only), not "always".
    while after["status"] == "awaiting_review":
        assert after["packet"]["exceptions"]
        code, out, err = cli(monkeypatch, capsys, "resume", after["run_id"], "--approve", "--json")
        after = json.loads(out)
    assert after["status"] == "done"
