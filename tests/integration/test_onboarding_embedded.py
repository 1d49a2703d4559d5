"""Onboarding on the real embedded model: run to review, approve, then re-check the files.

The calendars are parsed back with icalendar and the plan rebuilt from them is put
through the same critic code the graph uses, so what HR receives (not just what the
graph held in memory) has no double booking, real citations, catalogue-only tickets, an
eligible buddy and check-ins on working days.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from baton.config import Settings
from baton.retrieval.store import ContextStore
from baton.tools.onboarding.checkins import CheckIn
from baton.tools.onboarding.config import load_onboarding_config
from baton.tools.onboarding.critic import check_plan
from baton.tools.onboarding.io import load_inputs
from baton.tools.onboarding.plan import OUTPUT_FILES, OnboardingPlan
from baton.tools.onboarding.scheduling import Attendee, ScheduledSession
from baton.tools.onboarding.testing import CONFIG_PATH, EXAMPLE_DIR
from tests.integration.conftest import Baton, make_env

pytestmark = pytest.mark.integration


def _events(path: Path) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def _sessions_from_ics(
    path: Path, plan: OnboardingPlan, people: dict[str, str]
) -> tuple[ScheduledSession, ...]:
    """The booked sessions as the calendar file states them (slots from the plan)."""
    slots = {
        (s.session_id, a.person_id): a.slot for s in plan.schedule.sessions for a in s.attendees
    }
    sessions = []
    for event in _events(path):
        session_id = str(event["UID"]).split("@")[0].rsplit(".", 1)[0]  # "<session>.<run id>"
        attendees = event.get("ATTENDEE")
        emails = [
            str(a).removeprefix("mailto:")
            for a in (attendees if isinstance(attendees, list) else [attendees])
        ]
        ids = [people[e] for e in emails]
        sessions.append(
            ScheduledSession(
                session_id=session_id,
                title=str(event["SUMMARY"]),
                start=event.decoded("DTSTART"),
                end=event.decoded("DTEND"),
                attendees=tuple(Attendee(person_id=i, slot=slots[(session_id, i)]) for i in ids),
            )
        )
    return tuple(sorted(sessions, key=lambda s: (s.start, s.session_id)))


def _checkins_from_ics(path: Path, plan: OnboardingPlan, tz: ZoneInfo) -> tuple[CheckIn, ...]:
    by_day = {c.day: c for c in plan.checkins}
    out = []
    for event in _events(path):
        day = int(re.match(r"checkin-day(\d+)-", str(event["UID"])).group(1))  # type: ignore[union-attr]
        start = event.decoded("DTSTART")
        out.append(
            by_day[day].model_copy(
                update={
                    "start": start,
                    "end": event.decoded("DTEND"),
                    "scheduled_date": start.astimezone(tz).date(),
                }
            )
        )
    return tuple(sorted(out, key=lambda c: c.day))


def test_onboarding_on_embedded_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    baton = Baton(tmp_path, make_env(home))
    started = time.monotonic()
    paused = baton.json("run", "onboarding", "--input", str(EXAMPLE_DIR))
    assert paused["status"] == "awaiting_review", paused
    packet = paused["packet"]
    assert packet["preview"].startswith("# Onboarding plan for Maya Okafor")
    assert [e["evidence"] for e in packet["exceptions"] if e["kind"] == "scheduling"] == [
        "security-awareness"
    ]
    done = baton.json("resume", paused["run_id"], "--approve", "--reviewer", "ci")
    elapsed = time.monotonic() - started
    assert done["status"] == "done"
    files = {Path(p).name: Path(p) for p in done["outputs"]}
    assert set(files) == set(OUTPUT_FILES)

    config = load_onboarding_config(CONFIG_PATH)
    inputs = load_inputs(EXAMPLE_DIR, config)
    plan = OnboardingPlan.model_validate_json(files["plan.json"].read_text())
    people = {email: person for person, email in inputs.emails.items()}
    from_files = plan.model_copy(
        update={
            "schedule": plan.schedule.model_copy(
                update={"sessions": _sessions_from_ics(files["first_week.ics"], plan, people)}
            ),
            "checkins": _checkins_from_ics(files["checkins.ics"], plan, inputs.starter.tz),
        }
    )
    assert len(from_files.schedule.sessions) == 9
    cited = sorted(set(re.findall(r"\[([0-9a-f]{16})\]", files["reading_list.md"].read_text())))
    assert cited, "the reading list cites nothing"
    monkeypatch.setenv("BATON_HOME", str(home))
    known = set(ContextStore(Settings()).get_chunks(cited, ["hr-playbook"]))
    assert known == set(cited)
    assert check_plan(from_files, inputs=inputs, config=config, known_chunk_ids=known) == []
    tickets = json.loads(files["it_requests.json"].read_text())["tickets"]
    assert len(tickets) == 12

    shown = baton.json("show", paused["run_id"])
    calls = sum(n["llm_calls"] for n in shown["nodes"] if n["kind"] == "node")
    assert 1 <= calls <= 8, "the embedded model was not called, or too often"
    print(f"\nonboarding end to end on the embedded model: {elapsed:.1f} s, {calls} model calls")
