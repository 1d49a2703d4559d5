"""launch-team's plan as data: counts read from the request, validation (cycles, unknown
types, counts, caps), the deterministic planner, readiness and invalidation."""

from __future__ import annotations

import pytest

from baton.tools.launch.calendar import conflicts, even_schedule
from baton.tools.launch.claims import code_verdict, extract_claims, strip_claims
from baton.tools.launch.plan import (
    MAX_MODEL_CALLS,
    Counts,
    PlanError,
    Task,
    count_problem,
    critical_path,
    dependants,
    deterministic_plan,
    model_calls,
    parse_counts,
    ready,
    validate_plan,
)

SOURCE = (
    "Research the top three competitors for a new eco-friendly coffee pod, draft a"
    " competitive analysis, create a 30-day launch calendar, and write the first five"
    " social media posts."
)


def test_counts_of_the_source_request_and_paraphrases() -> None:
    assert parse_counts(SOURCE) == Counts(competitors=3, days=30, posts=5, analysis=True)
    assert parse_counts(
        "Plan six weeks of launch content on a calendar and draft 7 posts"
    ) == Counts(days=42, posts=7)
    assert parse_counts("Compare 4 rival brands") == Counts(competitors=4, analysis=True)
    assert count_problem(parse_counts("Write 10,000 posts")) == (
        "asks for 10000 posts; Baton plans 1 to 20"
    )
    assert count_problem(parse_counts("Make it great")) is not None


def test_the_deterministic_plan_passes_validation_and_honours_counts() -> None:
    counts = parse_counts(SOURCE)
    tasks = deterministic_plan(counts)
    validate_plan(tasks, counts)
    kinds = [t.type for t in tasks]
    assert kinds.count("research_competitor") == 3 and kinds.count("write_post") == 5
    assert next(t for t in tasks if t.type == "plan_calendar").days == 30
    assert all(t.acceptance for t in tasks)


def _plan() -> list[Task]:
    return deterministic_plan(parse_counts(SOURCE))


def test_a_cycle_is_refused() -> None:
    tasks = _plan()
    tasks[0] = tasks[0].model_copy(update={"deps": ["post-1"]})
    with pytest.raises(PlanError, match="cycle"):
        validate_plan(tasks, parse_counts(SOURCE))


def test_an_unknown_task_type_is_refused() -> None:
    tasks = [*_plan(), Task(id="x", type="buy_ads")]
    with pytest.raises(PlanError, match="unknown task type 'buy_ads'"):
        validate_plan(tasks, parse_counts(SOURCE))


def test_counts_must_be_honoured() -> None:
    tasks = [t for t in _plan() if t.id != "post-5"]
    with pytest.raises(PlanError, match="asks for 5 posts; the plan has 4"):
        validate_plan(tasks, parse_counts(SOURCE))
    tasks = [t.model_copy(update={"days": 7}) if t.type == "plan_calendar" else t for t in _plan()]
    with pytest.raises(PlanError, match="asks for 30 days"):
        validate_plan(tasks, parse_counts(SOURCE))


def test_missing_inputs_unknown_deps_and_caps_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = parse_counts(SOURCE)
    tasks = [t.model_copy(update={"deps": []}) if t.id == "analysis" else t for t in _plan()]
    with pytest.raises(PlanError, match="must build on"):
        validate_plan(tasks, counts)
    tasks = [t.model_copy(update={"deps": ["ghost"]}) if t.id == "brand" else t for t in _plan()]
    with pytest.raises(PlanError, match="unknown task 'ghost'"):
        validate_plan(tasks, counts)
    big = Counts(competitors=10, days=90, posts=20, analysis=True)
    plan = deterministic_plan(big)
    validate_plan(plan, big)  # the largest request the caps allow still plans
    padded = [*plan, *(Task(id=f"extra-{i}", type="brand_brief") for i in range(3))]
    with pytest.raises(PlanError, match="36 tasks; the cap is 33"):
        validate_plan(padded, big)
    assert model_calls(plan) <= MAX_MODEL_CALLS
    monkeypatch.setattr("baton.tools.launch.plan.MAX_MODEL_CALLS", 50)
    with pytest.raises(PlanError, match="161 model calls; the cap is 50"):
        validate_plan(plan, big)


def test_dispatch_order_and_invalidation() -> None:
    tasks = _plan()
    wave1 = [t.id for t in ready(tasks, [])]
    assert wave1 == ["research-1", "research-2", "research-3", "brand"]
    assert [t.id for t in ready(tasks, wave1)] == ["analysis"]
    assert [t.id for t in ready(tasks, [*wave1, "analysis"])] == ["calendar"]
    assert dependants(tasks, ["research-2"]) == {
        "research-2", "analysis", "calendar", "post-1", "post-2", "post-3", "post-4", "post-5"
    }  # fmt: skip
    assert dependants(tasks, ["post-3"]) == {"post-3"}
    assert critical_path(tasks, {t.id: 1.0 for t in tasks}) == 4.0


def test_claims_are_checked_against_the_cited_chunk() -> None:
    chunk = {"a" * 16: "Brewleaf Classic pods cost £4.20 for a box of 10. Launched 14 March 2025."}
    drafts = {
        "research-1": "- Brewleaf Classic pods cost £4.20 for a box of 10 [" + "a" * 16 + "].",
        "analysis": "- Brewleaf Classic pods cost £6.20 for a box of 10 [" + "a" * 16 + "].\n"
        "- Zentora Classic pods launched on 14 March 2025 [" + "a" * 16 + "].\n"
        "- Brewleaf launched on 14 March 2023 [" + "a" * 16 + "].\n- Ask us anything.",
    }
    claims = {c["text"]: c for c in extract_claims(drafts)}
    assert len(claims) == 4  # the call to action states no fact
    verdicts = {t: code_verdict(c, chunk)[0] for t, c in claims.items()}
    assert list(verdicts.values()) == ["supported", "refuted", "refuted", "refuted"]
    assert code_verdict({"text": "Brewleaf is big.", "citations": []}, chunk)[0] == (
        "not_enough_info"
    )
    wrong = [c["id"] for c in claims.values() if "6.20" in c["text"]]
    assert "6.20" not in strip_claims(drafts["analysis"], wrong)
    assert "Zentora" in strip_claims(drafts["analysis"], wrong)


def test_calendar_conflicts_are_found_and_the_even_schedule_has_none() -> None:
    from datetime import date

    posts = ["post-1", "post-2", "post-3"]
    start = date(2027, 3, 1)
    bad = [
        {"post": "post-1", "date": "2027-03-02", "channel": "x"},
        {"post": "post-2", "date": "2027-03-02", "channel": "x"},
        {"post": "post-3", "date": "2027-05-01", "channel": "x"},
    ]
    found = conflicts(bad, posts, start, 30)
    assert "2 posts on x on 2027-03-02" in found and any("outside" in f for f in found)
    assert conflicts(even_schedule(posts, start, 30, ["x"]), posts, start, 30) == []


def test_the_planner_schema_allows_only_catalogue_task_types() -> None:
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from pydantic import ValidationError

    from baton.agents.launch.planner import PlanDraft
    from baton.tools.launch.plan import CATALOGUE

    tool = convert_to_openai_tool(PlanDraft)
    task = tool["function"]["parameters"]["properties"]["tasks"]["items"]
    assert task["properties"]["type"]["enum"] == list(CATALOGUE)  # the grammar's choices
    with pytest.raises(ValidationError):
        PlanDraft.model_validate({"tasks": [{"id": "t1", "type": "list"}]})
