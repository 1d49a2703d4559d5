"""Each scenario's review page: the calendar's month grid, onboarding's week, and the
per-item controls turned into the same edit documents ``baton resume --edit`` takes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baton.config import Settings
from baton.retrieval.ingest import ingest
from baton.runtime import Runner
from baton.web import create_app
from baton.web.auth import Credentials
from tests.unit.test_web_inbox import submit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Credentials())) as c:
        yield c


def pause(runner: Runner, scenario: str, path: Path) -> str:
    outcome = runner.start(scenario, path)
    assert outcome.status == "awaiting_review", outcome.reason
    return outcome.run_id


def paused_page(client: TestClient, runner: Runner, scenario: str, path: Path) -> tuple[str, str]:
    """Start ``scenario`` on ``path`` up to its review; its run id and its inbox page."""
    run_id = pause(runner, scenario, path)
    return run_id, client.get(f"/runs/{run_id}").text


def fields(html: str, prefix: str) -> dict[str, str]:
    """Form inputs named ``<prefix><n>-<part>`` with their pre-filled values."""
    return dict(re.findall(rf'name="({prefix}\d+-(?:id|date|title|start))" value="([^"]*)"', html))


def finish(client: TestClient, run_id: str) -> None:
    client.app.state.inbox.resumes[run_id].result()  # type: ignore[attr-defined]


def test_calendar_month_grid_and_post_edits(
    client: TestClient, runner: Runner, settings: Settings
) -> None:
    run_id, page = paused_page(client, runner, "content-calendar", EXAMPLES / "marketing")
    posts = runner.state(run_id)["calendar"]["entries"]
    assert page.count('<div class="post ') == len(posts)  # every post sits in the grid
    assert "November 2026" in page
    form = fields(page, "p")
    assert form["p0-id"] == posts[0]["post"]["id"] and form["p0-date"] == posts[0]["date"]

    bad = submit(
        client,
        run_id,
        page,
        {
            "items": str(len(posts)),
            "p0-action": "move",
            "p0-id": form["p0-id"],
            "p0-date": "2026-11-31",
        },
    )
    assert bad.status_code == 400
    assert re.search(r'id="form-error">review form: edits\.0\.move\.date: .*outside', bad.text)
    assert runner.registry.get(run_id).status == "awaiting_review"

    sent = submit(
        client,
        run_id,
        page,
        {
            "items": str(len(posts)),
            "p1-id": form["p1-id"],
            "p1-action": "retitle",
            "p1-title": "Cold brew at home: a practical guide",
            "p2-id": form["p2-id"],
            "p2-action": "drop",
            "comment": "tidy-up",
        },
    )
    assert sent.status_code == 200
    finish(client, run_id)
    review = runner.state(run_id)["review"]
    assert review["action"] == "edit"
    assert review["edits"] == {
        "edits": [
            {
                "action": "retitle",
                "post_id": form["p1-id"],
                "title": "Cold brew at home: a practical guide",
            },
            {"action": "drop", "post_id": form["p2-id"]},
        ],
        "note": "tidy-up",
    }


def test_onboarding_week_buddy_and_session_moves(
    client: TestClient, runner: Runner, settings: Settings
) -> None:
    run_id, page = paused_page(client, runner, "onboarding", EXAMPLES / "hr")
    state = runner.state(run_id)
    assert page.count('<div class="weekday">') == len(state["schedule"]["days"])
    assert page.count('<div class="session">') == len(state["schedule"]["sessions"])
    form = fields(page, "s")
    count = str(sum(1 for k in form if k.endswith("-id")))
    buddy = state["buddy"]["person_id"]
    other = next(
        c["person_id"]
        for c in state["buddy_match"]["candidates"]
        if c["person_id"] != buddy and c.get("ineligible_reason") is None
    )

    bad = submit(client, run_id, page, {"items": count, **form, "s0-start": "monday 9am"})
    assert bad.status_code == 400
    assert re.search(r'id="form-error">review form: moves\.0\.start: ', bad.text)
    assert 'value="monday 9am"' in bad.text  # what the reviewer typed stays in the form

    unchanged = submit(client, run_id, page, {"items": count, **form, "buddy_id": other})
    assert unchanged.status_code == 200
    finish(client, run_id)
    review = runner.state(run_id)["review"]
    assert review["action"] == "edit" and review["edits"]["buddy_id"] == other
    assert review["edits"].get("moves", []) == []  # untouched start times are not moves


def test_research_brief_packet_is_rendered_with_linked_citations(
    client: TestClient, runner: Runner, settings: Settings
) -> None:
    ingest([EXAMPLES / "docs"], "company-docs", settings)
    question = EXAMPLES / "research-brief" / "question.yaml"
    _, page = paused_page(client, runner, "research-brief", question)
    assert '<details class="preview" open>' in page
    cited = re.findall(r'href="/chunks/([0-9a-f]{16})"', page)
    assert cited, "no citation linked"
    chunk = client.get(f"/chunks/{cited[0]}")
    assert chunk.status_code == 200 and "Source chunk" in chunk.text
    assert client.get("/chunks/0000000000000000").status_code == 404


def test_onboarding_it_request_decisions(
    client: TestClient, runner: Runner, settings: Settings
) -> None:
    run_id, page = paused_page(client, runner, "onboarding", EXAMPLES / "hr")
    rows = runner.state(run_id)["provisioning"]["tickets"]
    form = fields(page, "r")
    assert [form[f"r{n}-id"] for n in range(len(rows))] == [t["ticket_id"] for t in rows]
    assert f'name="requests" value="{len(rows)}"' in page
    items = {"requests": str(len(rows)), **fields(page, "s"), **form}

    forged = submit(
        client,
        run_id,
        page,
        {**items, "r0-id": "IT-root-access_group-admin", "r0-action": "approve"},
    )
    assert forged.status_code == 400
    assert re.search(
        r"id=\"form-error\">review form: requests\.0\.id: unknown request "
        r"&#39;IT-root-access_group-admin&#39;",
        forged.text,
    )
    assert runner.registry.get(run_id).status == "awaiting_review"

    sent = submit(
        client,
        run_id,
        page,
        {
            **items,
            "r0-action": "approve",
            "r1-action": "hold",
            "r1-note": "after the security training",
            "r2-action": "drop",
        },
    )
    assert sent.status_code == 200
    finish(client, run_id)
    state = runner.state(run_id)
    review = state["review"]
    assert review["action"] == "edit" and review["edits"]["moves"] == []
    assert review["edits"]["requests"] == [
        {"id": form["r0-id"], "action": "approve", "note": ""},
        {"id": form["r1-id"], "action": "hold", "note": "after the security training"},
        {"id": form["r2-id"], "action": "drop", "note": ""},
    ]
    outputs = {Path(p).name: Path(p) for p in state["outputs"]}
    it = json.loads(outputs["it_requests.json"].read_text())
    filed = [t["ticket_id"] for t in it["tickets"]]
    assert form["r0-id"] in filed and form["r1-id"] not in filed and form["r2-id"] not in filed
    assert [(h["ticket_id"], h["held_by"]) for h in it["held"]] == [
        (form["r1-id"], review["reviewer"])
    ]
    assert [d["action"] for d in it["decisions"]] == ["approve", "hold", "drop"]
