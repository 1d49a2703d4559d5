"""content-calendar end to end with a scripted model: fan-out, critic loop, review, edits."""

from __future__ import annotations

import csv
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from langchain_core.messages import BaseMessage

from baton.agents.marketing.common import COMPETITORS
from baton.cli import main
from baton.config import Settings
from baton.errors import InputError, UserError
from baton.graphs.content_calendar.graph import route_after_review
from baton.loops import keep_revising
from baton.retrieval.store import ContextStore
from baton.review import make_decision
from baton.runtime import Runner, open_checkpointer
from baton.scenario import get_scenario
from baton.testing import ScriptedChatModel, node_counts, schema_responder
from baton.tools.marketing.edits import CalendarEdits, apply_edits
from baton.tools.marketing.models import Calendar, RunOptions, month_dates
from baton.tools.marketing.review import failure_rounds
from baton.tools.marketing.testing import EXAMPLE_DIR

Responder = Callable[[str, Sequence[BaseMessage], dict[str, Any] | None], dict[str, Any] | str]


def scripted(settings: Settings, **by_role: Responder) -> Runner:
    """A runner whose model answers with ``by_role[role]``, else the default script."""

    def respond(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any] | str:
        return by_role.get(role, schema_responder)(role, messages, tool)

    return Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=respond)
    )


def values(runner: Runner, run_id: str) -> dict[str, Any]:
    with open_checkpointer(runner.settings) as saver:
        graph = get_scenario("content-calendar").build(saver)
        return dict(graph.get_state({"configurable": {"thread_id": run_id}}).values)


def drafts_per_post(runner: Runner, run_id: str) -> Counter[str]:
    return Counter(
        r.decision.split(" attempt ")[0] for r in runner.sync_audit(run_id) if r.node == "draft"
    )


def csv_rows(outputs: list[str]) -> list[dict[str, str]]:
    path = next(Path(p) for p in outputs if p.endswith("calendar.csv"))
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_pauses_then_approve_writes_every_output(runner: Runner) -> None:
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    assert outcome.status == "awaiting_review" and outcome.outputs == []
    packet = outcome.packet or {}
    assert packet["scenario"] == "content-calendar" and "## Schedule" in packet["preview"]
    assert "edits" in packet["edit_schema"]["properties"]
    state = values(runner, outcome.run_id)
    posts = state["posts"]
    launches = [p for p in posts if p["must_publish_before"]]
    assert len(launches) == 2 * 3  # two launches, launch_support_posts: 3

    done = runner.resume(outcome.run_id, make_decision("approve", "alice"))
    assert done.status == "done"
    rows = csv_rows(done.outputs)
    assert len(rows) == len(posts)
    for row in rows:  # every launch post goes out before its launch
        if row["must_publish_before"]:
            assert row["date"] < row["must_publish_before"]
        assert (Path(done.output_dir) / row["outline_file"]).is_file()
    ics = icalendar.Calendar.from_ical(Path(done.output_dir, "calendar.ics").read_bytes())
    events = list(ics.walk("VEVENT"))
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(r["title"] for r in rows)
    assert {e.decoded("DTSTART").isoformat() for e in events} == {r["date"] for r in rows}
    summary = Path(done.output_dir, "summary.md").read_text(encoding="utf-8")
    assert "approve by alice" in summary and "## Research findings" in summary
    assert not [p for p in Path(done.output_dir).rglob("*.tmp")]

    counts = node_counts(runner, outcome.run_id)
    for node in ("ingest", "research", "strategy", "schedule", "publish", "human:review"):
        assert counts[node] == 1, node
    assert counts["draft"] >= len(posts) and counts["critic"] >= 1


def test_citations_are_real_store_chunks(settings: Settings, runner: Runner) -> None:
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    store = ContextStore(settings)
    stored = set(store.collection(COMPETITORS, create=False).get(include=[])["ids"])
    cited = {c for f in state["findings"] for c in f["citations"]}
    gap_ids = {c for g in state["gaps"] for c in g["chunk_ids"]}
    assert cited and gap_ids and cited <= stored and gap_ids <= stored
    research = next(r for r in runner.sync_audit(outcome.run_id) if r.node == "research")
    assert set(research.chunk_ids) == cited


def test_ingest_is_idempotent(settings: Settings, runner: Runner) -> None:
    first = runner.start("content-calendar", EXAMPLE_DIR)
    store = ContextStore(settings)
    count = store.collection(COMPETITORS, create=False).count()
    second = runner.start("content-calendar", EXAMPLE_DIR)
    assert store.collection(COMPETITORS, create=False).count() == count
    ingest = next(r for r in runner.sync_audit(second.run_id) if r.node == "ingest")
    assert "+0 new" in ingest.decision and "6 unchanged" in ingest.decision
    assert values(runner, first.run_id)["gaps"] == values(runner, second.run_id)["gaps"]


