"""The fact-checker's code verdicts: a claim copied from its cited chunk is supported by
code without asking the model, a copy with a changed number is still refuted by code,
and only a paraphrase is left for the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from baton.agents.launch import fact_checker
from baton.config import load_settings
from baton.context import RunContext
from baton.tools.launch.claims import extract_claims, verbatim_in

CHUNK = "c" * 16
SOURCE = (
    "Brewleaf is the best-selling compostable pod brand (market share: 24%).\n\n"
    "- Brewleaf Classic pods cost £4.20 for a box of 10.\n"
    "- Kettleworks pods are made of conventional plastic.\n"
)


@dataclass
class _Chunk:
    text: str


class _Store:
    def get_chunks(self, ids: Sequence[str], collections: Sequence[str]) -> dict[str, _Chunk]:
        return {i: _Chunk(SOURCE) for i in ids if i == CHUNK}


def _check(
    monkeypatch: pytest.MonkeyPatch, lines: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], list[list[str]]]:
    """Verdicts by claim text, and the claims each model call was asked about."""
    asked: list[list[str]] = []

    def fake_label(
        ctx: RunContext, batch: Sequence[dict[str, Any]], chunks: Mapping[str, str]
    ) -> dict[str, str]:
        asked.append([c["text"] for c in batch])
        return {c["id"]: "supported" for c in batch}

    monkeypatch.setattr(fact_checker, "label_batch", fake_label)
    settings = load_settings()
    settings.model.provider = "fake"
    ctx = RunContext(run_id="t", settings=settings, _store=_Store())
    claims = extract_claims({"research-1": "\n".join(f"- {x} [{CHUNK}]." for x in lines)})
    checked = fact_checker.check_claims(ctx, claims, "launch", {})
    return {c["text"]: c for c in checked}, asked


def test_a_verbatim_true_claim_is_supported_by_code_without_a_model_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got, asked = _check(monkeypatch, ["Brewleaf Classic pods cost £4.20 for a box of 10"])
    claim = got["Brewleaf Classic pods cost £4.20 for a box of 10."]
    assert (claim["verdict"], claim["by"]) == ("supported", "code")
    assert "verbatim" in claim["reason"]
    assert asked == []


def test_a_near_verbatim_claim_with_a_changed_number_is_refuted_by_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = "Brewleaf Classic pods cost £6.20 for a box of 10"
    assert verbatim_in(changed, [SOURCE]) is not None  # close enough as text ...
    got, asked = _check(monkeypatch, [changed])
    claim = got[changed + "."]
    assert (claim["verdict"], claim["by"]) == ("refuted", "code")  # ... but the price differs
    assert asked == []


def test_a_paraphrase_goes_to_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    paraphrase = "A box of 10 Brewleaf Classic pods is priced at £4.20"
    got, asked = _check(
        monkeypatch, [paraphrase, "Brewleaf Classic pods cost £4.20 for a box of 10"]
    )
    assert asked == [[paraphrase + "."]]
    assert got[paraphrase + "."]["by"] == "model"


def test_a_dropped_negation_is_not_verbatim() -> None:
    assert verbatim_in("Kettleworks pods are made of conventional plastic", [SOURCE]) == 100.0
    assert verbatim_in("Kettleworks pods are not made of conventional plastic", [SOURCE]) is None
    assert verbatim_in("Kettleworks pods aren't made of conventional plastic", [SOURCE]) is None
