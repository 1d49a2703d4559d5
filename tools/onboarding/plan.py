"""The onboarding plan as one typed object, and the deterministic steps that fill it.

The graph's agents each own one part (scheduling, provisioning, content, buddy,
checkin); this module gives them the code-computed version of their part and renders
the files HR receives. Rendering produces every file in memory first and
:func:`write_outputs` writes them only after all succeeded, so a failure never leaves a
half-written output folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from baton.outputs import atomic_write
from baton.tools.onboarding.buddy import BuddyCandidate, BuddyMatch, match_buddy, render_buddy_md
from baton.tools.onboarding.calendars import Publication
from baton.tools.onboarding.checkins import (
    CheckIn,
    plan_checkins,
    render_checkins_ics,
    render_pulse_surveys_json,
)
from baton.tools.onboarding.config import OnboardingConfig
from baton.tools.onboarding.content import PathwayItem, render_reading_list
from baton.tools.onboarding.io import OnboardingInputs
from baton.tools.onboarding.models import Record
from baton.tools.onboarding.provisioning import (
    Provisioning,
    ProvisioningSuggestion,
    build_it_requests,
    render_it_requests_json,
)
from baton.tools.onboarding.scheduling import (
    AvailabilityRules,
    Schedule,
    ScheduledSession,
    render_first_week_ics,
    resolve_sessions,
    schedule_week_one,
)


class OnboardingPlan(Record):
    """Everything the HR reviewer approves; each field is owned by one agent."""

    starter_email: str
    manager_id: str
    buddy_match: BuddyMatch
    buddy: BuddyCandidate | None
    schedule: Schedule
    provisioning: Provisioning
    pathway: tuple[PathwayItem, ...] = ()
    checkins: tuple[CheckIn, ...]


def make_schedule(
    inputs: OnboardingInputs,
    config: OnboardingConfig,
    *,
    buddy_id: str | None,
    fixed: Sequence[ScheduledSession] = (),
) -> Schedule:
    """Resolve the starter's sessions and run the solver (the scheduling agent's tool).

    ``fixed`` keeps sessions a reviewer placed by hand and schedules the rest around them.
    """
    requests, unresolved = resolve_sessions(
        config, inputs.starter, inputs.directory, manager_id=inputs.manager.id, buddy_id=buddy_id
    )
    fixed_ids = {s.session_id for s in fixed}
    return schedule_week_one(
        requests,
        days=inputs.days,
        starter_tz=inputs.starter.tz,
        tz_of=inputs.tz_of,
        busy=inputs.busy,
        rules=AvailabilityRules.from_config(config.scheduling),
        budget=config.scheduling.search_budget,
        names=inputs.names,
        prior_exceptions=[e for e in unresolved if e.session_id not in fixed_ids],
        fixed=fixed,
    )


def build_plan(
    inputs: OnboardingInputs,
    config: OnboardingConfig,
    *,
    pathway: Iterable[PathwayItem] = (),
    suggestions: Iterable[ProvisioningSuggestion] = (),
) -> OnboardingPlan:
    """Compute every deterministic part; ``pathway`` comes from the content agent."""
    match = match_buddy(
        inputs.starter, inputs.directory, manager_id=inputs.manager.id, config=config.buddy
    )
    buddy = match.choice
    return OnboardingPlan(
        starter_email=inputs.starter.email,
        manager_id=inputs.manager.id,
        buddy_match=match,
        buddy=buddy,
        schedule=make_schedule(inputs, config, buddy_id=buddy.person_id if buddy else None),
        provisioning=build_it_requests(inputs.starter, config.it_catalogue, suggestions),
        pathway=tuple(pathway),
        checkins=tuple(plan_checkins(inputs.starter, config.checkins)),
    )


OUTPUT_FILES = (
    "first_week.ics",
    "it_requests.json",
    "reading_list.md",
    "buddy.md",
    "checkins.ics",
    "pulse_surveys.json",
    "plan.json",
)


def render_outputs(
    plan: OnboardingPlan,
    inputs: OnboardingInputs,
    *,
    intro_note: str = "",
    sources: Mapping[str, str] | None = None,
    publication: Publication | None = None,
) -> dict[str, bytes]:
    """Every output file's bytes, keyed by file name (see :data:`OUTPUT_FILES`).

    The calendars' organiser is the new hire's manager unless ``publication`` names one.
    """
    starter = inputs.starter
    pub = publication or Publication()
    if pub.organizer is None:
        pub = replace(pub, organizer=(inputs.manager.name, inputs.manager.email))
    return {
        "first_week.ics": render_first_week_ics(plan.schedule, inputs.emails, publication=pub),
        "it_requests.json": render_it_requests_json(plan.provisioning).encode(),
        "reading_list.md": render_reading_list(
            starter.name, plan.pathway, sources=sources
        ).encode(),
        "buddy.md": render_buddy_md(starter, plan.buddy, plan.buddy_match, intro_note).encode(),
        "checkins.ics": render_checkins_ics(starter, plan.checkins, publication=pub),
        "pulse_surveys.json": render_pulse_surveys_json(starter, plan.checkins).encode(),
        "plan.json": (plan.model_dump_json(indent=2) + "\n").encode(),
    }


def write_outputs(outputs: Mapping[str, bytes], out_dir: str | Path) -> list[Path]:
    """Write rendered files; called only once rendering has fully succeeded."""
    folder = Path(out_dir)
    return [atomic_write(folder / name, data) for name, data in outputs.items()]
