"""The human checkpoint of content-calendar: the proposed calendar, review results, edits.

Edits (``tools.marketing.edits.CalendarEdits``: move, retitle, drop) are applied by
:func:`tools.marketing.edits.apply_edits`, which re-checks the edited calendar against
the scheduler's rules and the title rules. An edit that breaks a rule is not applied:
the run pauses again with the violations listed, so a person can overrule the model
but not the launch deadlines.
"""

from __future__ import annotations

from typing import Any

from baton.agents.marketing.common import brand, calendar, dump, roadmap, run_options
from baton.agents.marketing.coordinator import report_md
from baton.agents.marketing.state import State
from baton.audit import agent_node
from baton.context import RunContext
from baton.retrieval.injection import packet_flags
from baton.review import request_review
from baton.tools.marketing.edits import CalendarEdits, RetitleEdit, apply_edits
from baton.tools.marketing.models import Calendar
from baton.tools.marketing.review import review_outline

ACTION = "approve, reject with a comment, or edit the post (move, retitle, drop)"


def exceptions(state: State) -> list[dict[str, Any]]:
    """What needs a human: posts still failing review, unplaced posts, rejected edits."""
    out: list[dict[str, Any]] = []
    ids = set(calendar(state).by_id())
    for n, v in enumerate(state.get("edit_errors", []), 1):
        out.append(
            {
                "id": f"EDIT-{n}",
                "kind": f"edit:{v['rule']}",
                "detail": v["message"],
                "evidence": v.get("post_id"),
                "suggested_action": "send a corrected edit file, or approve without it",
            }
        )
    drafts = state.get("drafts") or {}
    for pid, review in sorted((state.get("reviews") or {}).items()):
        if pid in ids and review.get("failures"):
            out.append(
                {
                    "id": f"POST-{pid}",
                    "kind": "review",
                    "detail": f"{pid}: still failing after {review['attempt']} draft(s): "
                    + "; ".join(f["message"] for f in review["failures"]),
                    "evidence": drafts.get(pid, {}).get("outline", {}).get("title"),
                    "suggested_action": ACTION,
                }
            )
    for u in state.get("unplaced", []):
        out.append(
            {
                "id": f"UNPLACED-{u['post_id']}",
                "kind": "unscheduled",
                "detail": f"{u['post_id']} ({u['channel']}): {u['reason']}",
                "suggested_action": "approve without it, or reject and loosen run.yaml",
            }
        )
    return out


def recheck_retitled(
    state: State, cal: Calendar, edits: CalendarEdits
) -> dict[str, dict[str, Any]]:
    """Re-run the outline rules on retitled posts so the summary shows their real status."""
    reviews = dict(state.get("reviews") or {})
    entries = cal.by_id()
    for edit in edits.edits:
        entry = entries.get(edit.post_id)
        if isinstance(edit, RetitleEdit) and entry is not None and entry.outline is not None:
            fails = review_outline(
                entry.outline,
                brand(state),
                state.get("facts", ""),
                target_keyword=entry.post.target_keyword,
            )
            reviews[edit.post_id] = {
                **reviews.get(edit.post_id, {}),
                "failures": [dump(f) for f in fails],
            }
    return reviews


def packet(state: State) -> dict[str, Any]:
    """The review packet: the proposed calendar as Markdown, open issues, the edit schema."""
    cal = calendar(state)
    return {
        "scenario": "content-calendar",
        "month": cal.month,
        "posts": len(cal.entries),
        "post_ids": [e.post.id for e in cal.entries],
        "preview": report_md(state, cal, "Proposed calendar: not yet approved"),
        "exceptions": exceptions(state),
        "injection_flags": packet_flags(state),
        "edit_schema": CalendarEdits.model_json_schema(),
    }


@agent_node("review")
def review(state: State, ctx: RunContext) -> dict[str, Any]:
    """Pause for a human; apply a valid edit, or hold an invalid one back for another look."""
    items = packet(state)
    decision, audit = request_review(
        ctx,
        "review",
        items,
        has_exceptions=bool(items["exceptions"]),
        default_mode="always",
        edit_schema=CalendarEdits,
    )
    update: dict[str, Any] = {
        "review": decision.model_dump(),
        "audit": audit,
        "edit_errors": [],
    }
    if decision.action == "edit" and decision.edits is not None:
        edits = CalendarEdits.model_validate(decision.edits)
        outcome = apply_edits(
            calendar(state),
            edits,
            run_options(state),
            brand(state),
            launches=roadmap(state).launches,
        )
        update["edit_errors"] = [dump(v) for v in outcome.violations]
        if outcome.accepted:
            update["calendar"] = dump(outcome.calendar)
            update["reviews"] = recheck_retitled(state, outcome.calendar, edits)
    return update
