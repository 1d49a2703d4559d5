"""Run settings: token streaming to a callback, the durability mode, tracing off by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.config import Settings, load_settings
from baton.errors import ConfigError
from baton.retrieval.ingest import ingest
from baton.runtime import Runner

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


def test_tokens_stream_per_node(settings: Settings) -> None:
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    seen: list[tuple[str, str]] = []
    runner = Runner(settings)
    try:
        outcome = runner.start(
            "research-brief", QUESTION, tokens=lambda node, text: seen.append((node, text))
        )
    finally:
        runner.close()
    assert outcome.status == "awaiting_review"
    assert [n for n, _ in seen] == ["researcher", "writer", "critic"]
    assert all(text.startswith("{") for _, text in seen)  # the forced tool call's arguments


@pytest.mark.parametrize("mode", ["sync", "async", "exit"])
def test_each_durability_mode_pauses_and_finishes(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_RUN__DURABILITY", mode)
    settings = load_settings()
    assert settings.run.durability == mode
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    runner = Runner(settings)
    try:
        paused = runner.start("research-brief", QUESTION)
        assert paused.status == "awaiting_review"
        from baton.review import make_decision

        done = runner.resume(paused.run_id, make_decision("approve", "a"))
        assert done.status == "done" and done.outputs
    finally:
        runner.close()


def test_bad_durability_and_tracing_values_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_RUN__DURABILITY", "never")
    with pytest.raises(ConfigError, match=r"BATON_RUN__DURABILITY: run\.durability"):
        load_settings()
    monkeypatch.delenv("BATON_RUN__DURABILITY")
    monkeypatch.setenv("BATON_TRACING__ENDPOINT", "localhost:4318")
    with pytest.raises(ConfigError, match=r"tracing\.endpoint"):
        load_settings()


def test_tracing_is_off_by_default(settings: Settings) -> None:
    from baton import tracing

    assert not settings.tracing.enabled and settings.tracing.endpoint is None
    with tracing.span(settings, "r", "x", {}) as span:
        assert span is None


def test_a_streamed_reply_without_usage_is_estimated_not_free() -> None:
    """llama.cpp's server sends no usage in a stream: 4 characters per token instead."""
    from langchain_core.messages import AIMessage

    from baton.llm import _usage

    reply = AIMessage(content="", tool_calls=[{"name": "t", "args": {"a": "x" * 30}, "id": "1"}])
    assert _usage(reply, "p" * 400) == (100, len('{"a": "' + "x" * 30 + '"}') // 4)
    reply.usage_metadata = {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}
    assert _usage(reply, "p" * 400) == (5, 7)
