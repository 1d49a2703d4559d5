"""What every launch specialist shares: its input (one task's payload), its result, and
the rule that a re-run never repeats a claim the fact-checker refuted.

Why a payload rather than the whole state: the dispatcher sends each ready task, with
``Send``, only what it may use: its task, the results of the tasks it depends on, its
feedback and the evidence. A specialist cannot read another task's reasoning or change
anything but its own result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baton.audit import current_trace, usage_so_far
from baton.context import RunContext
from baton.tools.grounding import CITATION
from baton.tools.launch.claims import strip_claims
from baton.tools.launch.plan import Task, upstream

LOCAL_MODEL_TASKS = 2
"""Tasks of one type the embedded 135M model drafts (each call takes many seconds);
the rest are written by the deterministic fallback, as the audit says."""


def payload(state: Mapping[str, Any], task: Task) -> dict[str, Any]:
    """The input of one task branch: everything it needs, nothing it could change."""
    plan = [Task.model_validate(t) for t in state["plan"]]
    done = state.get("done") or {}
    above = upstream(plan, task.id)
    calls, tokens = usage_so_far(state)
    competitors = state.get("competitors") or []
    chunks = state.get("chunks") or {}
    competitor = competitors[task.index - 1] if 0 < task.index <= len(competitors) else None
    wanted = "brand" if task.type != "research_competitor" else "competitors"
    sources = {
        cid: c["text"]
        for cid, c in chunks.items()
        if c["kind"] == wanted and (competitor is None or c["file"] == competitor["file"])
    }
    return {
        "task": task.model_dump(),
        "attempt": int((state.get("runs") or {}).get(task.id, 0)) + 1,
        "inputs": {tid: done[tid] for tid in sorted(above) if tid in done},
        "feedback": list((state.get("feedback") or {}).get(task.id, [])),
        "refuted": sorted(state.get("refuted_ids") or []),
        "request": state["request"],
        "posts": int((state.get("counts") or {}).get("posts") or 0),
        "brand": state["brand"],
        "competitor": competitor,
        "sources": sources,
        "audit": [{"llm_calls": calls, "tokens_in": tokens, "tokens_out": 0}],
    }


def use_model(ctx: RunContext, task: Mapping[str, Any]) -> bool:
    """Whether this task asks the model (all of them, except on the embedded model)."""
    return ctx.settings.model.provider != "embedded" or int(task.get("index", 0)) <= (
        LOCAL_MODEL_TASKS
    )


def cited(text: str) -> list[str]:
    return list(dict.fromkeys(CITATION.findall(text)))


def result(p: Mapping[str, Any], text: str, by: str, **data: Any) -> dict[str, Any]:
    """The task's entry in ``done`` (refuted claims removed) and its run count."""
    task = p["task"]
    clean = strip_claims(text, p.get("refuted") or [])
    trace = current_trace()
    if trace is not None:
        trace.cite(cited(clean))
        trace.decision = f"{task['id']} (attempt {p['attempt']}): written by {by}"
        if p.get("feedback"):
            trace.flag(f"re-run with feedback: {p['feedback'][0][:160]}")
    entry = {"type": task["type"], "text": clean, "by": by, "attempt": p["attempt"], **data}
    return {"done": {task["id"]: entry}, "runs": {task["id"]: p["attempt"]}}


def cite_line(text: str, ids: Sequence[str]) -> str:
    """A cited bullet line, the citation inside the sentence ("... of 10 [id].")."""
    body = text.strip().rstrip(".")
    return f"- {body} " + " ".join(f"[{i}]" for i in ids) + "."


def feedback_block(p: Mapping[str, Any]) -> str:
    notes = p.get("feedback") or []
    if not notes:
        return ""
    return "\n\nFix these problems found in your previous version:\n" + "\n".join(
        f"- {n}" for n in notes
    )


def upstream_text(p: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    """(task id, text) of the finished upstream tasks of type ``kind``, in task order."""
    return [(tid, r["text"]) for tid, r in p["inputs"].items() if r["type"] == kind]


def fact_lines(text: str) -> list[str]:
    """The cited bullet lines of a draft, without their bullet."""
    return [
        line.strip()[2:].strip()
        for line in text.splitlines()
        if line.strip().startswith("- ") and CITATION.search(line)
    ]