def test_one_draft_branch_per_post_and_fallback_when_model_fails(settings: Settings) -> None:
    runner = scripted(settings, drafter=lambda role, messages, tool: {"title": ""})
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    assert drafts_per_post(runner, outcome.run_id) == Counter(p["id"] for p in state["posts"])
    assert {d["source"] for d in state["drafts"].values()} == {"fallback"}
    assert all(r["status"] == "passed" for r in state["reviews"].values())
    assert (outcome.packet or {})["exceptions"] == []
    runner.close()


def _failing_outline(counter: list[int], vary: bool) -> Responder:
    def respond(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any]:
        counter[0] += 1
        title = "x" * (61 + (counter[0] if vary else 0))  # too long, no keyword
        cta = tool["function"]["parameters"]["properties"]["call_to_action"] if tool else {}
        return {
            "title": title,
            "meta_description": "Short.",
            "h2s": ["Intro"],
            "key_points": ["One point."],
            "call_to_action": cta.get("enum", ["x"])[0],
        }

    return respond


def test_model_redrafts_once_then_the_fallback_takes_over(settings: Settings) -> None:
    runner = scripted(settings, drafter=_failing_outline([0], vary=True))
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    per_post = drafts_per_post(runner, outcome.run_id)
    assert state["model_posts"]
    for pid in state["model_posts"]:
        assert per_post[pid] == 3  # model, model with the reasons, then the fallback
        assert state["drafts"][pid]["source"] == "fallback"
        assert state["reviews"][pid]["status"] == "passed"
    assert not [e for e in (outcome.packet or {})["exceptions"] if e["kind"] == "review"]
    runner.close()


def test_tone_notes_are_advisory_and_shown_to_the_human(settings: Settings) -> None:
    def drafter(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any]:
        keyword = re.search(r"Keyword: (.+)", str(messages[-1].content))
        assert keyword and tool
        key = keyword.group(1).strip()
        cta = tool["function"]["parameters"]["properties"]["call_to_action"]["enum"][0]
        return {
            "title": f"{key.capitalize()}: a short guide",
            "meta_description": "A guide.",
            "h2s": [f"What {key} means"],
            "key_points": ["Read on."],
            "call_to_action": cta,
        }

    def critic(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any]:
        shown = re.findall(r"\[(o\d+)\]", str(messages[-1].content))
        return {"notes": [{"post": shown[0], "problem": "Sounds a little flat."}]}

    runner = scripted(settings, drafter=drafter, critic=critic)
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    per_post = drafts_per_post(runner, outcome.run_id)
    noted = [pid for pid, r in state["reviews"].items() if r["tone"]]
    assert len(noted) == 1 and noted[0] in state["model_posts"]
    for pid in state["model_posts"]:
        assert state["reviews"][pid]["source"] == "model" and per_post[pid] == 1
        assert state["reviews"][pid]["status"] == "passed"
    assert f"- {noted[0]} (tone): Sounds a little flat." in (outcome.packet or {})["preview"]
    runner.close()


@pytest.mark.parametrize(("vary", "drafts"), [(True, 4), (False, 2)])
def test_critic_loop_is_bounded_stops_on_repeat_and_escalates(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, vary: bool, drafts: int
) -> None:
    monkeypatch.setattr(
        "baton.graphs.content_calendar.state.MODEL_ATTEMPTS", 9
    )  # model every round
    runner = scripted(settings, drafter=_failing_outline([0], vary))
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    per_post = drafts_per_post(runner, outcome.run_id)
    for pid in state["model_posts"]:
        assert per_post[pid] == drafts  # 1 + max_revisions (3), or 2 when failures repeat
        assert state["reviews"][pid]["status"] == "escalated"
    others = set(per_post) - set(state["model_posts"])
    assert others and all(per_post[pid] == 1 for pid in others)
    kinds = {e["id"]: e["kind"] for e in (outcome.packet or {})["exceptions"]}
    assert {f"POST-{pid}" for pid in state["model_posts"]} <= set(kinds)
    done = runner.resume(outcome.run_id, make_decision("approve", "erin"))
    summary = Path(done.output_dir, "summary.md").read_text(encoding="utf-8")
    assert "## Needs attention" in summary
    runner.close()


