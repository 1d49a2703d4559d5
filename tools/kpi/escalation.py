"""Triage decisions and escalation, as a pure function of the items and one decision.

Why pure: the review node is paused and resumed by the runtime (a human, or the deadline
expiring through ``baton tick``/the worker); the rules for what each answer does are
plain data in, data out, so they are tested without any runtime. Actions:

* ``approve`` confirms every waiting item, ``reject`` dismisses them (with the comment);
* ``edit`` decides per item: ``{"decisions": [{"id", "action": confirm|dismiss|reassign,
  "to"}]}``; a reassigned item is alerted to its new owner and waits for them;
* ``expire`` (nobody answered by the deadline) escalates every waiting item to the next
  person on its ladder with a new alert and deadline; an item whose ladder is exhausted
  is marked ``unanswered``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WAITING = "waiting"


def deadline_after(now: str, hours: float) -> str:
    return (datetime.fromisoformat(now) + timedelta(hours=hours)).isoformat(timespec="milliseconds")


def decide(
    items: list[dict[str, Any]],
    action: str,
    reviewer: str,
    *,
    now: str,
    hours: float,
    comment: str | None = None,
    edits: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Apply one decision: (new items, audit lines, alerts to send now)."""
    out = [dict(i) for i in items]
    audit: list[str] = []
    alerts: list[dict[str, Any]] = []
    per_item = {str(d["id"]): d for d in (edits or {}).get("decisions", [])}
    for item in out:
        if item["status"] != WAITING:
            continue
        if action == "expire":
            level = int(item["level"]) + 1
            missed = item["owner"]
            if level >= len(item["ladder"]):
                item["status"] = "unanswered"
                audit.append(
                    f"{item['id']}: {missed} did not answer by {item['deadline']}; ladder"
                    " exhausted, left unanswered"
                )
                continue
            missed_at = item["deadline"]
            item.update(level=level, owner=item["ladder"][level])
            item["deadline"] = deadline_after(now, hours)
            audit.append(
                f"{item['id']}: escalated from {missed} to {item['owner']}: no decision by"
                f" {missed_at}"
            )
            alerts.append({"id": item["id"], "to": item["owner"], "step": level})
        elif action == "approve":
            item["status"] = "confirmed"
        elif action == "reject":
            item["status"] = "dismissed"
        elif action == "edit" and item["id"] in per_item:
            choice = per_item[item["id"]]
            if choice["action"] == "reassign":
                item["owner"] = str(choice["to"])
                item["ladder"] = [item["owner"], *item["ladder"][int(item["level"]) + 1 :]]
                item["level"] = 0
                item["deadline"] = deadline_after(now, hours)
                alerts.append({"id": item["id"], "to": item["owner"], "step": f"reassign:{now}"})
                audit.append(f"{item['id']}: reassigned to {item['owner']} by {reviewer}")
                continue
            item["status"] = "confirmed" if choice["action"] == "confirm" else "dismissed"
        else:
            continue
        if item["status"] != WAITING:
            item["decided_by"] = reviewer
            audit.append(f"{item['id']}: {item['status']} by {reviewer}")
    return out, audit, alerts


def next_deadline(items: list[dict[str, Any]]) -> str | None:
    waiting = [i["deadline"] for i in items if i["status"] == WAITING]
    return min(waiting) if waiting else None
