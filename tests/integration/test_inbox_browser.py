"""The review inbox end to end in a real browser (Debian's chromium, headless).

A reviewer who never touches a terminal: ``baton serve`` runs as its own process, the
expense example pauses for review (scripted model), and chromium opens the inbox,
accepts two exceptions, rejects one and approves. The run must then finish, and both
``exceptions.csv`` and the audit trail must record exactly those three decisions by
that reviewer, while the CLI can no longer resume the run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.integration.conftest import ROOT, Baton, make_env

pytestmark = pytest.mark.integration

MONTH = ROOT / "examples" / "finance" / "2026-10"
POLICY = ROOT / "examples" / "finance" / "policy"
CHROMIUM = "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    # CI installs Debian's chromium and must run this test; elsewhere say what is missing.
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"{CHROMIUM} is missing in CI (apt-get install chromium)")
    pytest.skip(
        f"{CHROMIUM} not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
REVIEWER = "Dana Okafor"
ACCEPT = ("EXC-gl-GL-0274", "EXC-C-1011-approval.director")
REJECT = "EXC-C-1010-forbidden.gifts"  # an item of its own (alcohol is merged with others)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[str], deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"baton serve exited {proc.returncode}: {proc.communicate()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        assert time.monotonic() < deadline, "baton serve did not come up"
        time.sleep(0.2)


@pytest.fixture
def finance(tmp_path: Path) -> Baton:
    """A home with the expense policy ingested and the scripted model."""
    b = Baton(
        tmp_path,
        make_env(tmp_path / "home", BATON_MODEL__PROVIDER="fake", BATON_CACHE__ENABLED="false"),
    )
    b("ingest", str(POLICY), "--collection", "finance-policy")
    return b


@pytest.fixture
def server(finance: Baton) -> Iterator[str]:
    port = _free_port()
    proc = finance.popen("serve", "--host", "127.0.0.1", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def page() -> Iterator[Page]:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)  # 2 shared cores: a page load can take a while
            yield page
        finally:
            browser.close()


def artefact_dir(tmp_path: Path) -> Path:
    path = Path(os.environ.get("BATON_ARTIFACTS") or tmp_path / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_review_in_the_browser(finance: Baton, server: str, page: Page, tmp_path: Path) -> None:
    paused = finance.json("run", "expense-reconciliation", "--input", str(MONTH))
    assert paused["status"] == "awaiting_review"
    run_id = paused["run_id"]

    page.goto(server + "/")
    page.fill("input[name=name]", REVIEWER)
    page.click("form.whoami button")
    row = page.locator("#waiting tr", has=page.locator(f'a[href="/runs/{run_id}"]'))
    assert row.count() == 1
    assert row.locator("td.num").inner_text() == str(len(paused["packet"]["items"]))

    row.locator(f'a[href="/runs/{run_id}"]').click()
    page.wait_for_selector("#review-form")
    # The chart is drawn on the server (SVG) and shows above the exceptions.
    chart = page.locator("#expense-chart")
    chart.scroll_into_view_if_needed()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    shot = artefact_dir(tmp_path) / "inbox-expense-page.png"
    page.screenshot(path=str(shot), full_page=True)
    chart.screenshot(path=str(artefact_dir(tmp_path) / "inbox-expense-chart.png"))
    print(f"screenshot: {shot}")
    # One row per item to decide (related exceptions merged, alike ones grouped).
    assert page.locator("table.exceptions tr[data-id]").count() == len(paused["packet"]["items"])
    for exc_id in ACCEPT:
        page.select_option(f'select[aria-label="decision for {exc_id}"]', "accept")
    page.select_option(f'select[aria-label="decision for {REJECT}"]', "reject")
    page.fill(f'input[aria-label="note for {REJECT}"]', "gifts are never reimbursed")
    page.click("#approve")

    page.wait_for_selector("#outputs", timeout=120_000)  # the page reloads when done
    assert page.locator("#run-status").inner_text() == "done"
    shot = artefact_dir(tmp_path) / "inbox-run-page.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    # exceptions.csv, fetched the way the reviewer downloads it.
    with page.expect_download() as info:
        page.click('#outputs a:text-is("exceptions.csv")')
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    decided = {r["id"]: (r["decision"], r["decided_by"]) for r in rows if r["decision"] != "open"}
    assert decided == {
        ACCEPT[0]: ("accept", REVIEWER),
        ACCEPT[1]: ("accept", REVIEWER),
        REJECT: ("reject", REVIEWER),
    }
    assert len(rows) == len(paused["packet"]["exceptions"])  # the rest stay open

    # The audit trail: one human record by this reviewer with exactly these decisions.
    trail = [json.loads(line) for line in finance("audit", run_id).stdout.splitlines()]
    humans = [r for r in trail if r["kind"] == "human"]
    assert [h["actor"] for h in humans] == [REVIEWER]
    review = next(r for r in trail if r["kind"] == "node" and r["node"] == "review")
    said = {
        ACCEPT[0]: "accept",
        ACCEPT[1]: "accept",
        REJECT: "reject (gifts are never reimbursed)",
    }
    in_packet_order = [e["id"] for e in paused["packet"]["exceptions"] if e["id"] in said]
    assert review["decision"] == f"{REVIEWER} decided 3 exceptions: " + "; ".join(
        f"{i} {said[i]}" for i in in_packet_order
    )
    audit_table = page.locator("#audit table").inner_text()
    assert REVIEWER in audit_table and "publish" in audit_table

    refused = finance("resume", run_id, "--approve", check=False)
    assert refused.returncode == 2 and "already done" in refused.stderr
