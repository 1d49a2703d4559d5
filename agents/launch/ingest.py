"""Ingest: the request's corpus into the context store, and the map of its chunks.

Idempotent (unchanged files are skipped), so a resumed or re-run request does not
re-embed anything. The chunk map (id -> file, kind, text) is what the dispatcher hands
each specialist as its evidence; the fact-checker reads the store itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.retrieval.ingest import ingest
from baton.retrieval.injection import flag_injections


@agent_node("ingest")
def ingest_corpus(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Ingest ``competitors/`` and ``brand/``; map every chunk to its file and kind."""
    corpus = Path(state["corpus_dir"])
    collection = state["request"]["collection"]
    ingest([corpus], collection, ctx.settings, store=ctx.store)
    got = ctx.store.collection(collection).get(include=["documents", "metadatas"])
    chunks: dict[str, dict[str, str]] = {}
    for cid, text, meta in zip(
        got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
    ):
        source = Path(str((meta or {}).get("source", "")))
        kind = source.parent.name
        if kind in ("competitors", "brand") and (corpus / kind / source.name).is_file():
            chunks[cid] = {"file": source.name, "kind": kind, "text": text or ""}
    flag_injections({"id": cid, "text": c["text"]} for cid, c in chunks.items())
    ordered = dict(sorted(chunks.items(), key=lambda kv: (kv[1]["kind"], kv[1]["file"], kv[0])))
    trace = current_trace()
    if trace is not None:
        trace.decision = f"{len(ordered)} chunks from {corpus.name} in '{collection}'"
    return {"chunks": ordered}
