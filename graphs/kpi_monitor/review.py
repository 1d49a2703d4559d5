"""The human checkpoint of kpi-monitor: confirm, dismiss or reassign; escalate on silence.

Only alerts of high severity or low confidence wait here (the policy says which). The
packet carries a ``deadline``; when it passes with no decision, the runtime (``baton
tick`` or a worker) resumes the run with action ``expire`` and this node escalates each
waiting alert to the next person on its ladder (a new alert and deadline, the reason in
the audit) and pauses again; with the ladder exhausted the alert is left ``unanswered``
and the run finishes. ``approve`` confirms every waiting alert, ``reject`` dismisses
them, and an edit decides per alert (see :class:`TriageEdit`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baton.audit import agent_node, human_record
from baton.context import RunContext
from baton.graphs.kpi_monitor.nodes import deliver
from baton.graphs.kpi_monitor.state import State
from baton.retrieval.injection import packet_flags
from baton.review import known_id, request_review
from baton.tools.kpi.escalation import WAITING, decide, next_deadline
from baton.tools.kpi.models import AlertPolicy


class ItemDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    action: Literal["confirm", "dismiss", "reassign"]
    to: str | None = Field(default=None, min_length=3, max_length=200)

    @field_validator("id")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        return known_id(value, info, "alerts", "alert")


class TriageEdit(BaseModel):
    """``--edit FILE.json``: ``{"decisions": [{"id", "action": "reassign", "to": "x"}]}``."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[ItemDecision] = Field(min_length=1)

    @field_validator("decisions")
    @classmethod
    def _reassign_needs_to(cls, value: list[ItemDecision]) -> list[ItemDecision]:
        for d in value:
            if d.action == "reassign" and not d.to:
                raise ValueError(f"{d.id}: reassign needs 'to' (who takes it over)")
        return value


def packet(state: State) -> dict[str, Any]:
    notes = state.get("notes", {})
    findings = {f["anomaly"]["id"]: f for f in state.get("findings", [])}
    waiting = [i for i in state.get("items", []) if i["status"] == WAITING]
    return {
        "scenario": "kpi-monitor",
        "preview": "\n\n".join(f"{i['id']}: {notes[i['id']]['text']}" for i in waiting),
        "deadline": next_deadline(state.get("items", [])),
        "alerts": [
            {
                "id": i["id"],
                "owner": i["owner"],
                "deadline": i["deadline"],
                "severity": findings[i["id"]]["anomaly"]["severity"],
                "confidence": findings[i["id"]]["anomaly"]["confidence"],
            }
            for i in waiting
        ],
        "exceptions": [
            {"id": i["id"], "kind": "alert", "detail": notes[i["id"]]["text"]} for i in waiting
        ],
        "injection_flags": packet_flags(state),
        "edit_schema": TriageEdit.model_json_schema(),
    }


@agent_node("triage")
def triage(state: State, ctx: RunContext) -> dict[str, Any]:
    """Wait for a decision on the waiting alerts; apply it (or the deadline's expiry)."""
    items = state.get("items", [])
    if not any(i["status"] == WAITING for i in items):
        return {}
    policy = AlertPolicy.model_validate(state["policy"])
    decision, records = request_review(
        ctx,
        "triage",
        packet(state),
        has_exceptions=True,
        default_mode="exceptions",
        edit_schema=TriageEdit,
    )
    new_items, lines, alerts = decide(
        items,
        str(decision.action),
        decision.reviewer,
        now=decision.at,
        hours=policy.review_deadline_hours,
        comment=decision.comment,
        edits=decision.edits,
    )
    findings = {f["anomaly"]["id"]: f for f in state.get("findings", [])}
    notes = state.get("notes", {})
    sent = [
        deliver(ctx, policy, findings[a["id"]], a["to"], a["step"], notes[a["id"]]["text"])
        for a in alerts
    ]
    audit = [human_record(ctx.run_id, "triage", decision.reviewer, line) for line in lines]
    return {
        "items": new_items,
        "review": decision.model_dump(),
        "sent": sent,
        "audit": [*records, *audit],
    }


def route_after_triage(state: State) -> Literal["triage", "digest"]:
    """Pause again while any alert waits (escalated or reassigned); else write the digest."""
    return "triage" if any(i["status"] == WAITING for i in state.get("items", [])) else "digest"