def test_post_redraft_bound_and_repeats() -> None:
    """A post's rounds sent back are its attempts before this one (the critic's rule)."""
    fail = [{"rule": "title_length", "message": "title is 70 characters"}]
    other = [{"rule": "title_length", "message": "title is 65 characters"}]

    def again(history: list[list[dict[str, str]]], attempt: int) -> bool:
        return keep_revising(failure_rounds(history), attempt - 1, 3)

    assert again([fail], 1)
    assert again([fail, other], 2)
    assert not again([fail, fail], 2)
    assert not again([fail, other] * 2, 4)
    assert not again([[]], 1)


def test_route_after_review() -> None:
    assert route_after_review({"review": {"action": "reject"}}) == "strategy"
    assert (
        route_after_review({"review": {"action": "edit"}, "edit_errors": [{"rule": "holiday"}]})
        == "review"
    )
    assert route_after_review({"review": {"action": "edit"}, "edit_errors": []}) == "publish"
    assert route_after_review({"review": {"action": "approve"}}) == "publish"


def test_reject_replans_with_the_comment(settings: Settings) -> None:
    prompts: list[str] = []

    def strategist(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any] | str:
        prompts.append(str(messages[-1].content))
        reply = schema_responder(role, messages, tool)
        assert isinstance(reply, dict)
        if "drop_topics" in reply:  # propose one named in the comment, one that is not
            reply["drop_topics"] = ["tonic water", "coffee origins"]
        return reply

    runner = scripted(settings, strategist=strategist)
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    topics = {p["topic"] for p in values(runner, outcome.run_id)["posts"]}
    assert {"tonic water", "coffee origins"} <= topics
    again = runner.resume(
        outcome.run_id, make_decision("reject", "carol", comment="No tonic water posts, please")
    )
    assert again.status == "awaiting_review"
    assert "Reviewer comment: No tonic water posts, please" in prompts[-1]
    state = values(runner, outcome.run_id)
    topics = {p["topic"] for p in state["posts"]}
    assert "tonic water" not in topics and "coffee origins" in topics
    assert "Dropped at the reviewer's request: tonic water" in state["rationale"]
    counts = node_counts(runner, outcome.run_id)
    assert counts["ingest"] == 1 and counts["research"] == 1  # not redone
    assert counts["strategy"] == 2 and counts["schedule"] == 2 and counts["human:review"] == 1
    done = runner.resume(outcome.run_id, make_decision("approve", "carol"))
    assert done.status == "done"
    assert "tonic water" not in {r["topic"] for r in csv_rows(done.outputs)}
    runner.close()


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Cold brew leads the month before the launch.", True),
        ("An eco-friendly plan for cold brew.", False),  # discouraged word
        ("A plan that fits the month well.", False),  # names no launch or topic
    ],
)
def test_model_rationale_is_verified(settings: Settings, said: str, kept: bool) -> None:
    runner = scripted(settings, strategist=lambda role, messages, tool: {"rationale": said})
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    rationale = values(runner, outcome.run_id)["rationale"]
    assert (rationale == said) is kept
    if not kept:
        assert rationale.startswith("20 posts across blog, linkedin, newsletter.")
    runner.close()


def _valid_move(state: dict[str, Any], post_id: str) -> str:
    """A new date for ``post_id`` that the scheduling rules accept (found with the tool)."""
    cal = Calendar.model_validate(state["calendar"])
    options = RunOptions.model_validate(state["options"])
    from baton.tools.marketing.brand import BrandConfig

    brand = BrandConfig.model_validate(state["brand"])
    current = cal.by_id()[post_id].date
    for day in month_dates(options.month):
        edits = CalendarEdits.model_validate(
            {"edits": [{"action": "move", "post_id": post_id, "date": day.isoformat()}]}
        )
        if day != current and apply_edits(cal, edits, options, brand).accepted:
            return day.isoformat()
    raise AssertionError("no valid move found")


def test_edits_move_retitle_and_drop_are_applied(runner: Runner) -> None:
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    plain = sorted(
        p["id"] for p in state["posts"] if not p["must_publish_before"] and p["channel"] == "blog"
    )
    moved, dropped = plain[0], plain[1]
    retitled = next(p for p in state["posts"] if p["id"] == "blog-office-coffee")
    new_date = _valid_move(state, moved)
    edits = {
        "edits": [
            {"action": "move", "post_id": moved, "date": new_date},
            {
                "action": "retitle",
                "post_id": retitled["id"],
                "title": "Office coffee for small teams",
            },
            {"action": "drop", "post_id": dropped},
        ],
        "note": "tidy up",
    }
    done = runner.resume(outcome.run_id, make_decision("edit", "dana", edits=edits))
    assert done.status == "done"
    rows = {r["post_id"]: r for r in csv_rows(done.outputs)}
    assert rows[moved]["date"] == new_date
    assert rows[retitled["id"]]["title"] == "Office coffee for small teams"
    assert dropped not in rows and len(rows) == len(state["posts"]) - 1
    outline = (Path(done.output_dir) / rows[retitled["id"]]["outline_file"]).read_text()
    assert "# Office coffee for small teams" in outline


