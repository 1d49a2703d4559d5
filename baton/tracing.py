"""OpenTelemetry spans for runs, nodes, model calls, retrievals and human decisions.

Why here, hooked at four existing seams (the run driver, ``@agent_node``, the one
model call in ``baton/llm.py``, ``ContextStore.retrieve``, the review gate): teams
already run trace backends (Jaeger, Tempo, Honeycomb, Langfuse, LangSmith's OTLP
endpoint), and one hook per seam covers every agent of every scenario without touching
agent code.

Off by default: with ``tracing.enabled`` false or no endpoint, every helper here is a
no-op and the OpenTelemetry SDK is never imported. Model calls follow the GenAI
semantic conventions (``gen_ai.request.model``, ``gen_ai.usage.input_tokens`` ...);
prompts, completions, queries, comments and decisions (which quote inputs) are
exported only with ``tracing.content: true``.

One trace per run: its trace id is derived from the run id, and the first drive's
root span id too, so a resume days later in another process adds its spans to the
same trace, under the same root.
"""

from __future__ import annotations

import atexit
import contextvars
import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from baton.errors import ConfigError

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

    from baton.config import Settings
    from baton.registry import RunRecord
    from baton.review import ReviewDecision

SCOPE = "baton"
_PROVIDERS: dict[tuple[str, str, str], TracerProvider] = {}
_LOCK = threading.Lock()
_ROOT_OF: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "baton_trace_root", default=None
)
"""Set only while a run's root span is created: its ids come from the run id."""
_RUNS: dict[str, Context] = {}
"""The context holding each run's drive span, for nodes running in LangGraph's threads."""


def _ids(run_id: str) -> tuple[int, int]:
    digest = hashlib.sha256(run_id.encode()).digest()
    return int.from_bytes(digest[:16], "big") or 1, int.from_bytes(digest[16:24], "big") or 1


def _provider(settings: Settings) -> TracerProvider | None:
    cfg = settings.tracing
    if not cfg.enabled or not cfg.endpoint:
        return None
    key = (cfg.endpoint, cfg.service_name, json.dumps(cfg.headers, sort_keys=True))
    with _LOCK:
        if key not in _PROVIDERS:
            _PROVIDERS[key] = _new_provider(cfg.endpoint, cfg.service_name, cfg.headers)
        return _PROVIDERS[key]


def _new_provider(endpoint: str, service: str, headers: dict[str, str]) -> TracerProvider:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise ConfigError(
            "tracing.enabled needs the OpenTelemetry SDK: pip install 'baton[otel]'"
        ) from None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

    class RunIds(RandomIdGenerator):
        """Random ids, except a run's root span: trace and span id from the run id."""

        def generate_span_id(self) -> int:
            run = _ROOT_OF.get()
            return _ids(run)[1] if run else super().generate_span_id()

        def generate_trace_id(self) -> int:
            run = _ROOT_OF.get()
            return _ids(run)[0] if run else super().generate_trace_id()

    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), id_generator=RunIds()
    )
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces", headers=headers)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    atexit.register(provider.shutdown)
    return provider


def _tracer(settings: Settings) -> Tracer | None:
    provider = _provider(settings)
    return provider.get_tracer(SCOPE) if provider is not None else None


def content_on(settings: Settings) -> bool:
    return settings.tracing.enabled and settings.tracing.content


@contextmanager
def run_span(settings: Settings, run: RunRecord, resumed: bool) -> Iterator[None]:
    """The span of one drive of a run (start or resume); the run's root on its start."""
    tracer = _tracer(settings)
    if tracer is None:
        yield
        return
    from opentelemetry import trace

    attributes: dict[str, Any] = {
        "baton.run_id": run.id,
        "baton.scenario": run.scenario,
        "baton.resumed": resumed,
    }
    if resumed:
        trace_id, span_id = _ids(run.id)
        root = trace.SpanContext(
            trace_id,
            span_id,
            is_remote=True,
            trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
        )
        parent = trace.set_span_in_context(trace.NonRecordingSpan(root))
        span = tracer.start_span(f"resume {run.scenario}", parent, attributes=attributes)
    else:
        token = _ROOT_OF.set(run.id)
        try:
            span = tracer.start_span(f"run {run.scenario}", attributes=attributes)
        finally:
            _ROOT_OF.reset(token)
    _RUNS[run.id] = trace.set_span_in_context(span)
    try:
        with trace.use_span(span, end_on_exit=True):
            yield
    finally:
        _RUNS.pop(run.id, None)
        provider = _provider(settings)
        if provider is not None:
            provider.force_flush()


