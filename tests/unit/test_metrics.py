"""``baton metrics``: every figure checked against values worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from baton.config import load_settings
from baton.metrics import edit_kinds, gather, parse_since, percentile
from baton.review import make_decision
from tests.metrics_trail import EXPECTED, NOW, PRICING, write_trail
from tests.unit.test_cli import QUESTION, assert_user_error, cli, ingested


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump({"pricing": PRICING}), encoding="utf-8")
    write_trail(load_settings(path))
    return path


def test_metrics_match_hand_computed_values(config: Path) -> None:
    facts, rows = gather(load_settings(config), since="30d", now=NOW)
    assert "rb-old" not in {f.run_id for f in facts}  # started before the period
    by_name = {r.scenario: r.model_dump() for r in rows}
    assert list(by_name) == ["expense-reconciliation", "research-brief", "all"]
    for scenario, expected in EXPECTED.items():
        for key, value in expected.items():
            got = by_name[scenario][key]
            if isinstance(value, float):
                assert got == pytest.approx(value), (scenario, key)
            else:
                assert got == value, (scenario, key)


def test_one_scenario_and_all_time(config: Path) -> None:
    _, rows = gather(load_settings(config), scenario="research-brief", now=NOW)
    assert [r.scenario for r in rows] == ["research-brief"]
    (row,) = rows
    assert row.runs == 5 and row.rejected == 2  # rb-old counts without --since
    assert row.edit_kinds == {"rejected": 2, "summary": 1, "title": 1}


def test_edit_kinds_round_trip_through_the_decision_summary() -> None:
    edits = {"decisions": [{"action": "accept"}, {"action": "note"}, {"action": "accept"}]}
    summary = make_decision("edit", "r", "a (comment)", edits | {"title": "x"}).summary()
    assert summary == "edit: a (comment) (edited: decisions:accept×2, decisions:note, title)"
    assert edit_kinds(summary) == [
        "decisions:accept",
        "decisions:accept",
        "decisions:note",
        "title",
    ]
    assert edit_kinds("approve: fine (edited: nothing)x") == []


def test_percentile_and_since() -> None:
    assert percentile([20, 40, 60, 60], 50) == 50.0
    assert percentile([5, 11, 30], 95) == 28.1
    assert percentile([], 50) is None
    assert parse_since("12h").total_seconds() == 12 * 3600
    assert parse_since("2w").days == 14


def test_cli_json_csv_and_errors(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, "--config", str(config), "metrics", "--json")
    assert code == 0, err
    data = {r["scenario"]: r for r in json.loads(out)}
    assert data["expense-reconciliation"]["budget_stops"] == 1
    assert data["expense-reconciliation"]["cost_total"] == pytest.approx(0.01375)
    code, out, err = cli(
        monkeypatch,
        capsys,
        "--config",
        str(config),
        "metrics",
        "--csv",
        "--scenario",
        "expense-reconciliation",
    )
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["edit_kinds"] == "decisions:accept=2 decisions:match_to=1"
    assert row["agreement"] == "0.0" and row["failure_rate"] == "0.5"
    assert_user_error(cli(monkeypatch, capsys, "metrics", "--since", "soon"), "--since", "soon")
    assert_user_error(cli(monkeypatch, capsys, "metrics", "--scenario", "nope"), "nope")


@pytest.mark.usefixtures(ingested.__name__)
def test_metrics_table_over_example_runs_with_an_edit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Real runs of the example: one approved, one decided with an edit, one waiting."""
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"title": "A better title"}), encoding="utf-8")
    ids = []
    for _ in range(3):
        code, out, err = cli(
            monkeypatch, capsys, "run", "research-brief", "--input", str(QUESTION), "--json"
        )
        assert code == 0, err
        ids.append(json.loads(out)["run_id"])
    assert cli(monkeypatch, capsys, "resume", ids[0], "--approve", "--reviewer", "ann")[0] == 0
    decided = cli(monkeypatch, capsys, "resume", ids[1], "--edit", str(edit), "--reviewer", "bo")
    assert decided[0] == 0, decided[2]
    code, out, err = cli(monkeypatch, capsys, "metrics", "--since", "1d")
    assert code == 0, err
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert lines["runs"].split("│")[2].strip() == "3"
    assert lines["review decisions"].split("│")[2].strip() == "2"
    assert lines["agreement"].split("│")[2].strip() == "0.5"
    assert lines["kinds of edits"].split("│")[2].strip() == "title 1"
    assert lines["awaiting review"].split("│")[2].strip() == "1"


def test_metrics_page_in_process(config: Path) -> None:
    """The inbox's metrics page: the same figures as the CLI, three SVG plots, bad input."""
    from fastapi.testclient import TestClient

    from baton.web import create_app
    from baton.web.auth import Credentials

    settings = load_settings(config)
    with TestClient(create_app(settings, Credentials())) as client:
        html = client.get("/metrics", params={"since": "10000d"}).text
        assert html.count('src="data:image/svg+xml;base64,') == 3
        assert '<th class="num">research-brief</th>' in html
        assert "decisions:match_to 1" in html and "local-x" in html
        one = client.get("/metrics", params={"scenario": "expense-reconciliation", "since": ""})
        assert one.status_code == 200 and "research-brief</th>" not in one.text
        bad = client.get("/metrics", params={"since": "soon"})
        assert bad.status_code == 400 and "expected a period like 30d" in bad.text
        assert 'href="/metrics"' in client.get("/").text
