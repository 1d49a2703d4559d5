"""onboarding end to end with a scripted model: agents, critic loop, review, resume, bad input."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from langchain_core.messages import BaseMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.runtime import Runtime

from baton.agents.onboarding.buddy import pick_buddy
from baton.agents.onboarding.checkin import plan_pulse
from baton.agents.onboarding.content import MAX_MODEL_ITEMS, plain_prose, plan_reading, usable_why
from baton.agents.onboarding.provisioning import plausible_item, request_it
from baton.agents.onboarding.scheduling import book_week_one
from baton.agents.onboarding.state import State, config_of, inputs_of, plan_of
from baton.cli import main
from baton.config import Settings
from baton.context import RunContext
from baton.errors import InputError, UserError
from baton.graphs.onboarding.graph import build_graph, route_after_critic, route_after_review
from baton.graphs.onboarding.review import publication
from baton.graphs.onboarding.state import MAX_ROUNDS, intake, load_input
from baton.retrieval.store import ContextStore
from baton.review import make_decision
from baton.runtime import Runner
from baton.testing import ScriptedChatModel, node_counts, schema_responder
from baton.tools.onboarding.config import load_onboarding_config
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.edits import PlanEdits, SessionMove, apply_edits
from baton.tools.onboarding.io import load_inputs
from baton.tools.onboarding.models import Problem
from baton.tools.onboarding.plan import OUTPUT_FILES, build_plan, render_outputs
from baton.tools.onboarding.provisioning import catalogue_items
from baton.tools.onboarding.scheduling import AvailabilityRules, Schedule, schedule_problems
from baton.tools.onboarding.testing import CONFIG_PATH, EXAMPLE_DIR

Responder = Callable[[str, Sequence[BaseMessage], dict[str, Any] | None], dict[str, Any] | str]
NOTE = "Maya, meet Samuel, who also loves Kubernetes. Grab a coffee together this week."
WHY = "It explains how incidents are handled, which you will shadow in your first month."
SUGGESTIONS = {
    "items": [
        {
            "kind": "access_group",
            "item": "prod-db-admin",
            "reason": "The policy mentions production database access.",
        },
        {"kind": "account", "item": "slack", "reason": "Everyone uses chat."},
    ]
}
"""The provisioning model's answer: one off-catalogue group (held) and one it already has."""


def scripted(answers: dict[str, Any], seen: list[tuple[str, str]] | None = None) -> Responder:
    """Answer some roles with fixed tool arguments, the rest with the default script."""

    def respond(role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None) -> Any:
        if seen is not None:
            seen.append((role, "\n".join(str(m.content) for m in messages)))
        if tool is not None and role in answers:
            return answers[role]
        return schema_responder(role, messages, tool)

    return respond


def make_runner(settings: Settings, responder: Responder | None = None) -> Runner:
    if responder is None:
        return Runner(settings)
    return Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=responder)
    )


@pytest.fixture
def runner(settings: Settings) -> Iterator[Runner]:
    r = make_runner(settings, scripted({"buddy": {"note": NOTE}}))
    yield r
    r.close()


def node_records(runner: Runner, run_id: str, node: str) -> list[Any]:
    return [a for a in runner.sync_audit(run_id) if a.kind == "node" and a.node == node]


