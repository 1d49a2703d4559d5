"""launch-team with scripted models: plan, dispatch, critic, fact-checker, review, outputs,
bad inputs and resume without re-running finished tasks."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from baton.config import Settings
from baton.review import make_decision
from baton.runtime import Runner
from baton.testing import ScriptedChatModel, schema_responder

ROOT = Path(__file__).resolve().parents[2]
COFFEE = ROOT / "examples" / "launch" / "request.yaml"
BIKE = ROOT / "examples" / "launch" / "bike-light" / "request.yaml"


def make_runner(settings: Settings, responder: Any = schema_responder) -> Runner:
    return Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=responder)
    )


@pytest.fixture
def runner(settings: Settings) -> Iterator[Runner]:
    r = make_runner(settings)
    yield r
    r.close()


def test_coffee_request_runs_to_outputs_with_the_fake_model(runner: Runner) -> None:
    outcome = runner.start("launch-team", COFFEE)
    if outcome.status == "awaiting_review":
        outcome = runner.resume(outcome.run_id, make_decision("approve", "alice"))
    assert outcome.status == "done", outcome.reason
    names = sorted(Path(p).name for p in outcome.outputs)
    print(names)
    assert {"plan.json", "analysis.md", "calendar.csv", "calendar.ics", "claims.csv", "summary.md"} <= set(names)
