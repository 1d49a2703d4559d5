"""The inbox shows any scenario: a plugin it has never heard of gets its packet as tables
and lists and its edit schema as a form; nothing in ``baton/web`` names a scenario."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baton.config import Settings
from baton.runtime import Runner, RunOutcome
from baton.scaffold import scaffold
from baton.web import create_app
from baton.web.auth import Credentials
from tests.unit.test_web_inbox import form_token, submit, wait_for_resume

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scaffolded scenario found through its folder's langgraph.json (not installed)."""
    project = tmp_path / "night-notes"
    scaffold("night-notes", project)
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def client(settings: Settings, plugin: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Credentials())) as c:
        yield c


@pytest.fixture
def paused(settings: Settings, plugin: Path, client: TestClient) -> RunOutcome:
    """A run of the plugin scenario, paused at its review (the inbox already serving)."""
    runner = Runner(settings)
    try:
        return runner.start("night-notes", plugin / "examples" / "input.yaml")
    finally:
        runner.close()


def test_a_plugin_scenario_is_reviewed_and_edited_through_the_generic_page(
    settings: Settings, client: TestClient, paused: RunOutcome
) -> None:
    assert paused.status == "awaiting_review"
    assert paused.run_id in client.get("/").text
    page = client.get(f"/runs/{paused.run_id}").text
    assert 'name="edit-title"' in page and 'name="edit-body"' in page  # schema as a form
    assert re.search(r"<h2>Draft</h2>\s*<table", page)  # packet part as a table
    sent = submit(client, paused.run_id, page, {"edit-title": "Edited in the inbox"})
    assert sent.status_code in (200, 303)
    wait_for_resume(client, paused.run_id)
    done = client.get(f"/runs/{paused.run_id}/progress").json()
    assert done["status"] == "done"
    note = next((Path(settings.runs_dir) / paused.run_id).glob("note.md"))
    assert note.read_text(encoding="utf-8").startswith("# Edited in the inbox\n")
    assert any(n["kind"] == "human" and "edit" in n["decision"] for n in done["nodes"])


def test_a_generic_form_error_is_shown_inline_and_changes_nothing(
    client: TestClient, paused: RunOutcome
) -> None:
    page = client.get(f"/runs/{paused.run_id}").text
    too_long = "x" * 61  # NoteEdit.title has max_length=60
    refused = client.post(
        f"/runs/{paused.run_id}/review",
        data={"csrf_token": form_token(page), "decision": "approve", "edit-title": too_long},
    )
    assert refused.status_code == 400 and "title" in refused.text
    assert client.get(f"/runs/{paused.run_id}/progress").json()["status"] == "awaiting_review"
