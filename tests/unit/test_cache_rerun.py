"""A re-run of every scenario on unchanged inputs makes zero model calls, in a new process.

Why new processes with different hash seeds: the miss the issue found (research-brief's
researcher called the model again on every re-run) came from a tool schema built from a
Python ``set`` of chunk ids, whose order changes with each process's hash seed; two runs
in one process share the seed and would never show it. Each run here is a separate
``baton run`` process with its own ``PYTHONHASHSEED``, on the scripted model and the
hashing embedder, with the cache switched on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from baton.config import load_settings
from baton.registry import Registry
from baton.scenario import discover
from tests.examples import EXAMPLE_COLLECTIONS, EXAMPLE_INPUTS

ROOT = Path(__file__).resolve().parents[2]
INPUTS = EXAMPLE_INPUTS
NOTHING_NEW = {"kpi-monitor"}
"""Scenarios whose rerun over the same input finds nothing new (kpi-monitor's ledger keeps
the last run's watermark and the anomalies it reported), so it has nothing to ask."""
DRIVER = """
import json, sys
from pathlib import Path
import baton.retrieval.embeddings as embeddings
from baton.retrieval.testing import hashing_embed
embeddings.embed = hashing_embed  # MiniLM would dominate the test's time
from baton.config import load_settings
from baton.scenario import discover
from baton.retrieval.ingest import ingest
from baton.runtime import Runner
settings = load_settings()
for folder, collection in json.loads(sys.argv[1]):
    ingest([Path(folder)], collection, settings)
runner = Runner(settings)
ids = {}
for name, path in json.loads(sys.argv[2]).items():
    ids[name] = runner.start(name, Path(path), review="never").run_id
runner.close()
print(json.dumps(ids))
"""
COLLECTIONS = [(str(folder), name) for name, folder in EXAMPLE_COLLECTIONS.items()]


def run_all(seed: int) -> dict[str, str]:
    """Every scenario once, in a new process with hash seed ``seed``: run ids by scenario."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "BATON_CACHE__ENABLED": "true"}
    inputs = {name: str(path) for name, path in INPUTS.items()}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(COLLECTIONS), json.dumps(inputs)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ids: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return ids


@pytest.fixture(scope="module")
def calls_per_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, int]]]:
    """(model calls, cache hits) of each scenario's first and second run."""
    home = tmp_path_factory.mktemp("cache-home")
    saved = dict(os.environ)
    os.environ.update(BATON_HOME=str(home), BATON_MODEL__PROVIDER="fake")
    try:
        runs = [run_all(11), run_all(12)]
        registry = Registry(load_settings().registry_path)
        try:
            return {
                name: [
                    (
                        sum(a.llm_calls for a in registry.audit(ids[name])),
                        sum(a.cache_hits for a in registry.audit(ids[name])),
                    )
                    for ids in runs
                ]
                for name in INPUTS
            }
        finally:
            registry.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_every_scenario_is_covered() -> None:
    assert set(INPUTS) == set(discover())


@pytest.mark.parametrize("scenario", sorted(INPUTS))
def test_a_rerun_in_a_new_process_makes_no_model_calls(
    calls_per_run: dict[str, list[tuple[int, int]]], scenario: str
) -> None:
    (first_calls, _), (second_calls, second_hits) = calls_per_run[scenario]
    assert first_calls > 0  # the scenario does ask the model
    assert second_calls == 0
    assert second_hits >= first_calls or (scenario in NOTHING_NEW and second_hits == 0)