def exception_kinds(packet: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    assert packet is not None
    out: dict[str, list[dict[str, Any]]] = {}
    for exc in packet["exceptions"]:
        out.setdefault(exc["kind"], []).append(exc)
    return out


def read_events(path: Path) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "hr"
    shutil.copytree(EXAMPLE_DIR, target)
    return target


def edit_line(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# The whole run -----------------------------------------------------------------------------
def test_pauses_with_the_plan_then_approve_writes_every_file(
    runner: Runner, settings: Settings
) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    assert outcome.status == "awaiting_review"
    packet = outcome.packet
    assert packet is not None and packet["scenario"] == "onboarding"
    assert "Week one: 9 of 10 sessions booked" in packet["preview"]
    assert "Samuel Osei" in packet["preview"] and NOTE in packet["preview"]
    sched = exception_kinds(packet)["scheduling"]
    assert [e["evidence"] for e in sched] == ["security-awareness"]
    assert "security engineer" in sched[0]["detail"].casefold()
    assert "moves" in packet["edit_schema"]["properties"]

    done = runner.resume(outcome.run_id, make_decision("approve", "hr-alice"))
    assert done.status == "done"
    files = {Path(p).name: Path(p) for p in done.outputs}
    assert set(files) == set(OUTPUT_FILES)
    week = read_events(files["first_week.ics"])
    uids = {str(e["UID"]) for e in week}
    assert len(week) == 9 and not any(u.startswith("security-awareness.") for u in uids)
    assert all(u.endswith(f".{outcome.run_id}@onboarding.baton") for u in uids)
    config = load_onboarding_config(CONFIG_PATH)
    tickets = json.loads(files["it_requests.json"].read_text())["tickets"]
    allowed = catalogue_items(config.it_catalogue["Software Engineer"])
    assert sorted((t["kind"], t["item"]) for t in tickets) == sorted(allowed)
    checkins = sorted(
        e.decoded("DTSTART").date().isoformat() for e in read_events(files["checkins.ics"])
    )
    assert checkins == ["2026-04-01", "2026-05-04", "2026-06-01"]
    surveys = json.loads(files["pulse_surveys.json"].read_text())["surveys"]
    assert "Have you shipped a change to production yet?" in [
        q["text"] for q in surveys[0]["questions"]
    ]
    buddy = files["buddy.md"].read_text()
    assert "Samuel Osei" in buddy and "## Alternatives" in buddy and NOTE in buddy
    cited = set(re.findall(r"\[([0-9a-f]{16})\]", files["reading_list.md"].read_text()))
    assert cited and set(ContextStore(settings).get_chunks(sorted(cited), ["hr-playbook"])) == cited

    seen = node_counts(runner, outcome.run_id)
    for node in (
        "intake",
        "buddy",
        "scheduling",
        "provisioning",
        "content",
        "checkin",
        "critic",
        "review",
        "publish",
    ):
        assert seen[node] == 1, (node, seen)
    assert seen["human:review"] == 1
    with pytest.raises(UserError, match="already done"):
        runner.resume(outcome.run_id, make_decision("approve", "hr-alice"))
    assert node_counts(runner, outcome.run_id) == seen  # finished nodes never run again


def test_independent_agents_fan_out_and_scheduling_waits_for_the_buddy(runner: Runner) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    audit = {a.node: a for a in runner.sync_audit(outcome.run_id) if a.kind == "node"}
    intake_end = audit["intake"].ended_at
    assert all(
        audit[n].started_at >= intake_end for n in ("buddy", "provisioning", "content", "checkin")
    )
    assert audit["scheduling"].started_at >= audit["buddy"].ended_at
    assert audit["critic"].started_at >= max(
        audit[n].ended_at for n in ("scheduling", "provisioning", "content", "checkin")
    )
    assert audit["buddy"].llm_calls == 1 and audit["scheduling"].llm_calls == 0


def test_review_never_publishes_without_a_human(runner: Runner) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR, review="never")
    assert outcome.status == "done" and len(outcome.outputs) == len(OUTPUT_FILES)
    human = [a for a in runner.sync_audit(outcome.run_id) if a.kind == "human"]
    assert len(human) == 1 and human[0].actor == "baton"


def test_graph_accepts_just_the_input_folder_like_a_langgraph_server(
    settings: Settings, tmp_path: Path
) -> None:
    graph = build_graph(InMemorySaver())
    config: Any = {"configurable": {"thread_id": "server-1"}}
    context = RunContext(run_id="server-1", settings=settings, output_dir=tmp_path / "out")
    graph.invoke({"input_dir": str(EXAMPLE_DIR)}, config, context=context)
    snapshot = graph.get_state(config)
    assert snapshot.next == ("review",) and snapshot.interrupts
    assert snapshot.values["starter"]["name"] == "Maya Okafor"


# Each agent --------------------------------------------------------------------------------
@pytest.fixture
def ctx(settings: Settings, tmp_path: Path) -> RunContext:
    def factory(role: str) -> ScriptedChatModel:
        return ScriptedChatModel(
            role=role,
            responder=scripted(
                {
                    "buddy": {"note": NOTE},
                    "content": {"why": WHY},
                    "provisioning": SUGGESTIONS,
                }
            ),
        )

    return RunContext(
        run_id="unit", settings=settings, output_dir=tmp_path / "out", model_factory=factory
    )


def run_node(node: Any, state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    update: dict[str, Any] = node(state, runtime=Runtime(context=ctx))
    return update


@pytest.fixture
def state(ctx: RunContext) -> dict[str, Any]:
    initial = load_input(EXAMPLE_DIR)
    return {**initial, **run_node(intake, initial, ctx)}


def test_snapshot_in_state_rebuilds_the_same_inputs(state: dict[str, Any]) -> None:
    config = load_onboarding_config(CONFIG_PATH)
    direct = load_inputs(EXAMPLE_DIR, config)
    rebuilt = inputs_of(json.loads(json.dumps(state)))
    assert rebuilt.busy == direct.busy and rebuilt.days == direct.days
    assert rebuilt.starter == direct.starter and config_of(state) == config


def test_buddy_is_scored_in_code_and_the_model_only_writes_the_note(
    state: dict[str, Any], ctx: RunContext
) -> None:
    update = run_node(pick_buddy, state, ctx)
    assert update["buddy"]["person_id"] == "p06" and update["buddy_note"] == NOTE
    ineligible = {
        c["person_id"]: c["ineligible_reason"]
        for c in update["buddy_match"]["candidates"]
        if c["ineligible_reason"]
    }
    assert ineligible["p02"] == "is the starter's manager"
    assert ineligible["p04"] == "has no mentoring capacity left"
    assert all(c["person_id"] not in ineligible for c in update["buddy_match"]["alternatives"])
    assert len(update["buddy_match"]["alternatives"]) == 2
    assert update["audit"][0]["llm_calls"] == 1


def test_buddy_note_that_does_not_name_the_buddy_is_replaced(
    state: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    vague = RunContext(
        run_id="u",
        settings=settings,
        output_dir=tmp_path,
        model_factory=lambda r: ScriptedChatModel(
            role=r,
            responder=scripted({"buddy": {"note": "Buddy: someone. } great example of how"}}),
        ),
    )
    update = run_node(pick_buddy, state, vague)
    assert update["buddy_note"].startswith("Maya Okafor, meet Samuel Osei")
    assert "note by template" in update["audit"][0]["decision"]


def test_provisioning_files_only_catalogue_items_and_holds_suggestions(
    state: dict[str, Any], ctx: RunContext
) -> None:
    update = run_node(request_it, state, ctx)
    tickets = update["provisioning"]["tickets"]
    allowed = catalogue_items(config_of(state).it_catalogue["Software Engineer"])
    assert sorted((t["kind"], t["item"]) for t in tickets) == sorted(allowed)
    held = update["provisioning"]["exceptions"]
    assert [(h["kind"], h["item"]) for h in held] == [("access_group", "prod-db-admin")]
    assert held[0]["source"].startswith("model") and "least privilege" in held[0]["reason"]
    assert update["audit"][0]["chunk_ids"]  # the passages the model read are on record


def test_content_cites_only_stored_chunks_with_few_model_calls(
    state: dict[str, Any], ctx: RunContext, settings: Settings
) -> None:
    update = run_node(plan_reading, state, ctx)
    items = update["pathway"]
    assert items and all(i["chunk_ids"] for i in items)
    cited = {c for i in items for c in i["chunk_ids"]}
    assert set(ContextStore(settings).get_chunks(sorted(cited), ["hr-playbook"])) == cited
    assert [i["summary"] for i in items].count(WHY) == min(MAX_MODEL_ITEMS, len(items))
    assert update["audit"][0]["llm_calls"] == min(MAX_MODEL_ITEMS, len(items))
    titles = {i["title"] for i in items}
    assert "Data analyst onboarding" not in titles and "Sales onboarding" not in titles
    assert set(update["sources"]) == cited


def test_model_text_is_checked_before_anyone_reads_it() -> None:
    assert plain_prose("Short and unpunctuated but fine", min_words=3, max_chars=150) == (
        "Short and unpunctuated but fine."
    )
    cut = "It covers the release process. Then it goes on and on about the " + "x " * 40
    assert plain_prose(cut, min_words=3, max_chars=150) == "It covers the release process."
    assert plain_prose("2018-04-30T15:17:56Z | 2018-04-30", min_words=1, max_chars=150) is None
    assert plain_prose("Buddy: Samuel Osei, Software Engineer.", min_words=1, max_chars=150) is None
    assert usable_why("On-call and incident process", "On-call and incident process") is None
    assert plausible_item("1234567890") is None and plausible_item("{x}") is None
    assert plausible_item("security-and-access.md") is None
    assert plausible_item(" production database access. ") == "production database access"


def test_content_keeps_no_unverifiable_chunk(state: dict[str, Any], ctx: RunContext) -> None:
    forged = {**state["role_chunks"][0], "id": "deadbeefdeadbeef"}
    update = run_node(plan_reading, {**state, "role_chunks": [forged, *state["role_chunks"]]}, ctx)
    assert "deadbeefdeadbeef" not in json.dumps(update["pathway"])
    assert any("no longer exist" in gap for gap in update["content_gaps"])


def test_checkins_move_to_working_days_with_role_questions(
    state: dict[str, Any], ctx: RunContext
) -> None:
    update = run_node(plan_pulse, state, ctx)
    got = {c["day"]: (c["scheduled_date"], c["moved_because"]) for c in update["checkins"]}
    assert got[30] == ("2026-04-01", [])
    assert got[60][0] == "2026-05-04" and "2026-05-01" in got[60][1][0]
    assert got[90][0] == "2026-06-01"
    assert (
        "How confident are you navigating the codebase? (1-5)" in update["checkins"][0]["questions"]
    )


def test_scheduling_books_around_calendars_and_reports_the_rest(
    state: dict[str, Any], ctx: RunContext
) -> None:
    with_buddy = {**state, **run_node(pick_buddy, state, ctx)}
    update = run_node(book_week_one, with_buddy, ctx)
    schedule = Schedule.model_validate(update["schedule"])
    inputs = inputs_of(state)
    assert len(schedule.sessions) == 9
    assert (
        schedule_problems(
            schedule.sessions,
            days=inputs.days,
            starter_tz=inputs.starter.tz,
            tz_of=inputs.tz_of,
            busy=inputs.busy,
            rules=AvailabilityRules.from_config(config_of(state).scheduling),
        )
        == []
    )
    intro = next(s for s in schedule.sessions if s.session_id == "buddy-intro")
    assert "p06" in intro.person_ids
    assert [e.session_id for e in schedule.exceptions] == ["security-awareness"]
    assert update["audit"][0]["llm_calls"] == 0


def test_no_eligible_mentor_is_an_exception_not_an_error(
    settings: Settings, tmp_path: Path
) -> None:
    folder = copy_example(tmp_path)
    path = folder / "directory.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["mentor_capacity"] = "0"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    runner = make_runner(settings)
    outcome = runner.start("onboarding", folder)
    assert outcome.status == "awaiting_review"
    kinds = exception_kinds(outcome.packet)
    assert "no eligible buddy" in kinds["buddy"][0]["detail"]
    unbooked = {e["evidence"] for e in kinds["scheduling"]}
    assert {"buddy-intro", "dev-environment", "team-intro"} <= unbooked
    assert "critic:buddy" not in kinds
    assert node_records(runner, outcome.run_id, "buddy")[0].llm_calls == 0
    done = runner.resume(outcome.run_id, make_decision("approve", "hr"))
    buddy_md = next(Path(p) for p in done.outputs if p.endswith("buddy.md")).read_text()
    assert "No buddy assigned" in buddy_md
    runner.close()


# Critic loop -------------------------------------------------------------------------------
def test_route_after_critic_is_bounded_and_sends_work_to_its_agent() -> None:
    def route(problems: list[str], passes: int = 1, history: int = 1) -> list[str]:
        state = State(
            max_rounds=2,
            critic_passes=passes,
            # the critic records each round's problems, so the last round is these
            problem_history=[["same"]] * history if problems else [[]],
            problems=[{"agent": a, "code": "x", "message": "m", "ref": None} for a in problems],
        )
        return route_after_critic(state)

    assert route([]) == ["review"]
    assert route(["content", "checkin"]) == ["checkin", "content"]
    assert route(["buddy", "scheduling"]) == ["buddy"]  # buddy's edge re-runs scheduling
    assert route(["content"], passes=2, history=2) == ["review"]  # nothing changed
    assert route(["content"], passes=3) == ["review"]  # out of rounds


def patch_critic(
    monkeypatch: pytest.MonkeyPatch, problems: Callable[[int], list[Problem]]
) -> list[int]:
    calls: list[int] = []

    def fake_check(*args: Any, **kwargs: Any) -> list[Problem]:
        calls.append(len(calls) + 1)
        return problems(len(calls))

    monkeypatch.setattr("baton.agents.onboarding.critic.check_plan", fake_check)
    return calls


def content_problem(ref: str) -> Problem:
    return Problem(agent="content", code="unknown-chunk", message=f"cites {ref}", ref=ref)


def test_critic_loop_stops_after_max_rounds(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_critic(monkeypatch, lambda n: [content_problem(f"c{n}")])  # new problem every round
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    seen = node_counts(runner, outcome.run_id)
    assert seen["critic"] == MAX_ROUNDS + 1 and seen["content"] == MAX_ROUNDS + 1
    assert seen["buddy"] == 1 and seen["scheduling"] == 1 and seen["provisioning"] == 1
    redo = node_records(runner, outcome.run_id, "content")[1:]
    assert all(r.llm_calls == 0 for r in redo)  # a critic round does not ask the model again
    assert [e["evidence"] for e in exception_kinds(outcome.packet)["critic:content"]] == [
        f"c{MAX_ROUNDS + 1}"
    ]


def test_critic_loop_stops_early_when_nothing_changes(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_critic(monkeypatch, lambda n: [content_problem("same")])
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    seen = node_counts(runner, outcome.run_id)
    assert seen["critic"] == 2 and seen["content"] == 2
    assert outcome.status == "awaiting_review"


def test_critic_failure_goes_back_to_its_agent_only(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed_after_one = patch_critic(
        monkeypatch,
        lambda n: (
            [Problem(agent="buddy", code="ineligible-buddy", message="p06 flagged", ref="p06")]
            if n == 1
            else []
        ),
    )
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    seen = node_counts(runner, outcome.run_id)
    assert len(fixed_after_one) == 2
    assert seen["buddy"] == 2 and seen["scheduling"] == 2  # scheduling follows the buddy
    assert seen["content"] == 1 and seen["provisioning"] == 1 and seen["checkin"] == 1
    assert "critic:buddy" not in exception_kinds(outcome.packet)
    assert outcome.packet is not None
    buddy_section = outcome.packet["preview"].split("## Buddy")[1].split("\n\n")[1]
    assert "Samuel Osei" not in buddy_section and "Oliver Smith" in buddy_section


# Human review ------------------------------------------------------------------------------
def test_reject_replans_with_the_comment_and_pauses_again(settings: Settings) -> None:
    seen: list[tuple[str, str]] = []
    runner = make_runner(settings, scripted({}, seen))
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    seen.clear()
    again = runner.resume(outcome.run_id, make_decision("reject", "hr", comment="More security."))
    assert again.status == "awaiting_review"
    assert "Earlier review comment: More security." in again.packet["preview"]  # type: ignore[index]
    assert any(role == "content" and "More security." in text for role, text in seen)
    after = node_counts(runner, outcome.run_id)
    assert after["intake"] == 1 and after["human:review"] == 1
    for node in ("buddy", "scheduling", "provisioning", "content", "checkin", "critic"):
        assert after[node] == 2, node
    done = runner.resume(outcome.run_id, make_decision("approve", "hr"))
    assert done.status == "done" and node_counts(runner, outcome.run_id)["human:review"] == 2
    runner.close()


def free_start(session_id: str) -> datetime:
    """A start for ``session_id`` that the critic accepts, found with the tools alone."""
    config = load_onboarding_config(CONFIG_PATH)
    inputs = load_inputs(EXAMPLE_DIR, config)
    plan = build_plan(inputs, config)
    for day in inputs.days[2:]:
        start = datetime.combine(day, datetime.min.time(), tzinfo=inputs.starter.tz)
        for quarter in range(9 * 4, 17 * 4):
            moved = start + timedelta(minutes=15 * quarter)
            if moved == next(s.start for s in plan.schedule.sessions if s.session_id == session_id):
                continue
            edited = apply_edits(
                plan, PlanEdits(moves=(SessionMove(session_id=session_id, start=moved),))
            )
            if not check_plan(edited, inputs=inputs, config=config, known_chunk_ids=()):
                return moved
    raise AssertionError("no free slot")


def test_edit_moving_a_session_is_checked_and_applied(runner: Runner) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    start = free_start("benefits")
    edits = {"moves": [{"session_id": "benefits", "start": start.isoformat()}]}
    done = runner.resume(outcome.run_id, make_decision("edit", "hr", edits=edits))
    assert done.status == "done"
    ics = next(Path(p) for p in done.outputs if p.endswith("first_week.ics"))
    event = next(e for e in read_events(ics) if str(e["UID"]).startswith("benefits."))
    assert event.decoded("DTSTART") == start


def test_edit_picking_another_buddy_rebooks_the_buddy_sessions(runner: Runner) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    done = runner.resume(outcome.run_id, make_decision("edit", "hr", edits={"buddy_id": "p25"}))
    assert done.status == "done"
    files = {Path(p).name: Path(p) for p in done.outputs}
    assert (
        files["buddy.md"]
        .read_text()
        .startswith("# Onboarding buddy for Maya Okafor\n\n**Oliver Smith**")
    )
    plan = json.loads(files["plan.json"].read_text())
    buddy_slots = {
        a["person_id"]
        for s in plan["schedule"]["sessions"]
        for a in s["attendees"]
        if a["slot"] == "buddy"
    }
    buddy_slots |= {
        a["person_id"]
        for e in plan["schedule"]["exceptions"]
        for a in e["attendees"]
        if a["slot"] == "buddy"
    }
    assert buddy_slots == {"p25"}


def test_rule_breaking_edits_go_back_to_the_reviewer(runner: Runner) -> None:
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    run_id = outcome.run_id
    welcome = json.loads(json.dumps(outcome.packet))  # the packet is plain JSON
    assert welcome["scenario"] == "onboarding"
    config = load_onboarding_config(CONFIG_PATH)
    plan = build_plan(load_inputs(EXAMPLE_DIR, config), config)
    clash = next(s.start for s in plan.schedule.sessions if s.session_id == "welcome")

    bad_edits: list[tuple[dict[str, Any], str]] = [
        ({"moves": [{"session_id": "benefits", "start": clash.isoformat()}]}, "overlap"),
        ({"buddy_id": "p02"}, "manager"),
        ({"buddy_id": "p04"}, "capacity"),
        ({"moves": [{"session_id": "nope", "start": clash.isoformat()}]}, "unknown session"),
    ]
    for number, (edits, reason) in enumerate(bad_edits, start=1):
        again = runner.resume(run_id, make_decision("edit", "hr", edits=edits))
        assert again.status == "awaiting_review", edits
        details = " ".join(e["detail"] for e in exception_kinds(again.packet)["edit"])
        assert reason in details, (edits, details)
        assert node_counts(runner, run_id)["human:review"] == number
    with pytest.raises(UserError, match="movez"):
        runner.resume(run_id, make_decision("edit", "hr", edits={"movez": []}))
    assert runner.registry.get(run_id).status == "awaiting_review"
    done = runner.resume(run_id, make_decision("approve", "hr"))
    ics = next(Path(p) for p in done.outputs if p.endswith("first_week.ics"))
    benefits = next(e for e in read_events(ics) if str(e["UID"]).startswith("benefits."))
    assert benefits.decoded("DTSTART") != clash  # the rejected edit was never applied
    assert node_counts(runner, run_id)["publish"] == 1


def test_route_after_review() -> None:
    assert route_after_review({"review": {"action": "reject"}}) == [
        "buddy",
        "provisioning",
        "content",
        "checkin",
    ]
    assert route_after_review({"review": {"action": "edit"}, "edit_errors": ["x"]}) == ["review"]
    assert route_after_review({"review": {"action": "edit"}, "edit_errors": []}) == ["publish"]
    assert route_after_review({"review": {"action": "approve"}}) == ["publish"]


# Bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file", "old", "new", "needle"),
    [
        ("starter.yaml", "role: Software Engineer", "role: Astronaut", "unknown role 'Astronaut'"),
        (
            "starter.yaml",
            "start_date: 2026-03-02",
            "start_date: 2026-03-07",
            "is not a working day (Saturday)",
        ),
        (
            "calendars/p03.ics",
            "DTSTART;TZID=Asia/Tokyo:20260305T143000",
            "DTSTART;TZID=Asia/Tokyo:2026-03-05 14:30",
            "p03.ics",
        ),
        ("calendars/p03.ics", "END:VEVENT", "END:VEVENTX", "never closed"),
    ],
    ids=["unknown-role", "weekend-start", "malformed-ics", "unclosed-ics-event"],
)
def test_bad_input_fails_before_anything_is_written(
    settings: Settings, tmp_path: Path, file: str, old: str, new: str, needle: str
) -> None:
    folder = copy_example(tmp_path)
    edit_line(folder / file, old, new)
    runner = make_runner(settings)
    with pytest.raises(InputError) as info:
        runner.start("onboarding", folder)
    message = str(info.value)
    assert needle in message and "\n" not in message
    assert re.search(rf"{re.escape(file.split('/')[-1])}:\d+", message), message
    assert runner.registry.list_runs() == []
    assert not settings.runs_dir.exists()
    runner.close()


def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_example(tmp_path)
    edit_line(folder / "starter.yaml", "start_date: 2026-03-02", "start_date: 2026-03-08")
    monkeypatch.setattr(sys, "argv", ["baton", "run", "onboarding", "--input", str(folder)])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.strip().startswith("error:") and "Traceback" not in err
    assert "start_date" in err and "Sunday" in err
    assert not (tmp_path / "home" / "runs").exists()


def test_missing_folder_and_empty_playbook_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        load_input(tmp_path / "nope")
    folder = copy_example(tmp_path)
    shutil.rmtree(folder / "playbook")
    (folder / "playbook").mkdir()
    with pytest.raises(InputError, match="no supported documents"):
        load_input(folder)


def test_edit_deciding_it_requests_writes_them_and_audits_who(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner = make_runner(settings, scripted({"buddy": {"note": NOTE}, "provisioning": SUGGESTIONS}))
    outcome = runner.start("onboarding", EXAMPLE_DIR)
    run_id, packet = outcome.run_id, outcome.packet
    assert packet is not None
    rows = {(r["item"], r["status"]): r["id"] for r in packet["requests"]}
    deploy, monitor = rows["staging-deploy", "requested"], rows["27-inch monitor", "requested"]
    prod = rows["prod-db-admin", "held"]
    assert f"`{deploy}`" in packet["preview"]  # the CLI reviewer sees the ids too

    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"requests": [{"id": "IT-root", "action": "approve"}]}))
    monkeypatch.setattr(sys, "argv", ["baton", "resume", run_id, "--edit", str(unknown)])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and "\n" not in err and "Traceback" not in err
    assert "requests.0.id" in err and "unknown request 'IT-root'" in err
    assert runner.registry.get(run_id).status == "awaiting_review"

    edits = {
        "requests": [
            {"id": deploy, "action": "hold", "note": "after the security training"},
            {"id": monitor, "action": "drop"},
            {"id": prod, "action": "drop", "note": "not for a new starter"},
        ]
    }
    done = runner.resume(run_id, make_decision("edit", "hr-alice", edits=edits))
    assert done.status == "done"
    files = {Path(p).name: Path(p) for p in done.outputs}
    it = json.loads(files["it_requests.json"].read_text())
    filed = {t["ticket_id"] for t in it["tickets"]}
    assert deploy not in filed and monitor not in filed and len(filed) == len(rows) - 3
    assert [(h["ticket_id"], h["note"], h["held_by"]) for h in it["held"]] == [
        (deploy, "after the security training", "hr-alice")
    ]
    assert it["exceptions"] == []
    assert {(d["request_id"], d["action"], d["reviewer"]) for d in it["decisions"]} == {
        (deploy, "hold", "hr-alice"),
        (monitor, "drop", "hr-alice"),
        (prod, "drop", "hr-alice"),
    }
    plan = json.loads(files["plan.json"].read_text())
    assert [t["ticket_id"] for t in plan["provisioning"]["held"]] == [deploy]
    humans = [a for a in runner.sync_audit(run_id) if a.kind == "human"]
    assert {(a.actor, a.decision) for a in humans} >= {
        ("hr-alice", f"IT request {deploy}: hold (after the security training)"),
        ("hr-alice", f"IT request {monitor}: drop"),
        ("hr-alice", f"IT request {prod}: drop (not for a new starter)"),
    }
    published = node_records(runner, run_id, "publish")[0].decision
    assert "held by the reviewer" in published and "hr-alice" in published
    runner.close()


def test_calendars_have_per_run_uids_an_organizer_and_count_edits(runner: Runner) -> None:
    """RFC 5545 identity: two new hires' calendars share no UID, every event names its
    organiser, an edited plan is SEQUENCE 1 stamped with the decision's time, and the
    same run publishes the same bytes again. ``vobject`` parses the files independently."""
    first = runner.start("onboarding", EXAMPLE_DIR)
    second = runner.start("onboarding", EXAMPLE_DIR)
    approved = runner.resume(first.run_id, make_decision("approve", "hr"))
    edited = runner.resume(second.run_id, make_decision("edit", "hr", edits={"buddy_id": "p25"}))
    assert approved.status == edited.status == "done"
    state = runner.state(second.run_id)
    manager = next(p for p in state["directory"] if p["id"] == state["manager_id"])
    decided = datetime.fromisoformat(state["review"]["at"]).replace(microsecond=0)
    files_a = {Path(p).name: Path(p) for p in approved.outputs}
    files_b = {Path(p).name: Path(p) for p in edited.outputs}
    for name in ("first_week.ics", "checkins.ics"):
        a, b = read_events(files_a[name]), read_events(files_b[name])
        uids_a, uids_b = {str(e["UID"]) for e in a}, {str(e["UID"]) for e in b}
        assert len(uids_a) == len(a) and len(uids_b) == len(b) and not uids_a & uids_b
        assert {str(e["ORGANIZER"]) for e in a + b} == {f"mailto:{manager['email']}"}
        assert {str(e["SEQUENCE"]) for e in a} == {"0"} and {str(e["SEQUENCE"]) for e in b} == {"1"}
        assert {e.decoded("DTSTAMP") for e in b} == {decided}

        calendar = vobject.readOne(files_b[name].read_text(encoding="utf-8"))
        events = calendar.vevent_list
        assert {v.uid.value for v in events} == uids_b
        assert {v.organizer.value for v in events} == {f"mailto:{manager['email']}"}
        assert {v.organizer.params["CN"][0] for v in events} == {manager["name"]}
        assert {int(v.sequence.value) for v in events} == {1}

    again = render_outputs(
        plan_of(state),
        inputs_of(state),
        intro_note=state.get("buddy_note", ""),
        sources=state.get("sources"),
        publication=publication(state, second.run_id),
    )
    for name in ("first_week.ics", "checkins.ics"):
        assert again[name] == files_b[name].read_bytes()
