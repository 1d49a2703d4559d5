"""compliance-report with a scripted model: figures, critic, two-person rule, hash binding,
exactly-once distribution and bad inputs."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from baton.agents.compliance import distributor
from baton.config import Settings
from baton.errors import InputError, UserError
from baton.graphs.compliance_report.state import load_input
from baton.review import make_decision
from baton.runtime import Runner
from baton.testing import ScriptedChatModel, schema_responder
from baton.tools.compliance.critic import check_sections, numbers_in, personal_data
from baton.tools.compliance.evidence import applicable, breaches, compute_figures
from baton.tools.compliance.io import load_obligations, load_period
from baton.tools.compliance.models import Clause, Figure

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "compliance"


def _figures() -> dict[str, Figure]:
    ob = load_obligations(EXAMPLE / "obligations.yaml")
    return compute_figures(load_period(EXAMPLE), ob)


def test_figures_match_hand_counts_with_provenance() -> None:
    f = _figures()
    assert f["incidents_total"].value == 6  # INC-2026-031 is June: outside the quarter
    assert f["breaches_reportable"].rows == ["INC-2026-034", "INC-2026-039", "INC-2026-044"]
    assert f["breaches_reported_late"].rows == ["INC-2026-039"]  # 80 h > 72 h
    assert f["breach_notify_hours_max"].value == 80
    assert f["training_completion_pct"].value == Decimal("92.5")  # 37 of 40 on time
    assert f["training_overdue"].rows == ["E005", "E017", "E029"]
    assert f["access_reviews_overdue"].rows == ["HR system"]
    assert f["requests_late"].rows == ["SAR-120"]  # 15 Jul -> 19 Aug: over one month
    assert all(fig.formula and fig.file for fig in f.values())


def test_mapper_and_breaches_follow_the_register() -> None:
    ob = load_obligations(EXAMPLE / "obligations.yaml")
    figs = _figures()
    assert [c.id for c in applicable(ob, figs)] == ["DP-1", "DP-2", "DP-3", "DP-4", "DP-5"]
    no_high = {**figs, "incidents_high": figs["incidents_high"].model_copy(update={"value": 0})}
    assert "DP-5" not in [c.id for c in applicable(ob, no_high)]
    found = {b.clause for b in breaches(applicable(ob, figs), figs)}
    assert found == {"DP-1", "DP-2", "DP-3", "DP-4"}


def test_missing_data_file_is_a_gap_not_a_zero(tmp_path: Path) -> None:
    folder = tmp_path / "q"
    shutil.copytree(EXAMPLE, folder)
    (folder / "training.csv").unlink()
    ob = load_obligations(folder / "obligations.yaml")
    figs = compute_figures(load_period(folder), ob)
    assert figs["training_completion_pct"].value is None
    assert figs["training_completion_pct"].gap == "no training.csv for this period"
    assert "DP-2" not in {b.clause for b in breaches(applicable(ob, figs), figs)}


def test_critic_catches_stray_numbers_missing_cites_and_personal_data() -> None:
    ob = load_obligations(EXAMPLE / "obligations.yaml")
    figs = _figures()
    clause = next(c for c in ob.clauses if c.id == "DP-2")
    chunks = {"DP-2": "0123456789abcdef"}
    good = "Completion was 92.5% of 40 staff.\n\nSource: [cite: 0123456789abcdef]"
    assert check_sections({"DP-2": good}, [clause], figs, chunks, []) == []
    bad = "Completion was 97% according to Priya Shah (07700 900123, p.shah@x.example)."
    issues = check_sections({"DP-2": bad}, [clause], figs, chunks, ["Priya Shah"])
    text = " ".join(issues)
    assert "DP-2: 97," in text and "is not a computed figure" in text
    assert "does not cite" in text
    assert "phone number" in text and "email address" in text and "Priya Shah" in text
    wrong = good.replace("0123456789abcdef", "fedcba9876543210")
    assert any(
        "not this clause's chunk" in i
        for i in check_sections({"DP-2": wrong}, [clause], figs, chunks, [])
    )
    assert check_sections({}, [clause], figs, chunks, []) == ["DP-2: section 'Training' is missing"]


def test_numbers_in_ignores_clause_ids_and_reads_thousands() -> None:
    assert numbers_in("DP-1 says 1,204 of 2.5% within 72 hours") == [
        Decimal("1204"),
        Decimal("2.5"),
        Decimal("72"),
    ]


def test_personal_data_detector_finds_titles_and_surnames() -> None:
    assert personal_data("Escalated by Mr Okafor", []) != []
    assert personal_data("Ellis signed it off", ["Tom Ellis"]) != []
    assert personal_data("All 40 staff completed training.", ["Tom Ellis"]) == []


def _run_to_approval(runner: Runner, folder: Path = EXAMPLE) -> str:
    outcome = runner.start("compliance-report", folder)
    assert outcome.status == "awaiting_review", outcome.reason
    assert outcome.packet is not None
    assert outcome.packet["excluded_reviewers"] == ["Dana Reid"]
    return outcome.run_id


def test_two_person_rule_refuses_the_preparer_and_keeps_the_run_waiting(runner: Runner) -> None:
    run_id = _run_to_approval(runner)
    for name in ("Dana Reid", "  dana   REID "):
        with pytest.raises(UserError, match="two-person rule"):
            runner.resume(run_id, make_decision("approve", name))
        assert runner.registry.get(run_id).status == "awaiting_review"
    done = runner.resume(run_id, make_decision("approve", "Sam Patel"))
    assert done.status == "done"
    names = sorted(Path(p).name for p in done.outputs)
    assert names == ["distribution_manifest.json", "evidence.csv", "report.md"]
    out = Path(done.output_dir)
    manifest = json.loads((out / "distribution_manifest.json").read_text())
    assert manifest["approved_by"] == "Sam Patel"
    assert sorted(r["recipient"] for r in manifest["sent"]) == [
        "board.secretary@northwind-lettings.example",
        "dpo@northwind-lettings.example",
        "risk.committee@northwind-lettings.example",
    ]
    assert len(list((out / "outbox").glob("*.eml"))) == 3
    report = (out / "report.md").read_text()
    import hashlib

    assert manifest["report_sha256"] == hashlib.sha256(report.encode()).hexdigest()
    for leak in ("Priya", "Ellis", "Okafor", "Kowalska", "07700", "@northwind-lettings"):
        assert leak not in report
    humans = [a for a in runner.sync_audit(run_id) if a.kind != "node"]
    assert [h.actor for h in humans][-1] == "Sam Patel"


def test_an_edit_needs_a_new_approval_by_someone_else(runner: Runner) -> None:
    run_id = _run_to_approval(runner)
    edited = runner.resume(
        run_id,
        make_decision("edit", "Sam Patel", edits={"sections": {"DP-4": "One request was late."}}),
    )
    assert edited.status == "awaiting_review"
    assert edited.packet is not None
    assert edited.packet["excluded_reviewers"] == ["Dana Reid", "Sam Patel"]
    assert "One request was late." in edited.packet["preview"]
    with pytest.raises(UserError, match="two-person rule"):
        runner.resume(run_id, make_decision("approve", "Sam Patel"))
    done = runner.resume(run_id, make_decision("approve", "Ola Nwosu"))
    assert "One request was late." in (Path(done.output_dir) / "report.md").read_text()


def test_an_edit_with_personal_data_is_replaced_by_codes_text(runner: Runner) -> None:
    run_id = _run_to_approval(runner)
    leak = {"sections": {"DP-1": "Tom Ellis lost the laptop."}}
    edited = runner.resume(run_id, make_decision("edit", "Sam Patel", edits=leak))
    assert edited.packet is not None
    assert "Tom Ellis" not in edited.packet["preview"]
    assert any(e["kind"] == "critic" for e in edited.packet["exceptions"])


def test_unknown_section_in_an_edit_is_refused(runner: Runner) -> None:
    run_id = _run_to_approval(runner)
    with pytest.raises(UserError, match="unknown section 'DP-9'"):
        runner.resume(run_id, make_decision("edit", "Sam", edits={"sections": {"DP-9": "x"}}))


def test_model_numbers_that_are_not_figures_never_reach_the_approver(settings: Settings) -> None:
    def liar(role: str, messages: Any, tool: Any) -> Any:
        if role == "drafter":
            return {"text": "Completion reached 99% and Priya Shah confirmed it."}
        return schema_responder(role, messages, tool)

    runner = Runner(
        settings, model_factory=lambda role: ScriptedChatModel(role=role, responder=liar)
    )
    run_id = _run_to_approval(runner)
    packet = runner.registry.get(run_id).packet or {}
    assert "99%" not in packet["preview"] and "Priya" not in packet["preview"]
    audit = runner.sync_audit(run_id)
    assert sum(a.node == "critic" for a in audit) == 2  # bounded: max_rounds
    runner.close()


def test_distribution_is_exactly_once_when_the_sender_dies_midway(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _run_to_approval(runner)
    sent: list[str] = []

    def die_after_two(path: Path) -> None:
        sent.append(path.name)
        if len(sent) == 2:
            raise RuntimeError("simulated crash after the second message")

    monkeypatch.setattr(distributor, "SEND_HOOK", die_after_two)
    with pytest.raises(RuntimeError, match="simulated crash"):
        runner.resume(run_id, make_decision("approve", "Sam Patel"))
    monkeypatch.setattr(distributor, "SEND_HOOK", lambda p: sent.append(p.name))
    done = runner.resume(run_id)
    assert done.status == "done"
    assert len(sent) == 3 and len(set(sent)) == 3  # the third only; none twice
    out = Path(done.output_dir) / "outbox"
    assert sorted(p.name for p in out.glob("*.eml")) == sorted(sent)


def test_a_changed_report_is_not_sent_on_an_old_approval(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from baton.context import RunContext
    from baton.tools.compliance.approval import content_hash

    state: dict[str, Any] = {"report": "new text", "approved_hash": content_hash("old text")}
    runtime = SimpleNamespace(context=RunContext(run_id="x", output_dir=tmp_path))
    with pytest.raises(UserError, match="changed after approval"):
        distributor.send(state, runtime=runtime)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: (f / "obligations.yaml").unlink(), "the obligations register is required"),
        (lambda f: (f / "obligations.yaml").write_text("firm: Acme\n"), "report_title"),
        (
            lambda f: (f / "incidents.csv").write_text(
                "id,detected_at,reported_at,severity,personal_data,reportable,summary\n"
                "I1,yesterday,,low,no,no,x\n"
            ),
            "incidents.csv:2: column 'detected_at'",
        ),
        (
            lambda f: (f / "obligations.yaml").write_text(
                (f / "obligations.yaml").read_text().replace("requests_late]", "requests_lat]")
            ),
            "unknown figure 'requests_lat'",
        ),
    ],
)
def test_bad_inputs_are_one_line_errors(tmp_path: Path, mutate: Any, message: str) -> None:
    folder = tmp_path / "q"
    shutil.copytree(EXAMPLE, folder)
    mutate(folder)
    with pytest.raises(InputError, match=message) as info:
        load_input(folder)
    assert "\n" not in str(info.value)


def test_clause_model_rejects_bad_ids() -> None:
    with pytest.raises(ValueError):
        Clause.model_validate(
            {"id": "dp 1", "title": "abc", "section": "abc", "figures": ["x"], "report_to": ["a"]}
        )


def test_the_inbox_applies_the_two_person_rule_too(settings: Settings, runner: Runner) -> None:
    from fastapi.testclient import TestClient

    from baton.web import create_app
    from baton.web.auth import Credentials
    from tests.unit.test_web_inbox import form_token, submit, wait_for_resume

    run_id = _run_to_approval(runner)
    with TestClient(create_app(settings, Credentials())) as client:
        page = client.get(f"/runs/{run_id}").text
        assert "Dana Reid" in page  # the preparer is shown to the approver
        client.post("/whoami", data={"csrf_token": form_token(page), "name": "Dana Reid"})
        refused = submit(client, run_id, client.get(f"/runs/{run_id}").text, {})
        assert "two-person rule" in refused.text
        assert runner.registry.get(run_id).status == "awaiting_review"
        page = client.get(f"/runs/{run_id}").text
        client.post("/whoami", data={"csrf_token": form_token(page), "name": "Sam Patel"})
        sent = submit(client, run_id, client.get(f"/runs/{run_id}").text, {})
        assert sent.status_code == 200
        wait_for_resume(client, run_id)
    done = runner.registry.get(run_id)
    assert done.status == "done"
    assert len(list((Path(done.output_dir) / "outbox").glob("*.eml"))) == 3


def test_a_direct_graph_resume_by_the_preparer_is_asked_again(runner: Runner) -> None:
    """LangGraph's server resumes the graph without Runner: the node itself refuses."""
    from langgraph.types import Command

    from baton.runtime import _config
    from baton.scenario import get_scenario

    run_id = _run_to_approval(runner)
    run = runner.registry.get(run_id)
    graph = runner._graph(get_scenario("compliance-report"))
    bad = make_decision("approve", "DANA REID").model_dump()
    graph.invoke(Command(resume=bad), _config(run_id), context=runner._context(run))
    state = graph.get_state(_config(run_id))
    assert state.next == ("approval",) and state.interrupts  # still waiting
    assert "approved_hash" not in state.values
    good = make_decision("approve", "Sam Patel").model_dump()
    graph.invoke(Command(resume=good), _config(run_id), context=runner._context(run))
    final = graph.get_state(_config(run_id))
    assert final.next == () and final.values["approved_hash"] == final.values["report_hash"]
    refused = [a for a in final.values["audit"] if "refused" in a.get("decision", "")]
    assert refused and "two-person rule" in refused[0]["decision"]
