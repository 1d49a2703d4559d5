"""research-brief end to end with a scripted model: interrupt, every resume, audit, budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baton.agents.research.state import State
from baton.config import Settings
from baton.errors import UserError
from baton.graphs.research_brief.graph import route_after_critic
from baton.retrieval.ingest import ingest
from baton.review import make_decision
from baton.runtime import Runner
from baton.testing import ScriptedChatModel, node_counts

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


@pytest.fixture
def runner(settings: Settings) -> Iterator[Runner]:
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    r = Runner(settings)
    yield r
    r.close()


def test_pauses_for_review_then_approve_writes_brief(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION)
    assert outcome.status == "awaiting_review"
    assert outcome.packet is not None and "preview" in outcome.packet
    assert runner.registry.get(outcome.run_id).status == "awaiting_review"

    done = runner.resume(outcome.run_id, make_decision("approve", "alice"))
    assert done.status == "done"
    brief = Path(done.outputs[0])
    assert brief.name == "brief.md" and brief.exists()
    text = brief.read_text()
    assert "## Findings" in text and "approve by alice" in text
    counts = node_counts(runner, outcome.run_id)
    assert counts["researcher"] == 1 and counts["formatter"] == 1
    assert counts["human:review"] == 1


def test_every_citation_in_the_brief_was_retrieved(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION)
    done = runner.resume(outcome.run_id, make_decision("approve", "alice"))
    text = Path(done.outputs[0]).read_text()
    import re

    cited = set(re.findall(r"\[([0-9a-f]{16})\]", text))
    assert cited, "the brief cites nothing"
    audit = runner.sync_audit(outcome.run_id)
    researcher = next(a for a in audit if a.node == "researcher")
    assert cited <= set(researcher.chunk_ids)


def test_edit_is_applied_and_validated(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION)
    with pytest.raises(UserError, match="titel"):
        runner.resume(outcome.run_id, make_decision("edit", "bob", edits={"titel": "x"}))
    assert runner.registry.get(outcome.run_id).status == "awaiting_review"
    done = runner.resume(
        outcome.run_id, make_decision("edit", "bob", edits={"title": "Cold Brew launch brief"})
    )
    assert done.status == "done"
    assert Path(done.outputs[0]).read_text().startswith("# Cold Brew launch brief")


def test_reject_revises_and_pauses_again(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION)
    again = runner.resume(outcome.run_id, make_decision("reject", "carol", comment="shorter"))
    assert again.status == "awaiting_review"
    counts = node_counts(runner, outcome.run_id)
    assert counts["researcher"] == 1  # research is not redone
    assert counts["human:review"] == 1
    done = runner.resume(outcome.run_id, make_decision("approve", "carol"))
    assert done.status == "done"
    assert node_counts(runner, outcome.run_id)["human:review"] == 2


def test_resume_errors_are_user_errors(runner: Runner) -> None:
    with pytest.raises(UserError, match="unknown run id"):
        runner.resume("nope", make_decision("approve", "x"))
    outcome = runner.start("research-brief", QUESTION)
    with pytest.raises(UserError, match="awaiting review"):
        runner.resume(outcome.run_id, None)
    runner.resume(outcome.run_id, make_decision("approve", "x"))
    with pytest.raises(UserError, match="already done"):
        runner.resume(outcome.run_id, make_decision("approve", "x"))
    # the second resume changed nothing
    assert node_counts(runner, outcome.run_id)["formatter"] == 1


def test_review_never_completes_without_a_human(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION, review="never")
    assert outcome.status == "done"
    human = [a for a in runner.sync_audit(outcome.run_id) if a.kind == "human"]
    assert len(human) == 1 and human[0].actor == "baton" and "auto-approved" in human[0].decision


def test_budget_exhaustion_fails_then_resumes(settings: Settings, runner: Runner) -> None:
    tight = settings.model_copy(
        update={"budget": settings.budget.model_copy(update={"max_llm_calls": 1})}
    )
    small = Runner(tight)
    outcome = small.start("research-brief", QUESTION)
    assert outcome.status == "failed"
    assert outcome.reason and "budget exhausted" in outcome.reason
    small.close()
    resumed = runner.resume(outcome.run_id)  # default budget is larger
    assert resumed.status == "awaiting_review"
    assert node_counts(runner, outcome.run_id)["researcher"] == 1


def test_model_records_tokens_per_node(runner: Runner) -> None:
    outcome = runner.start("research-brief", QUESTION)
    audit = runner.sync_audit(outcome.run_id)
    writer = next(a for a in audit if a.node == "writer")
    assert writer.llm_calls == 1 and writer.tokens_in > 0 and writer.tokens_out > 0
    assert writer.model == "fake" and writer.prompt_hash


def test_critic_loop_is_bounded_and_stops_on_repeat() -> None:
    base: State = {"max_rounds": 3}
    assert route_after_critic({**base, "rounds": 1, "issue_history": [["x"]]}) == "writer"
    assert (
        route_after_critic({**base, "rounds": 3, "issue_history": [["x"], ["y"], ["z"]]})
        == "review"
    )
    assert route_after_critic({**base, "rounds": 2, "issue_history": [["x"], ["x"]]}) == "review"
    assert route_after_critic({**base, "rounds": 1, "issue_history": [[]]}) == "review"


def test_hallucinated_citations_are_dropped(settings: Settings) -> None:
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)

    def liar(role: str, messages: Any, tool: Any) -> Any:
        if role == "researcher":
            return {"findings": [{"point": "Made up.", "citations": ["deadbeefdeadbeef"]}]}
        from baton.testing import schema_responder

        return schema_responder(role, messages, tool)

    runner = Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=liar)
    )
    outcome = runner.start("research-brief", QUESTION)
    assert "deadbeefdeadbeef" not in str(outcome.packet)
    audit = runner.sync_audit(outcome.run_id)
    researcher = next(a for a in audit if a.node == "researcher")
    assert "extractive fallback" in researcher.decision
    runner.close()


def test_secrets_never_reach_checkpoints_registry_or_outputs(
    runner: Runner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-very-secret-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    outcome = runner.start("research-brief", QUESTION)
    runner.resume(outcome.run_id, make_decision("approve", "alice"))
    runner.close()
    for path in settings.home_dir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_echoed_critique_is_not_feedback() -> None:
    from baton.tools.research.briefs import is_echo

    draft = "Title: Bundle PodBack bags with Cold Brew\nSummary: We should bundle the bags."
    assert is_echo("Bundle PodBack bags with Cold Brew", draft)
    assert not is_echo("The summary does not say what it costs.", draft)


def test_many_runs_at_once_share_one_runner(runner: Runner) -> None:
    import asyncio

    async def many() -> list[Any]:
        return await asyncio.gather(
            *(runner.astart("research-brief", QUESTION, review="never") for _ in range(5))
        )

    outcomes = asyncio.run(many())
    assert {o.status for o in outcomes} == {"done"}
    assert len({o.run_id for o in outcomes}) == 5
    for o in outcomes:
        nodes = [a.node for a in runner.sync_audit(o.run_id) if a.kind == "node"]
        assert nodes.count("researcher") == 1 and nodes.count("formatter") == 1


FALSE = (
    "A discount code for 30% off all products is available on Amazon Prime Day, 12 November 2026."
)
CUT_TITLE = "Cold Brew Pods launch brief: PodBack bags, and the compostability, on 12 November 2"[
    :80
]
"""What llama.cpp's grammar leaves of a longer title: exactly the 80-character cap."""


