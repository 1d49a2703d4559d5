"""SIGKILL trials under each LangGraph durability mode (``run.durability``).

Same harness as the crash trials (:mod:`tests.reliability.crash_harness`): a ``baton
run`` process is killed mid-node (a model call in flight) or just after a node reported
finishing, then ``baton resume`` finishes the run, and the outputs are compared with an
uninterrupted run's. On top of the harness's checks this counts what the kill cost:
model calls made twice, and nodes the killed process had reported finished that ran
again. RELIABILITY.md records the table this prints.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.reliability.conftest import DOCS, input_for
from tests.reliability.crash_harness import Harness, Trial, TrialResult

pytestmark = [pytest.mark.reliability, pytest.mark.long]

SCENARIO = "research-brief"
TRIALS = (("mid-node", 2), ("between-nodes", 2))
"""Kill while the 2nd model call is in flight; kill after the 2nd node reported done."""


def _trials(tmp_path: Path, mode: str) -> list[TrialResult]:
    harness = Harness(tmp_path / mode, DOCS, env={"BATON_RUN__DURABILITY": mode})
    baseline = harness.baseline(SCENARIO, input_for(SCENARIO))
    assert baseline.calls >= 3 and baseline.outputs
    return [harness.run_trial(baseline, Trial(SCENARIO, kind, point)) for kind, point in TRIALS]


def _row(mode: str, r: TrialResult) -> dict[str, object]:
    return {
        "mode": mode,
        "trial": r.trial.label(),
        "killed": r.killed,
        "status": r.status,
        "identical_outputs": r.identical,
        "reported_done_before_kill": r.reported_nodes,
        "committed_nodes": r.committed_nodes,
        "repeated_nodes": r.repeated_nodes,
        "repeated_calls": r.repeated_calls,
    }


@pytest.mark.parametrize("mode", ["sync", "async", "exit"])
def test_sigkill_under_each_durability_mode(tmp_path: Path, mode: str) -> None:
    results = _trials(tmp_path, mode)
    rows = [_row(mode, r) for r in results]
    print("\n" + "\n".join(json.dumps(row) for row in rows))
    if os.environ.get("RELIABILITY_LOG"):
        with open(os.environ["RELIABILITY_LOG"], "a", encoding="utf-8") as fh:
            fh.writelines(json.dumps({"suite": "durability", **row}) + "\n" for row in rows)
    for r in results:
        # Every mode recovers: the run finishes with the same files as a clean run.
        assert r.killed and r.status == "done" and r.identical, _row(mode, r)
        assert not r.half_written and not r.leftovers and not r.audit_diff
    between = results[1]
    assert between.reported_nodes == 2
    if mode == "exit":
        # Nothing is written before the run exits: the nodes that had finished run again.
        assert between.committed_nodes == 0 and between.repeated_nodes == 2
        assert all(r.repeated_calls >= r.calls_before_kill - 1 for r in results)
    elif mode == "sync":
        # A node that reported finishing is never run again; at most the one model call
        # the kill interrupted is made twice.
        assert all(r.repeated_nodes == 0 and r.ok for r in results), rows
        assert all(r.repeated_calls <= 1 for r in results), rows
    else:
        # async writes a step's checkpoint while the next step runs, so a kill can land
        # before the last finished node's write commits: at most that one node runs again
        # (its calls plus the interrupted one), never an earlier one.
        assert all(r.repeated_nodes <= 1 for r in results), rows
        assert all(r.committed_nodes >= r.reported_nodes - 1 for r in results), rows
