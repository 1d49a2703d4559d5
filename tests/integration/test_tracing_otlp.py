"""OpenTelemetry export: a research-brief run's span tree, received by a real OTLP server.

The receiver is a real OTLP/HTTP endpoint on loopback (``POST /v1/traces``) that decodes
each ``ExportTraceServiceRequest`` protobuf with ``opentelemetry-proto``, as the
OpenTelemetry Collector does. The run uses the scripted model and the hashing embedder,
so the test checks the tree's shape and GenAI attributes, not a model's speed.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from baton.config import load_settings
from baton.retrieval.ingest import ingest
from baton.retrieval.testing import hashing_embed
from baton.review import make_decision
from baton.runtime import Runner

ROOT = Path(__file__).resolve().parents[2]
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


class Receiver(ThreadingHTTPServer):
    """Collects every span posted to ``/v1/traces`` as a plain dict."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.spans: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path != "/v1/traces":
            self.send_response(404)
            self.end_headers()
            return
        request = ExportTraceServiceRequest.FromString(body)
        with self.server.lock:
            for resource in request.resource_spans:
                service = {a.key: _value(a.value) for a in resource.resource.attributes}
                for scope in resource.scope_spans:
                    for s in scope.spans:
                        self.server.spans.append(
                            {
                                "name": s.name,
                                "trace": s.trace_id.hex(),
                                "id": s.span_id.hex(),
                                "parent": s.parent_span_id.hex(),
                                "kind": s.kind,
                                "attrs": {a.key: _value(a.value) for a in s.attributes},
                                "service": service.get("service.name"),
                            }
                        )
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the spans, not an access log."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _traced_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str, content: bool
) -> tuple[str, int]:
    for key in [k for k in __import__("os").environ if k.startswith("BATON_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.setenv("BATON_CACHE__ENABLED", "false")
    monkeypatch.setenv("BATON_TRACING__ENABLED", "true")
    monkeypatch.setenv("BATON_TRACING__ENDPOINT", endpoint)
    monkeypatch.setenv("BATON_TRACING__SERVICE_NAME", "baton-test")
    monkeypatch.setenv("BATON_TRACING__CONTENT", str(content).lower())
    monkeypatch.setattr("baton.retrieval.embeddings.embed", hashing_embed)
    settings = load_settings()
    ingest([ROOT / "examples" / "docs"], "company-docs", settings)
    runner = Runner(settings)
    try:
        paused = runner.start("research-brief", QUESTION)
        assert paused.status == "awaiting_review"
        done = runner.resume(paused.run_id, make_decision("approve", "alice", "fine"))
        assert done.status == "done"
        calls = sum(r.llm_calls for r in runner.sync_audit(done.run_id))
    finally:
        runner.close()
    return done.run_id, calls


def test_span_tree_of_a_research_brief_run(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, calls = _traced_run(tmp_path, monkeypatch, receiver.endpoint, content=False)
    spans = [s for s in receiver.spans if s["trace"] == receiver.spans[0]["trace"]]
    assert spans and len(spans) == len(receiver.spans)  # one trace for the run
    by_id = {s["id"]: s for s in spans}
    roots = [s for s in spans if not s["parent"]]
    assert [r["name"] for r in roots] == ["run research-brief"]  # one root per run
    root = roots[0]
    assert root["attrs"]["baton.run_id"] == run_id and root["service"] == "baton-test"
    (resumed,) = [s for s in spans if s["name"] == "resume research-brief"]
    assert resumed["parent"] == root["id"]  # the resume joins the run's trace and root

    nodes = [s for s in spans if s["name"].startswith("node ")]
    assert {n["parent"] for n in nodes} == {root["id"], resumed["id"]}
    names = [n["attrs"]["baton.node"] for n in nodes]
    for node in ("researcher", "writer", "critic", "review", "formatter"):
        assert node in names
    (paused_review,) = [n for n in nodes if n["attrs"].get("baton.interrupted")]
    assert paused_review["parent"] == root["id"]

    models = [s for s in spans if s["name"] == "chat fake"]
    assert len(models) == calls > 0  # one span per model call, as the audit counts them
    for m in models:
        parent = by_id[m["parent"]]
        assert parent["name"].startswith("node ")
        assert m["kind"] == 3  # SPAN_KIND_CLIENT
        assert m["attrs"]["gen_ai.request.model"] == "fake"
        assert m["attrs"]["gen_ai.operation.name"] == "chat"
        assert m["attrs"]["gen_ai.usage.input_tokens"] > 0
        assert m["attrs"]["gen_ai.usage.output_tokens"] > 0
        assert m["attrs"]["gen_ai.response.finish_reasons"] == ["tool_calls"]
    finished = [n for n in nodes if n is not paused_review]
    per_node = {n["id"]: n["attrs"]["gen_ai.usage.input_tokens"] for n in finished}
    for node_id, tokens in per_node.items():
        children = [m for m in models if m["parent"] == node_id]
        assert tokens == sum(m["attrs"]["gen_ai.usage.input_tokens"] for m in children)

    (retrieval,) = [s for s in spans if s["name"] == "retrieval company-docs"]
    assert by_id[retrieval["parent"]]["attrs"]["baton.node"] == "researcher"
    assert retrieval["attrs"]["baton.retrieval.chunk_ids"]
    (decision,) = [s for s in spans if s["name"] == "human_decision review"]
    assert by_id[decision["parent"]]["attrs"]["baton.node"] == "review"
    assert decision["attrs"]["baton.decision.action"] == "approve"
    assert decision["attrs"]["baton.decision.actor"] == "alice"

    exported = repr([s["attrs"] for s in spans])
    assert "gen_ai.input.messages" not in exported and "baton.retrieval.query" not in exported
    assert "PodBack" not in exported  # every prompt quotes the question; none of it left
    assert "fine" not in [v for s in spans for v in s["attrs"].values()]  # no comment


def test_content_is_exported_only_when_asked(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traced_run(tmp_path, monkeypatch, receiver.endpoint, content=True)
    models = [s for s in receiver.spans if s["name"] == "chat fake"]
    assert models and all("gen_ai.input.messages" in m["attrs"] for m in models)
    assert any("PodBack return bag" in m["attrs"]["gen_ai.input.messages"] for m in models)
    (decision,) = [s for s in receiver.spans if s["name"] == "human_decision review"]
    assert decision["attrs"]["baton.decision.comment"] == "fine"


def test_a_fork_is_its_own_trace(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.fork import fork_run

    parent_id, _ = _traced_run(tmp_path, monkeypatch, receiver.endpoint, content=False)
    before = len(receiver.spans)
    runner = Runner(load_settings())
    try:
        fork = fork_run(runner, parent_id, "writer", actor="bob")
    finally:
        runner.close()
    spans = receiver.spans[before:]
    roots = [s for s in spans if not s["parent"]]
    assert [r["attrs"]["baton.run_id"] for r in roots] == [fork.run_id]
    assert {s["trace"] for s in spans} == {roots[0]["trace"]}
    nodes = [s["attrs"]["baton.node"] for s in spans if s["name"].startswith("node ")]
    assert "researcher" not in nodes and nodes[0] == "writer"
