"""The human checkpoint of research-brief: what the reviewer sees and may edit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from baton.audit import agent_node
from baton.context import RunContext
from baton.retrieval.injection import packet_flags
from baton.review import request_review
from baton.tools.research.briefs import render_brief


class BriefEdit(BaseModel):
    """``baton resume RUN --edit FILE.json``: replace any of these parts of the draft."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=120)
    summary: str | None = Field(None, min_length=1)
    recommendations: list[str] | None = None


def packet(state: dict[str, Any]) -> dict[str, Any]:
    """The review packet: the rendered draft, open issues and the edit schema."""
    return {
        "scenario": "research-brief",
        "question": state["question"],
        "preview": render_brief(
            state["question"],
            state.get("draft", {}),
            state.get("findings", []),
            state.get("sources", []),
        ),
        "exceptions": [
            {"id": f"ISSUE-{n}", "kind": "critic", "detail": issue}
            for n, issue in enumerate(state.get("issues", []), 1)
        ],
        "injection_flags": packet_flags(state),
        "edit_schema": BriefEdit.model_json_schema(),
    }


@agent_node("review")
def review(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Pause for a human (or auto-approve when the review mode allows it)."""
    rule_issues = (state.get("issue_history") or [[]])[-1]
    decision, audit = request_review(
        ctx,
        "review",
        packet(state),
        has_exceptions=bool(rule_issues),
        default_mode="always",
        edit_schema=BriefEdit,
    )
    update: dict[str, Any] = {"review": decision.model_dump(), "audit": audit}
    if decision.action == "reject":
        update["rounds"] = 0
        update["issue_history"] = []
    return update
