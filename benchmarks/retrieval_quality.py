"""Retrieval quality: recall@1, recall@5 and MRR of dense-only versus hybrid retrieval.

The example documents are ingested into a throwaway embedded Chroma store with the
real MiniLM embedder, then every question of ``examples/docs/retrieval-eval.yaml`` is
asked in both modes (``store.hybrid`` false and true) against the same store.

Why labels are derived here rather than stored as chunk ids: a question's relevant
chunks are those of its ``source`` whose text contains its ``answer_quote`` (after
whitespace normalisation), so the set stays valid whatever the chunk size.

    python -m benchmarks.retrieval_quality [--depth 10] [--show-misses]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from baton.config import Settings, load_settings
from baton.errors import InputError
from baton.retrieval.ingest import ingest as do_ingest
from baton.retrieval.store import ContextStore

DOCS = Path(__file__).resolve().parents[1] / "examples" / "docs"
EVAL = DOCS / "retrieval-eval.yaml"
COLLECTION = "retrieval-eval"
MODES = ("dense", "hybrid")


@dataclass(frozen=True)
class Question:
    question: str
    source: str
    quote: str


def normalise(text: str) -> str:
    """Collapse whitespace so a quote still matches text re-wrapped by loading or chunking."""
    return re.sub(r"\s+", " ", text).strip()


def load_questions(path: Path = EVAL) -> list[Question]:
    """Every labelled question, validated before any retrieval is run."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError(path, f"invalid YAML ({exc})", line=line) from None
    if not isinstance(data, list) or not data:
        raise InputError(path, "expected a non-empty list of questions")
    out = []
    for n, item in enumerate(data):
        keys = ("question", "source", "answer_quote")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
            raise InputError(path, f"item {n}: needs string fields {', '.join(keys)}")
        if not (DOCS / item["source"]).is_file():
            raise InputError(path, f"item {n}: source '{item['source']}' not found")
        out.append(Question(item["question"], item["source"], normalise(item["answer_quote"])))
    return out


def relevant_ids(questions: Sequence[Question], chunks: dict[str, Any]) -> list[set[str]]:
    """For each question, the ids of the chunks of its source that contain its quote."""
    by_source: dict[str, list[tuple[str, str]]] = {}
    rows = zip(chunks["ids"], chunks["documents"], chunks["metadatas"], strict=True)
    for cid, text, meta in rows:
        by_source.setdefault(str(meta["source"]), []).append((cid, normalise(text or "")))
    labels = []
    for q in questions:
        source = str((DOCS / q.source).resolve())
        ids = {cid for cid, text in by_source.get(source, []) if q.quote in text}
        if not ids:
            raise InputError(EVAL, f"no chunk of {q.source} contains '{q.quote}'")
        labels.append(ids)
    return labels


def first_hit(ranked: Sequence[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant id, or None if none was returned."""
    return next((n for n, cid in enumerate(ranked, start=1) if cid in relevant), None)


def scores(ranks: Sequence[int | None]) -> dict[str, float]:
    """recall@1, recall@5 (share of questions with a relevant chunk in the top 1/5) and MRR."""
    total = len(ranks)
    return {
        "recall@1": sum(r is not None and r <= 1 for r in ranks) / total,
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / total,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / total,
    }


def measure(depth: int = 10) -> tuple[dict[str, dict[str, float]], dict[str, list[str]], int]:
    """Scores per mode, the questions each mode misses in its top 5, and the chunk count."""
    questions = load_questions()
    results: dict[str, dict[str, float]] = {}
    misses: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings().model_copy(update={"home": Path(tmp) / "home"})
        store = ContextStore(base)
        do_ingest([DOCS], COLLECTION, base, store=store)
        col = store.collection(COLLECTION, create=False)
        labels = relevant_ids(questions, col.get(include=["documents", "metadatas"]))
        for mode in MODES:
            settings = _with_hybrid(base, mode == "hybrid")
            moded = ContextStore(settings, client=store.client)
            ranks = []
            for q, rel in zip(questions, labels, strict=True):
                hits = moded.retrieve(q.question, [COLLECTION], k=depth)
                ranks.append(first_hit([h.id for h in hits], rel))
            results[mode] = scores(ranks)
            misses[mode] = [
                q.question for q, r in zip(questions, ranks, strict=True) if r is None or r > 5
            ]
        chunks = int(col.count())
    return results, misses, chunks


def _with_hybrid(settings: Settings, hybrid: bool) -> Settings:
    store = settings.store.model_copy(update={"hybrid": hybrid})
    return settings.model_copy(update={"store": store})


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", type=int, default=10, help="results read per question (MRR)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    results, misses, chunks = measure(args.depth)
    n = len(load_questions())
    table = Table(title=f"Retrieval quality ({n} questions, {chunks} chunks, MiniLM)")
    table.add_column("measure")
    for mode in MODES:
        table.add_column(mode, justify="right")
    for metric in ("recall@1", "recall@5", "mrr"):
        label = f"{metric} (target ≥ 0.9)" if metric == "recall@5" else metric
        table.add_row(label, *(f"{results[m][metric]:.3f}" for m in MODES))
    console = Console()
    console.print(table)
    if args.show_misses:
        for mode in MODES:
            console.print(f"[bold]{mode}[/bold] misses at 5: {len(misses[mode])}")
            for q in misses[mode]:
                console.print(f"  - {q}")
    return results


if __name__ == "__main__":
    main()
