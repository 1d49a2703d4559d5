"""Pick an onboarding buddy by a transparent score, never an ineligible one.

Why code and not the model: eligibility is policy (never the starter's manager, never
someone with no mentoring capacity left) and the choice must be explainable to the HR
reviewer, so every candidate gets a per-criterion breakdown. The model only writes the
intro note that goes into ``buddy.md``.

A directory with nobody eligible is *not* an error: the input is valid, the situation
just needs a human. :func:`match_buddy` then returns ``choice=None`` with an
``exception`` text, and sessions that need a buddy become scheduling exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from baton.tools.onboarding.config import BuddyConfig
from baton.tools.onboarding.models import Person, Record, Starter


class ScoreComponent(Record):
    """Points one criterion gave, out of its maximum, with the evidence."""

    criterion: str
    points: float
    max_points: float
    detail: str


class BuddyCandidate(Record):
    """A directory person scored as a buddy; ``ineligible_reason`` set means never pick."""

    person_id: str
    name: str
    email: str
    role: str
    department: str
    timezone: str
    score: float
    breakdown: tuple[ScoreComponent, ...]
    ineligible_reason: str | None = None
    shared_skills: tuple[str, ...] = ()
    """Skills both have: the starter's ``skills`` that the buddy has too."""
    teaches: tuple[str, ...] = ()
    """The starter's ``interests`` (not skills) that the buddy has as skills.

    Kept apart from ``shared_skills`` so generated text states facts from the right
    field: "you both work with docker", but "Sam knows kubernetes, which you want to
    learn", never "you both work with kubernetes" for a starter who only wants to.
    """

    @property
    def eligible(self) -> bool:
        return self.ineligible_reason is None


class BuddyMatch(Record):
    """Top choice, two alternatives, and every candidate ranked (for a reviewer's pick)."""

    choice: BuddyCandidate | None
    alternatives: tuple[BuddyCandidate, ...]
    candidates: tuple[BuddyCandidate, ...]
    exception: str | None = None


def find_manager(starter: Starter, directory: Sequence[Person]) -> Person | None:
    """The directory entry ``starter.manager`` names, by id or e-mail."""
    wanted = starter.manager.strip().lower()
    return next((p for p in directory if p.id.lower() == wanted or p.email == wanted), None)


def buddy_ineligibility(person: Person, starter: Starter, manager_id: str) -> str | None:
    """Why ``person`` may not be the starter's buddy, or None if they may."""
    if person.email == starter.email:
        return "is the starter"
    if person.id == manager_id:
        return "is the starter's manager"
    if starter.email in {r.lower() for r in person.is_manager_of}:
        return "manages the starter"
    if person.mentor_capacity <= 0:
        return "has no mentoring capacity left"
    return None


def _terms(values: Sequence[str]) -> set[str]:
    return {v.strip().lower() for v in values if v.strip()}


def _utc_offset_hours(tz_name: str, on: date) -> float:
    offset = datetime.combine(on, time(12), tzinfo=UTC).astimezone(ZoneInfo(tz_name)).utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 3600


