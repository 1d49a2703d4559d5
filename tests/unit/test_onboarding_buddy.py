"""Buddy matching: eligibility rules, scoring breakdown, ranking and buddy.md."""

from __future__ import annotations

from baton.tools.onboarding.buddy import buddy_ineligibility, match_buddy, render_buddy_md
from baton.tools.onboarding.config import BuddyConfig
from baton.tools.onboarding.testing import make_person, make_starter

CONFIG = BuddyConfig(adjacent_departments={"Engineering": ("Platform",)})


def test_manager_and_people_at_capacity_are_never_chosen() -> None:
    starter = make_starter(manager="m1")
    perfect = {"skills": ("python", "sql", "kubernetes"), "level": 3}
    directory = [
        make_person("m1", **perfect, mentor_capacity=3),
        make_person("full", **perfect, mentor_capacity=0),
        make_person("boss", **perfect, is_manager_of=("sam.starter@example.com",)),
        make_person("ok", level=5, skills=()),
    ]
    match = match_buddy(starter, directory, manager_id="m1", config=CONFIG)
    assert match.choice is not None
    assert match.choice.person_id == "ok"
    assert match.alternatives == ()
    reasons = {c.person_id: c.ineligible_reason for c in match.candidates}
    assert reasons == {
        "m1": "is the starter's manager",
        "full": "has no mentoring capacity left",
        "boss": "manages the starter",
        "ok": None,
    }


def test_top_choice_and_two_alternatives_by_score() -> None:
    starter = make_starter()
    directory = [
        make_person("m1"),
        make_person("same-dept", level=3, skills=("python", "sql")),
        make_person("adjacent", department="Platform", level=3, skills=("python", "sql")),
        make_person("other", department="Sales", level=3, skills=("python", "sql")),
        make_person("far", level=3, skills=("python", "sql"), timezone="Asia/Tokyo"),
    ]
    match = match_buddy(starter, directory, manager_id="m1", config=CONFIG)
    assert match.choice is not None
    assert [match.choice.person_id, *(a.person_id for a in match.alternatives)] == [
        "same-dept",
        "adjacent",
        "far",
    ]
    parts = {p.criterion: p for p in match.choice.breakdown}
    assert parts["department"].points == 3.0
    assert parts["skills"].points == 2.0  # 2 of 3 starter terms, weight 3
    assert parts["skills"].detail == "shares python, sql"
    assert parts["level"].points == 2.0  # one level above = ideal
    assert parts["timezone"].points == 2.0
    assert match.choice.score == round(sum(p.points for p in match.choice.breakdown), 2)
    adjacent = match.alternatives[0]
    assert next(p for p in adjacent.breakdown if p.criterion == "department").points == 1.5


def test_junior_candidate_gets_no_level_points_and_ties_break_on_id() -> None:
    starter = make_starter(level=3)
    directory = [make_person("b", level=2), make_person("a", level=2), make_person("m1")]
    match = match_buddy(starter, directory, manager_id="m1", config=CONFIG)
    assert match.choice is not None
    assert match.choice.person_id == "a"
    assert next(p for p in match.choice.breakdown if p.criterion == "level").points == 0.0


def test_no_eligible_mentor_is_an_exception_not_an_error() -> None:
    starter = make_starter()
    directory = [make_person("m1"), make_person("x", mentor_capacity=0)]
    match = match_buddy(starter, directory, manager_id="m1", config=CONFIG)
    assert match.choice is None
    assert match.exception is not None
    assert "no eligible buddy among 2 people" in match.exception
    assert "HR must assign one" in match.exception
    text = render_buddy_md(starter, None, match, "")
    assert "No buddy assigned" in text


def test_starter_listed_in_directory_is_not_their_own_buddy() -> None:
    starter = make_starter()
    me = make_person("me", email="sam.starter@example.com")
    assert buddy_ineligibility(me, starter, "m1") == "is the starter"


def test_buddy_md_has_breakdown_alternatives_and_the_models_note() -> None:
    starter = make_starter()
    directory = [make_person(pid) for pid in ("m1", "a", "b", "c")]
    match = match_buddy(starter, directory, manager_id="m1", config=CONFIG)
    note = "Hi Sam, meet Person a - ask them anything about the build."
    text = render_buddy_md(starter, match.choice, match, note)
    assert text.startswith("# Onboarding buddy for Sam Starter")
    assert "**Person a**" in text
    assert "| department | 3.00 | 3.00 | same department (Engineering) |" in text
    assert "| Person b (b) |" in text and "| Person c (c) |" in text
    assert text.rstrip().endswith(note)
