"""The state of the onboarding scenario, and the typed objects its agents rebuild from it.

Why here, beside the agents: the agents are typed on it and the graph routes on it, so it
lives in the lower layer both import (graphs import agents, never the reverse). The state
holds only JSON data: the validated inputs and the raw config are copied into it once, at
the start (``graphs/onboarding/state.py``), and the typed objects the tools need are
rebuilt from that snapshot here, which is cheap and keeps every agent a pure function of
the state.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.tools.onboarding.buddy import BuddyCandidate, BuddyMatch
from baton.tools.onboarding.checkins import CheckIn
from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.content import PathwayItem
from baton.tools.onboarding.io import OnboardingInputs
from baton.tools.onboarding.models import STARTER_ID, Interval, Person, Starter
from baton.tools.onboarding.plan import OnboardingPlan
from baton.tools.onboarding.provisioning import Provisioning
from baton.tools.onboarding.scheduling import Schedule


class State(TypedDict, total=False):
    request: dict[str, Any]
    starter_file: str
    # snapshot of the validated input (see module docstring)
    input_dir: str
    config_path: str
    config: dict[str, Any]
    collection: str
    max_rounds: int
    starter: dict[str, Any]
    directory: list[dict[str, Any]]
    manager_id: str
    days: list[str]
    busy: dict[str, list[list[str]]]
    # intake
    playbook: str
    role_chunks: list[dict[str, Any]]
    access_chunks: list[dict[str, Any]]
    # one part of the plan per agent
    buddy_match: dict[str, Any]
    buddy: dict[str, Any] | None
    buddy_note: str
    schedule: dict[str, Any]
    provisioning: dict[str, Any]
    suggestions: list[dict[str, Any]]
    pathway: list[dict[str, Any]]
    sources: dict[str, str]
    content_gaps: list[str]
    checkins: list[dict[str, Any]]
    # critic loop
    problems: list[dict[str, Any]]
    problem_history: list[list[str]]
    critic_passes: int
    verified_chunk_ids: list[str]
    # human review
    review: dict[str, Any]
    edit_errors: list[str]
    reviewer_notes: list[str]
    outputs: Annotated[list[str], operator.add]
    artefacts: dict[str, str]
    audit: AuditLog
    injection_flags: InjectionLog


# Rebuilding typed objects from the state ---------------------------------------------------
def config_of(state: Mapping[str, Any]) -> OnboardingConfig:
    return OnboardingConfig.model_validate(state["config"])


def inputs_of(state: Mapping[str, Any]) -> OnboardingInputs:
    starter = Starter.model_validate(state["starter"])
    directory = tuple(Person.model_validate(p) for p in state["directory"])
    tz_of = {p.id: p.tz for p in directory} | {STARTER_ID: starter.tz}
    busy: dict[str, list[Interval]] = {person: [] for person in tz_of}
    for person, spans in state.get("busy", {}).items():
        busy[person] = [
            Interval(datetime.fromisoformat(s), datetime.fromisoformat(e), label)
            for s, e, label in spans
        ]
    return OnboardingInputs(
        folder=Path(state["input_dir"]),
        starter=starter,
        directory=directory,
        manager=next(p for p in directory if p.id == state["manager_id"]),
        days=tuple(date.fromisoformat(d) for d in state["days"]),
        tz_of=tz_of,
        busy=busy,
    )


def plan_of(state: Mapping[str, Any]) -> OnboardingPlan:
    """The combined plan as the agents left it in the state."""
    buddy = state.get("buddy")
    return OnboardingPlan(
        starter_email=state["starter"]["email"],
        manager_id=state["manager_id"],
        buddy_match=BuddyMatch.model_validate(state["buddy_match"]),
        buddy=BuddyCandidate.model_validate(buddy) if buddy else None,
        schedule=Schedule.model_validate(state["schedule"]),
        provisioning=Provisioning.model_validate(state["provisioning"]),
        pathway=tuple(PathwayItem.model_validate(i) for i in state.get("pathway", [])),
        checkins=tuple(CheckIn.model_validate(c) for c in state["checkins"]),
    )


def problems_for(state: Mapping[str, Any], agent: str) -> list[dict[str, Any]]:
    """The critic's open problems addressed to ``agent`` (empty on a fresh or re-planned run)."""
    return [p for p in state.get("problems", []) if p.get("agent") == agent]


def reviewer_notes(state: Mapping[str, Any]) -> str:
    """The HR reviewer's comments so far, as a prompt suffix (they asked for a re-plan)."""
    notes = state.get("reviewer_notes") or []
    return "\n\nHR reviewer asked: " + " | ".join(n[:200] for n in notes[-2:]) if notes else ""
