"""Post writer: one social media post in the brand voice, from the calendar and the facts.

The body cites its facts inline (``[chunk id]``); code keeps a model draft only when
every citation is one its inputs cited. The fallback post quotes one product fact and
one upstream competitor fact as they are, so what the posts say is always what the
inputs said (right or wrong: the fact-checker decides).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from baton.agents.launch.common import cited, fact_lines, feedback_block, result, use_model
from baton.audit import agent_node
from baton.context import RunContext
from baton.llm import ask_structured
from baton.team import ungrounded

PROMPT = (
    "You write one social media post for a product launch in the brand voice: {voice}."
    " Use only the facts given and cite each one with its id in square brackets, like"
    " [0123456789abcdef]. Never use these words: {banned}."
)
CALL_TO_ACTION = "Join us for the launch."


class PostDraft(BaseModel):
    title: str = Field(min_length=5, max_length=80)
    body: str = Field(min_length=40, max_length=700)


def fallback(index: int, ours: list[str], theirs: list[str]) -> str:
    picks = []
    if ours:
        picks.append(ours[(index - 1) % len(ours)])
    if theirs:
        picks.append(theirs[(index - 1) % len(theirs)])
    return " ".join([*picks, CALL_TO_ACTION])


@agent_node("writer")
def write_post(p: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Write post ``index``."""
    index = int(p["task"]["index"])
    inputs = p["inputs"]
    ours = [
        ln for r in inputs.values() if r["type"] == "brand_brief" for ln in fact_lines(r["text"])
    ]
    theirs = [
        ln
        for r in inputs.values()
        if r["type"] in ("research_competitor", "analyse")
        for ln in fact_lines(r["text"])
        if ln not in ours
    ]
    calendar = next((r for r in inputs.values() if r["type"] == "plan_calendar"), None)
    post_id = p["task"]["id"]
    theme = (calendar or {}).get("themes", {}).get(post_id) or f"{p['request']['product']} {index}"
    allowed = cited("\n".join([*ours, *theirs]))
    brand = p["brand"]
    body, title, by = "", theme, "code (fallback)"
    if use_model(ctx, p["task"]):
        system = PROMPT.format(
            voice=brand.get("description") or "plain, warm, specific",
            banned=", ".join(brand.get("banned_words", [])) or "none",
        )
        user = (
            f"Theme: {theme}\nOur facts:\n"
            + "\n".join(ours)
            + "\n\nMarket facts:\n"
            + "\n".join(theirs)
            + feedback_block(p)
        )
        draft = ask_structured(ctx, "writer", PostDraft, system, user)
        if (
            draft is not None
            and cited(draft.body)
            and not ungrounded(cited(draft.body), allowed, allowed)
        ):
            body, title, by = draft.body.strip(), draft.title.strip(), "model"
    if not body:
        body = fallback(index, ours, theirs)
    return result(p, body, by, title=title)