def _parent(run_id: str) -> Context | None:
    """The current span's context, else the run's drive span (nodes run in threads)."""
    from opentelemetry import trace

    if trace.get_current_span().get_span_context().is_valid:
        return None
    return _RUNS.get(run_id)


@contextmanager
def span(
    settings: Settings,
    run_id: str,
    name: str,
    attributes: dict[str, Any],
    *,
    client: bool = False,
) -> Iterator[Span | None]:
    """A child span of whatever is current in this run (None when tracing is off).

    Exceptions are recorded on the span; LangGraph's interrupt (a review pause) is a
    pause, not an error, and is marked ``baton.interrupted`` instead.
    """
    tracer = _tracer(settings)
    if tracer is None:
        yield None
        return
    from langgraph.errors import GraphInterrupt
    from opentelemetry import trace

    kind = trace.SpanKind.CLIENT if client else trace.SpanKind.INTERNAL
    with tracer.start_as_current_span(
        name,
        _parent(run_id),
        kind=kind,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except GraphInterrupt:
            current.set_attribute("baton.interrupted", True)
            raise
        except Exception as exc:
            current.record_exception(exc)
            current.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
            raise


def model_attributes(settings: Settings, role: str, model: str) -> dict[str, Any]:
    """GenAI request attributes of one chat call."""
    cfg = settings.model
    provider = {"embedded": "llama_cpp", "openai": "openai"}.get(cfg.provider, cfg.provider)
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,
        "gen_ai.request.model": model,
        "gen_ai.request.temperature": cfg.temperature,
        "gen_ai.request.max_tokens": cfg.max_tokens,
        "baton.agent.role": role,
    }


def record_reply(
    current: Span | None,
    settings: Settings,
    raw: Any,
    tokens: tuple[int, int],
    messages: Sequence[Any],
) -> None:
    """GenAI response attributes: tokens, finish reason, model; text only if asked."""
    if current is None:
        return
    meta = getattr(raw, "response_metadata", None) or {}
    current.set_attribute("gen_ai.usage.input_tokens", tokens[0])
    current.set_attribute("gen_ai.usage.output_tokens", tokens[1])
    reason = meta.get("finish_reason") or (
        "tool_calls" if getattr(raw, "tool_calls", None) else "stop"
    )
    current.set_attribute("gen_ai.response.finish_reasons", [str(reason)])
    if meta.get("model_name"):
        current.set_attribute("gen_ai.response.model", str(meta["model_name"]))
    if content_on(settings):
        sent = [{"role": m.type, "content": str(m.content)} for m in messages]
        reply = {
            "role": "assistant",
            "content": str(getattr(raw, "content", "")),
            "tool_calls": [c.get("args") for c in getattr(raw, "tool_calls", None) or []],
        }
        current.set_attribute("gen_ai.input.messages", json.dumps(sent))
        current.set_attribute("gen_ai.output.messages", json.dumps([reply], default=str))


def record_decision(settings: Settings, run_id: str, node: str, decision: ReviewDecision) -> None:
    """A zero-length span for a human decision (or an auto-approval) at a review gate."""
    from baton.review import edit_kinds

    attributes: dict[str, Any] = {
        "baton.run_id": run_id,
        "baton.node": node,
        "baton.decision.action": decision.action,
        "baton.decision.actor": decision.reviewer,
        "baton.decision.at": decision.at,
        "baton.decision.edit_kinds": edit_kinds(decision.edits or {}),
    }
    if content_on(settings) and decision.comment:
        attributes["baton.decision.comment"] = decision.comment
    with span(settings, run_id, f"human_decision {node}", attributes):
        pass
