"""SIGKILL every registered scenario at seeded kill points, resume, compare with a clean run.

The long test runs ``TRIALS_PER_SCENARIO`` trials per registered scenario (4 x 7 = 28),
one of each kill kind of :mod:`tests.reliability.crash_harness`; the smoke test runs
three of them in the normal suite. See RELIABILITY.md for the measured table.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.conftest import DOCS, input_for, scenario_names
from tests.reliability.crash_harness import KINDS, Harness, Trial, TrialResult

pytestmark = pytest.mark.reliability

SEED = 20261121
TRIALS_PER_SCENARIO = len(KINDS)
"""One trial of each kill kind per scenario. A fifth (a second mid-node kill at another
point) added 160 s to a CI run that must finish within 90 minutes on 2 cores."""
LOG_ENV = "RELIABILITY_LOG"


def _record(results: list[TrialResult]) -> None:
    """Append per-trial figures to ``$RELIABILITY_LOG`` (JSON lines) when it is set."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for r in results:
            row = {k: v for k, v in vars(r).items() if k != "trial"}
            fh.write(json.dumps({"suite": "crash", **vars(r.trial), **row}) + "\n")


def _check(results: list[TrialResult]) -> None:
    _record(results)
    failed = [f"{r.trial.label()}: {vars(r)}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)


def _run(harness: Harness, plan: dict[str, list[str] | int]) -> list[TrialResult]:
    results: list[TrialResult] = []
    for scenario, wanted in plan.items():
        baseline = harness.baseline(scenario, input_for(scenario))
        assert baseline.outputs and baseline.calls > 0
        rng = random.Random(f"{SEED}:{scenario}")
        if isinstance(wanted, int):
            trials = harness.plan(baseline, rng, wanted)
        else:
            trials = [t for t in harness.plan(baseline, rng, 8) if t.kind in wanted]
            trials = list({t.kind: t for t in trials}.values())
        results += [harness.run_trial(baseline, t) for t in trials]
    return results


def test_crash_trials_smoke(tmp_path: Path) -> None:
    """Three kill kinds on two scenarios: the harness and the guarantees, in ~40 s."""
    harness = Harness(tmp_path, DOCS)
    results = _run(
        harness,
        {"research-brief": ["between-nodes"], "content-calendar": ["fan-out"]},
    )
    assert [r.trial.kind for r in results] == ["between-nodes", "fan-out"]
    _check(results)


def test_killed_before_the_first_checkpoint_restarts_from_its_input(tmp_path: Path) -> None:
    """Regression (found by the trials): a kill inside the very first checkpoint write left
    a run that ``baton resume`` could not continue (``EmptyInputError``, exit 1)."""
    harness = Harness(tmp_path, DOCS)
    baseline = harness.baseline("research-brief", input_for("research-brief"))
    result = harness.run_trial(baseline, Trial("research-brief", "checkpoint-write", 1))
    assert result.calls_before_kill == 0 and result.committed_nodes == 0
    _check([result])


@pytest.mark.long
@pytest.mark.timeout(1800)  # seven scenarios' baselines and 28 trials on 2 shared cores
def test_crash_trials_every_scenario(tmp_path: Path) -> None:
    """A SIGKILL of every kill kind in every registered scenario."""
    harness = Harness(tmp_path, DOCS)
    names = scenario_names()
    results = _run(harness, dict.fromkeys(names, TRIALS_PER_SCENARIO))
    assert len(results) == len(KINDS) * len(names)
    per_scenario = Counter(r.trial.scenario for r in results)
    assert set(per_scenario) == set(names)
    kinds = Counter(r.trial.kind for r in results)
    assert {"mid-node", "between-nodes", "checkpoint-write", "fan-out"} <= set(kinds)
    _check(results)


def test_plan_is_seeded_and_covers_kinds(tmp_path: Path) -> None:
    """Same seed, same kill points; fan-out falls back to mid-node where nothing overlaps."""
    from tests.reliability.crash_harness import Baseline

    def baseline(concurrent: list[int]) -> Baseline:
        return Baseline("s", tmp_path, {}, Counter(), Counter(), 5, concurrent, 9, 6)

    first = Harness.plan(baseline([3]), random.Random(1), 8)
    again = Harness.plan(baseline([3]), random.Random(1), 8)
    assert first == again
    assert {t.kind for t in first} == {"mid-node", "between-nodes", "checkpoint-write", "fan-out"}
    assert all(t.point == 3 for t in first if t.kind == "fan-out")
    serial = Harness.plan(baseline([]), random.Random(1), 8)
    assert "fan-out" not in {t.kind for t in serial}
    assert all(1 <= t.point <= 9 for t in serial) and isinstance(serial[0], Trial)


def test_crash_trials_launch_team(tmp_path: Path) -> None:
    """launch-team killed mid-plan (inside the parallel task wave, between nodes, mid-call):
    resumed, it continues the same plan and no finished task runs again."""
    harness = Harness(tmp_path, DOCS)
    results = _run(harness, {"launch-team": ["fan-out", "between-nodes", "mid-node"]})
    assert {r.trial.kind for r in results} == {"fan-out", "between-nodes", "mid-node"}
    _check(results)