def _storyteller(role: str, messages: Any, tool: Any) -> Any:
    """A model that states false facts while citing real, retrieved chunks."""
    from baton.testing import schema_responder

    reply = schema_responder(role, messages, tool)
    if role == "researcher" and isinstance(reply, dict) and reply.get("findings"):
        real = reply["findings"][0]["citations"]
        reply["findings"] = [{"point": FALSE, "citations": real}]
    if role == "writer" and isinstance(reply, dict):
        reply.update(
            title=CUT_TITLE,
            summary=f"Cold Brew Pods launch on 12 November 2026. {FALSE}",
            recommendations=["Offer 30% off on Amazon Prime Day."],
        )
    return reply


def test_false_facts_cited_to_real_chunks_are_not_shown(settings: Settings) -> None:
    """Issue 16 item 14 / issue 13 item 5: existence of a citation is not support."""
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    runner = Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=_storyteller)
    )
    try:
        outcome = runner.start("research-brief", QUESTION)
        packet = outcome.packet or {}
        kinds = [e["kind"] for e in packet["exceptions"]]
        assert kinds.count("unsupported") >= 3, packet["exceptions"]
        assert "Amazon" not in packet["preview"]
        done = runner.resume(outcome.run_id, make_decision("approve", "alice"))
        brief = Path(done.outputs[0]).read_text()
        assert "Amazon" not in brief and "30%" not in brief
        assert "Cold Brew Pods launch on 12 November 2026." in brief  # the true sentence stays
        title = brief.splitlines()[0]
        assert not title.endswith((" 2", "November 2…", "Novem", "Novem…")), title
        audit = runner.sync_audit(outcome.run_id)
        writer = next(a for a in audit if a.node == "writer")
        assert any(f.startswith("model-text:kept=") for f in writer.flags)
    finally:
        runner.close()


def test_malformed_citation_in_the_draft_is_a_critic_issue() -> None:
    from baton.tools.research.briefs import check_brief

    draft = {"title": "Brief", "summary": "Pods launch in November (source 0123…) for sure."}
    findings = [{"point": "x", "citations": ["0123456789abcdef"]}]
    problems = check_brief(draft, findings, ["0123456789abcdef"], ["0123456789abcdef"])
    assert any("malformed citation" in p for p in problems)
