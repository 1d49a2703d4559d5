"""A new user, from a fresh virtual environment outside the repository, builds their own team.

Exactly the steps of the README: ``pip install -e <repo>``, ``baton new my-team`` in an
empty folder, ``baton run my-team --input examples/input.yaml`` (stops at review, on the
real embedded model), ``baton serve`` shows the run and approving there finishes it, and
``langgraph dev`` serves the same graph. Nothing in Baton's source names ``my-team``.

The fresh venv gets Baton's heavy dependencies (torch, llama.cpp, chromadb) from the
test's own environment through a ``.pth`` line instead of downloading them again; Baton
itself is installed into it with ``pip install -e`` (``--no-deps``), so its console
script, its metadata and its entry points are the new environment's own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import site
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import ROOT, make_env
from tests.integration.test_langgraph_server import _free_port, _wait

pytestmark = pytest.mark.integration


class Server:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "wb") as fh:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    purelib = next((root / "lib").glob("python3*/site-packages"))
    (purelib / "shared-deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)],
        check=True,
        timeout=900,
        capture_output=True,
    )
    yield root


def test_new_user_scaffolds_runs_reviews_in_the_inbox_and_serves_with_langgraph(
    venv: Path, tmp_path: Path
) -> None:
    env = make_env(tmp_path / "home", LANGGRAPH_CLI_NO_ANALYTICS="1", LANGSMITH_TRACING="false")
    env.pop("PYTHONPATH", None)  # only what the fresh environment installed
    python, baton_cli = str(venv / "bin" / "python"), str(venv / "bin" / "baton")
    where = subprocess.run(
        [python, "-c", "import baton; print(baton.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).resolve() == (ROOT / "baton" / "__init__.py").resolve()

    work = tmp_path / "work"
    work.mkdir()
    subprocess.run([baton_cli, "new", "my-team"], cwd=work, env=env, check=True, timeout=120)
    project = work / "my-team"
    assert (project / "langgraph.json").is_file() and (project / "tests").is_dir()

    ran = subprocess.run(
        [baton_cli, "run", "my-team", "--input", "examples/input.yaml", "--json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    outcome = json.loads(ran.stdout)
    assert outcome["status"] == "awaiting_review", outcome
    run_id = outcome["run_id"]

    port = _free_port()
    inbox = Server([baton_cli, "serve", "--port", str(port)], project, env, tmp_path / "serve.log")
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/login", inbox.proc, inbox.log, timeout=300)
        with httpx.Client(base_url=url, timeout=60) as web:
            listing = web.get("/")
            assert listing.status_code == 200 and run_id in listing.text
            page = web.get(f"/runs/{run_id}").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token is not None, page[:2000]
            sent = web.post(
                f"/runs/{run_id}/review",
                data={"csrf_token": token.group(1), "decision": "approve"},
            )
            assert sent.status_code in (200, 303), sent.text[:2000]
            deadline = time.monotonic() + 900
            status = ""
            while time.monotonic() < deadline:
                status = web.get(f"/runs/{run_id}/progress").json()["status"]
                if status in ("done", "failed"):
                    break
                time.sleep(1)
            assert status == "done", inbox.log.read_text()[-3000:]
    finally:
        inbox.stop()
    shown = subprocess.run(
        [baton_cli, "show", run_id, "--json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    details = json.loads(shown.stdout)
    note = Path(details["outputs"][0])
    assert note.name == "note.md" and note.read_text(encoding="utf-8").startswith("# ")
    assert [n["node"] for n in details["nodes"]][-1] == "publish"

    port = _free_port()
    dev = Server(
        [python, "-m", "langgraph_cli", "dev", "--no-reload", "--no-browser", "--port", str(port)],
        project,
        env,
        tmp_path / "langgraph-dev.log",
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/ok", dev.proc, dev.log, timeout=300)
        found = httpx.post(f"{url}/assistants/search", json={"graph_id": "my-team"}, timeout=60)
        assistants = found.json()
        assert [a["graph_id"] for a in assistants] == ["my-team"], found.text[:2000]
        drawn = httpx.get(f"{url}/assistants/{assistants[0]['assistant_id']}/graph", timeout=60)
        nodes = {n["id"] for n in drawn.json()["nodes"]}
        assert {"writer", "critic", "review", "publish"} <= nodes
    finally:
        dev.stop()
