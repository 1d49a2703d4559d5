"""launch-team: the hallucination loop, planning quality and the dispatcher's parallelism.

``python -m benchmarks.launch [--seeds 1-10] [--requests 30] [--latency 0.2]
[--embedded-planner] [--only-planning]``

* **Hallucination loop.** A scripted researcher (``baton.tools.launch.scripted``) plants
  seeded false facts (wrong prices, invented competitors, swapped dates) in its notes, and
  repeats a plant when sent back with probability ``sticky``. Both examples (coffee pods
  and the independent bike light) run with the fact-checker and without it. Reported:
  plants made, plants that reach the final outputs (target 0), true claims removed from
  the outputs (target <= 2%), and task re-runs. Seeds 1-3 were used while writing the
  scenario; 4 and up are held out.
* **Planning.** Requests generated from phrasings written for this benchmark (none used
  while writing the count parser), each with a gold task graph built here by the
  catalogue's rules. Node and edge F1 of the deterministic planner and of a scripted
  model that makes seeded planning mistakes (a dropped post, a cycle, an unknown task
  type), before and after validation; the share of model plans rejected; counts honoured.
  ``--embedded-planner`` adds the embedded model's plans of the same requests (one real
  planning call each, about a minute and a half on a loaded 2-core machine).
* **Parallelism.** One run with a fixed model latency: the wall time of the task phase
  against the plan's critical path and against running the same tasks one by one, each
  computed from the tasks' own measured durations in the audit trail.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {
    "coffee": ROOT / "examples" / "launch" / "request.yaml",
    "bike-light": ROOT / "examples" / "launch" / "bike-light" / "request.yaml",
}
HELD_OUT_FROM = 4


@contextmanager
def home() -> Iterator[Path]:
    """A throwaway Baton home with the scripted model and the offline hashing embedder."""
    folder = Path(tempfile.mkdtemp(prefix="baton-launch-bench."))
    saved = {k: v for k, v in os.environ.items() if k.startswith("BATON_")}
    for k in saved:
        del os.environ[k]
    os.environ.update(
        {
            "BATON_HOME": str(folder / "home"),
            "BATON_MODEL__PROVIDER": "fake",
            "BATON_CACHE__ENABLED": "false",
        }
    )
    import baton.retrieval.embeddings as embeddings
    from baton.retrieval.testing import hashing_embed

    embeddings.embed = hashing_embed
    try:
        yield folder
    finally:
        for k in [k for k in os.environ if k.startswith("BATON_")]:
            del os.environ[k]
        os.environ.update(saved)
        shutil.rmtree(folder, ignore_errors=True)


def request_copy(folder: Path, source: Path, **changes: Any) -> Path:
    target = folder / f"req-{len(list(folder.glob('req-*')))}"
    shutil.copytree(source.parent, target, ignore=shutil.ignore_patterns("bike-light"))
    data = yaml.safe_load(source.read_text())
    data.update(changes)
    (target / "request.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return target / "request.yaml"


def corpus_facts(source: Path) -> set[str]:
    """Every fact line of an example's corpus, as written (the true facts)."""
    facts: set[str] = set()
    for page in (source.parent / "corpus").rglob("*.md"):
        for line in page.read_text().splitlines():
            if line.startswith("- "):
                facts.add(line[2:].strip().rstrip("."))
    return facts


# Hallucination loop ---------------------------------------------------------------------
@dataclass
class LoopRow:
    example: str
    seed: int
    checker: bool
    planted: int
    survived: int
    true_claims: int
    true_removed: int
    reruns: int


def hallucination_run(
    example: str, seed: int, checker: bool, rate: float, sticky: float
) -> LoopRow:
    from baton.config import load_settings
    from baton.graphs.launch_team.review import FLAGGED
    from baton.review import make_decision
    from baton.runtime import Runner
    from baton.testing import ScriptedChatModel
    from baton.tools.launch.scripted import LaunchScript

    script = LaunchScript(plant_rate=rate, sticky=sticky, seed=seed)
    with home() as folder:
        path = request_copy(folder, EXAMPLES[example], fact_check=checker)
        runner = Runner(
            load_settings(),
            model_factory=lambda role: ScriptedChatModel(role=role, responder=script),
        )
        try:
            outcome = runner.start("launch-team", path)
            if outcome.status == "awaiting_review":
                outcome = runner.resume(outcome.run_id, make_decision("approve", "bench"))
            assert outcome.status == "done", outcome.reason
            state = runner.state(outcome.run_id)
            # What states facts: the analysis, the posts, the calendar (summary.md and
            # claims.csv list the refuted claims on purpose, as exceptions).
            shown = "\n".join(
                Path(p).read_text()
                for p in outcome.outputs
                if not p.endswith(("claims.csv", "summary.md", "plan.json"))
            )
        finally:
            runner.close()
    lies = {lie.rstrip(".") for lie in script.planted}
    survived = sum(1 for lie in lies if lie in shown)
    truth = corpus_facts(EXAMPLES[example])
    true_claims = [c for c in state["claims"] if _plain(c["text"]) in truth]
    removed = sum(1 for c in true_claims if c["verdict"] in FLAGGED)
    reruns = sum(max(0, int(n) - 1) for n in (state.get("runs") or {}).values() if n)
    return LoopRow(example, seed, checker, len(lies), survived, len(true_claims), removed, reruns)


