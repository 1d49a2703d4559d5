"""Crash trials: SIGKILL a scenario at a chosen point, resume it, compare with a clean run.

One trial = a fresh copy of a prepared home, one ``baton run SCENARIO ++ finish``
process (run, then approve every review packet) that is killed at a kill point, then a
second process that runs ``baton resume RUN`` and approves until the run is ``done``.
The clean (baseline) run is the same pipeline without a kill, once per scenario.

Kill points, all chosen from a seeded RNG over what the baseline showed:

- ``mid-node``: the Nth model call has started (scripted model with a fixed latency, so
  the call is still in flight) -> SIGKILL from outside.
- ``fan-out``: the Nth call, where N is a call the baseline saw start while another was
  in flight (parallel ``Send`` branches, parallel agents) -> SIGKILL from outside.
- ``between-nodes``: the Kth node-completed line appeared on stderr, plus a small random
  delay (lands before, during or after that step's checkpoint) -> SIGKILL from outside.
- ``checkpoint-write``: the process kills itself as SQLite starts the ``INSERT`` of its
  Nth checkpoint, with the transaction open (``BATON_TEST_KILL_AT=put:N``, see
  ``crash_driver``).

What each trial measures (the test asserts on it): the final outputs against the
baseline byte for byte; model calls per node after the crash against "baseline minus
what the killed process had committed" (a completed node that ran again shows up as an
extra call); the audit trail's node records against the baseline's; output files that
were half-written at the kill, rewritten after their writer had completed, or left as
temporary files.
"""

from __future__ import annotations

import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from baton.config import Settings, load_settings
from baton.registry import Registry
from baton.runtime import open_checkpointer
from baton.scenario import get_scenario
from tests.reliability.crash_driver import KILL_ENV, NODE_LOG_ENV, PUT_LOG_ENV, SEPARATOR

ROOT = Path(__file__).resolve().parents[2]
LATENCY_S = 0.15
"""Scripted model latency: long enough that a call is in flight when the kill lands."""
KINDS = ("mid-node", "between-nodes", "checkpoint-write", "fan-out")
PROGRESS_MARK = "✓"
TIMEOUT_S = 120.0


def trial_env(home: Path, logs: Path, **extra: str) -> dict[str, str]:
    """The parent's environment minus ``BATON_*``: scripted model, no cache, call logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update(
        {
            "BATON_HOME": str(home),
            "BATON_MODEL__PROVIDER": "fake",
            "BATON_MODEL__FAKE_LATENCY_S": str(LATENCY_S),
            "BATON_CACHE__ENABLED": "false",
            "BATON_FAKE_CALL_LOG": str(logs / "roles.log"),
            NODE_LOG_ENV: str(logs / "nodes.log"),
            PUT_LOG_ENV: str(logs / "puts.log"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


class Driver:
    """One ``crash_driver`` subprocess whose stderr lines and call log are watched live."""

    def __init__(self, cwd: Path, env: dict[str, str], logs: Path, *commands: list[str]) -> None:
        argv: list[str] = []
        for command in commands:
            argv += ([SEPARATOR] if argv else []) + command
        self.logs = logs
        self.stdout = (logs / "stdout.txt").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_driver", *argv],
            cwd=cwd,
            env=env,
            stdout=self.stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        self.progress: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.deadline = time.monotonic() + TIMEOUT_S

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            if line.lstrip().startswith(PROGRESS_MARK):
                self.progress.put(line)

    def calls(self) -> list[str]:
        return _lines(self.logs / "nodes.log")

    def alive(self) -> bool:
        if self.proc.poll() is not None:
            return False
        if time.monotonic() > self.deadline:
            raise AssertionError(f"driver still running after {TIMEOUT_S:.0f}s")
        return True

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self) -> int:
        code = self.proc.wait(timeout=TIMEOUT_S)
        self._reader.join(timeout=10)
        self.stdout.close()
        return code

    def watch_calls(self) -> list[float]:
        """Run to the end, noting when each model call was first seen to start."""
        seen: list[float] = []
        while self.alive():
            now = time.monotonic()
            seen += [now] * (len(self.calls()) - len(seen))
            time.sleep(0.005)
        return seen


@contextmanager
def env_of(home: Path) -> Iterator[Settings]:
    """Settings for ``home`` in this process (the parent reads what the children wrote)."""
    patch = {"BATON_HOME": str(home), "BATON_MODEL__PROVIDER": "fake"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    with mock.patch.dict(os.environ, {**clean, **patch}, clear=True):
        yield load_settings()


def only_run(home: Path) -> tuple[str, str]:
    """The id and output folder of the single run in a trial home."""
    with env_of(home) as settings:
        registry = Registry(settings.registry_path)
        try:
            runs = registry.list_runs()
        finally:
            registry.close()
    assert len(runs) == 1, f"expected one run in {home}, found {len(runs)}"
    return runs[0].id, runs[0].output_dir


def status_of(home: Path, run_id: str) -> str:
    with env_of(home) as settings:
        registry = Registry(settings.registry_path)
        try:
            return registry.get(run_id).status
        finally:
            registry.close()


def committed(home: Path, scenario: str, run_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Audit records and outputs the checkpointer holds for the run right now.

    Includes the results of tasks of an unfinished step that completed and saved their
    writes (one parallel branch done, its sibling killed): LangGraph will not re-run
    those on resume, so their nodes count as completed.
    """
    with env_of(home) as settings, open_checkpointer(settings) as saver:
        graph = get_scenario(scenario).build(saver)
        snapshot = graph.get_state({"configurable": {"thread_id": run_id}})
    updates = [dict(snapshot.values or {})]
    updates += [t.result for t in snapshot.tasks if isinstance(t.result, dict)]
    # Snapshot values may already include those saved writes: a record is one id, once.
    records = {r["id"]: r for u in updates for r in u.get("audit") or []}
    outputs = {p: None for u in updates for p in u.get("outputs") or []}
    return list(records.values()), list(outputs)


