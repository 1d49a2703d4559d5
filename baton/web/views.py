"""What each scenario's review looks like in the browser, and how its form becomes edits.

Why separate from the routes: the packet a graph stores is written for every client
(the CLI prints its Markdown preview); a browser can do better with the same data: a
table of exceptions with their evidence, a month grid of posts, a week of sessions. The
per-item controls are turned into exactly the edit document ``baton resume --edit``
takes, so the web and the CLI are validated by the same schema and the same graph code.
"""

from __future__ import annotations

import calendar as cal
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from baton.agents.finance.reporting import MATCHABLE_BANK, MATCHABLE_GL

_MD = MarkdownIt("js-default")  # tables on, raw HTML off: packet text is data, not markup
_CITATION = re.compile(r"\[(?:<code>)?([0-9a-f]{16})(?:</code>)?\]")
EXPENSE_ACTIONS = ("accept", "reject", "match_to", "note")
CALENDAR_ACTIONS = ("move", "retitle", "drop")
REQUEST_ACTIONS = ("approve", "hold", "drop")


def markdown(text: str) -> Markup:
    """Packet Markdown as safe HTML, with ``[chunk id]`` citations linked to the chunk."""
    html = _MD.render(text or "")
    return Markup(_CITATION.sub(lambda m: str(chunk_link(m.group(1))), html))


def chunk_link(chunk_id: str) -> Markup:
    return Markup('[<a class="cite" href="/chunks/{0}">{0}</a>]').format(chunk_id)


def flags_of(packet: Mapping[str, Any] | None) -> list[str]:
    """Prompt-injection flags of a packet (strings or dicts), as lines to show."""
    out: list[str] = []
    for flag in (packet or {}).get("injection_flags") or []:
        if isinstance(flag, Mapping):
            out.append("; ".join(f"{k}: {v}" for k, v in flag.items()))
        else:
            out.append(str(flag))
    return out


# Expense reconciliation ---------------------------------------------------------------------
def match_field(kind: str) -> str | None:
    """Which ids ``match_to`` takes for an exception of this kind (None: not matchable)."""
    if kind in MATCHABLE_BANK:
        return "gl_ids"
    if kind in MATCHABLE_GL:
        return "bank_ids"
    return None


def expense_rows(packet: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {**row, "match_field": match_field(str(row.get("kind", "")))}
        for row in packet.get("exceptions") or []
    ]


def _ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def expense_edits(form: Mapping[str, str]) -> dict[str, Any] | None:
    """``{"decisions": [...]}`` from the per-exception controls (None: nothing decided)."""
    decisions: list[dict[str, Any]] = []
    for x, action, exception_id in _decided(form, "x"):
        decision: dict[str, Any] = {"id": exception_id, "action": action}
        ids = _ids(form.get(f"{x}-ids", ""))
        if ids:
            # The field name comes from the form: accept only the two id lists.
            field = form.get(f"{x}-field")
            decision[field if field in ("gl_ids", "bank_ids") else "gl_ids"] = ids
        note = form.get(f"{x}-note", "").strip()
        if note:
            decision["note"] = note
        decisions.append(decision)
    return {"decisions": decisions} if decisions else None


def _count(form: Mapping[str, str], total: str = "items") -> int:
    try:
        return max(0, min(int(form.get(total, "0")), 10_000))
    except ValueError:
        return 0


def _decided(
    form: Mapping[str, str], prefix: str, total: str = "items"
) -> Iterator[tuple[str, str, str]]:
    """``(field prefix, action, item id)`` for every row the reviewer chose an action on.

    ``total`` names the hidden field with the row count, for a page with two tables.
    """
    for n in range(_count(form, total)):
        action = form.get(f"{prefix}{n}-action", "")
        if action:
            yield f"{prefix}{n}", action, form.get(f"{prefix}{n}-id", "")


