"""Plan critic on the example, and reviewer edits re-checked by it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from baton.errors import InputError, UserError
from baton.review import validate_edits
from baton.tools.onboarding.config import OnboardingConfig, load_onboarding_config
from baton.tools.onboarding.content import PathwayItem
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.edits import (
    PlanEdits,
    RequestDecision,
    SessionMove,
    apply_edits,
    parse_edits,
    request_ids,
)
from baton.tools.onboarding.io import OnboardingInputs, load_inputs
from baton.tools.onboarding.plan import (
    OUTPUT_FILES,
    OnboardingPlan,
    build_plan,
    render_outputs,
    write_outputs,
)
from baton.tools.onboarding.provisioning import ProvisioningSuggestion
from baton.tools.onboarding.testing import CONFIG_PATH, EXAMPLE_DIR

CHUNKS = {"engineering#0", "security#0"}
PATHWAY = (
    PathwayItem(week=1, kind="training", title="Dev environment", chunk_ids=("engineering#0",)),
    PathwayItem(week=1, kind="reading", title="Security and access", chunk_ids=("security#0",)),
)


@pytest.fixture(scope="module")
def config() -> OnboardingConfig:
    return load_onboarding_config(CONFIG_PATH)


@pytest.fixture(scope="module")
def inputs(config: OnboardingConfig) -> OnboardingInputs:
    return load_inputs(EXAMPLE_DIR, config)


@pytest.fixture(scope="module")
def plan(inputs: OnboardingInputs, config: OnboardingConfig) -> OnboardingPlan:
    return build_plan(inputs, config, pathway=PATHWAY)


def _check(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> list[tuple[str, str]]:
    return [
        (p.agent, p.code)
        for p in check_plan(plan, inputs=inputs, config=config, known_chunk_ids=CHUNKS)
    ]


def test_example_plan_passes_the_critic(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    assert _check(plan, inputs, config) == []
    assert plan.buddy is not None and plan.buddy.person_id == "p06"


def test_critic_routes_each_problem_to_its_agent(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    bad_item = PathwayItem(week=2, kind="reading", title="Made up", chunk_ids=("nope#1",))
    extra = plan.provisioning.tickets[0].model_copy(update={"item": "prod-db-admin"})
    manager = next(c for c in plan.buddy_match.candidates if c.person_id == "p02")
    broken = plan.model_copy(
        update={
            "pathway": (*plan.pathway, bad_item),
            "provisioning": plan.provisioning.model_copy(
                update={"tickets": (*plan.provisioning.tickets, extra)}
            ),
            "buddy": manager,
            "checkins": plan.checkins[:2],
        }
    )
    found = set(_check(broken, inputs, config))
    assert ("content", "unknown-chunk") in found
    assert ("provisioning", "outside-catalogue") in found
    assert ("buddy", "ineligible-buddy") in found
    assert ("checkin", "missing-checkin") in found
    assert ("scheduling", "wrong-attendee") in found  # sessions still list the old buddy


def test_critic_flags_missing_and_duplicated_sessions(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    sessions = plan.schedule.sessions
    schedule = plan.schedule.model_copy(update={"sessions": (*sessions[1:], sessions[2])})
    found = _check(plan.model_copy(update={"schedule": schedule}), inputs, config)
    assert ("scheduling", "missing-session") in found
    assert ("scheduling", "duplicate-session") in found


def test_moving_a_session_onto_another_is_caught(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    welcome = next(s for s in plan.schedule.sessions if s.session_id == "welcome")
    edited = apply_edits(
        plan, PlanEdits(moves=(SessionMove(session_id="manager-1on1", start=welcome.start),))
    )
    moved = next(s for s in edited.schedule.sessions if s.session_id == "manager-1on1")
    assert moved.start == welcome.start
    assert moved.end - moved.start == timedelta(minutes=45)
    problems = check_plan(edited, inputs=inputs, config=config, known_chunk_ids=CHUNKS)
    assert any(p.code == "double-booking" and p.agent == "scheduling" for p in problems)
    assert plan.schedule.sessions != edited.schedule.sessions  # original untouched


def test_valid_move_keeps_the_plan_clean(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    session = next(s for s in plan.schedule.sessions if s.session_id == "benefits")
    for hours in range(1, 40):
        start = session.start + timedelta(hours=hours)
        edited = apply_edits(
            plan, PlanEdits(moves=(SessionMove(session_id="benefits", start=start),))
        )
        if not _check(edited, inputs, config):
            break
    else:
        pytest.fail("no clean slot found for benefits")
    assert next(s for s in edited.schedule.sessions if s.session_id == "benefits").start == start


def test_picking_another_buddy_updates_sessions(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    alternative = plan.buddy_match.alternatives[0].person_id
    edited = apply_edits(plan, PlanEdits(buddy_id=alternative))
    assert edited.buddy is not None and edited.buddy.person_id == alternative
    slots = [a for s in edited.schedule.sessions for a in s.attendees if a.slot == "buddy"]
    assert slots and all(a.person_id == alternative for a in slots)
    found = _check(edited, inputs, config)
    assert all(agent == "scheduling" for agent, _ in found)  # maybe conflicts, never buddy


def test_picking_the_manager_as_buddy_is_applied_then_flagged(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    edited = apply_edits(plan, PlanEdits(buddy_id="p02"))
    assert ("buddy", "ineligible-buddy") in _check(edited, inputs, config)


def test_moving_an_exception_books_it(plan: OnboardingPlan) -> None:
    (exception,) = plan.schedule.exceptions
    start = plan.schedule.sessions[0].start + timedelta(days=3)
    edited = apply_edits(
        plan, PlanEdits(moves=(SessionMove(session_id=exception.session_id, start=start),))
    )
    assert edited.schedule.exceptions == ()
    booked = next(s for s in edited.schedule.sessions if s.session_id == exception.session_id)
    assert booked.end - booked.start == timedelta(minutes=exception.duration_minutes)


def test_bad_edits_are_input_errors(plan: OnboardingPlan) -> None:
    with pytest.raises(InputError, match="unknown session 'nope'") as err:
        apply_edits(
            plan,
            PlanEdits(
                moves=(SessionMove(session_id="nope", start=plan.schedule.sessions[0].start),)
            ),
        )
    assert err.value.column == "moves[0].session_id"
    with pytest.raises(InputError, match="buddy 'p99' is not in the directory"):
        apply_edits(plan, PlanEdits(buddy_id="p99"))
    with pytest.raises(InputError) as err:
        parse_edits(
            json.dumps({"moves": [{"session_id": "welcome", "start": "2026-03-03T10:00:00"}]})
        )
    assert err.value.column == "moves[0].start"
    with pytest.raises(InputError, match="Extra inputs"):
        parse_edits({"buddy": "p03"})
    edits = parse_edits('{"buddy_id": "p03", "comment": "closer to the team"}')
    assert edits.buddy_id == "p03"


def test_outputs_render_and_write(
    plan: OnboardingPlan, inputs: OnboardingInputs, tmp_path: Path
) -> None:
    outputs = render_outputs(
        plan, inputs, intro_note="Welcome, Maya!", sources={"security#0": "Security"}
    )
    assert tuple(outputs) == OUTPUT_FILES
    written = write_outputs(outputs, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(OUTPUT_FILES)
    assert not list((tmp_path / "out").glob("*.tmp"))
    first_week = icalendar.Calendar.from_ical((tmp_path / "out" / "first_week.ics").read_bytes())
    assert len(first_week.walk("VEVENT")) == len(plan.schedule.sessions)
    assert "Welcome, Maya!" in (tmp_path / "out" / "buddy.md").read_text()
    restored = OnboardingPlan.model_validate_json((tmp_path / "out" / "plan.json").read_text())
    assert restored == plan


def test_suggestions_flow_into_provisioning_exceptions(
    inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    suggestion = ProvisioningSuggestion(kind="access_group", item="prod-db-admin", source="model")
    plan = build_plan(inputs, config, pathway=PATHWAY, suggestions=[suggestion])
    assert [e.item for e in plan.provisioning.exceptions] == ["prod-db-admin"]
    assert all(t.item != "prod-db-admin" for t in plan.provisioning.tickets)
    assert _check(plan, inputs, config) == []


# IT request decisions ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def suggested(inputs: OnboardingInputs, config: OnboardingConfig) -> OnboardingPlan:
    """The example plan with one off-catalogue suggestion held back."""
    prod = ProvisioningSuggestion(kind="access_group", item="prod-db-admin", source="model")
    return build_plan(inputs, config, pathway=PATHWAY, suggestions=[prod])


def _ticket_id(plan: OnboardingPlan, item: str) -> str:
    return next(t.ticket_id for t in plan.provisioning.tickets if t.item == item)


def test_request_decisions_approve_hold_drop_and_say_who(
    suggested: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    github, deploy, monitor = (
        _ticket_id(suggested, i) for i in ("GitHub", "staging-deploy", "27-inch monitor")
    )
    prod = suggested.provisioning.exceptions[0].request_id
    assert request_ids(suggested)[-1] == prod and prod.startswith("IT-maya-okafor-held-")
    edits = parse_edits(
        {
            "requests": [
                {"id": github, "action": "approve"},
                {"id": deploy, "action": "hold", "note": "after the security training"},
                {"id": monitor, "action": "drop", "note": "works remotely"},
                {"id": prod, "action": "drop"},
            ]
        }
    )
    edited = apply_edits(suggested, edits, reviewer="hr-alice")
    provisioning = edited.provisioning
    filed = {t.ticket_id for t in provisioning.tickets}
    assert github in filed and deploy not in filed and monitor not in filed
    assert len(filed) == len(suggested.provisioning.tickets) - 2
    assert [t.ticket_id for t in provisioning.held] == [deploy]
    assert provisioning.exceptions == ()
    assert [(r.request_id, r.action, r.reviewer) for r in provisioning.reviews] == [
        (github, "approve", "hr-alice"),
        (deploy, "hold", "hr-alice"),
        (monitor, "drop", "hr-alice"),
        (prod, "drop", "hr-alice"),
    ]
    assert _check(edited, inputs, config) == []  # held or dropped is decided, not missing
    payload = json.loads(render_outputs(edited, inputs)["it_requests.json"])
    assert [h["ticket_id"] for h in payload["held"]] == [deploy]
    assert payload["held"][0]["note"] == "after the security training"
    assert payload["held"][0]["held_by"] == "hr-alice"
    assert {d["request_id"]: d["action"] for d in payload["decisions"]} == {
        github: "approve",
        deploy: "hold",
        monitor: "drop",
        prod: "drop",
    }
    assert monitor not in {t["ticket_id"] for t in payload["tickets"] + payload["held"]}


def test_request_decisions_can_only_narrow(
    suggested: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    prod = suggested.provisioning.exceptions[0].request_id
    kept = apply_edits(
        suggested, PlanEdits(requests=(RequestDecision(id=prod, action="approve"),)), reviewer="hr"
    )
    # approving a held suggestion keeps it held: only the catalogue makes a ticket
    assert kept.provisioning.tickets == suggested.provisioning.tickets
    assert [e.item for e in kept.provisioning.exceptions] == ["prod-db-admin"]
    forged = "IT-maya-okafor-access_group-prod-db-admin"  # the id a ticket for it would have
    with pytest.raises(InputError, match=f"unknown request '{forged}'") as info:
        apply_edits(suggested, parse_edits({"requests": [{"id": forged, "action": "approve"}]}))
    assert info.value.column == "requests[0].id"
    twice = {"requests": [{"id": prod, "action": "hold"}, {"id": prod, "action": "drop"}]}
    with pytest.raises(InputError, match="decided more than once"):
        apply_edits(suggested, parse_edits(twice))
    with pytest.raises(InputError, match=r"requests\[0\]\.action"):
        parse_edits({"requests": [{"id": prod, "action": "grant"}]})


def test_unknown_request_id_is_a_one_line_error_against_the_packet(
    suggested: OnboardingPlan,
) -> None:
    packet = {"requests": [{"id": i} for i in request_ids(suggested)]}
    good = {"requests": [{"id": request_ids(suggested)[0], "action": "hold", "note": "later"}]}
    assert validate_edits(good, PlanEdits, packet=packet)["requests"][0]["action"] == "hold"
    with pytest.raises(UserError) as info:
        validate_edits(
            {"requests": [{"id": "IT-nope", "action": "drop"}]}, PlanEdits, packet=packet
        )
    message = str(info.value)
    assert message.startswith("edit file: requests.0.id: unknown request 'IT-nope'")
    assert "\n" not in message


def test_example_decisions_file_fits_the_example_plan(
    plan: OnboardingPlan, inputs: OnboardingInputs, config: OnboardingConfig
) -> None:
    packet = {"requests": [{"id": i} for i in request_ids(plan)]}
    data = json.loads((EXAMPLE_DIR / "decisions.json").read_text())
    edits = parse_edits(validate_edits(data, PlanEdits, packet=packet))
    edited = apply_edits(plan, edits, reviewer="hr")
    assert [r.action for r in edited.provisioning.reviews] == ["hold", "drop", "approve"]
    assert len(edited.provisioning.tickets) == len(plan.provisioning.tickets) - 2
    assert _check(edited, inputs, config) == []


def test_an_edit_key_with_a_newline_is_reported_on_one_line() -> None:
    # Found by the fuzz test: a key "\n" made the error two lines.
    from baton.scenario import get_scenario

    with pytest.raises(UserError) as err:
        validate_edits({"\n": None}, get_scenario("onboarding").edit_schema, source="d.json")
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("d.json: \\n: ")
