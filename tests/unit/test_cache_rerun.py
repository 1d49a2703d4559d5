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

ROOT = Path(__file__).resolve().parents[2]
INPUTS = {
    "research-brief": ROOT / "examples" / "research-brief" / "question.yaml",
    "expense-reconciliation": ROOT / "examples" / "finance" / "2026-10",
    "content-calendar": ROOT / "examples" / "marketing",
    "onboarding": ROOT / "examples" / "hr",
}
DRIVER = (
    "import sys; import baton.retrieval.embeddings as e; from baton.testing import hashing_embed;"
    " e.embed = hashing_embed; from baton.cli import main; sys.argv = ['baton', *sys.argv[1:]];"
    " main()"
)


def baton(seed: int, *args: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "BATON_CACHE__ENABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def calls_per_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, int]]]:
    """(model calls, cache hits) of each scenario's first and second run."""
    home = tmp_path_factory.mktemp("cache-home")
    saved = dict(os.environ)
    os.environ.update(BATON_HOME=str(home), BATON_MODEL__PROVIDER="fake")
    try:
        baton(1, "ingest", str(ROOT / "examples" / "docs"), "-C", "company-docs")
        baton(2, "ingest", str(ROOT / "examples" / "finance" / "policy"), "-C", "finance-policy")
        counts: dict[str, list[tuple[int, int]]] = {}
        for name, path in INPUTS.items():
            for seed in (11, 12):
                out = baton(seed, "run", name, "--input", str(path), "--review", "never", "--json")
                run_id = json.loads(out)["run_id"]
                baton(seed, "audit", run_id)  # copies the audit trail into the registry
                registry = Registry(load_settings().registry_path)
                try:
                    audit = registry.audit(run_id)
                finally:
                    registry.close()
                counts.setdefault(name, []).append(
                    (sum(a.llm_calls for a in audit), sum(a.cache_hits for a in audit))
                )
        return counts
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("scenario", sorted(INPUTS))
def test_a_rerun_in_a_new_process_makes_no_model_calls(
    calls_per_run: dict[str, list[tuple[int, int]]], scenario: str
) -> None:
    (first_calls, _), (second_calls, second_hits) = calls_per_run[scenario]
    assert first_calls > 0  # the scenario does ask the model
    assert second_calls == 0 and second_hits >= first_calls
