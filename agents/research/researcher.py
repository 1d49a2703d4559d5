"""Researcher: retrieves company documents and summarises them into cited findings.

The model only phrases findings; code decides which citations are real (they must be
ids retrieved in this very call) and whether each finding is supported by the chunks it
cites (:mod:`tools.grounding`); an unsupported finding is dropped and shown to the
reviewer as an exception, and an extractive fallback keeps the run useful when a small
model returns nothing usable.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, Field

from baton.agents.research.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured, cited_schema, quote
from baton.retrieval.injection import flag_injections
from baton.tools.grounding import Tally, clip_words
from baton.tools.research.briefs import chunk_texts, finding_supported, unsupported_row

PROMPT = (
    "You are a research analyst. Summarise the sources into at most 3 findings that answer"
    " the question. Each finding is one short sentence and lists the ids of the sources it"
    " uses."
)
SNIPPET = 400
MAX_FINDINGS = 3


class Finding(BaseModel):
    point: str = Field(description="one sentence", max_length=300)
    citations: list[str] = Field(description="source ids", max_length=3)


class ResearchNotes(BaseModel):
    findings: list[Finding] = Field(max_length=MAX_FINDINGS)


def _first_sentence(text: str) -> str:
    flat = " ".join(line.strip("#*- ") for line in text.splitlines() if line.strip())
    match = re.match(r"(.{20,240}?[.!?])(\s|$)", flat)
    return (match.group(1) if match else clip_words(flat, 200)).strip()


def extractive_findings(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One finding per top source, quoting its first sentence: always true to the text."""
    return [
        {"point": _first_sentence(s["text"]), "citations": [s["id"]]}
        for s in sources[:MAX_FINDINGS]
    ]


def format_sources(sources: list[dict[str, Any]]) -> str:
    """Quote each source as a delimited document, so the model sees data, not orders.

    The document is labelled with its file name, not its path: a path says where the
    company keeps its files (or where Baton was checked out), nothing about the text,
    and a different prompt is a different draft from the same model and sources.
    """
    return "\n".join(
        quote(s["id"], s["text"][:SNIPPET], PurePath(s["display"]).name) for s in sources
    )


@agent_node("researcher")
def research(state: State, ctx: RunContext) -> dict[str, Any]:
    """Retrieve, summarise with the model, keep only verifiable citations."""
    chunks = ctx.store.retrieve(state["question"], state["collections"], k=state.get("k", 6))
    sources = [
        {
            "id": c.id,
            "text": c.text,
            "display": c.display_source,
            "collection": c.collection,
            "score": c.score,
        }
        for c in chunks
    ]
    flag_injections(
        {"id": c.id, "text": c.text, "source": c.source, "index": c.metadata.get("chunk_index", 0)}
        for c in chunks
    )
    trace = current_trace()
    if not sources:
        if trace:
            trace.decision = "no documents found for the question"
        return {"sources": [], "findings": []}
    known: set[str] = {str(s["id"]) for s in sources}
    notes = ask_structured(
        ctx,
        "researcher",
        cited_schema(ResearchNotes, [str(s["id"]) for s in sources]),
        PROMPT,
        f"Question: {state['question']}\n\nSources:\n{format_sources(sources)}",
    )
    findings: list[dict[str, Any]] = []
    unsupported: list[dict[str, Any]] = []
    dropped = 0
    texts = chunk_texts(sources)
    written = notes.findings[:MAX_FINDINGS] if notes else []
    for f in written:
        valid = [c for c in dict.fromkeys(f.citations) if c in known]
        dropped += len(f.citations) - len(valid)
        finding = {"point": " ".join(f.point.split())[:300], "citations": valid}
        if not (valid and finding["point"]):
            continue
        bad = finding_supported(finding, texts)
        if bad:
            unsupported += [unsupported_row("finding", v) for v in bad]
        else:
            findings.append(finding)
    used_fallback = not findings
    if used_fallback:
        findings = extractive_findings(sources)
    if trace:
        trace.flag(
            Tally(
                len(findings) * (not used_fallback), len(written), len(findings) * used_fallback
            ).flag()
        )
        trace.cite([c for f in findings for c in f["citations"]])
        trace.decision = (
            f"retrieved {len(sources)} chunks; {len(findings)} findings"
            + (" (extractive fallback: model gave no verifiable finding)" if used_fallback else "")
            + (f"; dropped {dropped} unverifiable citations" if dropped else "")
            + (f"; dropped {len(unsupported)} unsupported sentences" if unsupported else "")
        )
    return {"sources": sources, "findings": findings, "unsupported": unsupported}
