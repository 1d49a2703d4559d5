"""The labelled matching set and its scorer: sound labels, honest counting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from baton.config import Settings, load_settings
from baton.testing import ScriptedChatModel
from benchmarks.matching_labelled import NONE, code_label, load_cases, score


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_CACHE__ENABLED", "false")  # each script must really be asked
    return load_settings()


def test_every_label_is_one_of_its_entries_or_none() -> None:
    cases = load_cases()
    assert len({c["id"] for c in cases}) == len(cases) >= 30
    for case in cases:
        ids = [e.id for e in case["ledger"]]
        assert case["truth"] in [*ids, NONE], case["id"]
    assert sum(c["truth"] == NONE for c in cases) >= 5  # "none" is a real answer here


def test_the_code_fallback_never_books_a_wrong_entry() -> None:
    # What the deterministic matcher books on its own must be right; what it cannot
    # settle it leaves to a human ("none"), which is only sometimes the truth.
    for case in load_cases():
        booked = code_label(case)
        assert booked in (case["truth"], NONE), case["id"]


def _answering(pick: Any) -> ScriptedChatModel:
    def respond(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any]:
        prompt = "\n".join(str(m.content) for m in messages)
        return {"choice": pick(prompt), "reason": "scripted"}

    return ScriptedChatModel(role="matching", responder=respond)


def test_scorer_counts_right_none_and_invalid_answers(settings: Settings) -> None:
    cases = load_cases()
    truth = {c["bank"].description: c["truth"] for c in cases}

    def oracle(prompt: str) -> str:
        line = re.search(r"Bank line: \S+ (.+) -?[\d.]+\n", prompt)
        assert line is not None
        return str(truth[line.group(1)])

    perfect = score("oracle", settings, cases, lambda role: _answering(oracle))
    n = len(cases)
    assert perfect["model_all"] == f"{n}/{n}" and perfect["invalid"] == 0

    nones = sum(c["truth"] == NONE for c in cases)
    always_none = score("none", settings, cases, lambda role: _answering(lambda p: NONE))
    assert always_none["model_all"] == f"{nones}/{n}"

    # An id the grammar does not allow never validates: counted as no answer, not "none".
    bogus = score("bogus", settings, cases, lambda role: _answering(lambda p: "GL-999"))
    assert bogus["invalid"] == n and bogus["model_all"] == f"0/{n}"
    assert perfect["code_all"] == always_none["code_all"]  # the fallback ignores the model
