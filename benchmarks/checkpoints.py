"""Checkpoint storage per run, per scenario, and whether it stays flat as runs accumulate.

Every registered scenario runs on its example input with the scripted model, the
hashing embedder and ``--review never``; we read each run's checkpoint bytes from the
SQLite checkpointer, compare the first and last batches of runs, then prune all but the
newest run and report what was freed.

    python -m benchmarks.checkpoints [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from baton.config import load_settings
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner
from baton.scenario import discover
from tests.examples import EXAMPLE_INPUTS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = EXAMPLE_INPUTS


def measure(runs: int) -> list[dict[str, float | str]]:
    import baton.retrieval.embeddings as embeddings
    from baton.retrieval.ingest import ingest

    embeddings.embed = hashing_embed
    rows: list[dict[str, float | str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings().model_copy(update={"home": Path(tmp)})
        settings.model.provider = "fake"
        settings.cache.enabled = False
        ingest([ROOT / "examples" / "docs"], "company-docs", settings)
        ingest([ROOT / "examples" / "finance" / "policy"], "finance-policy", settings)
        runner = Runner(settings)
        try:
            for name in discover():
                if name not in EXAMPLES:
                    continue
                sizes = []
                for _ in range(runs):
                    outcome = runner.start(name, EXAMPLES[name], review="never")
                    sizes.append(runner.checkpoint_bytes(outcome.run_id))
                half = max(1, runs // 2)
                rows.append(
                    {
                        "scenario": name,
                        "bytes_per_run": statistics.mean(sizes),
                        "first_half": statistics.mean(sizes[:half]),
                        "second_half": statistics.mean(sizes[half:] or sizes),
                    }
                )
            pruned = runner.prune(keep_last=1)
            rows.append(
                {
                    "scenario": "pruned (keep newest 1)",
                    "bytes_per_run": float(len(pruned)),
                    "first_half": float(sum(b for _, b in pruned)),
                    "second_half": 0.0,
                }
            )
        finally:
            runner.close()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, float | str]]:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    rows = measure(args.runs)
    table = Table(title=f"Checkpoint storage per run ({args.runs} runs per scenario)")
    for col in ("scenario", "bytes per run", "first half mean", "second half mean", "growth"):
        table.add_column(col)
    for row in rows[:-1]:
        growth = float(row["second_half"]) / float(row["first_half"])
        table.add_row(
            str(row["scenario"]),
            f"{row['bytes_per_run']:,.0f}",
            f"{row['first_half']:,.0f}",
            f"{row['second_half']:,.0f}",
            f"{growth:.2f}×",
        )
    last = rows[-1]
    table.add_row(
        "prune --keep-last 1",
        f"{last['bytes_per_run']:.0f} runs",
        f"{last['first_half']:,.0f} bytes freed",
        "",
        "",
    )
    Console().print(table)
    return rows


if __name__ == "__main__":
    main()
