"""Every scenario end to end on the embedded model, as a user runs it.

For each scenario: ``baton run`` on its example input until the review pause, then
``baton resume --approve``, each a fresh process in one throwaway home (model answers
are not cached, so every call really reaches SmolLM2). Reports wall time to the review
and to done, model calls, output tokens, seconds spent waiting on the model and the
resulting generation rate.

    python -m benchmarks.embedded_e2e
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.examples import EXAMPLE_COLLECTIONS, EXAMPLE_INPUTS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {
    name: EXAMPLE_INPUTS[name]
    for name in ("research-brief", "expense-reconciliation", "content-calendar", "onboarding")
}
"""The scenarios this benchmark has always timed (compliance-report's approval must come
from a second person, which this one-reviewer loop does not model)."""
INGEST = EXAMPLE_COLLECTIONS


def _baton(env: dict[str, str], cwd: Path, *args: str) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "baton.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout) if "--json" in args else None


def measure() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
        env.update({"BATON_HOME": str(Path(tmp) / "home"), "BATON_CACHE__ENABLED": "false"})
        for collection, folder in INGEST.items():
            _baton(env, Path(tmp), "ingest", str(folder), "--collection", collection)
        for name, example in EXAMPLES.items():
            start = time.perf_counter()
            paused = _baton(env, Path(tmp), "run", name, "--input", str(example), "--json")
            to_review = time.perf_counter() - start
            if paused["status"] == "awaiting_review":
                _baton(env, Path(tmp), "resume", paused["run_id"], "--approve", "--json")
            total = time.perf_counter() - start
            shown = _baton(env, Path(tmp), "show", paused["run_id"], "--json")
            nodes = [n for n in shown["nodes"] if n["kind"] == "node"]
            out_tokens = sum(n["tokens_out"] for n in nodes)
            model_s = sum(n["model_seconds"] for n in nodes)
            rows.append(
                {
                    "scenario": name,
                    "status": shown["status"],
                    "to_review_s": to_review,
                    "total_s": total,
                    "calls": sum(n["llm_calls"] for n in nodes),
                    "tokens_out": out_tokens,
                    "model_s": model_s,
                    "tokens_per_s": out_tokens / model_s if model_s else 0.0,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    from rich.console import Console
    from rich.table import Table

    rows = measure()
    table = Table(title="Embedded model (SmolLM2-135M, llama.cpp), run -> review -> done")
    for col in (
        "scenario",
        "status",
        "to review",
        "to done",
        "calls",
        "output tokens",
        "model s",
        "tokens/s",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["scenario"],
            r["status"],
            f"{r['to_review_s']:.1f} s",
            f"{r['total_s']:.1f} s",
            str(r["calls"]),
            str(r["tokens_out"]),
            f"{r['model_s']:.1f}",
            f"{r['tokens_per_s']:.0f}",
        )
    Console().print(table)
    return rows


if __name__ == "__main__":
    main()
