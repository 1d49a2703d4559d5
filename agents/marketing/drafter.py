"""Content drafter: one outline per post, run as one parallel branch per post.

The model fills a small, bounded outline (title, description, headings, two points and
a call to action chosen from the brand's list by the grammar); code derives the slug
and the keyword from the plan. When the model is not asked (posts beyond the top few,
to keep the embedded model's time bounded) or answers nothing usable, a deterministic
outline is built from the plan and the brand config instead. Either way the critic
checks the result against the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model
from rapidfuzz import fuzz, process, utils
from slugify import slugify

from baton.agents.marketing.common import brand, dump, one_of, roadmap
from baton.agents.marketing.state import DraftTask
from baton.audit import agent_node, current_trace, usage_so_far
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.grounding import Tally
from baton.tools.marketing._text import contains_phrase
from baton.tools.marketing.brand import BrandConfig
from baton.tools.marketing.models import Outline, PostPlan

PROMPT = (
    "You outline {channel} posts for {brand}{about}. Voice: {tone}."
    " Put the keyword in the title and in the first heading. Title under {limit} characters."
    " Use only the facts given and no other numbers. Fix every problem listed."
)
MAX_FEEDBACK = 4
MODEL_ATTEMPTS = 2
"""Drafts of one post the model may write: a first draft and one redraft with the reasons.

Later redrafts use the plan-based outline, because a 135M model that failed the rules
twice rarely passes them a third time, and each call costs seconds on two cores."""

_TITLE_ENDINGS = {
    "blog": "a practical guide",
    "newsletter": "what is new this month",
    "linkedin": "what we have learned",
}
_GENERIC_POINTS = (
    "Explain the topic in plain words.",
    "Answer the questions readers ask most.",
)


class OutlineDraft(BaseModel):
    title: str = Field(description="includes the keyword", max_length=70)
    meta_description: str = Field(description="one sentence", max_length=160)
    h2s: list[str] = Field(description="section headings", max_length=3)
    key_points: list[str] = Field(description="short points", max_length=2)
    call_to_action: str = Field(max_length=80)


def draft_schema(ctas: Sequence[str]) -> type[OutlineDraft]:
    """``OutlineDraft`` whose call to action must be one of the brand's (a grammar enum)."""
    return create_model(
        "OutlineDraft", __base__=OutlineDraft, call_to_action=(one_of(ctas), Field())
    )


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _closest(subject: str, choices: Sequence[str]) -> str:
    match = process.extractOne(
        subject, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process
    )
    return str(match[0]) if match else choices[0]


def best_cta(post: PostPlan, cfg: BrandConfig, launches: Mapping[str, str] | None = None) -> str:
    """The brand call to action that fits the post, by fuzzy token match.

    ``launches`` maps launch names to their subject (name and keyword). A launch post
    takes the action closest to its launch; any other post chooses among the actions
    no launch claims, so "coffee gifts" asks for a subscription rather than borrowing
    the carbon-footprint launch's action because both mention coffee.
    """
    subjects = dict(launches or {})
    ctas = list(cfg.required_ctas)
    if post.launch:
        return _closest(subjects.get(post.launch, post.launch), ctas)
    claimed = {_closest(subject, ctas) for subject in subjects.values()}
    free = [c for c in ctas if c not in claimed] or ctas
    return _closest(f"{post.topic} {post.target_keyword}", free)


def keyword_slug(title: str, keyword: str) -> str:
    """A slug from the title, or from the keyword when the title's slug would miss it."""
    slug = slugify(title, max_length=60, word_boundary=True)
    key = slugify(keyword)
    return slug if f"-{key}-" in f"-{slug}-" else key


def fallback_outline(
    post: PostPlan,
    cfg: BrandConfig,
    facts: Sequence[str] = (),
    launches: Mapping[str, str] | None = None,
) -> Outline:
    """An outline built from the plan alone, designed to pass every brand and SEO rule.

    The title leads with the topic (or the keyword when the topic lacks it), the slug
    and first heading carry the keyword, key points are stated facts (a launch's key
    messages) or writing notes, and the call to action comes from the brand config.
    """
    keyword = post.target_keyword
    head = _capitalise(post.topic if contains_phrase(post.topic, keyword) else keyword)
    title = f"{head}: {_TITLE_ENDINGS.get(post.channel, 'what to know')}"
    if len(title) > cfg.title_max_chars:
        title = head
    meta = f"{head}, explained plainly by {cfg.brand_name}: what it is and what you can do next."
    if len(meta) > cfg.meta_description_max_chars:
        meta = f"{head}, explained plainly."
    return Outline(
        title=title,
        slug=keyword_slug(title, keyword),
        meta_description=meta,
        h2s=[f"What {keyword} means for you", "Why it matters", "What you can do next"],
        key_points=list(facts[:2]) or list(_GENERIC_POINTS),
        call_to_action=best_cta(post, cfg, launches),
        target_keyword=keyword,
    )


