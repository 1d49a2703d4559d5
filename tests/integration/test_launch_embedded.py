"""launch-team on the real embedded model: the source's example request runs to review,
and approval writes every output (plan, analysis, calendar CSV and ICS, posts, claims,
summary)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.integration.conftest import ROOT, Baton, make_env

pytestmark = pytest.mark.integration

REQUEST = ROOT / "examples" / "launch" / "request.yaml"


def test_launch_team_on_embedded_model(tmp_path: Path) -> None:
    baton = Baton(tmp_path, make_env(tmp_path / "home"))
    # --review always: the default (exceptions) pauses only when a claim stays flagged.
    paused = baton.json(
        "run", "launch-team", "--input", str(REQUEST), "--review", "always", timeout=1800
    )
    assert paused["status"] == "awaiting_review", paused
    packet = paused["packet"]
    assert len(packet["plan"]) == 11 and packet["claims"]
    assert {row["verdict"] for row in packet["claims"]} <= {
        "supported",
        "refuted",
        "not_enough_info",
    }

    done = baton.json("resume", paused["run_id"], "--approve", "--reviewer", "Sam Patel")
    assert done["status"] == "done", done
    out = Path(done["output_dir"])
    for name in ("plan.json", "analysis.md", "calendar.csv", "calendar.ics", "claims.csv"):
        assert (out / name).is_file(), name
    assert (out / "summary.md").read_text().startswith("# Launch: Verda Pods")
    assert len(list((out / "posts").glob("*.md"))) == 5
    plan = json.loads((out / "plan.json").read_text())
    assert len(plan["tasks"]) == 11
    # The task type is an enum in the tool schema (a grammar on llama.cpp): whatever the
    # model gets wrong, it cannot name a task type outside the catalogue.
    assert "unknown task type" not in plan["note"]
    claims = list(csv.DictReader((out / "claims.csv").read_text().splitlines()))
    assert claims and {c["by"] for c in claims} <= {"code", "model"}
    rows = list(csv.DictReader((out / "calendar.csv").read_text().splitlines()))
    assert len(rows) == 5 and all("2027-03-01" <= r["date"] <= "2027-03-30" for r in rows)
    shown = baton.json("show", paused["run_id"])
    called = {n["node"]: n["llm_calls"] for n in shown["nodes"]}
    assert called.get("planner", 0) >= 1 and called.get("researcher", 0) >= 1
