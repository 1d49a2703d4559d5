"""The review inbox in-process (FastAPI's TestClient, no sockets): auth, CSRF, edits.

The expense example pauses for review with the scripted model in a few seconds; each
test then drives the inbox the way a browser would (GET a page, read the form token,
POST the form) and checks the registry and the audit trail, not just the HTML.
"""

from __future__ import annotations

import base64
import getpass
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.config import ServeSettings, Settings
from baton.errors import ConfigError, UserError
from baton.runtime import Runner
from baton.web import create_app
from baton.web.auth import Credentials, check_bind, is_loopback
from tests.unit.test_cli import assert_user_error, cli

__all__ = ["form_token", "submit"]  # shared with test_web_scenarios

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "finance" / "2026-10"


@pytest.fixture
def paused(runner: Runner) -> str:
    """An expense run paused at its review, in this test's home."""
    outcome = runner.start("expense-reconciliation", MONTH)
    assert outcome.status == "awaiting_review"
    return outcome.run_id


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Credentials())) as c:
        yield c


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no form token"
    return found.group(1)


def row_fields(html: str, exception_id: str) -> str:
    """The form-field prefix (``x7``) of one exception row."""
    found = re.search(rf'name="(x\d+)-id" value="{re.escape(exception_id)}"', html)
    assert found, f"no row for {exception_id}"
    return found.group(1)


def submit(client: TestClient, run_id: str, html: str, data: dict[str, str]) -> Any:
    """POST the review form of a page the way the browser would (approve unless told)."""
    return client.post(
        f"/runs/{run_id}/review",
        data={"csrf_token": form_token(html), "decision": "approve", **data},
    )


GIFTS = "EXC-C-1010-forbidden.gifts"
"""An exception of the example month with a row of its own in the review form."""


def reject_gifts(client: TestClient, run_id: str, html: str, note: str) -> Any:
    """Submit the review form rejecting the gifts exception with ``note``, approving the rest."""
    x = row_fields(html, GIFTS)
    data = {"items": "60", f"{x}-id": GIFTS, f"{x}-action": "reject", f"{x}-note": note}
    return submit(client, run_id, html, data)


def wait_for_resume(client: TestClient, run_id: str) -> None:
    client.app.state.inbox.resumes[run_id].result()  # type: ignore[attr-defined]