def to_outline(reply: OutlineDraft, post: PostPlan) -> Outline | None:
    """The model's draft as an outline, with slug and keyword taken from the plan."""
    title = " ".join(reply.title.split())
    h2s = [" ".join(h.split()) for h in reply.h2s if h.strip()]
    if not title or not h2s:
        return None
    return Outline(
        title=title,
        slug=keyword_slug(title, post.target_keyword),
        meta_description=" ".join(reply.meta_description.split()),
        h2s=h2s,
        key_points=[" ".join(k.split()) for k in reply.key_points if k.strip()],
        call_to_action=reply.call_to_action,
        target_keyword=post.target_keyword,
    )


def draft_task(
    state: Mapping[str, Any], post: Mapping[str, Any], attempt: int, feedback: Sequence[str]
) -> DraftTask:
    """The input of one drafting branch: everything it needs, nothing it could change."""
    review = state.get("review") or {}
    comment = review.get("comment") if review.get("action") == "reject" else None
    launch = next((e for e in roadmap(state).events if e.name == post.get("launch")), None)
    previous = (state.get("drafts") or {}).get(post["id"]) if attempt > 1 else None
    calls, tokens = usage_so_far(state)
    return {
        "post": dict(post),
        "attempt": attempt,
        "feedback": [*feedback[:MAX_FEEDBACK], *([f"Reviewer: {comment}"] if comment else [])],
        "model_post": post["id"] in state.get("model_posts", []),
        "use_model": (
            post["id"] in state.get("model_posts", [])
            and attempt <= int(state.get("model_attempts", MODEL_ATTEMPTS))
        ),
        "facts": list(launch.key_messages) if launch else [],
        "launches": {e.name: f"{e.name} {e.keyword or ''}" for e in roadmap(state).launches},
        "previous_title": previous["outline"]["title"] if previous else None,
        "brand": state["brand"],
        # The run's usage so far, so the branch's model calls respect the run's budget.
        "audit": [{"llm_calls": calls, "tokens_in": tokens, "tokens_out": 0}],
    }


def _prompt(post: PostPlan, task: Mapping[str, Any]) -> str:
    lines = [f"Topic: {post.topic}", f"Keyword: {post.target_keyword}"]
    if task.get("facts"):
        lines.append("Facts: " + " ".join(task["facts"][:2]))
    if task.get("previous_title"):
        lines.append(f"Previous title: {task['previous_title']}")
    if task.get("feedback"):
        lines.append("Problems to fix:\n" + "\n".join(f"- {f}" for f in task["feedback"]))
    return "\n".join(lines)


@agent_node("draft")
def draft(state: DraftTask, ctx: RunContext) -> dict[str, Any]:
    """Draft (or redraft) one post's outline: the model if allowed, else the fallback."""
    post = PostPlan.model_validate(state["post"])
    cfg = brand(state)
    result: Outline | None = None
    if state.get("use_model"):
        system = PROMPT.format(
            channel=post.channel,
            brand=cfg.brand_name,
            about=f", {cfg.description}" if cfg.description else "",
            tone=", ".join(cfg.tone),
            limit=cfg.title_max_chars,
        )
        reply = ask_structured(
            ctx, "drafter", draft_schema(cfg.required_ctas), system, _prompt(post, state), repairs=0
        )
        result = to_outline(reply, post) if reply else None
    source = "model" if result is not None else "fallback"
    why = ""
    if result is None:
        result = fallback_outline(post, cfg, state.get("facts", []), state.get("launches"))
        why = (
            ", model gave nothing usable"
            if state.get("use_model")
            else ", model drafts failed review"
            if state.get("model_post")
            else ""
        )
    trace = current_trace()
    if trace:
        model = source == "model"
        trace.flag(Tally(int(model), int(bool(state.get("use_model"))), int(not model)).flag())
        trace.cite(post.chunk_ids)
        trace.decision = (
            f"{post.id} attempt {state['attempt']}: '{result.title[:60]}' ({source}{why})"
        )
    return {
        "drafts": {
            post.id: {"outline": dump(result), "source": source, "attempt": int(state["attempt"])}
        }
    }
