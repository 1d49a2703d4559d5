"""The launch-team's two review gates and its publisher.

* ``plan_review``: the optional sign-off on the plan (``review_plan: true`` in the
  request), before any specialist runs; a rejection re-plans with the comment.
* ``review``: the final, exceptions-only review. Exceptions are the claims that stayed
  refuted or unsupported, the critic's open issues and calendar conflicts. A reviewer
  may accept flagged claims (``--edit`` with ``{"accept_claims": [...]}``); every other
  flagged claim is left out of the outputs. A rejection re-runs the posts and the
  analysis with the comment as feedback.

Both use the one review gate every scenario uses (:func:`baton.team.review_gate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baton.audit import agent_node
from baton.context import RunContext
from baton.outputs import atomic_write
from baton.retrieval.injection import packet_flags
from baton.review import ReviewDecision, known_id
from baton.team import review_gate
from baton.tools.launch import render
from baton.tools.launch.claims import strip_claims

FLAGGED = ("refuted", "not_enough_info")


class LaunchEdits(BaseModel):
    """``--edit FILE.json``: flagged claims the reviewer confirms, by claim id."""

    model_config = ConfigDict(extra="forbid")

    accept_claims: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("accept_claims")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return [known_id(v, info, "exceptions", "claim") for v in value]


class PlanEdits(BaseModel):
    """The plan is approved or rejected as a whole; no field edits."""

    model_config = ConfigDict(extra="forbid")


def exceptions(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {
            "id": c["id"],
            "kind": c["verdict"],
            "detail": f"{c['text']} ({c.get('reason') or c['by']})",
        }
        for c in state.get("claims", [])
        if c["verdict"] in FLAGGED
    ]
    for tid, issues in sorted((state.get("critic_issues") or {}).items()):
        rows += [{"id": f"CRITIC-{tid}", "kind": "critic", "detail": i} for i in issues]
    return rows


def plan_rows(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": t["id"],
            "type": t["type"],
            "after": ", ".join(t["deps"]) or "-",
            "acceptance": t["acceptance"],
        }
        for t in state.get("plan", [])
    ]


def claim_rows(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": c["id"],
            "claim": c["text"],
            "sources": " ".join(c["citations"]),
            "verdict": c["verdict"],
            "by": c["by"],
        }
        for c in state.get("claims", [])
    ]


def summary(state: Mapping[str, Any]) -> str:
    return render.summary_md(
        state["request"],
        state.get("plan", []),
        state.get("plan_by", ""),
        state.get("claims", []),
        exceptions(state),
        {k: v for k, v in (state.get("runs") or {}).items() if v},
    )


def final_packet(state: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "scenario": "launch-team",
        "preview": summary(state),
        "exceptions": exceptions(state),
        "plan": plan_rows(state),
        "claims": claim_rows(state),
        "injection_flags": packet_flags(state),
        "edit_schema": LaunchEdits.model_json_schema(),
    }


def plan_packet(state: Mapping[str, Any]) -> dict[str, Any]:
    note = state.get("plan_note") or ""
    return {
        "scenario": "launch-team",
        "preview": f"Plan by {state.get('plan_by')}" + (f" ({note})" if note else ""),
        "plan": plan_rows(state),
        "exceptions": [],
        "edit_schema": PlanEdits.model_json_schema(),
    }


def _after_review(state: Any, decision: ReviewDecision) -> dict[str, Any]:
    if decision.action == "edit":
        accepted = (decision.edits or {}).get("accept_claims", [])
        return {"accepted_claims": sorted({*state.get("accepted_claims", []), *accepted})}
    if decision.action != "reject":
        return {}
    redo = [t["id"] for t in state["plan"] if t["type"] in ("analyse", "write_post")]
    note = f"Reviewer: {decision.comment}"
    feedback = {k: list(v) for k, v in (state.get("feedback") or {}).items()}
    for tid in redo:
        feedback.setdefault(tid, []).append(note)
    return {
        "feedback": feedback,
        "done": {tid: None for tid in redo},
        "critic_rounds": 0,
        "critic_history": [],
        "check_rounds": 0,
        "check_history": [],
    }


review = review_gate(
    "review",
    packet=final_packet,
    edit_schema=LaunchEdits,
    default_mode="exceptions",
    apply=_after_review,
)


@agent_node("plan_review")
def plan_review(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Pause for a sign-off on the plan (``--review plan``, or ``review_plan: true``)."""
    if not (state["request"].get("review_plan") or ctx.review_mode == "plan"):
        return {}
    from dataclasses import replace

    from baton.review import request_review

    decision, audit = request_review(
        replace(ctx, review_mode="always"),
        "plan_review",
        plan_packet(state),
        has_exceptions=True,
        default_mode="always",
        edit_schema=PlanEdits,
    )
    return {"plan_review": decision.model_dump(), "audit": audit}


@agent_node("publish")
def publish(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Write every output; flagged claims the reviewer did not accept are left out."""
    accepted = set(state.get("accepted_claims", []))
    claims = state.get("claims", [])
    removed = {c["id"] for c in claims if c["verdict"] in FLAGGED and c["id"] not in accepted}
    done = state.get("done") or {}
    plan = state.get("plan", [])
    out = ctx.output_dir
    written = [
        atomic_write(
            out / "plan.json",
            render.plan_json(plan, state.get("plan_by", ""), state.get("plan_note", "")),
        )
    ]
    analysis = next((r for r in done.values() if r["type"] == "analyse"), None)
    research = [
        done[t["id"]] for t in plan if t["type"] == "research_competitor" and t["id"] in done
    ]
    body = (
        analysis["text"]
        if analysis
        else "\n\n".join(f"### {r.get('competitor', '')}\n\n{r['text']}" for r in research)
    )
    if body:
        text = f"# Competitive analysis: {state['request']['product']}\n\n" + strip_claims(
            body, removed
        )
        written.append(atomic_write(out / "analysis.md", text + "\n"))
    calendar = next((r for r in done.values() if r["type"] == "plan_calendar"), None)
    posts = [(t, done[t["id"]]) for t in plan if t["type"] == "write_post" and t["id"] in done]
    titles = {t["id"]: r["title"] for t, r in posts}
    if calendar:
        entries = calendar["entries"]
        for e in entries:
            titles.setdefault(e["post"], calendar["themes"].get(e["post"], e["post"]))
        written.append(atomic_write(out / "calendar.csv", render.calendar_csv(entries, titles)))
        written.append(
            atomic_write(
                out / "calendar.ics",
                render.calendar_ics(entries, titles, ctx.run_id, state["request"]["product"]),
            )
        )
    by_post = {e["post"]: e for e in (calendar or {}).get("entries", [])}
    for t, r in posts:
        post = {"title": r["title"], "body": strip_claims(r["text"], removed)}
        path = out / render.post_path(int(t["index"]), r["title"])
        written.append(atomic_write(path, render.post_md(post, by_post.get(t["id"]))))
    written.append(atomic_write(out / "claims.csv", render.claims_csv(claims)))
    written.append(atomic_write(out / "summary.md", summary(state)))
    return {"outputs": [str(p) for p in written]}
