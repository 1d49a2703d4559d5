"""Every graph through ``langgraph dev`` with the official ``langgraph-sdk``, as an
integrator drives it (real embedded model, real Chroma, Baton's auth on the server).

For each graph the client: reads non-null schemas; sends the natural request (a
question, a folder path, a starter file) and no internal state; sees a user error's
message; sends two bad resumes (one the server's auth refuses with 422, one the graph
refuses with the reason) and then a good one that finishes the run; reads the outputs
from the final state (``artefacts``); and finds the run in ``baton runs`` and its
human decision, by the signed-in user, in ``baton audit``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import DOCS, ROOT, Baton, make_env

pytestmark = pytest.mark.integration

FINANCE = ROOT / "examples" / "finance"
MARKETING = ROOT / "examples" / "marketing"
HR = ROOT / "examples" / "hr"
PASSWORD = "ana-password-for-tests"


@dataclass(frozen=True)
class Case:
    """One graph: its natural request, a request with a user error, what the error says."""

    graph: str
    request: dict[str, Any]
    bad_request: dict[str, Any]
    error: str
    artefact: str


CASES = [
    Case(
        "research-brief",
        {"question": "What does a box of Cold Brew pods cost?", "k": 4, "max_rounds": 1},
        {"question": "hi"},
        "request: question: String should have at least 5 characters",
        "brief.md",
    ),
    Case(
        "expense-reconciliation",
        {"folder": str(FINANCE / "2026-10")},
        {"folder": str(FINANCE / "no-such-month")},
        "no-such-month: no such folder",
        "summary.md",
    ),
    Case(
        "content-calendar",
        {"input_dir": str(MARKETING)},
        {},
        "request: input_dir: Field required",
        "calendar.ics",
    ),
    Case(
        "onboarding",
        {"input_dir": str(HR), "starter_file": str(HR / "starter.yaml")},
        {"input_dir": str(HR), "starter_file": str(HR / "nobody.yaml")},
        "nobody.yaml: missing",
        "first_week.ics",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"langgraph dev did not start:\n{log.read_text()[-3000:]}")


@dataclass(frozen=True)
class Server:
    url: str
    baton: Baton
    auth: dict[str, str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``langgraph dev`` on Baton's langgraph.json, with one basic-auth reviewer (ana)."""
    tmp = tmp_path_factory.mktemp("langgraph-dev")
    env = make_env(
        tmp / "home",
        BATON_SERVE__USERS='{"ana": "BATON_TEST_ANA_PASSWORD"}',
        BATON_TEST_ANA_PASSWORD=PASSWORD,
        # Four graphs share one embedded model server: on a busy 2-core machine a call
        # can wait minutes in its queue, which is slowness, not the failure under test.
        BATON_MODEL__TIMEOUT_S="900",
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGSMITH_TRACING="false",
    )
    baton = Baton(tmp, env)
    baton("ingest", str(DOCS), "--collection", "company-docs")
    baton("ingest", str(FINANCE / "policy"), "--collection", "finance-policy")
    baton("ingest", str(MARKETING / "brand"), "--collection", "brand")
    port = _free_port()
    log = tmp / "langgraph-dev.log"
    langgraph = Path(sys.executable).parent / "langgraph"
    command = [
        str(langgraph),
        "dev",
        "--no-reload",
        "--no-browser",
        "--allow-blocking",
        "--port",
        str(port),
    ]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/ok", proc, log)
        token = base64.b64encode(f"ana:{PASSWORD}".encode()).decode()
        yield Server(url, baton, {"Authorization": f"Basic {token}"})
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    assert "Baton: model: embedded" in text, "the start-up model check did not run"


