"""kpi-monitor on the real embedded model: the shop example to its human checkpoint, every
note's numbers backed by computed values, alerts sent once, and a rerun alerts nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.tools.kpi.io import load_folder
from baton.tools.kpi.monitor import analyse
from baton.tools.kpi.notes import mismatched_numbers
from tests.integration.conftest import ROOT, Baton, make_env

pytestmark = pytest.mark.integration

EXAMPLE = ROOT / "examples" / "kpi"


def test_kpi_monitor_on_embedded_model(tmp_path: Path) -> None:
    home = tmp_path / "home"
    baton = Baton(tmp_path, make_env(home))
    paused = baton.json("run", "kpi-monitor", "--input", str(EXAMPLE))
    assert paused["status"] == "awaiting_review", paused
    packet = paused["packet"]
    assert len(packet["alerts"]) == 3 and packet["deadline"]
    series, changes, policy = load_folder(EXAMPLE)
    findings = {f["anomaly"]["id"]: f for f in analyse(series, changes, policy)}
    for row in packet["exceptions"]:
        assert mismatched_numbers(row["detail"], findings[row["id"]]) == []
    shown = baton.json("show", paused["run_id"])
    writer = next(n for n in shown["nodes"] if n["node"] == "writer")
    assert writer["llm_calls"] >= 1, "the embedded model was not called"

    done = baton.json("resume", paused["run_id"], "--approve", "--reviewer", "Kim")
    assert done["status"] == "done"
    digest = (Path(done["output_dir"]) / "overnight_digest.md").read_text()
    assert digest.count("confirmed (by Kim)") == 3
    outbox = home / "kpi-monitor" / "outbox"
    sent = sorted(p.name for p in outbox.iterdir() if p.suffix in (".eml", ".json"))
    assert len(sent) == 4
    again = baton.json("run", "kpi-monitor", "--input", str(EXAMPLE))
    assert again["status"] == "done"
    assert sorted(p.name for p in outbox.iterdir() if p.suffix in (".eml", ".json")) == sent