def test_invalid_edit_pauses_again_and_is_not_applied(runner: Runner) -> None:
    outcome = runner.start("content-calendar", EXAMPLE_DIR)
    state = values(runner, outcome.run_id)
    launch_post = next(p for p in state["posts"] if p["must_publish_before"])
    original = Calendar.model_validate(state["calendar"]).by_id()[launch_post["id"]].date
    late = date.fromisoformat(launch_post["must_publish_before"]) + timedelta(days=1)
    edits = {"edits": [{"action": "move", "post_id": launch_post["id"], "date": late.isoformat()}]}
    again = runner.resume(outcome.run_id, make_decision("edit", "dana", edits=edits))
    assert again.status == "awaiting_review"
    kinds = [e["kind"] for e in (again.packet or {})["exceptions"]]
    assert "edit:launch_deadline" in kinds
    with pytest.raises(UserError, match="edits"):
        runner.resume(
            outcome.run_id, make_decision("edit", "dana", edits={"edits": [{"action": "x"}]})
        )
    assert runner.registry.get(outcome.run_id).status == "awaiting_review"
    done = runner.resume(outcome.run_id, make_decision("approve", "dana"))
    rows = {r["post_id"]: r for r in csv_rows(done.outputs)}
    assert rows[launch_post["id"]]["date"] == original.isoformat()
    counts = node_counts(runner, outcome.run_id)
    assert counts["human:review"] == 2 and counts["strategy"] == 1 and counts["publish"] == 1


def test_drafting_branches_respect_the_run_budget(settings: Settings, runner: Runner) -> None:
    budget = settings.budget.model_copy(update={"max_llm_calls": 2})  # research + strategy
    small = Runner(settings.model_copy(update={"budget": budget}))
    outcome = small.start("content-calendar", EXAMPLE_DIR)
    small.close()
    assert outcome.status == "failed" and "budget exhausted" in (outcome.reason or "")
    resumed = runner.resume(outcome.run_id)  # default budget is larger
    assert resumed.status == "awaiting_review"
    counts = node_counts(runner, outcome.run_id)
    assert counts["research"] == 1 and counts["strategy"] == 1


def test_review_never_publishes_without_a_human(runner: Runner) -> None:
    outcome = runner.start("content-calendar", EXAMPLE_DIR, review="never")
    assert outcome.status == "done" and any(p.endswith("summary.md") for p in outcome.outputs)
    human = [a for a in runner.sync_audit(outcome.run_id) if a.kind == "human"]
    assert len(human) == 1 and "auto-approved" in human[0].decision


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "input"
    shutil.copytree(EXAMPLE_DIR, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


BAD_INPUTS = [
    ("analytics.csv", ",4820,96,3.2,5400", ',"4820,96,3.2,5400', "malformed CSV"),
    ("analytics.csv", ",4820,96,", ",many,96,", "column 'sessions'"),
    ("roadmap.yaml", "kind: launch\n", "kind: [launch\n", "invalid YAML"),
    ("roadmap.yaml", "date: 2026-11-24", "date: 2026-12-02", "outside the run month"),
    (
        "run.yaml",
        "channels: [blog, newsletter, linkedin]",
        "channels: [blog, newsletter, linkdin]",
        "unknown channel 'linkdin'",
    ),
    ("run.yaml", "launch_support_posts: 3", "launch_support_posts: 9", "needs 9 supporting posts"),
]


@pytest.mark.parametrize(("name", "old", "new", "needle"), BAD_INPUTS)
def test_bad_input_fails_before_anything_is_written(
    settings: Settings, runner: Runner, tmp_path: Path, name: str, old: str, new: str, needle: str
) -> None:
    folder = _broken(tmp_path, name, old, new)
    with pytest.raises(InputError, match=needle.replace("(", r"\(")) as info:
        runner.start("content-calendar", folder)
    assert name in str(info.value)
    assert runner.registry.list_runs() == []
    assert not settings.runs_dir.exists() and not settings.chroma_path.exists()


def test_cli_bad_input_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _broken(tmp_path, *BAD_INPUTS[4][:3])  # unknown channel
    monkeypatch.setattr(sys, "argv", ["baton", "run", "content-calendar", "--input", str(folder)])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and "Traceback" not in err
    flat = err.replace("\n", "")  # rich wraps long lines on narrow terminals
    assert err.startswith("error:") and "run.yaml:" in flat and "linkdin" in flat
