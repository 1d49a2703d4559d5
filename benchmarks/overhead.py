"""Per-step overhead of Baton's runtime against the same nodes wired as raw LangGraph.

Both sides run the research-brief flow with a zero-latency scripted model, an in-memory
stand-in for the context store, and the same SQLite checkpointer settings, in one
process, interleaved, so the ratio is measured side by side. Baton's side adds what a
user gets: the run registry, audit records, token accounting, budgets, review gate and
atomic output files.

    python -m benchmarks.overhead [--runs 30]
"""

from __future__ import annotations

import argparse
import operator
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph

from baton.agents.research.critic import Critique
from baton.agents.research.researcher import ResearchNotes
from baton.agents.research.writer import BriefDraft
from baton.config import Settings, load_settings
from baton.retrieval.store import Chunk
from baton.runtime import Runner, open_checkpointer
from baton.testing import ScriptedChatModel
from baton.tools.research.briefs import check_brief, render_brief

QUESTION = Path(__file__).resolve().parents[1] / "examples" / "research-brief" / "question.yaml"
CHUNKS = [
    Chunk(
        id=f"{n:016x}",
        text=f"Fact {n}: pods cost {n} pounds.",
        source=f"/docs/{n}.md",
        collection="company-docs",
        score=1.0 - n / 10,
    )
    for n in range(6)
]


class FakeStore:
    """Answers retrieval instantly so both sides measure orchestration, not search."""

    def retrieve(self, query: str, collections: Any, k: int = 5, where: Any = None) -> list[Chunk]:
        return CHUNKS[:k]

    def get_chunks(self, ids: Any, collections: Any) -> dict[str, Chunk]:
        return {c.id: c for c in CHUNKS if c.id in set(ids)}


class RawState(TypedDict, total=False):
    question: str
    sources: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    draft: dict[str, Any]
    issues: list[str]
    outputs: Annotated[list[str], operator.add]


def raw_graph(out_dir: Path) -> StateGraph[RawState, Any, RawState, RawState]:
    """The same work as research-brief's nodes, without any of Baton's runtime."""

    def ask(role: str, schema: Any, text: str) -> Any:
        model = ScriptedChatModel(role=role).with_structured_output(
            schema, method="function_calling"
        )
        return model.invoke([SystemMessage("system"), HumanMessage(text)])

    def researcher(state: RawState) -> dict[str, Any]:
        sources = [
            {"id": c.id, "text": c.text, "display": c.source, "collection": c.collection}
            for c in FakeStore().retrieve("q", [], 6)
        ]
        text = "\n".join(f"[{s['id']}] {s['text']}" for s in sources)
        notes = ask("researcher", ResearchNotes, text)
        findings = [f.model_dump() for f in notes.findings]
        return {"sources": sources, "findings": findings}

    def writer(state: RawState) -> dict[str, Any]:
        return {"draft": ask("writer", BriefDraft, str(state["findings"])).model_dump()}

    def critic(state: RawState) -> dict[str, Any]:
        ids = [s["id"] for s in state["sources"]]
        issues = check_brief(state["draft"], state["findings"], ids, ids)
        ask("critic", Critique, str(state["draft"]))
        return {"issues": issues}

    def formatter(state: RawState) -> dict[str, Any]:
        path = out_dir / f"brief-{time.monotonic_ns()}.md"
        path.write_text(
            render_brief(state["question"], state["draft"], state["findings"], state["sources"])
        )
        return {"outputs": [str(path)]}

    builder = StateGraph(RawState)
    for name, fn in (
        ("researcher", researcher),
        ("writer", writer),
        ("critic", critic),
        ("formatter", formatter),
    ):
        builder.add_node(name, fn)
    builder.add_edge(START, "researcher")
    builder.add_edge("researcher", "writer")
    builder.add_edge("writer", "critic")
    builder.add_edge("critic", "formatter")
    builder.add_edge("formatter", END)
    return builder


def measure(runs: int, home: Path) -> dict[str, float]:
    settings: Settings = load_settings().model_copy(update={"home": home})
    settings.model.provider = "fake"
    settings.cache.enabled = False
    runner = Runner(settings)
    import baton.context as context

    original = context.RunContext.store
    context.RunContext.store = property(lambda self: FakeStore())  # type: ignore[assignment]
    baton_times: list[float] = []
    raw_times: list[float] = []
    try:
        with open_checkpointer(settings) as saver:
            raw = raw_graph(home).compile(checkpointer=saver)
            for n in range(runs + 2):  # two warm-up rounds each, interleaved
                start = time.perf_counter()
                outcome = runner.start("research-brief", QUESTION, review="never")
                elapsed = time.perf_counter() - start
                assert outcome.status == "done", outcome
                start2 = time.perf_counter()
                raw.invoke({"question": "q"}, {"configurable": {"thread_id": f"raw-{n}"}})
                elapsed2 = time.perf_counter() - start2
                if n >= 2:
                    baton_times.append(elapsed)
                    raw_times.append(elapsed2)
    finally:
        context.RunContext.store = original  # type: ignore[method-assign]
        runner.close()
    baton_ms, raw_ms = statistics.median(baton_times) * 1e3, statistics.median(raw_times) * 1e3
    # research-brief takes 6 steps here (researcher, writer, critic, review, formatter +
    # input); the raw graph takes 5 (no review gate).
    return {
        "runs": runs,
        "baton_ms_per_run": baton_ms,
        "raw_ms_per_run": raw_ms,
        "baton_ms_per_step": baton_ms / 6,
        "raw_ms_per_step": raw_ms / 5,
        "ratio_per_run": baton_ms / raw_ms,
        "ratio_per_step": (baton_ms / 6) / (raw_ms / 5),
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(args.runs, Path(tmp))
    table = Table(
        title=f"Per-step overhead: Baton vs raw LangGraph ({args.runs} runs each, median)"
    )
    for col in ("side", "ms per run", "ms per step"):
        table.add_column(col)
    table.add_row(
        "raw LangGraph + SqliteSaver",
        f"{result['raw_ms_per_run']:.1f}",
        f"{result['raw_ms_per_step']:.2f}",
    )
    table.add_row(
        "Baton runtime", f"{result['baton_ms_per_run']:.1f}", f"{result['baton_ms_per_step']:.2f}"
    )
    table.add_row(
        "ratio (target ≤ 1.5× per step)",
        f"{result['ratio_per_run']:.2f}×",
        f"{result['ratio_per_step']:.2f}×",
    )
    Console().print(table)
    return result


if __name__ == "__main__":
    main()
