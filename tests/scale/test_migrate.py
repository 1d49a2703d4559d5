"""``baton migrate``: a local home moves onto PostgreSQL + Chroma and keeps working there.

The local home gets three runs with the scripted model: a research brief paused for
review, a finished research brief and a finished expense reconciliation. A copy of the
home is kept as a control: the paused run is approved *locally* in the copy, and its
outputs are what the migrated run must produce when it is approved in scale mode.

Each test gets a database of its own (``fresh_database_url``) and a uniquely named
collection, so the counts compare this test's rows only, whatever shares the servers.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest

from baton.migrate import load_profile, migrate
from baton.registry import open_registry
from tests.reliability.conftest import DOCS, EXAMPLES, cli_env, run_cli

pytestmark = pytest.mark.integration


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def _run_id(stdout: str) -> str:
    import json

    return str(json.loads(stdout)["run_id"])


def test_migrate_then_resume_in_scale(
    tmp_path: Path, fresh_database_url: str, chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    collection = f"mig-{secrets.token_hex(3)}"
    question = tmp_path / "question.yaml"
    question.write_text(
        (EXAMPLES / "research-brief" / "question.yaml")
        .read_text(encoding="utf-8")
        .replace("[company-docs]", f"[{collection}]"),
        encoding="utf-8",
    )
    local = cli_env(home, BATON_PROFILE="local", BATON_MODEL__PROVIDER="fake")
    scale = {
        **local,
        "BATON_PROFILE": "scale",
        "BATON_DATABASE_URL": fresh_database_url,
        "BATON_CHROMA_URL": chroma_url,
    }

    def cli(env: dict[str, str], *args: str) -> str:
        done = run_cli(tmp_path, env, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli(local, "ingest", str(DOCS), "--collection", collection)
    paused = _run_id(cli(local, "run", "research-brief", "-i", str(question), "--json"))
    finished = [
        _run_id(
            cli(local, "run", "research-brief", "-i", str(question), "--review", "never", "--json")
        ),
        _run_id(
            cli(
                local,
                "run",
                "expense-reconciliation",
                "-i",
                str(EXAMPLES / "finance" / "2026-10"),
                "--review",
                "never",
                "--json",
            )
        ),
    ]

    # Control: approve the paused run locally, in a copy of the home.
    control = tmp_path / "control"
    shutil.copytree(home, control)
    cli({**local, "BATON_HOME": str(control)}, "resume", paused, "--approve")
    out_dir = home / "runs" / paused
    expected = _files(out_dir)
    assert "brief.md" in expected
    shutil.rmtree(out_dir)

    table = cli(scale, "migrate", "--from", "local", "--to", "scale")
    assert "MISSING" not in table
    for item in ("runs (registry)", "audit records", "checkpoints", f"collection {collection}"):
        assert item in table

    # A second pass finds everything in place and copies nothing.
    for key, value in scale.items():
        monkeypatch.setenv(key, value)
    rows = migrate(load_profile("local"), load_profile("scale"))
    by_item = {r.item: r for r in rows}
    assert by_item["runs (registry)"].source == 3
    assert by_item[f"collection {collection}"].source > 0
    assert all(r.ok and r.copied == 0 and r.target == r.source for r in rows), rows

    registry = open_registry(load_profile("scale"))
    try:
        assert registry.get(paused).status == "awaiting_review"
        assert {registry.get(r).status for r in finished} == {"done"}
        local_registry = open_registry(load_profile("local"))
        try:
            assert registry.audit(paused) == local_registry.audit(paused)
        finally:
            local_registry.close()
    finally:
        registry.close()

    # The paused run continues in scale mode, from the migrated checkpoint.
    cli(scale, "resume", paused, "--approve")
    assert _files(out_dir) == expected
    registry = open_registry(load_profile("scale"))
    try:
        run = registry.get(paused)
        assert run.status == "done"
        assert [r.kind for r in registry.audit(paused)].count("human") == 1
    finally:
        registry.close()


def test_migrate_user_errors(tmp_path: Path, fresh_database_url: str) -> None:
    env = {
        **cli_env(tmp_path / "home"),
        "BATON_DATABASE_URL": fresh_database_url,
        "BATON_CHROMA_URL": "http://127.0.0.1:9",
    }
    cases = {
        ("--from", "lokal"): "unknown profile 'lokal'",
        ("--from", "scale"): "--from profile 'scale' must use SQLite",
        ("--to", "local"): "--to profile 'local' must use Postgres",
        (): "cannot reach Chroma",
    }
    for args, message in cases.items():
        done = run_cli(tmp_path, env, "migrate", *args)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