def score_candidate(
    person: Person, starter: Starter, config: BuddyConfig, *, manager_id: str
) -> BuddyCandidate:
    """Score one person on department, skills, level, time zone and capacity."""
    w = config.weights
    parts: list[ScoreComponent] = []

    if person.department == starter.department:
        points, relation = w.same_department, "same department"
    elif config.adjacent(person.department, starter.department):
        points, relation = w.adjacent_department, "adjacent team"
    else:
        points, relation = 0.0, "other department"
    parts.append(
        ScoreComponent(
            criterion="department",
            points=points,
            max_points=w.same_department,
            detail=f"{relation} ({person.department})",
        )
    )

    wanted = _terms(starter.skills) | _terms(starter.interests)
    shared = sorted(wanted & _terms(person.skills))
    skill_points = w.skills * len(shared) / len(wanted) if wanted else 0.0
    parts.append(
        ScoreComponent(
            criterion="skills",
            points=skill_points,
            max_points=w.skills,
            detail=f"shares {', '.join(shared)}" if shared else "no shared skills",
        )
    )

    gap = person.level - starter.level
    level_fit = 0.0 if gap < 0 else max(0.0, 1 - abs(gap - config.ideal_level_gap) / 3)
    parts.append(
        ScoreComponent(
            criterion="level",
            points=w.level * level_fit,
            max_points=w.level,
            detail=f"level {person.level} vs starter {starter.level} "
            f"(ideal gap +{config.ideal_level_gap})",
        )
    )

    raw = abs(
        _utc_offset_hours(person.timezone, starter.start_date)
        - _utc_offset_hours(starter.timezone, starter.start_date)
    )
    tz_gap = min(raw, 24 - raw)
    parts.append(
        ScoreComponent(
            criterion="timezone",
            points=w.timezone * max(0.0, 1 - tz_gap / config.max_timezone_gap_hours),
            max_points=w.timezone,
            detail=f"{person.timezone}, {tz_gap:g} h apart",
        )
    )

    free = max(0, person.mentor_capacity)
    parts.append(
        ScoreComponent(
            criterion="capacity",
            points=w.capacity * min(free, config.capacity_norm) / config.capacity_norm,
            max_points=w.capacity,
            detail=f"{free} mentee slot(s) left",
        )
    )

    rounded = tuple(p.model_copy(update={"points": round(p.points, 2)}) for p in parts)
    return BuddyCandidate(
        person_id=person.id,
        name=person.name,
        email=person.email,
        role=person.role,
        department=person.department,
        timezone=person.timezone,
        score=round(sum(p.points for p in rounded), 2),
        breakdown=rounded,
        ineligible_reason=buddy_ineligibility(person, starter, manager_id),
        shared_skills=tuple(sorted(_terms(starter.skills) & _terms(person.skills))),
        teaches=tuple(
            sorted((_terms(starter.interests) - _terms(starter.skills)) & _terms(person.skills))
        ),
    )


def match_buddy(
    starter: Starter, directory: Sequence[Person], *, manager_id: str, config: BuddyConfig
) -> BuddyMatch:
    """Rank everyone, then offer the best eligible person and the next two.

    Ties break on person id so the same directory always gives the same buddy.
    """
    scored = [score_candidate(p, starter, config, manager_id=manager_id) for p in directory]
    ranked = tuple(sorted(scored, key=lambda c: (not c.eligible, -c.score, c.person_id)))
    eligible = [c for c in ranked if c.eligible]
    if not eligible:
        reasons = sorted({c.ineligible_reason or "" for c in ranked})
        return BuddyMatch(
            choice=None,
            alternatives=(),
            candidates=ranked,
            exception=f"no eligible buddy among {len(ranked)} people "
            f"({'; '.join(reasons) or 'empty directory'}); HR must assign one",
        )
    return BuddyMatch(choice=eligible[0], alternatives=tuple(eligible[1:3]), candidates=ranked)


def _breakdown_table(candidate: BuddyCandidate) -> list[str]:
    rows = ["| Criterion | Points | Max | Why |", "| --- | ---: | ---: | --- |"]
    rows += [
        f"| {p.criterion} | {p.points:.2f} | {p.max_points:.2f} | {p.detail} |"
        for p in candidate.breakdown
    ]
    return rows


def render_buddy_md(
    starter: Starter, buddy: BuddyCandidate | None, match: BuddyMatch, intro_note: str
) -> str:
    """``buddy.md``: who, why (the score breakdown), the alternatives and the intro note.

    ``intro_note`` is the model's prose, included verbatim; everything else is computed.
    """
    lines = [f"# Onboarding buddy for {starter.name}", ""]
    if buddy is None:
        lines += [
            "**No buddy assigned.**",
            "",
            f"> {match.exception or 'HR must assign a buddy by hand.'}",
            "",
        ]
    else:
        lines += [
            f"**{buddy.name}** ({buddy.role}, {buddy.department}, {buddy.timezone})"
            f" - <{buddy.email}>",
            "",
            f"Score: **{buddy.score:.2f}**",
            "",
            *_breakdown_table(buddy),
            "",
        ]
        if buddy.ineligible_reason:
            lines += [f"> Warning: {buddy.name} {buddy.ineligible_reason}.", ""]
    others = [
        c
        for c in (match.choice, *match.alternatives)
        if c is not None and (buddy is None or c.person_id != buddy.person_id)
    ]
    if others:
        lines += ["## Alternatives", "", "| Person | Department | Score |", "| --- | --- | ---: |"]
        lines += [f"| {c.name} ({c.person_id}) | {c.department} | {c.score:.2f} |" for c in others]
        lines.append("")
    if intro_note.strip():
        lines += ["## Introduction", "", intro_note.strip(), ""]
    return "\n".join(lines)
