"""expense-reconciliation on the real embedded model: ingest, run to review, decide, publish."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from tests.integration.conftest import ROOT, Baton, make_env
from tests.unit.test_expense_graph import OUTPUTS  # the same files on the scripted model

pytestmark = pytest.mark.integration

MONTH = ROOT / "examples" / "finance" / "2026-10"
POLICY = ROOT / "examples" / "finance" / "policy"
DECISIONS = ROOT / "examples" / "finance" / "decisions-2026-10.json"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def baton(tmp_path: Path) -> Baton:
    b = Baton(tmp_path, make_env(tmp_path / "home"))
    b("ingest", str(POLICY), "--collection", "finance-policy")
    return b


def test_expense_reconciliation_on_embedded_model(baton: Baton) -> None:
    started = time.monotonic()
    paused = baton.json("run", "expense-reconciliation", "--input", str(MONTH))
    run_seconds = time.monotonic() - started
    assert paused["status"] == "awaiting_review", paused
    exceptions = {e["id"]: e for e in paused["packet"]["exceptions"]}
    decisions = json.loads(DECISIONS.read_text())["decisions"]
    missing = {d["id"] for d in decisions} - set(exceptions)
    assert not missing, f"decisions name exceptions this run did not raise: {missing}"

    done = baton.json("resume", paused["run_id"], "--edit", str(DECISIONS), "--reviewer", "ci")
    assert done["status"] == "done", done.get("packet", {}).get("edit_errors") or done
    outputs = {Path(p).name: Path(p) for p in done["outputs"]}
    assert set(outputs) == OUTPUTS and all(p.exists() for p in outputs.values())

    matches = {(r["bank_id"], r["gl_id"]): r for r in _csv(outputs["matches.csv"])}
    assert all(r["kind"] in ("one_to_one", "batch", "amount_mismatch") for r in matches.values())
    unmatched_bank = {r["id"] for r in _csv(outputs["unmatched_bank.csv"])}
    unmatched_gl = {r["id"] for r in _csv(outputs["unmatched_gl.csv"])}
    for decision in decisions:
        if decision["action"] == "match_to" and decision.get("gl_ids"):
            bank_id = exceptions[decision["id"]]["refs"][0]
            for gl_id in decision["gl_ids"]:
                assert "by ci" in matches[(bank_id, gl_id)]["reason"]
                assert gl_id not in unmatched_gl
            assert bank_id not in unmatched_bank

    rows = {r["id"]: r for r in _csv(outputs["exceptions.csv"])}
    assert set(rows) == set(exceptions)
    for decision in decisions:
        assert rows[decision["id"]]["decided_by"] == "ci"
        assert rows[decision["id"]]["decision"].startswith(decision["action"])
    summary = outputs["summary.md"].read_text()
    assert "## Figures" in summary and "Review: edit by ci" in summary

    nodes = [n for n in baton.json("show", paused["run_id"])["nodes"] if n["kind"] == "node"]
    calls = sum(n["llm_calls"] for n in nodes)
    assert calls >= 1, "the embedded model was not called"
    assert all(n["tokens"] > 0 for n in nodes if n["llm_calls"])
    kinds: dict[str, int] = {}
    for exc in exceptions.values():
        kinds[exc["kind"]] = kinds.get(exc["kind"], 0) + 1
    print(
        f"\nrun to review: {run_seconds:.1f} s, {calls} model calls, "
        f"{len(exceptions)} exceptions: {json.dumps(kinds, sort_keys=True)}"
    )
