"""The README's main job on the real embedded model: ingest, run to review, resume, brief."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import QUESTION, Baton

pytestmark = pytest.mark.integration


def test_research_brief_on_embedded_model(baton_embedded: Baton) -> None:
    paused = baton_embedded.json("run", "research-brief", "--input", str(QUESTION))
    assert paused["status"] == "awaiting_review", paused
    assert paused["packet"]["preview"].startswith("# ")

    done = baton_embedded.json("resume", paused["run_id"], "--approve", "--reviewer", "ci")
    assert done["status"] == "done"
    brief = Path(done["outputs"][0]).read_text()
    assert "## Findings" in brief and "approve by ci" in brief

    shown = baton_embedded.json("show", paused["run_id"])
    nodes = [n for n in shown["nodes"] if n["kind"] == "node"]
    calls = sum(n["llm_calls"] for n in nodes)
    assert calls >= 3, "the embedded model was not called"
    assert all(n["tokens"] > 0 for n in nodes if n["llm_calls"])
    # every citation in the brief is a chunk the researcher retrieved in this run
    researcher = next(n for n in shown["nodes"] if n["node"] == "researcher")
    audit = baton_embedded("audit", paused["run_id"]).stdout
    cited = set(re.findall(r"\[([0-9a-f]{16})\]", brief))
    assert cited and all(c in audit for c in cited)
    assert researcher["llm_calls"] == 1
