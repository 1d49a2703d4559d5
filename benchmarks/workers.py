"""Scale profile: throughput of 1, 2 and 4 ``baton worker`` processes, and checkpoint cost.

Part 1, workers. For each worker count W, W real ``baton worker`` processes (scale
profile, their own fresh PostgreSQL database, a Chroma server, the scripted model
answering every call after ``--latency`` seconds, the hashing embedder) are started and
left to reach their polling loop; then ``--runs`` research-brief runs (``--review
never``) are queued at once, and the clock stops when the last one is done. Runs per
minute, the scaling ratio against one worker, and the CPU seconds the workers spent per
run (from ``/proc``) are reported. CPU per run is what sizes a machine: one core
sustains about ``60 / cpu_s_per_run`` runs per minute, whatever the number of workers.

Part 2, checkpoint cost per step. A recorded research-brief and expense-reconciliation
run (checkpoints plus pending writes) is replayed into fresh threads of Baton's SQLite
saver and of its PostgreSQL saver, interleaved, and each step's write and read
(``get_tuple``) are timed, with the bytes per run each backend stores.

Servers: ``--database-url`` and ``--chroma-url`` (or ``BATON_TEST_DATABASE_URL`` and
``BATON_TEST_CHROMA_URL``); without them ``.ci/services start`` runs throwaway servers.

    python -m benchmarks.workers [--quick] [--runs 40] [--latency 0.1] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from baton.config import Settings, load_settings
from baton.migrate import oldest_first, put_tuple
from baton.registry import open_registry
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner, open_checkpointer
from baton.testing import throwaway_services

ROOT = Path(__file__).resolve().parents[1]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"
EXPENSES = ROOT / "examples" / "finance" / "2026-10"
WORKER = (
    "import sys\n"
    "import baton.retrieval.embeddings as embeddings\n"
    "from baton.retrieval.testing import hashing_embed\n"
    "embeddings.embed = hashing_embed\n"
    "from baton.cli import main\n"
    "sys.argv = ['baton', 'worker', '--poll', '0.1']\n"
    "main()\n"
)
TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def servers(database_url: str | None, chroma_url: str | None) -> Iterator[tuple[str, str]]:
    """The given servers, or throwaway ones from ``.ci/services`` stopped afterwards."""
    database_url = database_url or os.environ.get("BATON_TEST_DATABASE_URL")
    chroma_url = chroma_url or os.environ.get("BATON_TEST_CHROMA_URL")
    if database_url and chroma_url:
        yield database_url, chroma_url
        return
    with throwaway_services() as exported:
        yield exported["BATON_TEST_DATABASE_URL"], exported["BATON_TEST_CHROMA_URL"]


@contextmanager
def fresh_database(database_url: str) -> Iterator[str]:
    """A new database per trial, so each trial's queue holds only its own runs."""
    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _scale_env(home: Path, database_url: str, chroma_url: str, latency: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update(
        {
            "BATON_PROFILE": "scale",
            "BATON_HOME": str(home),
            "BATON_DATABASE_URL": database_url,
            "BATON_CHROMA_URL": chroma_url,
            "BATON_MODEL__PROVIDER": "fake",
            "BATON_MODEL__FAKE_LATENCY_S": str(latency),
            "BATON_CACHE__ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _settings(env: dict[str, str]) -> Settings:
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("BATON_")})
    try:
        return load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _wait_ready(logs: list[Path], deadline_s: float = 120) -> None:
    end = time.monotonic() + deadline_s
    while not all("waiting for runs" in p.read_text() for p in logs):
        if time.monotonic() > end:
            raise RuntimeError("workers did not start: " + logs[0].read_text()[-500:])
        time.sleep(0.1)


def trial(workers: int, runs: int, env: dict[str, str], home: Path) -> dict[str, float]:
    """W workers drain ``runs`` queued runs; wall time from enqueue to the last done."""
    procs: list[subprocess.Popen[bytes]] = []
    logs = [home / f"worker-{workers}-{n}.log" for n in range(workers)]
    settings = _settings(env)
    # Create the schema before the clock starts, so no trial pays for migrations.
    with open_checkpointer(settings):
        open_registry(settings).close()
    try:
        for log in logs:
            with log.open("wb") as fh:
                procs.append(
                    subprocess.Popen([sys.executable, "-c", WORKER], env=env, stderr=fh, cwd=ROOT)
                )
        _wait_ready(logs)
        cpu_before = sum(_cpu_s(p.pid) for p in procs)
        runner = Runner(settings)
        try:
            start = time.perf_counter()
            ids = [
                runner.enqueue("research-brief", QUESTION, review="never").run_id
                for _ in range(runs)
            ]
            deadline = start + 60 + 10 * runs
            while not all(
                r.status in ("done", "failed") for r in runner.registry.list_runs(limit=runs + 1)
            ):
                if time.perf_counter() > deadline:
                    raise RuntimeError(
                        f"runs unfinished after {deadline - start:.0f} s; see {logs}"
                    )
                time.sleep(0.05)
            wall = time.perf_counter() - start
            cpu = sum(_cpu_s(p.pid) for p in procs) - cpu_before
            failed = [i for i in ids if runner.registry.get(i).status != "done"]
            calls = sum(a.llm_calls for i in ids for a in runner.registry.audit(i))
        finally:
            runner.close()
        if failed:
            raise RuntimeError(f"{len(failed)} runs failed, e.g. {failed[0]}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
    return {
        "workers": workers,
        "runs": runs,
        "wall_s": wall,
        "cpu_s_per_run": cpu / runs,
        "calls_per_run": calls / runs,
    }


def measure_workers(
    counts: list[int], runs: int, latency: float, database_url: str, chroma_url: str
) -> list[dict[str, float]]:
    from baton.retrieval.ingest import ingest

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        import baton.retrieval.embeddings as embeddings

        embeddings.embed = hashing_embed
        ingest(
            [ROOT / "examples" / "docs"],
            "company-docs",
            _settings(_scale_env(home, database_url, chroma_url, latency)),
        )
        for count in counts:
            with fresh_database(database_url) as db:
                env = _scale_env(home, db, chroma_url, latency)
                results.append(trial(count, runs, env, home))
    return results


def _record(settings: Settings, scenario: str, source: Path) -> tuple[str, int]:
    """One run of ``scenario`` with the scripted model in a local home: its thread id,
    and its checkpoint bytes in SQLite (a replay stores the very same rows)."""
    runner = Runner(settings)
    try:
        run_id = runner.start(scenario, source, review="never").run_id
        return run_id, runner.checkpoint_bytes(run_id)
    finally:
        runner.close()


def measure_steps(database_url: str, repeats: int) -> list[dict[str, Any]]:
    """Per-step write and read cost of Baton's SQLite and PostgreSQL savers, interleaved."""
    import baton.retrieval.embeddings as embeddings
    from baton.pg import checkpoint_bytes
    from baton.retrieval.ingest import ingest

    embeddings.embed = hashing_embed
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_database(database_url) as db:
        local = load_settings().model_copy(update={"home": Path(tmp)})
        local.model.provider = "fake"
        local.cache.enabled = False
        ingest([ROOT / "examples" / "docs"], "company-docs", local)
        ingest([ROOT / "examples" / "finance" / "policy"], "finance-policy", local)
        recorded = {
            "research-brief": _record(local, "research-brief", QUESTION),
            "expense-reconciliation": _record(local, "expense-reconciliation", EXPENSES),
        }
        pg = local.model_copy(deep=True)
        pg.checkpoints.backend = "postgres"
        pg.checkpoints.database_url = db
        sqlite_target = local.model_copy(deep=True)
        sqlite_target.checkpoints.path = Path(tmp) / "replay.sqlite"
        with (
            open_checkpointer(local) as source,
            open_checkpointer(sqlite_target) as lite,
            open_checkpointer(pg) as post,
        ):
            for scenario, (thread, sqlite_bytes) in recorded.items():
                steps = oldest_first(source, thread)
                timings: dict[str, dict[str, list[float]]] = {
                    "sqlite": {"write": [], "read": []},
                    "postgres": {"write": [], "read": []},
                }
                sizes = {"sqlite": sqlite_bytes}
                for n in range(repeats):
                    for name, saver in (("sqlite", lite), ("postgres", post)):
                        new_thread = f"{thread}-{name}-{n}"
                        versions: dict[str, dict[str, Any]] = {}
                        for tup in steps:
                            t0 = time.perf_counter()
                            put_tuple(saver, tup, versions, thread_id=new_thread)
                            t1 = time.perf_counter()
                            config = {
                                "configurable": {
                                    "thread_id": new_thread,
                                    "checkpoint_ns": "",
                                    "checkpoint_id": tup.config["configurable"]["checkpoint_id"],
                                }
                            }
                            assert saver.get_tuple(config) is not None  # type: ignore[arg-type]
                            t2 = time.perf_counter()
                            timings[name]["write"].append(t1 - t0)
                            timings[name]["read"].append(t2 - t1)
                        if n == 0 and name == "postgres":
                            sizes[name] = checkpoint_bytes(post, new_thread)  # type: ignore[arg-type]
                for name in ("sqlite", "postgres"):
                    rows.append(
                        {
                            "scenario": scenario,
                            "backend": name,
                            "steps": len(steps),
                            "write_ms": statistics.median(timings[name]["write"]) * 1000,
                            "read_ms": statistics.median(timings[name]["read"]) * 1000,
                            "bytes": sizes[name],
                        }
                    )
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="12 runs; workers 1 and 2")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeats", type=int, default=5, help="replays per backend")
    parser.add_argument("--database-url")
    parser.add_argument("--chroma-url")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.workers.split(",")]
    runs, repeats = args.runs, args.repeats
    if args.quick:
        counts, runs, repeats = [c for c in counts if c <= 2], 12, 2
    console = Console(width=110)
    with servers(args.database_url, args.chroma_url) as (database_url, chroma_url):
        workers = measure_workers(counts, runs, args.latency, database_url, chroma_url)
        steps = measure_steps(database_url, repeats)

    base = workers[0]["runs"] / workers[0]["wall_s"]
    table = Table(
        title=f"baton worker throughput: {runs} research-brief runs, model call "
        f"{args.latency * 1000:.0f} ms, {os.cpu_count()} cores"
    )
    columns = ("workers", "wall", "runs/min", "scaling vs 1", "model calls/run", "CPU/run")
    for col in columns:
        table.add_column(col, justify="right")
    for r in workers:
        rate = r["runs"] / r["wall_s"]
        table.add_row(
            f"{r['workers']:.0f}",
            f"{r['wall_s']:.1f} s",
            f"{rate * 60:.0f}",
            f"{rate / base:.2f}×",
            f"{r['calls_per_run']:.1f}",
            f"{r['cpu_s_per_run'] * 1000:.0f} ms",
        )
    console.print(table)

    table = Table(
        title=f"Checkpoint cost per step, SQLite vs PostgreSQL (median of {repeats} replays)"
    )
    for col in ("scenario", "backend", "steps", "write / step", "read / step", "bytes / run"):
        table.add_column(col, justify="left" if col in ("scenario", "backend") else "right")
    for step in steps:
        table.add_row(
            str(step["scenario"]),
            str(step["backend"]),
            str(step["steps"]),
            f"{step['write_ms']:.2f} ms",
            f"{step['read_ms']:.2f} ms",
            f"{step['bytes']:,}",
        )
    console.print(table)
    return {"workers": workers, "steps": steps}


if __name__ == "__main__":
    main()
