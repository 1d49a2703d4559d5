"""The human checkpoint of expense-reconciliation: exceptions only, decided one by one.

The run pauses only when something needs a person (unmatched rows, weak matches,
anomalies, policy breaches, receipt disagreements). ``baton resume RUN --edit FILE.json``
carries per-exception decisions; their shape is checked by :class:`DecisionsEdit`
and their meaning by code against this run's exceptions (unknown ids, ``match_to`` on
ids that are not open...). A decision file that fails those checks goes back to the
reviewer with the problems listed in the packet, instead of being half-applied.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from baton.agents.finance.reporting import amounts
from baton.agents.finance.state import all_exceptions, recon_of
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.retrieval.injection import packet_flags
from baton.review import known_id, packet_ids, request_review
from baton.tools.finance.decisions import DecisionError, apply_decisions
from baton.tools.finance.packet import group_exceptions

DEFAULT_REVIEW: Literal["exceptions"] = "exceptions"


class ExceptionDecision(BaseModel):
    """What the reviewer decided about one exception."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200, description="exception id from the packet")
    action: Literal["accept", "reject", "match_to", "note"]
    gl_ids: list[str] | None = Field(
        None, max_length=20, description="match_to on a bank exception: ledger ids"
    )
    bank_ids: list[str] | None = Field(
        None, max_length=1, description="match_to on a ledger exception: one bank id"
    )
    note: str | None = Field(None, max_length=1000)

    @field_validator("id")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        """Checked against the packet's exceptions and items (a group or merged item may
        be decided as a whole) when validated with it (``baton resume``)."""
        if value in (packet_ids(info.context, "items") or ()):
            return value
        return known_id(value, info, "exceptions", "exception")

    @model_validator(mode="after")
    def _consistent(self) -> ExceptionDecision:
        if self.action == "match_to" and not (self.gl_ids or self.bank_ids):
            raise ValueError("match_to needs gl_ids (bank exception) or bank_ids (ledger)")
        if self.action != "match_to" and (self.gl_ids or self.bank_ids):
            raise ValueError("gl_ids and bank_ids are only for match_to")
        if self.action == "note" and not (self.note and self.note.strip()):
            raise ValueError("a note decision needs the note text")
        return self


class DecisionsEdit(BaseModel):
    """``baton resume RUN --edit decisions.json``: ``{"decisions": [{"id", "action", ...}]}``."""

    model_config = ConfigDict(extra="forbid")

    # No cap below a month's size: a hard month may need a decision on every row.
    decisions: list[ExceptionDecision] = Field(min_length=1)

    @field_validator("decisions")
    @classmethod
    def _unique(cls, value: list[ExceptionDecision]) -> list[ExceptionDecision]:
        seen = Counter(d.id for d in value)
        twice = sorted(i for i, n in seen.items() if n > 1)
        if twice:
            raise ValueError(f"more than one decision for: {', '.join(twice)}")
        return value


EDIT_EXAMPLE = {
    "decisions": [
        {
            "id": "EXC-cand-B-0001",
            "action": "match_to",
            "gl_ids": ["GL-0001"],
            "note": "same payment",
        },
        {"id": "EXC-C-1001-receipts.required", "action": "reject", "note": "no receipt"},
    ]
}


def packet(state: dict[str, Any]) -> dict[str, Any]:
    """The review packet: the draft summary and the items to decide, with their evidence.

    Related exceptions about the same rows are one item and alike ones are grouped per
    kind and counterparty (``group_exceptions``); a decision may name an item's id.
    """
    rows = all_exceptions(state)
    items = group_exceptions(rows, recon_of(state) if state.get("recon") else None)
    errors = list(state.get("edit_errors", []))
    refused = (
        ("## Your last decisions were not applied\n\n" + "".join(f"- {e}\n" for e in errors) + "\n")
        if errors
        else ""
    )
    keep = (
        "id",
        "kind",
        "severity",
        "amount",
        "detail",
        "refs",
        "evidence",
        "suggested_action",
        "citation",
        "clause",
        "explanation",
        "members",
        "info",
    )
    return {
        "scenario": "expense-reconciliation",
        "preview": refused + state.get("summary_md", ""),
        "counts": dict(Counter(r["kind"] for r in rows)),
        "exceptions": [{k: r[k] for k in keep if r.get(k) not in (None, "", [])} for r in rows],
        # What a person decides: one item per problem (related exceptions merged, alike
        # ones grouped per kind and counterparty, new vendors shown as info on rows).
        "items": [{k: r[k] for k in keep if r.get(k) not in (None, "", [])} for r in items],
        "edit_errors": errors,
        "injection_flags": packet_flags(state),
        "edit_schema": DecisionsEdit.model_json_schema(),
        "edit_example": EDIT_EXAMPLE,
    }


def check_decisions(
    state: dict[str, Any], decisions: list[dict[str, Any]], reviewer: str
) -> list[str]:
    """Problems that stop these decisions applying to this run (empty when they apply)."""
    bank, ledger = amounts(state)
    try:
        apply_decisions(recon_of(state), all_exceptions(state), decisions, bank, ledger, reviewer)
    except DecisionError as err:
        return err.problems
    return []


@agent_node("review")
def review(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Pause for a human when there are exceptions; check their decisions in code."""
    rows = all_exceptions(state)
    decision, audit = request_review(
        ctx,
        "review",
        packet(state),
        has_exceptions=bool(rows),
        default_mode=DEFAULT_REVIEW,
        edit_schema=DecisionsEdit,
    )
    update: dict[str, Any] = {"review": decision.model_dump(), "audit": audit, "edit_errors": []}
    decisions = list((decision.edits or {}).get("decisions", []))
    trace = current_trace()
    if decision.action == "reject":
        update.update(report_rounds=0, report_issue_history=[], report_issues=[])
        what = f"{decision.reviewer} sent the report back: {decision.comment or 'no comment'}"
    elif decisions:
        problems = check_decisions(state, decisions, decision.reviewer)
        update["edit_errors"] = problems
        listed = "; ".join(
            f"{d['id']} {d['action']}"
            + (
                f" {' '.join(d.get('gl_ids') or d.get('bank_ids') or [])}"
                if d["action"] == "match_to"
                else ""
            )
            + (f" ({d['note']})" if d.get("note") else "")
            for d in decisions
        )
        what = (
            f"{decision.reviewer} decided {len(decisions)} exceptions: {listed}"
            if not problems
            else f"edit by {decision.reviewer} refused, back to review: {'; '.join(problems)}"
        )
    else:
        what = f"{decision.action} by {decision.reviewer} ({len(rows)} exceptions left open)"
    if trace:
        trace.decision = what
    return update
