"""Parallel drafting: the content-calendar fan-out against its slowest branch.

A scripted model answers every drafting call after a fixed latency L. With N posts
drafted by the model, a serial drafting stage would take about N x L; a parallel one
about L (its slowest branch). We run the real content-calendar graph on the example
data, read each draft branch's start and end from the audit trail, and report the stage
time over the slowest branch (target <= 1.2x).

    python -m benchmarks.parallel_drafting [--posts 12] [--latency 0.5]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from baton.config import load_settings
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner
from benchmarks.tables import print_measures

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "marketing"


def _t(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def measure(posts: int, latency: float) -> dict[str, float]:
    import baton.retrieval.embeddings as embeddings

    embeddings.embed = hashing_embed  # orchestration is measured here, not embeddings
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings().model_copy(update={"home": Path(tmp)})
        settings.model.provider = "fake"
        settings.cache.enabled = False
        settings.model.fake_latency_s = latency
        settings.model.concurrency = max(posts, 1)
        settings.budget.max_llm_calls = 500
        runner = Runner(settings)
        import baton.graphs.content_calendar.state as cc_state

        original = cc_state.load_input

        def with_model_drafts(path: Path) -> dict[str, Any]:
            state = original(path)
            state["model_drafts"] = posts
            state["max_revisions"] = 0
            return state

        cc_state.load_input = with_model_drafts
        import baton.graphs.content_calendar.graph as cc_graph

        cc_graph.load_input = with_model_drafts
        try:
            outcome = runner.start("content-calendar", EXAMPLE, review="never")
            audit = runner.sync_audit(outcome.run_id)
        finally:
            cc_state.load_input = original
            cc_graph.load_input = original
            runner.close()
    drafts = [a for a in audit if a.node == "draft" and a.llm_calls]
    first_critic = min(_t(a.started_at) for a in audit if a.node == "critic")
    wave = [a for a in drafts if _t(a.started_at) < first_critic]
    stage = max(_t(a.ended_at) for a in wave) - min(_t(a.started_at) for a in wave)
    slowest = max(_t(a.ended_at) - _t(a.started_at) for a in wave)
    return {
        "branches": len(wave),
        "latency": latency,
        "stage_s": stage,
        "slowest_s": slowest,
        "serial_s": sum(_t(a.ended_at) - _t(a.started_at) for a in wave),
        "ratio": stage / slowest,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=12)
    parser.add_argument("--latency", type=float, default=0.5)
    args = parser.parse_args(argv)
    r = measure(args.posts, args.latency)
    print_measures(
        f"Parallel drafting: {r['branches']:.0f} model-drafted branches, "
        f"L = {r['latency']:.2f} s per call",
        [
            ("drafting stage (first wave)", f"{r['stage_s']:.2f} s"),
            ("slowest branch", f"{r['slowest_s']:.2f} s"),
            ("sum of branch times (serial equivalent)", f"{r['serial_s']:.2f} s"),
            ("stage / slowest branch (target <= 1.2x)", f"{r['ratio']:.2f}x"),
        ],
    )
    return r


if __name__ == "__main__":
    main()
