"""Buddy-match: code scores and picks the buddy; the model only writes the introduction.

Eligibility (never the manager, never anyone without mentoring capacity) and the ranking
are computed by :func:`tools.onboarding.buddy.match_buddy`, so the model cannot pick an
ineligible person. A note that does not even name the buddy is discarded for a plain
template, and a directory with nobody eligible needs no model call at all: it becomes an
exception for HR.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.onboarding.content import plain_prose
from baton.agents.onboarding.state import State, config_of, inputs_of, problems_for, reviewer_notes
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.grounding import Tally
from baton.tools.onboarding.buddy import BuddyCandidate, match_buddy
from baton.tools.onboarding.models import Starter

PROMPT = "You are an HR assistant who writes short, friendly welcome notes."
NOTE_CHARS = 300


class IntroNote(BaseModel):
    note: str = Field(description="two sentences", max_length=NOTE_CHARS)


def common_ground(buddy: BuddyCandidate, starter_first: str | None = None) -> str:
    """What the starter and the buddy have in common, each fact from its own field.

    Shared *skills* are things both work with; the starter's *interests* that the buddy
    has as skills are things the buddy can teach, never things "you both work with".
    Addressed to the starter by default, or about them (``starter_first``) for a prompt.
    """
    name = buddy.name.split()[0]
    both, learner = (
        ("You both", "you want")
        if starter_first is None
        else (
            f"{starter_first} and {name} both",
            f"{starter_first} wants",
        )
    )
    facts = []
    if buddy.shared_skills:
        facts.append(f"{both} work with {', '.join(buddy.shared_skills)}.")
    if buddy.teaches:
        facts.append(f"{name} works with {', '.join(buddy.teaches)}, which {learner} to learn.")
    return " ".join(facts)


def fallback_note(starter: Starter, buddy: BuddyCandidate) -> str:
    """A plain introduction from the facts when the model gives nothing usable."""
    common = common_ground(buddy)
    return (
        f"{starter.name}, meet {buddy.name} ({buddy.role}, {buddy.department}), your onboarding"
        f" buddy from {starter.start_date:%d %B %Y}.{' ' + common if common else ''}"
        f" {buddy.name.split()[0]} will answer the questions that do not fit a ticket; book a"
        " coffee chat in your first week."
    )


def usable_note(note: str | None, buddy: BuddyCandidate) -> str | None:
    """Keep the model's note only if it is finished prose that names the buddy."""
    text = plain_prose(note, min_words=8, max_chars=NOTE_CHARS)
    if text is None or buddy.name.split()[0].casefold() not in text.casefold():
        return None
    return text


@agent_node("buddy")
def pick_buddy(state: State, ctx: RunContext) -> dict[str, Any]:
    """Match a buddy; on a critic round, drop whoever the critic flagged and re-match."""
    inputs, config = inputs_of(state), config_of(state)
    mine = problems_for(state, "buddy")
    flagged = {p["ref"] for p in mine if p.get("ref")}
    directory = [p for p in inputs.directory if p.id not in flagged]
    match = match_buddy(
        inputs.starter, directory, manager_id=inputs.manager.id, config=config.buddy
    )
    buddy = match.choice
    trace = current_trace()
    if buddy is None:
        if trace:
            trace.decision = f"no buddy: {match.exception}"
        return {"buddy_match": match.model_dump(mode="json"), "buddy": None, "buddy_note": ""}
    previous = state.get("buddy") or {}
    source = "model"
    if mine:
        # A critic round re-matches in code only; the note is kept if the buddy is unchanged.
        note = state.get("buddy_note") if previous.get("person_id") == buddy.person_id else None
        source = "kept"
    else:
        starter = inputs.starter
        first, buddy_first = starter.name.split()[0], buddy.name.split()[0]
        common = common_ground(buddy, starter_first=first)
        draft = ask_structured(
            ctx,
            "buddy",
            IntroNote,
            PROMPT,
            f"{buddy.name} ({buddy.role}, {buddy.department}) is the onboarding buddy of"
            f" {starter.name}, our new {starter.role}."
            + (f" {common}" if common else "")
            + reviewer_notes(state)
            + f"\nWrite two sentences to {first} about {buddy_first}. Begin with: Hi {first},"
            f" meet {buddy_first}",
        )
        note = usable_note(draft.note if draft else None, buddy)
    if not note:
        why = " (the model's note failed the checks)" if source == "model" else ""
        note, source = fallback_note(inputs.starter, buddy), f"template{why}"
    if trace and source != "kept":
        model = not source.startswith("template")
        trace.flag(Tally(int(model), int(source != "template"), int(not model)).flag())
    if trace:
        others = ", ".join(c.person_id for c in match.alternatives) or "none"
        trace.decision = (
            f"buddy {buddy.name} ({buddy.person_id}, score {buddy.score:.2f}); "
            f"alternatives {others}; note by {source}"
        )
    return {
        "buddy_match": match.model_dump(mode="json"),
        "buddy": buddy.model_dump(mode="json"),
        "buddy_note": note,
    }
