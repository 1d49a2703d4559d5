"""launch-team in the review inbox: the plan and the claims table (with each claim's
source chunks, verdict and who gave it) are shown, and flagged claims can be accepted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baton.config import Settings
from baton.runtime import Runner
from baton.testing import ScriptedChatModel
from baton.tools.launch.scripted import LaunchScript
from baton.web import create_app
from baton.web.auth import Credentials

REQUEST = Path(__file__).resolve().parents[2] / "examples" / "launch" / "request.yaml"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Credentials())) as c:
        yield c


def test_the_inbox_shows_the_plan_and_the_claims(settings: Settings, client: TestClient) -> None:
    script = LaunchScript(plant_rate=0.5, sticky=1.0, seed=3)
    runner = Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=script)
    )
    try:
        paused = runner.start("launch-team", REQUEST)
    finally:
        runner.close()
    assert paused.status == "awaiting_review" and paused.packet is not None
    page = client.get(f"/runs/{paused.run_id}").text
    assert re.search(r"<h2>Plan</h2>\s*<table", page)
    assert re.search(r"<h2>Claims</h2>\s*<table", page)
    for task in ("research-1", "analysis", "calendar", "post-5"):
        assert f"<td>{task}</td>" in page
    refuted = [c for c in paused.packet["claims"] if c["verdict"] == "refuted"]
    assert refuted and f"<code>{refuted[0]['id']}</code>" in page  # an exception row
    assert refuted[0]["sources"].split()[0] in page  # its source chunk
    assert 'name="edit-accept_claims"' in page
