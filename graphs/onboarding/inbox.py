"""onboarding in the review inbox: week one day by day, the buddy choice and the IT requests.

The controls become the edit file ``baton resume --edit`` takes (session moves, another
buddy, per-request approve/hold/drop), validated by the same schema against the packet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from baton.agents.onboarding.state import inputs_of, plan_of
from baton.graphs.onboarding.review import request_rows
from baton.review import validate_edits
from baton.scenario import InboxPage
from baton.tools.onboarding.edits import PlanEdits
from baton.web.views import decided, row_count

REQUEST_ACTIONS = ("approve", "hold", "drop")


def week_view(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """Week one day by day in the starter's time zone, the buddy choice and IT requests."""
    if not state.get("schedule"):
        return None
    plan, inputs = plan_of(dict(state)), inputs_of(dict(state))
    tz, names = inputs.starter.tz, inputs.names

    def session(s: Any) -> dict[str, Any]:
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        return {
            "id": s.session_id,
            "title": s.title,
            "start": start,
            "end": end,
            "iso": start.isoformat(),
            "local": start.strftime("%Y-%m-%dT%H:%M"),  # a datetime-local picker's value
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


def in_zone(value: str, tz: ZoneInfo | None) -> str:
    """A picker's local ``2026-03-05T14:00`` as ISO 8601 in the starter's time zone.

    The date and time picker gives wall-clock time without an offset; the week is shown
    in the starter's zone, so that is the zone meant. Text with an offset is normalised,
    and text that is no date at all is left for the edit schema to report.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz).isoformat() if tz is not None else value
    return parsed.isoformat()


def onboarding_edits(form: Mapping[str, str], state: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{"moves": [...], "buddy_id": ..., "requests": [...]}`` for what the reviewer changed.

    Request ids are checked against this run's requests here, as ``baton resume`` checks
    them against the packet, so a stale or forged id is an error on the form.
    """
    view = week_view(state) or {"sessions": [], "buddy": None, "requests": []}
    was = {s["id"]: s["iso"] for s in view["sessions"]}
    tz = ZoneInfo(view["timezone"]) if view.get("timezone") else None
    moves = []
    for n in range(row_count(form)):
        sid, start = form.get(f"s{n}-id", ""), form.get(f"s{n}-start", "").strip()
        start = in_zone(start, tz)
        if start and start != was.get(sid):
            moves.append({"session_id": sid, "start": start})
    edits: dict[str, Any] = {"moves": moves} if moves else {}
    buddy = form.get("buddy_id", "")
    if buddy and buddy != (view["buddy"] or {}).get("person_id"):
        edits["buddy_id"] = buddy
    requests = []
    for r, action, request_id in decided(form, "r", "requests"):
        note = form.get(f"{r}-note", "").strip()
        requests.append({"id": request_id, "action": action, **({"note": note} if note else {})})
    if requests:
        edits["requests"] = requests
        validate_edits(edits, PlanEdits, "review form", packet={"requests": view["requests"]})
    if not edits:
        return None
    comment = form.get("comment", "").strip()
    return edits | ({"comment": comment} if comment else {})


VIEW = InboxPage(
    Path(__file__).with_name("inbox.html"),
    context=lambda packet, state: {"week": week_view(state)},
    form_edits=onboarding_edits,
)
"""The inbox page of onboarding (the generic page until the week is scheduled)."""
