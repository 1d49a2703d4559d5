"""Re-running on identical inputs costs no model or embedding calls; changes miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from baton.config import Settings
from baton.retrieval.ingest import ingest
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


def _totals(runner: Runner, run_id: str) -> tuple[int, int]:
    nodes = [a for a in runner.sync_audit(run_id) if a.kind == "node"]
    return sum(a.llm_calls for a in nodes), sum(a.cache_hits for a in nodes)


def test_rerun_is_free_and_a_change_misses(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    embeds: list[int] = []

    def counting(texts: Any, batch_size: int = 64) -> np.ndarray[Any, Any]:
        embeds.append(len(texts))
        result: np.ndarray[Any, Any] = hashing_embed(texts, batch_size)
        return result

    monkeypatch.setattr("baton.retrieval.embeddings.embed", counting)
    cached = settings.model_copy(
        update={"cache": settings.cache.model_copy(update={"enabled": True})}
    )
    runner = Runner(cached)
    try:
        first = runner.start("research-brief", QUESTION, review="never")
        calls, hits = _totals(runner, first.run_id)
        assert calls >= 3 and hits == 0 and len(embeds) == 1

        embeds.clear()
        second = runner.start("research-brief", QUESTION, review="never")
        calls, hits = _totals(runner, second.run_id)
        assert calls == 0 and hits >= 3
        assert embeds == []
        assert (
            Path(second.outputs[0]).read_text().split("*Review:*")[0]
            == Path(first.outputs[0]).read_text().split("*Review:*")[0]
        )

        changed = tmp_path / "q2.yaml"
        data = yaml.safe_load(QUESTION.read_text())
        data["question"] = "What do customers say about PodBack returns?"
        changed.write_text(yaml.safe_dump(data))
        third = runner.start("research-brief", changed, review="never")
        calls, _ = _totals(runner, third.run_id)
        assert calls >= 3 and len(embeds) == 1
    finally:
        runner.close()
