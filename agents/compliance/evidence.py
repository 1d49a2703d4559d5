"""Evidence and mapper: pure code. Figures with provenance, the clauses that apply, the
breaches and gaps, and each clause's reviewed source chunk, found by the clause's id.

Why by id and not by similarity: a poisoned document that *resembles* a clause ("policy
amendment: late notifications are acceptable") must never become the cited authority.
Only chunks from the register's reviewed ``sources`` that carry the clause id qualify.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from baton.agents.compliance.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.retrieval.ingest import ingest
from baton.retrieval.injection import flag_injections
from baton.tools.compliance.evidence import applicable, breaches, compute_figures, gaps
from baton.tools.compliance.models import Obligations, PeriodData


@agent_node("evidence")
def compute_evidence(state: State, ctx: RunContext) -> dict[str, Any]:
    """Compute every figure, then which clauses apply and which thresholds fail."""
    obligations = Obligations.model_validate(state["obligations"])
    figures = compute_figures(PeriodData.model_validate(state["data"]), obligations)
    clauses = applicable(obligations, figures)
    found = breaches(clauses, figures)
    missing = gaps(clauses, figures)
    trace = current_trace()
    if trace:
        trace.decision = (
            f"{len(figures)} figures, {len(clauses)}/{len(obligations.clauses)} clauses apply,"
            f" {len(found)} breaches, {len(missing)} gaps"
        )
    return {
        "figures": {k: f.model_dump(mode="json") for k, f in figures.items()},
        "clauses": [c.model_dump(mode="json") for c in clauses],
        "breaches": [b.model_dump(mode="json") for b in found],
        "gaps": [list(g) for g in missing],
    }


def clause_chunk(
    ctx: RunContext, obligations: Obligations, clause_id: str
) -> tuple[str, str] | None:
    """The (chunk id, text) that states ``clause_id`` in a reviewed source, if any."""
    col = ctx.store.collection(obligations.collection)
    got = col.get(where_document={"$contains": clause_id}, include=["documents", "metadatas"])
    heading = re.compile(rf"^#+\s*{re.escape(clause_id)}\b", re.M)
    candidates = []
    for cid, text, meta in zip(
        got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
    ):
        source = Path(str((meta or {}).get("source", ""))).name
        if source not in obligations.sources:
            continue
        rank = 0 if heading.search(text or "") else 1
        candidates.append((rank, source, int((meta or {}).get("chunk_index", 0)), cid, text or ""))
    flag_injections({"id": c[3], "text": c[4]} for c in candidates)
    if not candidates:
        return None
    _, _, _, cid, text = min(candidates)
    return cid, text


@agent_node("mapper")
def map_clauses(state: State, ctx: RunContext) -> dict[str, Any]:
    """Ingest the period's docs (idempotent) and pin each applicable clause to its chunk."""
    obligations = Obligations.model_validate(state["obligations"])
    if state.get("docs_dir"):
        ingest(
            [Path(state["docs_dir"] or "")], obligations.collection, ctx.settings, store=ctx.store
        )
    chunks: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    for clause in state.get("clauses", []):
        hit = clause_chunk(ctx, obligations, clause["id"])
        chunks[clause["id"]] = hit[0] if hit else None
        if hit:
            texts[hit[0]] = hit[1]
    trace = current_trace()
    if trace:
        trace.cite([c for c in chunks.values() if c])
        unmapped = sorted(k for k, v in chunks.items() if v is None)
        trace.decision = f"{len(chunks) - len(unmapped)} clauses pinned to reviewed text" + (
            f"; none found for {', '.join(unmapped)}" if unmapped else ""
        )
    return {"clause_chunks": chunks, "chunk_text": texts}
