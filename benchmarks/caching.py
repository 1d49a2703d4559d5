"""Caching: what a re-run on identical inputs costs, and what a changed input costs.

Each scenario runs three times in one home with caching on (scripted model,
``--review never``): on its example input, again on the identical input, and then on
an input with one change that reaches a prompt. Model calls come from the audit trail;
embedding calls are counted at the embedding function.

    python -m benchmarks.caching
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from baton.config import load_settings
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner

ROOT = Path(__file__).resolve().parents[1]


def _change_question(src: Path, tmp: Path) -> Path:
    data = yaml.safe_load(src.read_text())
    data["question"] = "What do customers say about PodBack returns?"
    out = tmp / "question-changed.yaml"
    out.write_text(yaml.safe_dump(data))
    return out


def _change_starter(src: Path, tmp: Path) -> Path:
    out = tmp / "hr-changed"
    shutil.copytree(src, out)
    starter = out / "starter.yaml"
    starter.write_text(starter.read_text().replace("Maya", "Mara"))
    return out


CASES = {
    "research-brief": (
        ROOT / "examples" / "research-brief" / "question.yaml",
        _change_question,
        "question text",
    ),
    "onboarding": (ROOT / "examples" / "hr", _change_starter, "starter's first name"),
}


def measure() -> list[dict[str, Any]]:
    import baton.retrieval.embeddings as embeddings
    from baton.retrieval.ingest import ingest

    calls: list[int] = []

    def counting(texts: Any, batch_size: int = 64) -> Any:
        calls.append(len(texts))
        return hashing_embed(texts, batch_size)

    embeddings.embed = counting
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings().model_copy(update={"home": Path(tmp) / "home"})
        settings.model.provider = "fake"
        settings.cache.enabled = True
        ingest([ROOT / "examples" / "docs"], "company-docs", settings)
        runner = Runner(settings)
        try:
            for name, (example, change, what) in CASES.items():
                changed = change(example, Path(tmp))
                for label, path in (
                    ("first run", example),
                    ("identical re-run", example),
                    (f"changed {what}", changed),
                ):
                    calls.clear()
                    outcome = runner.start(name, path, review="never")
                    nodes = [a for a in runner.sync_audit(outcome.run_id) if a.kind == "node"]
                    rows.append(
                        {
                            "scenario": name,
                            "run": label,
                            "status": outcome.status,
                            "model_calls": sum(a.llm_calls for a in nodes),
                            "cache_hits": sum(a.cache_hits for a in nodes),
                            "embedding_calls": len(calls),
                        }
                    )
        finally:
            runner.close()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    from rich.console import Console
    from rich.table import Table

    rows = measure()
    table = Table(title="Caching: model and embedding calls per run")
    for col in ("scenario", "run", "model calls", "cache hits", "embedding calls"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["scenario"],
            r["run"],
            str(r["model_calls"]),
            str(r["cache_hits"]),
            str(r["embedding_calls"]),
        )
    Console().print(table)
    return rows


if __name__ == "__main__":
    main()
