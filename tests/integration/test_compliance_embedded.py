"""compliance-report on the real embedded model: run to approval, the preparer's approval
refused, another person's accepted, the report sent once to each recipient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import ROOT, Baton, make_env

pytestmark = pytest.mark.integration

EXAMPLE = ROOT / "examples" / "compliance"


def test_compliance_report_on_embedded_model(tmp_path: Path) -> None:
    baton = Baton(tmp_path, make_env(tmp_path / "home"))
    paused = baton.json("run", "compliance-report", "--input", str(EXAMPLE))
    assert paused["status"] == "awaiting_review", paused
    packet = paused["packet"]
    assert packet["excluded_reviewers"] == ["Dana Reid"]
    assert {s["clause"] for s in packet["sections"]} == {"DP-1", "DP-2", "DP-3", "DP-4", "DP-5"}
    for leak in ("Priya", "Ellis", "Okafor", "Kowalska", "07700", "@northwind"):
        assert leak not in packet["preview"]

    refused = baton("resume", paused["run_id"], "--approve", "--reviewer", "Dana Reid", check=False)
    assert refused.returncode == 2 and "two-person rule" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    done = baton.json("resume", paused["run_id"], "--approve", "--reviewer", "Sam Patel")
    assert done["status"] == "done"
    out = Path(done["output_dir"])
    manifest = json.loads((out / "distribution_manifest.json").read_text())
    assert manifest["approved_by"] == "Sam Patel" and len(manifest["sent"]) == 3
    assert len(list((out / "outbox").glob("*.eml"))) == 3
    shown = baton.json("show", paused["run_id"])
    drafter = next(n for n in shown["nodes"] if n["node"] == "drafter")
    assert drafter["llm_calls"] >= 1, "the embedded model was not called"
    again = baton("resume", paused["run_id"], "--approve", "--reviewer", "Sam Patel", check=False)
    assert again.returncode == 2  # already done: nothing is sent twice
    assert len(list((out / "outbox").glob("*.eml"))) == 3
