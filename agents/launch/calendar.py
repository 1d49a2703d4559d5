"""Calendar planner: when and where each post goes, inside the requested window.

The model proposes the entries; code checks them for date conflicts (outside the window,
two posts on one channel and day, a post missing or twice) and, on any conflict, uses
the even schedule instead and says which conflicts it found.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from baton.agents.launch.common import feedback_block, result
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.launch.calendar import conflicts, even_schedule, window

PROMPT = (
    "You plan a product launch calendar. Give one entry per post: the post id, an ISO date"
    " inside the window, one of the channels, and a short theme. Never put two posts on"
    " the same channel on the same day."
)


class Entry(BaseModel):
    post: str = Field(max_length=20)
    date: date
    channel: str = Field(max_length=30)
    theme: str = Field(min_length=3, max_length=80)


class CalendarDraft(BaseModel):
    entries: list[Entry] = Field(min_length=1, max_length=20)


def default_theme(product: str, number: int, total: int) -> str:
    if number == 1:
        return f"Meet {product}"
    return f"Launch day for {product}" if number == total else f"{product}: part {number}"


@agent_node("calendar")
def plan_calendar(p: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Schedule the posts; code has the last word on conflicts."""
    req = p["request"]
    days = int(p["task"]["days"])
    start = date.fromisoformat(req["start_date"])
    posts = [f"post-{i}" for i in range(1, int(p.get("posts", 0)) + 1)]
    first, last = window(start, days)
    user = (
        f"Product: {req['product']}\nWindow: {first} to {last}\nChannels: "
        f"{', '.join(req['channels'])}\nPosts: {', '.join(posts)}" + feedback_block(p)
    )
    draft = ask_structured(ctx, "calendar", CalendarDraft, PROMPT, user) if posts else None
    found: list[str] = []
    if draft is not None:
        entries = [e.model_dump(mode="json") for e in draft.entries]
        found = conflicts(entries, posts, start, days)
        if not found:
            themes = {e["post"]: e.pop("theme") for e in entries}
            return result(p, "", "model", entries=entries, themes=themes, conflicts=[])
    entries = even_schedule(posts, start, days, req["channels"])
    themes = {
        e["post"]: default_theme(req["product"], i, len(posts)) for i, e in enumerate(entries, 1)
    }
    trace = current_trace()
    if trace is not None and found:
        trace.flag(f"model calendar refused: {found[0]}")
    return result(p, "", "code (fallback)", entries=entries, themes=themes, conflicts=found)