_RUN_ID = re.compile(rb"[a-z][a-z-]*-\d{8}-[0-9a-f]{6}")
_DTSTAMP = re.compile(rb"DTSTAMP:[^\r\n]*")
_DEADLINE = re.compile(rb'"deadline": "[^"]*"')


def comparable(name: str, data: bytes) -> bytes:
    """Output bytes with what must differ between two runs masked.

    Calendar files carry the run id in their UIDs (unique per run, so two new hires'
    calendars never overwrite each other) and the review decision's time as DTSTAMP; a
    review deadline counts from when the review opened on the wall clock, so a run that
    reopens it after a crash gives the reviewer the full window again (JSON ``deadline``);
    everything else must be byte-identical between a crashed run and a clean one.
    """
    if name.endswith(".ics"):
        return _DTSTAMP.sub(b"DTSTAMP:-", _RUN_ID.sub(b"RUN", data))
    if name.endswith(".json"):
        return _DEADLINE.sub(b'"deadline": "-"', data)
    return data


def read_outputs(folder: Path) -> dict[str, bytes]:
    """Every file under an output folder by relative path (temporary files included)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): comparable(p.name, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def is_temp(name: str) -> bool:
    return Path(name).name.endswith(".tmp")


def node_records(records: list[dict[str, Any]]) -> Counter[tuple[str, str, int]]:
    """Audit records as (kind, node, model calls): what "exactly once" is checked on."""
    return Counter((r["kind"], r["node"], int(r.get("llm_calls", 0))) for r in records)


@dataclass
class Baseline:
    """What an uninterrupted run of one scenario did."""

    scenario: str
    input_path: Path
    outputs: dict[str, bytes]
    node_calls: Counter[str]
    audit: Counter[tuple[str, str, int]]
    calls: int
    concurrent_calls: list[int]
    """1-based indices of calls that started while an earlier call was still in flight."""
    puts: int
    progress_lines: int


@dataclass(frozen=True)
class Trial:
    scenario: str
    kind: str
    point: int
    delay_s: float = 0.0

    def label(self) -> str:
        extra = f"+{self.delay_s * 1000:.0f}ms" if self.delay_s else ""
        return f"{self.scenario}:{self.kind}@{self.point}{extra}"


@dataclass
class TrialResult:
    trial: Trial
    killed: bool
    status: str
    identical: bool
    differing: list[str]
    rerun_calls: dict[str, int]
    """Per node: calls after the crash beyond baseline minus committed work (must be 0)."""
    missing_calls: dict[str, int]
    audit_diff: dict[str, int]
    half_written: list[str]
    rewritten_after_commit: list[str]
    leftovers: list[str]
    calls_before_kill: int
    committed_nodes: int
    notes: list[str] = field(default_factory=list)
    calls_after: int = 0
    reported_nodes: int = 0
    """Nodes the killed process had reported finished (its ✓ progress lines)."""

    @property
    def repeated_calls(self) -> int:
        """Model calls made twice: before the kill and again after it (work lost)."""
        return self.calls_before_kill + self.calls_after - self.baseline_calls

    baseline_calls: int = 0

    @property
    def repeated_nodes(self) -> int:
        """Nodes reported finished before the kill that had to run again after it."""
        return max(0, self.reported_nodes - self.committed_nodes)

    @property
    def ok(self) -> bool:
        return (
            self.killed
            and self.status == "done"
            and self.identical
            and not any(self.rerun_calls.values())
            and not any(self.missing_calls.values())
            and not self.audit_diff
            and not self.half_written
            and not self.rewritten_after_commit
            and not self.leftovers
        )


class Harness:
    """Baselines and trials for any registered scenario, in throwaway homes under ``root``."""

    def __init__(
        self,
        root: Path,
        docs: Path,
        collection: str = "company-docs",
        env: dict[str, str] | None = None,
    ) -> None:
        self.env = dict(env or {})
        """Extra environment for every trial process (e.g. ``BATON_RUN__DURABILITY``)."""
        self.root = root
        self.template = root / "template-home"
        logs = root / "template-logs"
        logs.mkdir(parents=True)
        env = trial_env(self.template, logs, **self.env)
        ingest = Driver(root, env, logs, ["ingest", str(docs), "--collection", collection])
        code = ingest.wait()
        assert code == 0, "".join(ingest.stderr)
        self._count = 0

    def _fresh(self, label: str) -> tuple[Path, Path, Path]:
        self._count += 1
        base = self.root / f"{self._count:03d}-{label.replace(':', '-').replace('@', '-')}"
        home, logs = base / "home", base / "logs"
        shutil.copytree(self.template, home)
        logs.mkdir(parents=True)
        return base, home, logs

    def baseline(self, scenario: str, input_path: Path) -> Baseline:
        base, home, logs = self._fresh(f"baseline-{scenario}")
        driver = Driver(
            base,
            trial_env(home, logs, **self.env),
            logs,
            self._run_cmd(scenario, input_path),
            ["finish"],
        )
        starts = driver.watch_calls()
        code = driver.wait()
        assert code == 0, "".join(driver.stderr)
        run_id, out = only_run(home)
        assert status_of(home, run_id) == "done", "".join(driver.stderr)
        records, _ = committed(home, scenario, run_id)
        concurrent = [
            i + 1 for i in range(1, len(starts)) if starts[i] - starts[i - 1] < LATENCY_S / 2
        ]
        return Baseline(
            scenario=scenario,
            input_path=input_path,
            outputs=read_outputs(Path(out)),
            node_calls=Counter(driver.calls()),
            audit=node_records(records),
            calls=len(starts),
            concurrent_calls=concurrent,
            puts=len(_lines(logs / "puts.log")),
            progress_lines=driver.progress.qsize(),
        )

    @staticmethod
    def _run_cmd(scenario: str, input_path: Path) -> list[str]:
        return ["run", scenario, "--input", str(input_path), "--json"]

    @staticmethod
    def plan(baseline: Baseline, rng: random.Random, count: int) -> list[Trial]:
        """``count`` trials cycling the kill kinds; ``fan-out`` only where calls overlap."""
        trials = []
        for n in range(count):
            kind = KINDS[n % len(KINDS)]
            if kind == "fan-out" and not baseline.concurrent_calls:
                kind = "mid-node"
            if kind == "mid-node":
                trials.append(Trial(baseline.scenario, kind, rng.randint(1, baseline.calls)))
            elif kind == "fan-out":
                trials.append(Trial(baseline.scenario, kind, rng.choice(baseline.concurrent_calls)))
            elif kind == "checkpoint-write":
                trials.append(Trial(baseline.scenario, kind, rng.randint(1, baseline.puts)))
            else:
                point = rng.randint(1, max(1, baseline.progress_lines - 1))
                trials.append(Trial(baseline.scenario, kind, point, rng.uniform(0.0, 0.05)))
        return trials

    def _kill_when_due(self, driver: Driver, trial: Trial) -> None:
        if trial.kind in ("mid-node", "fan-out"):
            while driver.alive() and len(driver.calls()) < trial.point:
                time.sleep(0.002)
            driver.kill()
        elif trial.kind == "between-nodes":
            seen = 0
            while driver.alive() and seen < trial.point:
                try:
                    driver.progress.get(timeout=0.01)
                    seen += 1
                except queue.Empty:
                    continue
            time.sleep(trial.delay_s)
            driver.kill()
        # checkpoint-write: the process kills itself inside the Nth checkpoint write

    def run_trial(self, baseline: Baseline, trial: Trial) -> TrialResult:
        base, home, logs = self._fresh(trial.label())
        extra = {KILL_ENV: f"put:{trial.point}"} if trial.kind == "checkpoint-write" else {}
        env = trial_env(home, logs, **self.env, **extra)
        first = Driver(
            base, env, logs, self._run_cmd(trial.scenario, baseline.input_path), ["finish"]
        )
        self._kill_when_due(first, trial)
        code = first.wait()
        killed = code == -signal.SIGKILL
        before = Counter(first.calls())
        run_id, out = only_run(home)
        out_dir = Path(out)
        at_kill = read_outputs(out_dir)
        stat_at_kill = stats(out_dir)
        records, written = committed(home, trial.scenario, run_id)
        done_calls = Counter[str]()
        for r in records:
            if r["kind"] == "node":
                done_calls[r["node"]] += int(r.get("llm_calls", 0))

        (logs / "nodes.log").unlink(missing_ok=True)
        second = Driver(base, trial_env(home, logs, **self.env), logs, ["finish", run_id])
        while second.alive():
            time.sleep(0.01)
        second.wait()
        after = Counter(second.calls())
        final = read_outputs(out_dir)
        status = status_of(home, run_id)
        final_records, _ = committed(home, trial.scenario, run_id)

        nodes = set(baseline.node_calls) | set(after) | set(done_calls)
        expected = {n: baseline.node_calls[n] - done_calls[n] for n in nodes}
        final_audit = node_records(final_records)
        audit_diff = {
            f"{k[1]}({k[0]}, {k[2]} calls)": final_audit[k] - baseline.audit[k]
            for k in set(final_audit) | set(baseline.audit)
            if final_audit[k] != baseline.audit[k]
        }
        root = out_dir.resolve()
        written_names = {Path(p).resolve().relative_to(root).as_posix() for p in written}
        stat_final = stats(out_dir)
        kept = {k: v for k, v in final.items() if not is_temp(k)}
        return TrialResult(
            trial=trial,
            killed=killed,
            status=status,
            identical=kept == baseline.outputs,
            differing=sorted(
                k
                for k in set(kept) | set(baseline.outputs)
                if kept.get(k) != baseline.outputs.get(k)
            ),
            rerun_calls={n: after[n] - expected[n] for n in nodes if after[n] > expected[n]},
            missing_calls={n: expected[n] - after[n] for n in nodes if after[n] < expected[n]},
            audit_diff=audit_diff,
            half_written=sorted(
                k
                for k, data in at_kill.items()
                if not is_temp(k) and data != baseline.outputs.get(k)
            ),
            rewritten_after_commit=sorted(
                k
                for k in written_names
                if k in stat_at_kill and stat_final.get(k) != stat_at_kill[k]
            ),
            leftovers=sorted(k for k in final if is_temp(k)),
            calls_before_kill=sum(before.values()),
            committed_nodes=sum(1 for r in records if r["kind"] == "node"),
            calls_after=sum(after.values()),
            reported_nodes=sum(
                1 for line in first.stderr if line.lstrip().startswith(PROGRESS_MARK)
            ),
            baseline_calls=baseline.calls,
        )
