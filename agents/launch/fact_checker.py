"""Adversarial fact-checker: its only job is to doubt the team's claims.

It sees only the atomic claims extracted from the drafts and the context store, never
the other agents' prompts or reasoning. Code checks every number, date and name of a
claim against the chunk it cites (refuted on any mismatch); the model labels the claims
that pass. A refuted claim invalidates the task that wrote it and every task that built
on it; they re-run with the refutation as feedback, bounded like every Baton loop. What
stays refuted or unsupported becomes a review exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured, quote
from baton.loops import keep_revising
from baton.tools.launch.claims import CHECKED_TYPES, code_verdict, extract_claims
from baton.tools.launch.plan import Task, dependants

PROMPT = (
    "You are a sceptical fact-checker. For each numbered claim, read only the quoted"
    " sources and answer supported (the source says it), refuted (the source says"
    " otherwise) or not_enough_info (the source does not say)."
)
BATCH = 6
LOCAL_BATCHES = 1
"""Claim batches the embedded 135M model labels per round (the rest: code's verdict)."""


class Label(BaseModel):
    claim: int = Field(ge=1, le=BATCH)
    verdict: Literal["supported", "refuted", "not_enough_info"]


class Labels(BaseModel):
    labels: list[Label] = Field(max_length=BATCH)


def label_batch(
    ctx: RunContext, batch: Sequence[dict[str, Any]], chunks: Mapping[str, str]
) -> dict[str, str]:
    """The model's verdicts for up to :data:`BATCH` claims (claim id -> verdict)."""
    sources = dict.fromkeys(c for claim in batch for c in claim["citations"] if c in chunks)
    user = (
        "\n".join(f"{n}. {claim['text']}" for n, claim in enumerate(batch, 1))
        + "\n\n"
        + "\n\n".join(quote(cid, chunks[cid]) for cid in sources)
    )
    got = ask_structured(ctx, "fact_checker", Labels, PROMPT, user)
    if got is None:
        return {}
    return {batch[lb.claim - 1]["id"]: lb.verdict for lb in got.labels if lb.claim <= len(batch)}


def check_claims(
    ctx: RunContext, claims: list[dict[str, Any]], collection: str, cache: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every claim with its verdict, who gave it and why (cached verdicts reused)."""
    ids = sorted({c for claim in claims for c in claim["citations"]})
    chunks = {k: v.text for k, v in ctx.store.get_chunks(ids, [collection]).items()} if ids else {}
    pending: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for claim in claims:
        known = cache.get(claim["id"])
        if known is not None:
            out.append({**claim, **known})
            continue
        verdict, why = code_verdict(claim, chunks)
        if verdict is not None:
            out.append({**claim, "verdict": verdict, "by": "code", "reason": why})
        else:
            pending.append(claim)
    budget = 99 if ctx.settings.model.provider != "embedded" else LOCAL_BATCHES
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        labels = label_batch(ctx, batch, chunks) if start // BATCH < budget else {}
        for claim in batch:
            if claim["id"] in labels:
                out.append({**claim, "verdict": labels[claim["id"]], "by": "model", "reason": ""})
            else:
                out.append(
                    {
                        **claim,
                        "verdict": "supported",
                        "by": "code",
                        "reason": "numbers, dates and names match the cited source",
                    }
                )
    return out


def drafts_of(state: Mapping[str, Any]) -> dict[str, str]:
    plan = [Task.model_validate(t) for t in state["plan"]]
    done = state.get("done") or {}
    return {t.id: done[t.id]["text"] for t in plan if t.type in CHECKED_TYPES and t.id in done}


@agent_node("fact_checker")
def fact_check(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Check every claim; invalidate what built on a refuted one while rounds are left."""
    req = state["request"]
    claims = extract_claims(drafts_of(state), ignore=[req["product"]])
    trace = current_trace()
    if not state.get("fact_check", True):
        unchecked = [{**c, "verdict": "unchecked", "by": "nobody", "reason": ""} for c in claims]
        if trace is not None:
            trace.decision = f"{len(claims)} claims, fact-checking switched off"
        return {"claims": unchecked}
    cache = state.get("verdict_cache") or {}
    checked = check_claims(ctx, claims, req["collection"], cache)
    cache = {**cache, **{c["id"]: {k: c[k] for k in ("verdict", "by", "reason")} for c in checked}}
    refuted = [c for c in checked if c["verdict"] == "refuted"]
    history = [*state.get("check_history", []), sorted(c["id"] for c in refuted)]
    rounds = int(state.get("check_rounds", 0))
    if trace is not None:
        trace.cite(sorted({x for c in checked for x in c["citations"]}))
    update: dict[str, Any] = {"claims": checked, "verdict_cache": cache, "check_history": history}
    if not keep_revising(history, rounds, int(state.get("max_check_rounds", 2))):
        if trace is not None:
            trace.decision = f"{len(checked)} claims, {len(refuted)} refuted: settled"
        return update
    plan = [Task.model_validate(t) for t in state["plan"]]
    feedback = {k: list(v) for k, v in (state.get("feedback") or {}).items()}
    for claim in refuted:
        for tid in claim["tasks"]:
            feedback.setdefault(tid, []).append(
                f"The claim '{claim['text']}' is refuted ({claim['reason']}). Do not state it"
                " again; state only what the cited source says."
            )
    hit = dependants(plan, {tid for c in refuted for tid in c["tasks"]})
    origins = {tid for c in refuted for tid in c["tasks"]}
    for tid in sorted(hit - origins):
        feedback.setdefault(tid, []).append("An input was corrected by the fact-checker.")
    if trace is not None:
        trace.decision = (
            f"{len(checked)} claims, {len(refuted)} refuted: re-running {', '.join(sorted(hit))}"
        )
    return update | {
        "check_rounds": rounds + 1,
        "feedback": feedback,
        "refuted_ids": sorted({*state.get("refuted_ids", []), *(c["id"] for c in refuted)}),
        "done": {tid: None for tid in hit},
    }