def _plain(text: str) -> str:
    return re.sub(r"\s+([.,;:])", r"\1", " ".join(text.split())).rstrip(".")


def hallucination(seeds: Sequence[int], rate: float, sticky: float) -> list[LoopRow]:
    rows = []
    for example in EXAMPLES:
        for seed in seeds:
            for checker in (True, False):
                rows.append(hallucination_run(example, seed, checker, rate, sticky))
    return rows


def print_loop(rows: Sequence[LoopRow]) -> None:
    print("\nHallucination loop (planted false facts in the research notes)")
    print(
        "| seeds | fact-checker | runs | planted | survived to outputs"
        " | true claims removed | task re-runs |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, held_out in (("dev", False), ("held-out", True)):
        for checker in (True, False):
            part = [
                r for r in rows if (r.seed >= HELD_OUT_FROM) == held_out and r.checker == checker
            ]
            if not part:
                continue
            planted = sum(r.planted for r in part)
            survived = sum(r.survived for r in part)
            true = sum(r.true_claims for r in part)
            removed = sum(r.true_removed for r in part)
            share = f"{removed}/{true} ({removed / true:.1%})" if true else "0/0"
            alive = f"{survived} ({survived / planted:.0%})" if planted else "0"
            reruns = sum(r.reruns for r in part)
            on = "on" if checker else "off"
            print(f"| {label} | {on} | {len(part)} | {planted} | {alive} | {share} | {reruns} |")


# Planning ----------------------------------------------------------------------------------
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _n(rng: random.Random, value: int) -> str:
    return _WORDS[value] if value in _WORDS and rng.random() < 0.5 else str(value)


def generate_request(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A request in words and what it asks for (the gold counts)."""
    want: dict[str, Any] = {"competitors": None, "analysis": False, "days": None, "posts": None}
    parts: list[str] = []
    product = rng.choice(["a refillable water bottle", "a solar phone charger", "an oat milk"])
    if rng.random() < 0.8:
        n = rng.randint(2, 5)
        want["competitors"] = n
        parts.append(
            rng.choice(
                [
                    f"profile our {_n(rng, n)} closest competitors for {product}",
                    f"look into the {_n(rng, n)} biggest rivals of {product}",
                    f"research {_n(rng, n)} competitors selling {product}",
                ]
            )
        )
        if rng.random() < 0.6:
            want["analysis"] = True
            parts.append(rng.choice(["write a gap analysis", "prepare a competitive analysis"]))
    if rng.random() < 0.7:
        if rng.random() < 0.5:
            weeks = rng.randint(2, 6)
            want["days"] = weeks * 7
            parts.append(f"plan a {_n(rng, weeks)}-week launch calendar")
        else:
            days = rng.choice([10, 14, 21, 30, 45, 60])
            want["days"] = days
            parts.append(f"build a launch calendar covering {days} days")
    if rng.random() < 0.8 or not parts:
        p = rng.randint(2, 8)
        want["posts"] = p
        parts.append(
            rng.choice(
                [
                    f"draft {_n(rng, p)} social media posts",
                    f"write the first {_n(rng, p)} posts",
                    f"prepare {_n(rng, p)} LinkedIn posts",
                ]
            )
        )
    text = ", ".join(parts[:-1]) + (", and " if len(parts) > 1 else "") + parts[-1]
    return text[0].upper() + text[1:] + ".", want


def gold_graph(want: dict[str, Any]) -> tuple[set[str], set[tuple[str, str]]]:
    """Nodes (type:index) and edges of the right plan, by the catalogue's rules."""
    research = [f"research_competitor:{i}" for i in range(1, (want["competitors"] or 0) + 1)]
    nodes = set(research)
    edges: set[tuple[str, str]] = set()
    brand = want["analysis"] or bool(want["posts"])
    if brand:
        nodes.add("brand_brief:0")
    feed = research
    if want["analysis"]:
        nodes.add("analyse:0")
        edges |= {(r, "analyse:0") for r in [*research, "brand_brief:0"]}
        feed = ["analyse:0"]
    if want["days"]:
        nodes.add("plan_calendar:0")
        edges |= {(f, "plan_calendar:0") for f in feed}
        feed = ["plan_calendar:0"]
    for i in range(1, (want["posts"] or 0) + 1):
        post = f"write_post:{i}"
        nodes.add(post)
        edges |= {(f, post) for f in [*feed, "brand_brief:0"]}
    return nodes, edges


def plan_graph(tasks: Sequence[Any]) -> tuple[set[str], set[tuple[str, str]]]:
    key = {
        t.id: f"{t.type}:{t.index if t.type in ('research_competitor', 'write_post') else 0}"
        for t in tasks
    }
    return set(key.values()), {(key[d], key[t.id]) for t in tasks for d in t.deps if d in key}


def f1(got: set[Any], gold: set[Any]) -> float:
    if not got and not gold:
        return 1.0
    tp = len(got & gold)
    return 2 * tp / (len(got) + len(gold)) if got or gold else 1.0


def noisy_model_plan(tasks: list[Any], rng: random.Random) -> list[Any]:
    """What a careless planning model returns: the right plan, or one seeded mistake."""
    from baton.tools.launch.plan import Task

    roll = rng.random()
    tasks = [t.model_copy() for t in tasks]
    if roll < 0.1 and any(t.type == "write_post" for t in tasks):
        last = max((t for t in tasks if t.type == "write_post"), key=lambda t: t.index)
        return [t for t in tasks if t.id != last.id]
    if roll < 0.2 and len(tasks) > 1:
        first, last = tasks[0], tasks[-1]
        tasks[0] = first.model_copy(update={"deps": [*first.deps, last.id]})
        return tasks
    if roll < 0.3:
        return [*tasks, Task(id="ads", type="buy_ads", deps=[tasks[0].id])]
    return tasks


@dataclass
class PlanRow:
    planner: str
    node_f1: float
    edge_f1: float
    rejected: bool
    counts_ok: bool


def planning(n: int, seed: int = 100) -> list[PlanRow]:
    from baton.tools.launch.plan import PlanError, deterministic_plan, parse_counts, validate_plan

    rows: list[PlanRow] = []
    for i in range(n):
        rng = random.Random(seed + i)
        text, want = generate_request(rng)
        gold_nodes, gold_edges = gold_graph(want)
        counts = parse_counts(text)
        fallback = deterministic_plan(counts)
        candidates = {
            "deterministic": fallback,
            "scripted model (raw)": noisy_model_plan(fallback, rng),
        }
        for name, tasks in candidates.items():
            nodes, edges = plan_graph(tasks)
            rejected = False
            try:
                validate_plan(tasks, counts)
            except PlanError:
                rejected = True
            rows.append(
                PlanRow(
                    name,
                    f1(nodes, gold_nodes),
                    f1(edges, gold_edges),
                    rejected,
                    nodes == gold_nodes,
                )
            )
            if name.startswith("scripted"):
                final = fallback if rejected else tasks
                fn, fe = plan_graph(final)
                rows.append(
                    PlanRow(
                        "scripted model (validated)", f1(fn, gold_nodes), f1(fe, gold_edges),
                        rejected, fn == gold_nodes,
                    )
                )  # fmt: skip
    return rows


def embedded_planning(n: int, seed: int = 100) -> tuple[list[PlanRow], list[str], float]:
    """The embedded model's plans for the same ``n`` requests, raw and after validation
    (a rejected plan replaced by the deterministic one, as the planner node does), the
    validation errors, and the seconds the model calls took. No cache: every call is
    measured."""
    from baton.agents.launch.planner import ask_plan
    from baton.config import load_settings
    from baton.context import RunContext
    from baton.tools.launch.plan import PlanError, deterministic_plan, parse_counts, validate_plan

    settings = load_settings()
    settings.model.provider = "embedded"
    settings.cache.enabled = False
    ctx = RunContext(run_id="launch-bench-embedded", settings=settings)
    raw_rows: list[PlanRow] = []
    final_rows: list[PlanRow] = []
    errors: list[str] = []
    started = time.perf_counter()
    for i in range(n):
        text, want = generate_request(random.Random(seed + i))
        gold_nodes, gold_edges = gold_graph(want)
        counts = parse_counts(text)
        tasks = ask_plan(ctx, text)
        error = "" if tasks is not None else "no schema-valid plan"
        if tasks is not None:
            try:
                validate_plan(tasks, counts)
            except PlanError as exc:
                error = str(exc)
        errors.append(error)
        rejected = bool(error)
        nodes, edges = plan_graph(tasks or [])
        raw_rows.append(
            PlanRow(
                "embedded model (raw)", f1(nodes, gold_nodes), f1(edges, gold_edges),
                rejected, nodes == gold_nodes,
            )
        )  # fmt: skip
        fn, fe = plan_graph(deterministic_plan(counts) if rejected else tasks or [])
        final_rows.append(
            PlanRow(
                "embedded model (validated)", f1(fn, gold_nodes), f1(fe, gold_edges),
                rejected, fn == gold_nodes,
            )
        )  # fmt: skip
        print(f"  request {i + 1}/{n}: {error or 'valid'}", flush=True)
    return raw_rows + final_rows, errors, time.perf_counter() - started


def print_planning(rows: Sequence[PlanRow], n: int) -> None:
    print(f"\nPlanning ({n} generated requests, gold task graphs)")
    print("| planner | node F1 | edge F1 | rejected by validation | counts honoured |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in dict.fromkeys(r.planner for r in rows):
        part = [r for r in rows if r.planner == name]
        k = len(part)
        print(
            f"| {name} | {sum(r.node_f1 for r in part) / k:.3f}"
            f" | {sum(r.edge_f1 for r in part) / k:.3f} |"
            f" {sum(r.rejected for r in part)}/{k} | {sum(r.counts_ok for r in part)}/{k} |"
        )


# Parallelism -------------------------------------------------------------------------------
def _t(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def parallelism(latency: float) -> dict[str, float]:
    from baton.config import load_settings
    from baton.runtime import Runner
    from baton.testing import ScriptedChatModel
    from baton.tools.launch.plan import Task, critical_path
    from baton.tools.launch.scripted import LaunchScript

    script = LaunchScript()
    with home():
        # A hosted endpoint serves many calls at once; the default (2) suits the embedded one.
        os.environ["BATON_MODEL__CONCURRENCY"] = "16"
        runner = Runner(
            load_settings(),
            model_factory=lambda role: ScriptedChatModel(
                role=role, responder=script, latency_s=latency
            ),
        )
        try:
            started = time.perf_counter()
            outcome = runner.start("launch-team", EXAMPLES["coffee"])
            total = time.perf_counter() - started
            state = runner.state(outcome.run_id)
        finally:
            runner.close()
    plan = [Task.model_validate(t) for t in state["plan"]]
    spans: dict[str, tuple[float, float]] = {}
    for record in state["audit"]:
        tid = record["decision"].split(" ")[0]
        if " (attempt 1)" in record["decision"]:
            spans[tid] = (_t(record["started_at"]), _t(record["ended_at"]))
    cost = {tid: end - start for tid, (start, end) in spans.items()}
    wall = max(e for _, e in spans.values()) - min(s for s, _ in spans.values())
    path = critical_path(plan, cost)
    return {
        "tasks": len(spans),
        "wall": wall,
        "critical": path,
        "serial": sum(cost.values()),
        "run": total,
    }


def print_parallel(p: dict[str, float], latency: float) -> None:
    print(
        f"\nParallelism (coffee request, {int(p['tasks'])} tasks,"
        f" model latency {latency} s per call)"
    )
    print("| measure | seconds | ratio to critical path |")
    print("| --- | ---: | ---: |")
    for name, key in (
        ("critical path", "critical"),
        ("dispatcher wall time", "wall"),
        ("same tasks one by one", "serial"),
    ):
        print(f"| {name} | {p[key]:.2f} | {p[key] / p['critical']:.2f}x |")


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--rate", type=float, default=0.3, help="share of facts planted")
    parser.add_argument("--sticky", type=float, default=0.5, help="share of plants repeated")
    parser.add_argument(
        "--embedded-planner",
        action="store_true",
        help="also plan the requests with the embedded model (slow: one call per request)",
    )
    parser.add_argument(
        "--only-planning", action="store_true", help="skip the parallelism and loop sections"
    )
    args = parser.parse_args()
    plans = planning(args.requests)
    if args.embedded_planner:
        extra, errors, seconds = embedded_planning(args.requests)
        plans += extra
        reasons = Counter(e.split(":")[0] if ":" in e else e for e in errors if e)
        print(f"\nembedded planner: {seconds:.0f} s for {args.requests} plans;", dict(reasons))
    print_planning(plans, args.requests)
    if args.only_planning:
        return
    parallel = parallelism(args.latency)
    print_parallel(parallel, args.latency)
    rows = hallucination(_seeds(args.seeds), args.rate, args.sticky)
    print_loop(rows)
    counts = Counter(r.checker for r in rows)
    print(f"\n({counts[True]} runs with the fact-checker, {counts[False]} without)")


if __name__ == "__main__":
    main()
