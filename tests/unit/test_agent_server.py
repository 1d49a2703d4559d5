"""Baton on LangGraph Agent Server, without a server: schemas, requests, resumes, start-up.

The end-to-end path (``langgraph dev`` + ``langgraph-sdk``) is in
``tests/integration/test_langgraph_server.py``; these check each piece fast and offline.
"""

from __future__ import annotations

import importlib
import io
import json
import urllib.error
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from baton.config import Settings, load_settings
from baton.context import RunContext
from baton.errors import ConfigError, ModelFailure, UserError
from baton.langgraph_server import check_model, refusal
from baton.review import make_decision, parse_decision
from baton.runtime import Runner
from baton.scenario import get_scenario
from baton.served import RunRefused, artefacts, validate_request, visible_errors

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("research-brief", "expense-reconciliation", "content-calendar", "onboarding")


class _Edit(BaseModel):
    model_config = {"extra": "forbid"}

    title: str | None = None


def _request_model(name: str) -> type[BaseModel]:
    module = importlib.import_module(f"baton.graphs.{name.replace('-', '_')}.graph")
    model: type[BaseModel] = module.REQUEST
    return model


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_graph_has_a_small_typed_input_and_only_review_mode_as_context(name: str) -> None:
    graph = get_scenario(name).build()
    request = _request_model(name)
    properties = dict(graph.get_input_jsonschema())["properties"]
    assert set(properties) == set(request.model_fields)
    assert "audit" not in properties and "outputs" not in properties
    assert "artefacts" in graph.get_output_jsonschema()["properties"]
    assert set(dict(graph.get_context_jsonschema() or {})["properties"]) == {"review_mode"}


def test_baton_run_sends_the_request_a_client_would_send() -> None:
    brief = get_scenario("research-brief").request(ROOT / "examples/research-brief/question.yaml")
    assert set(brief) == {"question", "collections", "k", "max_rounds"}
    month = ROOT / "examples/finance/2026-10"
    assert get_scenario("expense-reconciliation").request(month) == {"folder": str(month.resolve())}


def test_a_bad_request_is_one_line_naming_the_field() -> None:
    model = _request_model("research-brief")
    with pytest.raises(UserError) as info:
        validate_request(model, {"question": "hi"})
    assert str(info.value).startswith("request: question: String should have at least 5")
    with pytest.raises(UserError, match="request: k: Input should be less than or equal"):
        validate_request(model, {"question": "What do pods cost?", "k": 99})
    valid = validate_request(model, {"question": "What do pods cost?"})
    assert valid.model_dump()["k"] == 6  # the CLI's default


def test_a_resume_without_time_gets_one_and_a_bad_one_names_the_field() -> None:
    decision = parse_decision({"action": "approve", "reviewer": "ana"}, _Edit, {})
    assert decision.at and decision.reviewer == "ana"
    with pytest.raises(UserError, match="invalid review decision: reviewer: Field required"):
        parse_decision({"action": "approve"}, _Edit, {})
    with pytest.raises(UserError, match="edits: colour: Extra inputs are not permitted"):
        parse_decision({"action": "edit", "reviewer": "a", "edits": {"colour": 1}}, _Edit, {})


def test_the_server_refuses_a_resume_that_is_no_decision() -> None:
    assert refusal({"action": "approve"}) is None
    assert refusal({"action": "approved"}) == (
        "invalid review decision: action: Input should be 'approve', 'reject' or 'edit'"
    )
    assert refusal("yes") is not None and refusal({"action": "edit", "extra": 1}) is not None


def test_artefacts_carry_text_outputs_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "summary.md").write_text("# Summary\n")
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00")
    found = artefacts([str(tmp_path / "summary.md"), str(tmp_path / "blob.bin"), "/nope"])
    assert found == {"summary.md": "# Summary\n"}


def _openai(mp: pytest.MonkeyPatch, model: str = "qwen") -> Settings:
    mp.setenv("BATON_MODEL__PROVIDER", "openai")
    mp.setenv("BATON_MODEL__BASE_URL", "http://127.0.0.1:9/v1")
    mp.setenv("BATON_MODEL__MODEL", model)
    return load_settings()


def test_start_up_check_names_the_unreachable_url(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise urllib.error.URLError("Connection refused")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    with pytest.raises(ConfigError, match=r"http://127\.0\.0\.1:9/v1 is unreachable"):
        check_model(_openai(monkeypatch))


def test_start_up_check_names_a_model_the_endpoint_does_not_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listing = json.dumps({"data": [{"id": "llama-3"}, {"id": "qwen"}]}).encode()
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: io.BytesIO(listing))
    assert check_model(_openai(monkeypatch)) == "model: qwen at http://127.0.0.1:9/v1"
    with pytest.raises(
        ConfigError, match=r"does not serve model 'mistral' \(it serves: llama-3, qwen\)"
    ):
        check_model(_openai(monkeypatch, "mistral"))


def test_a_run_paused_on_the_server_is_not_resumed_from_the_cli(settings: Settings) -> None:
    runner = Runner(settings)
    try:
        runner.registry.create_run("thread-1", "research-brief", "question", "/tmp/x", "always")
        runner.registry.set_status("thread-1", "awaiting_review", packet={"scenario": "x"})
        with pytest.raises(UserError, match="paused on a LangGraph server"):
            runner.resume("thread-1", make_decision("approve", "ana"))
        assert runner.registry.get("thread-1").status == "awaiting_review"
    finally:
        runner.close()


def test_served_runs_show_user_errors_and_model_failures_as_messages(settings: Settings) -> None:
    served_ctx = RunContext(run_id="t-1", settings=settings, served=True)
    for exc in (UserError("starter.yaml:3: role: unknown"), ModelFailure("endpoint down")):
        with pytest.raises(RunRefused) as info, visible_errors(served_ctx):
            raise exc
        assert isinstance(info.value, ValueError) and str(info.value) == str(exc)
    with pytest.raises(UserError), visible_errors(RunContext(run_id="cli", settings=settings)):
        raise UserError("the CLI keeps its own error type (exit code 2)")
