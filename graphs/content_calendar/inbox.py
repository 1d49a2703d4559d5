"""content-calendar in the review inbox: the month as a grid, each post moved, renamed or dropped.

The per-post controls become ``{"edits": [...]}``, exactly the edit file ``baton resume
--edit`` takes, re-validated by the graph like any other edit.
"""

from __future__ import annotations

import calendar as cal
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from baton.agents.marketing.common import calendar
from baton.scenario import InboxPage
from baton.web.views import decided

CALENDAR_ACTIONS = ("move", "retitle", "drop")


def month_grid(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """Weeks (Monday first) of the proposed month, each day with its posts."""
    if not state.get("calendar"):
        return None
    month = calendar(state)
    year, number = (int(p) for p in month.month.split("-")[:2])
    posts = [
        {
            "id": e.post.id,
            "date": e.date,
            "channel": e.channel,
            "title": e.title,
            "outline": e.outline.model_dump() if e.outline else None,
        }
        for e in month.entries
    ]
    by_day: dict[date, list[dict[str, Any]]] = {}
    for entry, post in zip(month.entries, posts, strict=True):
        by_day.setdefault(entry.date, []).append(post)
    weeks = [
        [{"date": d, "in_month": d.month == number, "posts": by_day.get(d, [])} for d in week]
        for week in cal.Calendar(firstweekday=0).monthdatescalendar(year, number)
    ]
    return {"title": f"{cal.month_name[number]} {year}", "weeks": weeks, "posts": posts}


def calendar_edits(form: Mapping[str, str]) -> dict[str, Any] | None:
    """``{"edits": [...]}`` (move, retitle, drop) from the per-post controls."""
    edits: list[dict[str, Any]] = []
    for p, action, post_id in decided(form, "p"):
        edit: dict[str, Any] = {"action": action, "post_id": post_id}
        if action == "move":
            edit["date"] = form.get(f"{p}-date", "")
        elif action == "retitle":
            edit["title"] = form.get(f"{p}-title", "")
        edits.append(edit)
    note = form.get("comment", "").strip()
    return {"edits": edits, **({"note": note} if note else {})} if edits else None


VIEW = InboxPage(
    Path(__file__).with_name("inbox.html"),
    context=lambda packet, state: {"grid": month_grid(state)},
    form_edits=lambda form, state: calendar_edits(form),
)
"""The inbox page of content-calendar (the generic page until the calendar is planned)."""