# Content calendar ---------------------------------------------------------------------------
def month_grid(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """Weeks (Monday first) of the proposed month, each day with its posts."""
    from baton.agents.marketing.common import calendar

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
    for p, action, post_id in _decided(form, "p"):
        edit: dict[str, Any] = {"action": action, "post_id": post_id}
        if action == "move":
            edit["date"] = form.get(f"{p}-date", "")
        elif action == "retitle":
            edit["title"] = form.get(f"{p}-title", "")
        edits.append(edit)
    note = form.get("comment", "").strip()
    return {"edits": edits, **({"note": note} if note else {})} if edits else None


# Onboarding ---------------------------------------------------------------------------------
def week_view(state: dict[str, Any]) -> dict[str, Any] | None:
    """Week one day by day in the starter's time zone, the buddy choice and IT requests."""
    from baton.graphs.onboarding.review import request_rows
    from baton.graphs.onboarding.state import inputs_of, plan_of

    if not state.get("schedule"):
        return None
    plan, inputs = plan_of(state), inputs_of(state)
    tz, names = inputs.starter.tz, inputs.names

    def session(s: Any) -> dict[str, Any]:
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        return {
            "id": s.session_id,
            "title": s.title,
            "start": start,
            "end": end,
            "iso": start.isoformat(),
            "with": ", ".join(
                names.get(a.person_id, a.person_id) for a in s.attendees if a.slot != "starter"
            ),
        }

    sessions = [session(s) for s in plan.schedule.sessions]
    days = [
        {"date": d, "sessions": [s for s in sessions if s["start"].date() == d]}
        for d in plan.schedule.days
    ]
    buddy_id = plan.buddy.person_id if plan.buddy else None
    return {
        "starter": inputs.starter.name,
        "timezone": inputs.starter.timezone,
        "days": days,
        "sessions": sessions,
        "unbooked": [
            {"id": e.session_id, "title": e.title, "reason": e.reason}
            for e in plan.schedule.exceptions
        ],
        "buddy": plan.buddy.model_dump() if plan.buddy else None,
        "buddy_note": state.get("buddy_note", ""),
        "candidates": [
            {"id": c.person_id, "label": f"{c.name} ({c.role}, {c.score:.2f})"}
            for c in plan.buddy_match.candidates
            if c.ineligible_reason is None or c.person_id == buddy_id
        ],
        "requests": request_rows(plan),
        "request_actions": REQUEST_ACTIONS,
        "reasons": {h.request_id: h.reason for h in plan.provisioning.exceptions},
        "pathway": [p.model_dump() for p in plan.pathway],
    }


def onboarding_edits(form: Mapping[str, str], state: dict[str, Any]) -> dict[str, Any] | None:
    """``{"moves": [...], "buddy_id": ..., "requests": [...]}`` for what the reviewer changed.

    Request ids are checked against this run's requests here, as ``baton resume`` checks
    them against the packet, so a stale or forged id is an error on the form.
    """
    from baton.review import validate_edits
    from baton.tools.onboarding.edits import PlanEdits

    view = week_view(state) or {"sessions": [], "buddy": None, "requests": []}
    was = {s["id"]: s["iso"] for s in view["sessions"]}
    moves = []
    for n in range(_count(form)):
        sid, start = form.get(f"s{n}-id", ""), form.get(f"s{n}-start", "").strip()
        if start and start != was.get(sid):
            moves.append({"session_id": sid, "start": start})
    edits: dict[str, Any] = {"moves": moves} if moves else {}
    buddy = form.get("buddy_id", "")
    if buddy and buddy != (view["buddy"] or {}).get("person_id"):
        edits["buddy_id"] = buddy
    requests = []
    for r, action, request_id in _decided(form, "r", "requests"):
        note = form.get(f"{r}-note", "").strip()
        requests.append({"id": request_id, "action": action, **({"note": note} if note else {})})
    if requests:
        edits["requests"] = requests
        validate_edits(edits, PlanEdits, "review form", packet={"requests": view["requests"]})
    if not edits:
        return None
    comment = form.get("comment", "").strip()
    return edits | ({"comment": comment} if comment else {})


# Research brief -----------------------------------------------------------------------------
def brief_edits(form: Mapping[str, str]) -> dict[str, Any] | None:
    title = form.get("title", "").strip()
    return {"title": title} if title else None


def form_edits(
    scenario: str, form: Mapping[str, str], state: dict[str, Any]
) -> dict[str, Any] | None:
    """The edit document for a scenario's review form, or None if nothing was changed."""
    if scenario == "expense-reconciliation":
        return expense_edits(form)
    if scenario == "content-calendar":
        return calendar_edits(form)
    if scenario == "onboarding":
        return onboarding_edits(form, state)
    if scenario == "research-brief":
        return brief_edits(form)
    return None


def age(stamp: str, now: datetime) -> str:
    """``3d 4h``, ``2h 5m`` or ``40s``: how long a run has been waiting."""
    seconds = max(0, int((now - datetime.fromisoformat(stamp)).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


__all__ = [
    "CALENDAR_ACTIONS",
    "EXPENSE_ACTIONS",
    "REQUEST_ACTIONS",
    "age",
    "expense_rows",
    "flags_of",
    "form_edits",
    "markdown",
    "month_grid",
    "week_view",
]
