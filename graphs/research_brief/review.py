"""The human checkpoint of research-brief: what the reviewer sees and may edit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from baton.agents.research.state import State
from baton.retrieval.injection import packet_flags
from baton.review import ReviewDecision
from baton.team import review_gate
from baton.tools.research.briefs import render_brief


class BriefEdit(BaseModel):
    """``baton resume RUN --edit FILE.json``: replace any of these parts of the draft."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=120)
    summary: str | None = Field(None, min_length=1)
    recommendations: list[str] | None = None


def unsupported_exceptions(state: State) -> list[dict[str, Any]]:
    """Model sentences dropped as unsupported: shown for review, never as fact."""
    return [
        {
            "id": f"UNSUPPORTED-{n}",
            "kind": "unsupported",
            "detail": f"{u['part']}: {u['sentence']!r} was not shown: {u['reason']}",
            "cited": u.get("cited", []),
        }
        for n, u in enumerate(state.get("unsupported", []), 1)
    ]


def packet(state: State) -> dict[str, Any]:
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
        ]
        + unsupported_exceptions(state),
        "injection_flags": packet_flags(state),
        "edit_schema": BriefEdit.model_json_schema(),
    }


def _after(state: State, decision: ReviewDecision) -> dict[str, Any]:
    """A rejection restarts the critic loop's round budget for the revision."""
    return {"rounds": 0, "issue_history": []} if decision.action == "reject" else {}


review = review_gate(
    "review",
    packet=packet,
    edit_schema=BriefEdit,
    default_mode="always",
    has_exceptions=lambda state: bool(
        (state.get("issue_history") or [[]])[-1] or state.get("unsupported")
    ),
    apply=_after,
)
"""Pause for a human (or auto-approve when the review mode allows it)."""