async def _drive(server: Server, case: Case) -> dict[str, Any]:
    from langgraph_sdk import get_client

    client = get_client(url=server.url, headers=server.auth)

    assistants = await client.assistants.search(graph_id=case.graph)
    schemas: dict[str, Any] = dict(
        await client.assistants.get_schemas(assistants[0]["assistant_id"])
    )
    for key in ("input_schema", "output_schema", "config_schema", "context_schema"):
        assert schemas.get(key), f"{case.graph}: {key} is null"
    assert set(case.request) <= set(schemas["input_schema"]["properties"])
    assert "artefacts" in schemas["output_schema"]["properties"]
    assert set(schemas["context_schema"]["properties"]) == {"review_mode"}

    # A user error arrives as the run's error message, in one line.
    thread = await client.threads.create()
    failed = await client.runs.wait(
        thread["thread_id"], case.graph, input=case.bad_request, raise_error=False
    )
    assert isinstance(failed, dict) and case.error in failed["__error__"]["message"], failed

    # The natural request runs to the human review.
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    await client.runs.wait(thread_id, case.graph, input=case.request)
    state: dict[str, Any] = dict(await client.threads.get_state(thread_id))
    assert state["next"] == ["review"], state.get("next")
    packet = state["interrupts"][0]["value"]
    assert packet["scenario"] == case.graph

    # A resume that is no review decision: the server refuses it, the interrupt stays.
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread_id, case.graph, command={"resume": {"action": "approved"}})
    assert refused.value.response.status_code == 422
    detail = (await refused.value.response.aread()).decode()
    assert "invalid review decision: action" in detail, detail
    # Edits outside the packet's edit schema: the graph refuses them with the reason.
    await client.runs.wait(
        thread_id,
        case.graph,
        command={"resume": {"action": "edit", "edits": {"no_such_field": 1}}},
    )
    state = dict(await client.threads.get_state(thread_id))
    assert state["next"] == ["review"]
    refusal = state["interrupts"][0]["value"].get("refused", "")
    assert refusal.startswith("edits: "), refusal

    # A good resume finishes; the reviewer is the signed-in user, not the payload's.
    final = await client.runs.wait(
        thread_id,
        case.graph,
        command={"resume": {"action": "approve", "reviewer": "mallory"}},
    )
    assert isinstance(final, dict) and "__error__" not in final, final
    assert case.artefact in final["artefacts"] and final["artefacts"][case.artefact].strip()
    humans = [r for r in final["audit"] if r["kind"] == "human"]
    assert humans and humans[-1]["actor"] == "ana"
    return {"thread_id": thread_id, "final": final}


@pytest.mark.timeout(2400)  # the first case also ingests three collections and starts the server
@pytest.mark.parametrize("case", CASES, ids=[c.graph for c in CASES])
def test_graph_through_langgraph_dev(server: Server, case: Case) -> None:
    result = asyncio.run(_drive(server, case))
    thread_id = result["thread_id"]

    runs = {r["id"]: r for r in server.baton.json("runs")}
    assert runs[thread_id]["status"] == "done" and runs[thread_id]["scenario"] == case.graph
    shown = server.baton.json("show", thread_id)
    assert any(Path(p).name == case.artefact for p in shown["outputs"])
    audit = [json.loads(line) for line in server.baton("audit", thread_id).stdout.splitlines()]
    assert any(r["kind"] == "human" and r["actor"] == "ana" for r in audit)
    assert {r["node"] for r in audit if r["kind"] == "node"} >= {"review", *shown_nodes(shown)}


def test_every_installed_scenario_is_served_with_schemas(server: Server) -> None:
    """The graphs driven above are four; every built-in scenario must at least be served,
    with non-null schemas, so an integrator can start any of them from Studio or the SDK."""
    from importlib.metadata import entry_points

    from langgraph_sdk import get_client

    async def served() -> dict[str, dict[str, Any]]:
        client = get_client(url=server.url, headers=server.auth)
        found: dict[str, dict[str, Any]] = {}
        for assistant in await client.assistants.search(limit=100):
            found[assistant["graph_id"]] = dict(
                await client.assistants.get_schemas(assistant["assistant_id"])
            )
        return found

    schemas = asyncio.run(served())
    installed = {ep.name for ep in entry_points(group="baton.scenarios")}
    assert installed <= set(schemas), installed - set(schemas)
    for name in installed:
        assert schemas[name].get("input_schema"), f"{name}: input_schema is null"
        assert schemas[name].get("context_schema"), f"{name}: context_schema is null"


def shown_nodes(shown: dict[str, Any]) -> set[str]:
    return {n["node"] for n in shown["nodes"] if n["kind"] == "node"}
