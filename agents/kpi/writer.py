"""Root-cause writer: drafts a short incident note per alert from computed evidence.

The model sees the anomaly's computed figures, the drill-down, the change-log rows in
the window and the KPI's runbook passage (quoted as data), and names the change row it
thinks caused it. Code then checks the note: every number must equal a computed value,
every cited id must be a change row or runbook chunk it was shown. A note that fails, or
that the model does not produce, is replaced by the note code writes from the evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from baton.agents.kpi.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured, drafting_calls, quote
from baton.retrieval.ingest import ingest
from baton.retrieval.injection import flag_injections
from baton.tools.kpi.notes import check_note, fallback_note

COLLECTION = "kpi-runbooks"
PROMPT = (
    "You write a short incident note (two or three sentences) about one KPI anomaly for the"
    " person on call. Say what moved, where, by how much and the likely cause. Use only the"
    " numbers given, exactly as written. Cite the change row id you name as the cause."
)


class IncidentNote(BaseModel):
    text: str = Field(description="two or three sentences", min_length=20, max_length=900)
    citations: list[str] = Field(default_factory=list, max_length=4)


def evidence_lines(finding: dict[str, Any]) -> str:
    a = finding["anomaly"]
    lines = [
        f"KPI: {a['kpi']} ({', '.join(f'{k}={v}' for k, v in a['dims'].items()) or 'total'})",
        f"Kind: {a['kind']}; window {a['start'][:10]} to {a['end'][:10]}",
        *(f"{k}: {v}" for k, v in a["evidence"].items()),
    ]
    for c in finding.get("contributions", [])[:3]:
        lines.append(f"{c['dim']}={c['value']}: delta {c['delta']} ({c['share_pct']}% of move)")
    for c in finding.get("causes", [])[:3]:
        lines.append(f"Change {c['id']} on {c['date'][:10]} ({c['kind']}): {c['summary']}")
    return "\n".join(lines)


def _runbook(ctx: RunContext, kpi: str) -> tuple[str, str] | None:
    hits = ctx.store.retrieve(f"runbook {kpi} anomaly cause", [COLLECTION], k=1)
    # A runbook is data shown to the model: a passage that reads like an instruction is
    # flagged for the reviewer and the audit, as every agent does with what it reads.
    flag_injections(
        {"id": h.id, "text": h.text, "source": h.source, "index": h.metadata.get("chunk_index", 0)}
        for h in hits
    )
    return (hits[0].id, hits[0].text) if hits else None


@agent_node("writer")
def write_notes(state: State, ctx: RunContext) -> dict[str, Any]:
    """One note per alerted finding: the model's if it passes the checks, else code's."""
    if state.get("runbooks_dir"):
        ingest([Path(state["runbooks_dir"] or "")], COLLECTION, ctx.settings, store=ctx.store)
    budget = drafting_calls(ctx, embedded=1)  # notes per run
    routes = state.get("routes", {})
    notes: dict[str, dict[str, Any]] = {}
    cited: list[str] = []
    for finding in state.get("findings", []):
        aid = finding["anomaly"]["id"]
        if not routes.get(aid, {}).get("alert"):
            continue
        note: dict[str, Any] = {"text": fallback_note(finding), "by": "code", "issues": []}
        if budget > 0:
            budget -= 1
            book = _runbook(ctx, finding["anomaly"]["kpi"]) if state.get("runbooks_dir") else None
            shown = {c["id"] for c in finding.get("causes", [])} | ({book[0]} if book else set())
            user = evidence_lines(finding) + (f"\n{quote(book[0], book[1])}" if book else "")
            reply = ask_structured(ctx, "writer", IncidentNote, PROMPT, user)
            if reply is not None:
                issues = check_note(reply.text, reply.citations, finding, shown)
                note["issues"] = issues
                if not issues:
                    note.update(text=reply.text.strip(), by="model", citations=reply.citations)
                    cited += [c for c in reply.citations if book and c == book[0]]
        notes[aid] = note
    trace = current_trace()
    if trace:
        trace.cite(cited)
        by_model = sum(n["by"] == "model" for n in notes.values())
        rejected = sum(bool(n["issues"]) for n in notes.values())
        trace.decision = (
            f"{len(notes)} notes: {by_model} by the model, {len(notes) - by_model} by code"
            f" ({rejected} model drafts failed the number/citation check)"
        )
    return {"notes": notes}
