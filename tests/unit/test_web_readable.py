"""The inbox for a reviewer who does not read JSON: outputs, chart, picker, words, flags."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from fastapi.testclient import TestClient

from baton.agents.finance.state import bank_lines, policy_of, recon_of
from baton.review import make_decision
from baton.runtime import Runner
from baton.tools.finance.chart import render_chart, weekly_totals
from baton.web.readable import rendered_outputs
from tests.records import run_record
from tests.unit.test_web_inbox import client, paused, submit
from tests.unit.test_web_scenarios import EXAMPLES, fields, finish, pause, paused_page

__all__ = ["client", "paused"]  # fixtures


def test_markdown_outputs_are_rendered_in_the_page_and_still_downloadable(
    client: TestClient, runner: Runner
) -> None:
    run_id = pause(runner, "expense-reconciliation", EXAMPLES / "finance" / "2026-10")
    done = runner.resume(run_id, make_decision("approve", "dana"))
    assert done.status == "done"
    page = client.get(f"/runs/{run_id}").text
    shown = re.search(
        r'<details class="rendered" open id="rendered-summary.md">(.*?)</details>', page, re.S
    )
    assert shown, "summary.md is not rendered in the page"
    assert "<h1>" in shown.group(1) or "<h2>" in shown.group(1)
    assert "<table>" in shown.group(1)  # the exceptions table as a table, not text
    assert f'href="/runs/{run_id}/files/summary.md" download' in page
    download = client.get(f"/runs/{run_id}/files/summary.md")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]


def test_rendered_markdown_is_sanitised(tmp_path: Path) -> None:
    hostile = tmp_path / "notes.md"
    hostile.write_text(
        "# Notes\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3))\n"
    )
    run = run_record(
        id="r",
        scenario="s",
        status="done",
        output_dir=str(tmp_path),
        outputs=[str(hostile), str(tmp_path / "data.csv")],
    )
    (doc,) = rendered_outputs(run, lambda _run, name: tmp_path / name)
    html = str(doc["html"])
    assert doc["name"] == "notes.md" and "<h1>Notes</h1>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run


def test_expense_page_has_the_chart_and_summary_png_is_written_beside_summary_md(
    client: TestClient, runner: Runner, paused: str
) -> None:
    page = client.get(f"/runs/{paused}").text
    found = re.search(
        r'<img class="chart" id="expense-chart" src="data:image/svg\+xml;base64,([^"]+)"', page
    )
    assert found, "no chart on the expense page"
    svg = base64.b64decode(found.group(1))
    assert (b"<svg" in svg and b"matched" in svg) or b"<path" in svg
    state = runner.state(paused)
    weeks = weekly_totals(bank_lines(state), recon_of(state))
    assert len(weeks) >= 4 and sum(w.matched for w in weeks) > 0
    assert render_chart(weeks, "GBP", "svg") == render_chart(weeks, "GBP", "svg")  # deterministic
    done = runner.resume(paused, make_decision("approve", "dana"))
    png = next(Path(p) for p in done.outputs if p.endswith("summary.png"))
    assert png.parent == next(Path(p) for p in done.outputs if p.endswith("summary.md")).parent
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data == render_chart(weeks, policy_of(state).currency, "png")


def test_a_session_is_moved_with_a_date_time_picker_in_the_starters_zone(
    client: TestClient, runner: Runner
) -> None:
    run_id, page = paused_page(client, runner, "onboarding", EXAMPLES / "hr")
    assert 'type="datetime-local"' in page and "Europe/Berlin" in page
    assert "ISO 8601" not in page
    form = fields(page, "s")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", form["s0-start"])  # a picker's value
    count = str(sum(1 for k in form if k.endswith("-id")))
    moved = form["s0-start"][:11] + "16:30"
    sent = submit(client, run_id, page, {"items": count, **form, "s0-start": moved})
    assert sent.status_code in (200, 303)
    finish(client, run_id)
    review = runner.state(run_id)["review"]
    (move,) = review["edits"]["moves"]
    assert move == {"session_id": form["s0-id"], "start": f"{moved}:00+01:00"}  # Berlin, March


def test_an_unbookable_session_is_explained_in_plain_words(
    client: TestClient, runner: Runner
) -> None:
    _, page = paused_page(client, runner, "onboarding", EXAMPLES / "hr")
    assert "no security engineer is free within the starter&#39;s working hours" in page
    assert "role:Security Engineer" not in page and "start times (" not in page


def test_runs_are_listed_by_title_and_input_and_flags_link_to_what_and_why(
    client: TestClient, paused: str
) -> None:
    inbox = client.get("/").text
    row = re.search(rf'<tr>\s*<td><a href="/runs/{paused}">(.*?)</tr>', inbox, re.S)
    assert row, "run not listed"
    assert row.group(1).startswith("2026-10</a>")  # the input's name, not the raw id
    assert "Reconcile bank and ledger" in row.group(1)  # the scenario's title
    flags = re.search(
        rf'<a class="flag" href="/runs/{paused}#flags"[^>]*>⚠ (\d+) flags</a>', row.group(1)
    )
    assert flags and int(flags.group(1)) > 0
    page = client.get(f"/runs/{paused}").text
    box = re.search(r'<section class="flags" role="alert" id="flags">(.*?)</section>', page, re.S)
    assert box and "treated as data" in box.group(1)
    assert "r07-laithwaites.txt: text that tells the AI to ignore its instructions" in box.group(1)
