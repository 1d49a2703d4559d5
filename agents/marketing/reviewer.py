"""Content critic: brand and SEO rules checked in code, tone critiqued by the model.

:func:`tools.marketing.review.review_outline` decides whether an outline passes (banned
words, title and description lengths, keyword placement against the *planned*
keyword, slug, call to action, unsupported claims, reading level). Those failures send
the post back to drafting. The model then critiques the tone of the model-written
outlines that pass every rule (one call per round; plan-based outlines are built from
the brand config, and failing ones are redrafted anyway). Tone notes are advisory: they
are shown to the human and cannot by themselves keep a post looping.
Each post's loop is bounded by ``max_revisions`` and stops early when the same
failures repeat (:func:`baton.loops.keep_revising`); a post still failing then goes to the human.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model

from baton.agents.marketing.common import brand, dump, list_of, one_of, outline, posts
from baton.agents.marketing.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.loops import keep_revising
from baton.tools.marketing.review import failure_rounds, review_outline

PROMPT = (
    "You check marketing outlines for tone. The brand voice is: {tone}; no hype."
    " Name at most 2 outlines with a tone problem, each with one short sentence."
    " Return an empty list if the tone is fine."
)
MAX_REVISIONS = 3
"""Redrafts a failing post may get after its first draft."""


class ToneNote(BaseModel):
    post: str = Field(description="outline id")
    problem: str = Field(description="one short sentence", max_length=120)


class ToneNotes(BaseModel):
    notes: list[ToneNote] = Field(max_length=2)


def tone_schema(ids: list[str]) -> type[ToneNotes]:
    """``ToneNotes`` that can only name outlines it was shown (a grammar for llama.cpp)."""
    note = create_model(
        "ToneNote", __base__=ToneNote, post=(one_of(ids), Field(description="outline id"))
    )
    return create_model("ToneNotes", __base__=ToneNotes, notes=(list_of(note), Field(max_length=2)))


def feedback(review: Mapping[str, Any]) -> list[str]:
    """What a redraft is told: the rule failures, in the reviewer's words."""
    return [f["message"] for f in review.get("failures", [])]


def _tone_notes(
    ctx: RunContext, tone: Sequence[str], drafted: Mapping[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """One model call for all model-written outlines of this round; only shown ids count."""
    if not drafted:
        return {}
    keys = {f"o{n}": pid for n, pid in enumerate(sorted(drafted), 1)}
    shown = {key: drafted[pid]["outline"] for key, pid in keys.items()}
    text = "\n".join(f"[{key}] {o['title']} - {o['meta_description']}" for key, o in shown.items())
    reply = ask_structured(
        ctx,
        "critic",
        tone_schema(list(keys)),
        PROMPT.format(tone=", ".join(tone)),
        text[:1200],
        repairs=0,
    )
    notes: dict[str, list[str]] = {}
    for note in reply.notes if reply else []:
        problem = " ".join(note.problem.split())
        if note.post in keys and problem:
            notes.setdefault(keys[note.post], []).append(problem[:160])
    return notes


@agent_node("critic")
def critique(state: State, ctx: RunContext) -> dict[str, Any]:
    """Review every outline drafted since the last round; decide which posts go back."""
    cfg, facts = brand(state), state.get("facts", "")
    drafts: dict[str, dict[str, Any]] = state.get("drafts") or {}
    reviews: dict[str, dict[str, Any]] = dict(state.get("reviews") or {})
    limit = int(state.get("max_revisions", MAX_REVISIONS))
    reviewed = {pid: int(r.get("attempt", 0)) for pid, r in reviews.items()}
    fresh = {
        p.id: p
        for p in posts(state)
        if p.id in drafts and drafts[p.id]["attempt"] > reviewed.get(p.id, 0)
    }
    fails_of = {
        pid: [
            dump(f)
            for f in review_outline(
                outline(drafts[pid]), cfg, facts, target_keyword=post.target_keyword
            )
        ]
        for pid, post in fresh.items()
    }
    tone = _tone_notes(
        ctx,
        cfg.tone,
        {
            pid: drafts[pid]
            for pid in fresh
            if drafts[pid]["source"] == "model" and not fails_of[pid]
        },
    )
    for pid, fails in fails_of.items():
        previous = reviews.get(pid, {})
        review: dict[str, Any] = {
            "attempt": drafts[pid]["attempt"],
            "source": drafts[pid]["source"],
            "failures": fails,
            "history": [*previous.get("history", []), fails],
            "tone": tone.get(pid, []),
            "model_drafts": int(previous.get("model_drafts", 0))
            + (drafts[pid]["source"] == "model"),
        }
        review["status"] = (
            "passed"
            if not fails
            # rounds already sent back: the attempts before this one
            else "revising"
            if keep_revising(failure_rounds(review["history"]), review["attempt"] - 1, limit)
            else "escalated"
        )
        reviews[pid] = review
    counts = {
        s: sum(1 for pid in fresh if reviews[pid]["status"] == s)
        for s in ("passed", "revising", "escalated")
    }
    trace = current_trace()
    if trace:
        trace.cite(state.get("brand_chunk_ids", [])[:20])
        trace.decision = (
            f"checked {len(fresh)} outlines: {counts['passed']} pass, "
            f"{counts['revising']} back to drafting, "
            f"{counts['escalated']} to the human; "
            f"{sum(len(v) for v in tone.values())} tone notes"
        )
    return {"reviews": reviews}
