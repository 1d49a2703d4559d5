"""Content strategy: the plan and its scores are computed; the model explains them.

:func:`tools.marketing.strategy.plan_posts` chooses the month's posts (every launch gets
its supporting posts before its date, then the best-scoring gaps fill each channel's
cadence). The model writes a short rationale for the human reviewer. After a
rejection it also proposes which planned topics the reviewer's comment asks to drop;
code accepts a drop only if the comment names that topic and the re-plan still gives
every launch its supporting posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model

from baton.agents.marketing.common import (
    brand,
    breaks_brand,
    dump,
    gaps,
    list_of,
    one_of,
    roadmap,
    run_options,
)
from baton.agents.marketing.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.grounding import Tally
from baton.tools.marketing._text import contains_phrase
from baton.tools.marketing.models import PlanningError, PostPlan, Roadmap, TopicGap
from baton.tools.marketing.strategy import plan_posts

PROMPT = (
    "You are a content strategist. In two short sentences, tell the marketing lead why this"
    " plan fits the month: name the launches and the strongest topics. If there is a reviewer"
    " comment, say how the plan answers it."
)
SHOWN_POSTS = 5
MODEL_DRAFTS = 2
"""Posts (highest score first) whose outlines the model drafts; the rest use the fallback.

Kept small so the embedded 135M model finishes a run in about a minute on two cores."""


class Rationale(BaseModel):
    rationale: str = Field(description="two sentences", max_length=400)


class RationaleAndDrops(Rationale):
    drop_topics: list[str] = Field(description="topics the comment asks to drop", max_length=3)


def drops_schema(topics: list[str]) -> type[RationaleAndDrops]:
    """Drops may only name planned topics (a grammar for llama.cpp; re-checked in code)."""
    return create_model(
        "RationaleAndDrops",
        __base__=RationaleAndDrops,
        drop_topics=(list_of(one_of(topics)), Field(max_length=3)),
    )


def plan_summary(posts: Sequence[PostPlan], plan: Roadmap) -> str:
    """What the model is told about the plan; also the text its numbers are checked against."""
    lines = []
    for launch in plan.launches:
        support = [p for p in posts if p.launch == launch.name and p.must_publish_before]
        lines.append(
            f"Launch {launch.name} on {launch.date.isoformat()}: {len(support)} posts before it"
        )
    top = sorted(posts, key=lambda p: (-p.score, p.id))[:SHOWN_POSTS]
    lines += [f"{p.channel}: {p.topic} (score {p.score:.2f})" for p in top]
    return "\n".join(lines)


def fallback_rationale(posts: Sequence[PostPlan], plan: Roadmap) -> str:
    """A rationale stated from the plan itself when the model gives nothing verifiable."""
    channels = sorted({p.channel for p in posts})
    text = f"{len(posts)} posts across {', '.join(channels)}."
    for launch in plan.launches:
        n = sum(1 for p in posts if p.launch == launch.name and p.must_publish_before)
        text += f" {launch.name} gets {n} posts before {launch.date.isoformat()}."
    top = [p.topic for p in sorted(posts, key=lambda p: (-p.score, p.id))[:3]]
    if top:
        text += f" Strongest topics by score: {', '.join(dict.fromkeys(top))}."
    return text


def model_posts(posts: Sequence[PostPlan], limit: int) -> list[str]:
    """Ids of the posts the model drafts: the highest scores, ties by id."""
    return [p.id for p in sorted(posts, key=lambda p: (-p.score, p.id))[:limit]]


def _plan(candidates: Sequence[TopicGap], dropped: set[str], state: State) -> list[PostPlan]:
    kept = [g for g in candidates if g.topic.lower() not in dropped]
    return plan_posts(kept, roadmap(state), run_options(state))


@agent_node("strategy")
def strategy(state: State, ctx: RunContext) -> dict[str, Any]:
    """Plan the posts in code, let the model explain (and interpret a rejection), verify."""
    cfg, plan = brand(state), roadmap(state)
    candidates = [g for g in gaps(state) if not breaks_brand(g.topic, cfg, state.get("facts", ""))]
    skipped = len(state.get("gaps", [])) - len(candidates)
    review = state.get("review") or {}
    comment = (review.get("comment") or "").strip() if review.get("action") == "reject" else ""
    dropped = set(state.get("dropped_topics", []))
    posts = _plan(candidates, dropped, state)
    summary = plan_summary(posts, plan)
    prompt = f"Plan:\n{summary}" + (f"\n\nReviewer comment: {comment[:300]}" if comment else "")

    gap_topics = sorted(
        {p.topic for p in posts if p.topic.lower() in {g.topic.lower() for g in candidates}}
    )
    new_drops: list[str] = []
    if comment and gap_topics:
        note: Rationale | None = ask_structured(
            ctx, "strategist", drops_schema(gap_topics), PROMPT, prompt, repairs=0
        )
        proposed = note.drop_topics if isinstance(note, RationaleAndDrops) else []
        new_drops = [
            t for t in dict.fromkeys(proposed) if t in gap_topics and contains_phrase(comment, t)
        ]
    else:
        note = ask_structured(ctx, "strategist", Rationale, PROMPT, prompt, repairs=0)
    if new_drops:
        try:
            posts = _plan(candidates, dropped | {t.lower() for t in new_drops}, state)
            dropped |= {t.lower() for t in new_drops}
        except PlanningError:
            new_drops = []  # dropping would starve a launch: keep the plan as it was
    rationale = " ".join(note.rationale.split()) if note else ""
    named = [p.topic for p in posts] + [e.name for e in plan.events]
    verified = any(contains_phrase(rationale, n) for n in named) and not breaks_brand(
        rationale, cfg, prompt
    )
    if not verified:
        rationale = fallback_rationale(posts, plan)
    if new_drops:
        rationale += f" Dropped at the reviewer's request: {', '.join(new_drops)}."
    limit = int(state.get("model_drafts", MODEL_DRAFTS))
    trace = current_trace()
    if trace:
        trace.flag(Tally(int(verified), int(note is not None), int(not verified)).flag())
        trace.cite([c for p in posts for c in p.chunk_ids])
        trace.decision = (
            f"planned {len(posts)} posts for {len(plan.launches)} launches"
            + (f"; skipped {skipped} off-brand topics" if skipped else "")
            + (f"; dropped {', '.join(new_drops)} per reviewer" if new_drops else "")
            + ("" if verified else "; fallback rationale")
        )
    return {
        "posts": [dump(p) for p in posts],
        "rationale": rationale,
        "dropped_topics": sorted(dropped),
        "model_posts": model_posts(posts, limit),
        "reviews": {},
        "edit_errors": [],
    }
