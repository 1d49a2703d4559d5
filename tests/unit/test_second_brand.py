"""No example data in the product: content-calendar on a second brand never mentions coffee.

Why: the examples are about a coffee pod company, and a prompt once hard-coded that. The
company's facts must come from the run's input (``brand.yaml``, roadmap, documents) and
config only. Spokewell (examples/marketing-cycling) is a bicycle servicing subscription
written independently of the coffee example; every prompt the agents send and every file
the run writes is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

import baton
from baton.testing import ScriptedChatModel, schema_responder

ROOT = Path(__file__).resolve().parents[2]
CYCLING = ROOT / "examples" / "marketing-cycling"


def test_second_brand_prompts_and_outputs_never_mention_coffee() -> None:
    prompts: list[str] = []

    def respond(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any] | str:
        prompts.append("\n".join(str(m.content) for m in messages))
        return schema_responder(role, messages, tool)

    done = baton.run(
        "content-calendar",
        input=CYCLING,
        review="never",
        model_factory=lambda role: ScriptedChatModel(role=role, responder=respond),
    )
    assert done.status == "done" and done.outputs
    drafter = [p for p in prompts if p.startswith("You outline")]
    assert drafter and all("Spokewell, a UK bicycle servicing subscription" in p for p in drafter)
    texts = [Path(p).read_text(encoding="utf-8") for p in done.outputs]
    assert any("Spokewell" in t for t in texts)
    assert [p for p in prompts if "coffee" in p.lower()] == []
    assert [p for p, t in zip(done.outputs, texts, strict=True) if "coffee" in t.lower()] == []
