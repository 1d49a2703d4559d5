"""The approval step of compliance-report: the two-person rule, bound to the content.

The packet names who may *not* approve (the preparer and anyone who edited the text) and
the hash being approved. ``Runner.resume`` refuses an approval by an excluded person
before the run moves (so the CLI and the inbox refuse it alike, and the run stays
awaiting approval); this node checks again, for clients that resume the graph directly
(LangGraph's server), and then asks again instead of accepting it. The approval is
always a human's: review modes ``never`` and ``exceptions`` do not apply to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baton.agents.compliance.state import State
from baton.audit import agent_node, human_record
from baton.context import RunContext
from baton.retrieval.injection import packet_flags
from baton.review import request_review
from baton.tools.compliance.approval import two_person_violation


class ReportEdit(BaseModel):
    """``--edit FILE.json``: replace the commentary of some sections (by clause id)."""

    model_config = ConfigDict(extra="forbid")

    sections: dict[str, str] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _known(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        packet = (info.context or {}).get("packet") or {}
        known = {s["clause"] for s in packet.get("sections", [])}
        for cid, text in value.items():
            if known and cid not in known:
                raise ValueError(f"unknown section '{cid}' (known: {', '.join(sorted(known))})")
            if not text.strip() or len(text) > 4000:
                raise ValueError(f"section '{cid}' must have 1 to 4000 characters")
        return value


def excluded(state: State) -> list[str]:
    return [state["obligations"]["preparer"], *state.get("editors", [])]


def packet(state: State) -> dict[str, Any]:
    breaches = state.get("breaches", [])
    return {
        "scenario": "compliance-report",
        "preview": state.get("report", ""),
        "content_hash": state.get("report_hash", ""),
        "preparer": state["obligations"]["preparer"],
        "excluded_reviewers": excluded(state),
        "sections": [
            {
                "clause": c["id"],
                "section": c["section"],
                "drafted_by": state.get("drafted_by", {}).get(c["id"], "code"),
            }
            for c in state.get("clauses", [])
        ],
        "exceptions": [
            *(
                {
                    "id": f"BREACH-{b['clause']}",
                    "kind": "breach",
                    "detail": f"{b['figure']} is {b['actual']} (required {b['expected']})",
                }
                for b in breaches
            ),
            *(
                {"id": f"GAP-{cid}", "kind": "gap", "detail": gap}
                for cid, gap in state.get("gaps", [])
            ),
            *(
                {"id": f"REPLACED-{n}", "kind": "critic", "detail": r}
                for n, r in enumerate(state.get("replaced", []), 1)
            ),
        ],
        "injection_flags": packet_flags(state),
        "edit_schema": ReportEdit.model_json_schema(),
    }


@agent_node("approval")
def approve(state: State, ctx: RunContext) -> dict[str, Any]:
    """Pause for the approver; refuse (and ask again) an approval the rule forbids."""
    shown = packet(state)
    audit: list[dict[str, Any]] = []
    while True:
        decision, records = request_review(
            replace(ctx, review_mode="always"),
            "approval",
            shown,
            has_exceptions=True,
            default_mode="always",
            edit_schema=ReportEdit,
        )
        why = two_person_violation(decision.reviewer, excluded(state))
        if decision.action != "approve" or why is None:
            break
        audit.append(human_record(ctx.run_id, "approval", decision.reviewer, f"refused: {why}"))
    update: dict[str, Any] = {"review": decision.model_dump(), "audit": [*audit, *records]}
    if decision.action == "approve":
        update["approved_hash"] = shown["content_hash"]
    elif decision.action == "edit":
        update["sections"] = {
            **state.get("sections", {}),
            **(decision.edits or {}).get("sections", {}),
        }
        update["drafted_by"] = {
            **state.get("drafted_by", {}),
            **{cid: "reviewer" for cid in (decision.edits or {}).get("sections", {})},
        }
        update["editors"] = [*state.get("editors", []), decision.reviewer]
    else:
        update["rounds"] = 0
        update["issue_history"] = []
    return update
