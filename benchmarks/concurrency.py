"""Many runs at once: 100 research-brief runs in one process, against the ideal.

Every model call takes ``--latency`` seconds (scripted model, default 100 ms). With the
model concurrency capped at C, no schedule can beat ``calls x latency / C``: that is the
ideal. We launch all runs at once with ``Runner.astart`` and report achieved throughput
as a share of the ideal, next to the same runs done one after another.

    python -m benchmarks.concurrency [--runs 100] [--latency 0.1] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from baton.config import load_settings
from baton.runtime import Runner, RunOutcome
from benchmarks.overhead import QUESTION, FakeStore
from benchmarks.tables import print_measures


async def _all(runner: Runner, runs: int) -> list[RunOutcome]:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=runs))
    return await asyncio.gather(
        *(runner.astart("research-brief", QUESTION, review="never") for _ in range(runs))
    )


def measure(runs: int, latency: float, concurrency: int, sequential: int) -> dict[str, float]:
    import baton.context as context

    original = context.RunContext.store
    context.RunContext.store = property(lambda self: FakeStore())  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings().model_copy(update={"home": Path(tmp)})
            settings.model.provider = "fake"
            settings.cache.enabled = False
            settings.model.fake_latency_s = latency
            settings.model.concurrency = concurrency
            runner = Runner(settings)
            try:
                runner.start("research-brief", QUESTION, review="never")  # warm-up
                start = time.perf_counter()
                outcomes = asyncio.run(_all(runner, runs))
                wall = time.perf_counter() - start
                assert all(o.status == "done" for o in outcomes)
                calls = sum(a.llm_calls for o in outcomes for a in runner.registry.audit(o.run_id))
                start = time.perf_counter()
                for _ in range(sequential):
                    runner.start("research-brief", QUESTION, review="never")
                seq_per_run = (time.perf_counter() - start) / sequential
            finally:
                runner.close()
    finally:
        context.RunContext.store = original  # type: ignore[method-assign]
    ideal = calls * latency / concurrency
    return {
        "runs": runs,
        "calls": calls,
        "concurrency": concurrency,
        "latency": latency,
        "wall_s": wall,
        "ideal_s": ideal,
        "efficiency": ideal / wall,
        "runs_per_s": runs / wall,
        "ideal_runs_per_s": runs / ideal,
        "sequential_runs_per_s": 1 / seq_per_run,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--sequential", type=int, default=10)
    args = parser.parse_args(argv)
    r = measure(args.runs, args.latency, args.concurrency, args.sequential)
    print_measures(
        f"{r['runs']:.0f} research-brief runs at once, model call "
        f"{r['latency'] * 1000:.0f} ms, model concurrency {r['concurrency']:.0f}",
        [
            ("model calls", f"{r['calls']:.0f}"),
            (
                "ideal (calls x latency / concurrency)",
                f"{r['ideal_s']:.2f} s, {r['ideal_runs_per_s']:.1f} runs/s",
            ),
            ("achieved, all runs at once", f"{r['wall_s']:.2f} s, {r['runs_per_s']:.1f} runs/s"),
            ("share of ideal (target >= 80%)", f"{r['efficiency']:.0%}"),
            ("sequential, for contrast", f"{r['sequential_runs_per_s']:.2f} runs/s"),
        ],
    )
    return r


if __name__ == "__main__":
    main()