# Auth ---------------------------------------------------------------------------------------
def test_basic_auth_refuses_missing_or_wrong_credentials(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INBOX_PW_ANA", "s3cret-pw")
    creds = Credentials.from_settings(ServeSettings(users={"ana": "INBOX_PW_ANA"}))
    with TestClient(create_app(settings, creds)) as c:
        refused = c.get("/")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert c.get("/", auth=("ana", "wrong")).status_code == 401
        assert c.get("/", auth=("bob", "s3cret-pw")).status_code == 401
        garbled = {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}
        assert c.get("/", headers=garbled).status_code == 401
        ok = c.get("/", auth=("ana", "s3cret-pw"))
        assert ok.status_code == 200 and "Signed in as <strong>ana</strong>" in ok.text


def test_token_auth_needs_the_token_and_a_name(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INBOX_TOKEN", "team-token-123")
    creds = Credentials.from_settings(ServeSettings(token_env="INBOX_TOKEN"))
    with TestClient(create_app(settings, creds), follow_redirects=False) as c:
        first = c.get("/")
        assert first.status_code == 303 and first.headers["location"].startswith("/login")
        assert c.get("/runs/anything/progress").status_code == 303
        login = c.get("/login")
        token = form_token(login.text)
        wrong = c.post("/login", data={"csrf_token": token, "name": "Ana", "token": "nope"})
        assert wrong.status_code == 401 and "wrong token" in wrong.text
        assert c.get("/").status_code == 303
        good = c.post(
            "/login", data={"csrf_token": token, "name": "Ana", "token": "team-token-123"}
        )
        assert good.status_code == 303
        inbox = c.get("/")
        assert inbox.status_code == 200 and 'value="Ana"' in inbox.text


def test_named_secret_must_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INBOX_MISSING", raising=False)
    with pytest.raises(ConfigError, match=r"serve.token_env: environment variable INBOX_MISSING"):
        Credentials.from_settings(ServeSettings(token_env="INBOX_MISSING"))


def test_binding_beyond_loopback_needs_auth(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    check_bind("127.0.0.1", Credentials())
    check_bind("0.0.0.0", Credentials(token="t"))
    with pytest.raises(UserError, match="needs auth"):
        check_bind("0.0.0.0", Credentials())
    assert_user_error(cli(monkeypatch, capsys, "serve", "--host", "0.0.0.0"), "--host 0.0.0.0")


# CSRF ---------------------------------------------------------------------------------------
def test_review_without_the_form_token_is_refused(
    client: TestClient, paused: str, runner: Runner
) -> None:
    page = client.get(f"/runs/{paused}")
    assert page.status_code == 200
    for data in ({"decision": "approve"}, {"decision": "approve", "csrf_token": "forged"}):
        refused = client.post(f"/runs/{paused}/review", data=data)
        assert refused.status_code == 403
    # Another browser (a fresh cookie jar) cannot replay this session's token either.
    with TestClient(client.app) as other:
        other.get("/")
        assert submit(other, paused, page.text, {}).status_code == 403
    assert runner.registry.get(paused).status == "awaiting_review"


# Validation ---------------------------------------------------------------------------------
def test_invalid_edit_is_shown_inline_and_changes_nothing(
    client: TestClient, paused: str, runner: Runner
) -> None:
    page = client.get(f"/runs/{paused}").text
    x = row_fields(page, "EXC-gl-GL-0274")
    bad = submit(
        client,
        paused,
        page,
        {
            "items": "60",
            f"{x}-id": "EXC-gl-GL-0274",
            f"{x}-action": "match_to",  # without the bank id it needs
            f"{x}-field": "bank_ids",
        },
    )
    assert bad.status_code == 400
    error = re.search(r'id="form-error">([^<]+)<', bad.text)
    assert error, "no inline error"
    assert "review form: decisions.0" in error.group(1) and "match_to needs" in error.group(1)
    assert '<option value="match_to" selected' in bad.text  # the reviewer's choice is kept
    assert runner.registry.get(paused).status == "awaiting_review"
    assert paused not in client.app.state.inbox.resumes  # type: ignore[attr-defined]

    no_comment = submit(client, paused, page, {"decision": "reject"})
    assert no_comment.status_code == 400 and "say why you reject" in no_comment.text
    assert runner.registry.get(paused).status == "awaiting_review"


# One mechanism with the CLI -----------------------------------------------------------------
def test_web_decision_lands_in_the_audit_trail_and_the_cli_is_refused(
    client: TestClient,
    paused: str,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = client.get(f"/runs/{paused}").text
    named = client.post("/whoami", data={"csrf_token": form_token(page), "name": "Priya"})
    assert named.status_code == 200  # redirected back to the inbox
    sent = reject_gifts(client, paused, page, "gifts are never reimbursed")
    assert sent.status_code == 200 and sent.url.path == f"/runs/{paused}"
    wait_for_resume(client, paused)
    assert runner.registry.get(paused).status == "done"
    assert_user_error(cli(monkeypatch, capsys, "resume", paused, "--approve"), "already done")

    done = client.get(f"/runs/{paused}")
    assert "exceptions.csv" in done.text and 'id="review-form"' not in done.text
    human = re.search(r'<tr class="human">(.*?)</tr>', done.text, re.S)
    assert human and "Priya" in human.group(1)
    assert "Priya decided 1 exceptions: EXC-C-1010-forbidden.gifts reject" in done.text
    csv = client.get(f"/runs/{paused}/files/exceptions.csv")
    assert csv.status_code == 200
    assert "EXC-C-1010-forbidden.gifts" in csv.text and "Priya" in csv.text
    assert client.get(f"/runs/{paused}/files/..%2Fbaton.sqlite").status_code == 404


def test_cli_decision_first_then_the_web_form_is_refused(
    client: TestClient,
    paused: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = client.get(f"/runs/{paused}").text  # opened before the CLI decided
    code, _, err = cli(monkeypatch, capsys, "resume", paused, "--approve", "--reviewer", "cli")
    assert code == 0, err
    late = submit(client, paused, page, {})
    assert late.status_code == 409
    assert "is no longer awaiting review (status: done)" in late.text
    assert paused not in client.app.state.inbox.resumes  # type: ignore[attr-defined]


def test_inbox_lists_waiting_runs_with_exception_counts(
    client: TestClient, paused: str, runner: Runner
) -> None:
    page = client.get("/")
    row = re.search(rf'<a href="/runs/{paused}">.*?</tr>', page.text, re.S)
    assert row, "paused run not listed"
    # What waits is counted in items to decide (52 exceptions, related ones merged).
    packet = runner.registry.get(paused).packet or {}
    assert len(packet["items"]) < len(packet["exceptions"]) == 52
    assert f"<strong>{len(packet['items'])}</strong>" in row.group(0)
    other = client.get("/", params={"scenario": "onboarding"})
    assert paused not in other.text
    progress = client.get(f"/runs/{paused}/progress").json()
    assert progress["status"] == "awaiting_review"
    assert [n["node"] for n in progress["nodes"]][:2] == ["extraction", "matching"]


def test_injection_flags_are_shown_prominently(
    client: TestClient, paused: str, runner: Runner
) -> None:
    packet = dict(runner.registry.get(paused).packet or {})
    packet["injection_flags"] = [
        {"chunk_id": "0123456789abcdef", "reason": "ignore previous instructions"},
        "receipt r07: SYSTEM line",
    ]
    runner.registry.set_status(paused, "awaiting_review", packet=packet)
    page = client.get(f"/runs/{paused}").text
    box = re.search(r'<section class="flags" role="alert" id="flags">(.*?)</section>', page, re.S)
    assert box, "flags not shown"
    assert "chunk_id: 0123456789abcdef; reason: ignore previous instructions" in box.group(1)
    assert "receipt r07: SYSTEM line" in box.group(1)
    assert "⚠ 2 flags" in client.get("/").text


def test_reject_with_a_comment_sends_the_report_back(
    client: TestClient, paused: str, runner: Runner
) -> None:
    page = client.get(f"/runs/{paused}").text
    sent = submit(client, paused, page, {"decision": "reject", "comment": "recheck the fees"})
    assert sent.status_code == 200
    wait_for_resume(client, paused)
    run = runner.registry.get(paused)
    assert run.status == "awaiting_review"  # redrafted, then paused again for a person
    humans = [a for a in runner.sync_audit(paused) if a.kind == "human"]
    assert [(h.actor, h.decision) for h in humans] == [
        (runner.settings.review.reviewer or getpass.getuser(), "reject: recheck the fees")
    ]
