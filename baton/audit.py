"""Audit records that travel inside graph state, so each is committed exactly once.

Why in state: a record written to a side table *before* the checkpoint commits would
be duplicated when a crashed node re-runs on resume. A record returned as part of the
node's state update is committed atomically with the node's result by LangGraph's
checkpointer, so a node that finished has exactly one record, and a node that did not
finish has none. The registry copies records out of the final state idempotently.

``@agent_node("name")`` wraps a plain ``(state, ctx) -> update`` function: it opens a
:class:`NodeTrace` (model calls add their tokens and prompt hashes to it, the node adds
its cited chunk ids and one-line decision) and appends the finished record to the
update under ``audit``.
"""

from __future__ import annotations

import contextvars
import hashlib
import operator
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar

from langgraph.runtime import Runtime

from baton import served, tracing
from baton.context import RunContext, resolve_context
from baton.registry import AuditRecord, utcnow

AuditLog = Annotated[list[dict[str, Any]], operator.add]
"""State channel type for the audit trail: every node appends, nobody overwrites."""
InjectionLog = Annotated[list[dict[str, str]], operator.add]
"""State channel ``injection_flags``: suspected injections any node saw, for the reviewer."""

S = TypeVar("S", bound=Mapping[str, Any])


@dataclass
class NodeTrace:
    """What one node execution did, accumulated while it runs."""

    run_id: str
    node: str
    model: str | None = None
    prior_calls: int = 0
    prior_tokens: int = 0
    llm_calls: int = 0
    cache_hits: int = 0
    model_seconds: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    prompt_hashes: list[str] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    injections: list[dict[str, str]] = field(default_factory=list)
    """Suspected injections ({source, excerpt, pattern}) for the review packet."""
    decision: str = ""
    started_at: str = field(default_factory=utcnow)
    started_mono: float = field(default_factory=time.monotonic)

    def add_call(self, prompt: str, tokens_in: int, tokens_out: int) -> None:
        self.llm_calls += 1
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        self.prompt_hashes.append(hashlib.sha256(prompt.encode()).hexdigest()[:16])

    def cite(self, ids: Sequence[str]) -> None:
        for chunk_id in ids:
            if chunk_id not in self.chunk_ids:
                self.chunk_ids.append(chunk_id)

    def flag(self, note: str) -> None:
        """Leave a warning on this node's record for the auditor and the reviewer."""
        if note not in self.flags:
            self.flags.append(note)

    @property
    def calls_used(self) -> int:
        return self.prior_calls + self.llm_calls

    @property
    def tokens_used(self) -> int:
        return self.prior_tokens + self.tokens_in + self.tokens_out

    def record(self) -> AuditRecord:
        combined = hashlib.sha256("".join(self.prompt_hashes).encode()).hexdigest()[:16]
        return AuditRecord(
            id=uuid.uuid4().hex,
            run_id=self.run_id,
            seq=0,
            kind="node",
            node=self.node,
            started_at=self.started_at,
            ended_at=utcnow(),
            model=self.model if self.llm_calls else None,
            prompt_hash=combined if self.prompt_hashes else None,
            llm_calls=self.llm_calls,
            cache_hits=self.cache_hits,
            model_seconds=round(self.model_seconds, 3),
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            chunk_ids=list(self.chunk_ids),
            flags=list(self.flags),
            decision=self.decision or "done",
        )


_TRACE: contextvars.ContextVar[NodeTrace | None] = contextvars.ContextVar(
    "baton_node_trace", default=None
)


def current_trace() -> NodeTrace | None:
    """The trace of the node executing in this thread or task, if any."""
    return _TRACE.get()


def usage_so_far(state: Mapping[str, Any]) -> tuple[int, int]:
    """Model calls and tokens already spent by this run, read from its own audit trail."""
    records = state.get("audit") or []
    calls = sum(int(r.get("llm_calls", 0)) for r in records)
    tokens = sum(int(r.get("tokens_in", 0)) + int(r.get("tokens_out", 0)) for r in records)
    return calls, tokens


def human_record(run_id: str, node: str, actor: str, decision: str) -> dict[str, Any]:
    """The audit record of one human decision (who, when, what)."""
    now = utcnow()
    return AuditRecord(
        id=uuid.uuid4().hex,
        run_id=run_id,
        seq=0,
        kind="human",
        node=node,
        started_at=now,
        ended_at=now,
        actor=actor,
        decision=decision,
    ).model_dump()


NodeFn = Callable[[Any, RunContext], dict[str, Any]]


def node_attributes(ctx: RunContext, name: str) -> dict[str, Any]:
    return {"baton.run_id": ctx.run_id, "baton.node": name, "gen_ai.agent.name": name}


def trace_attributes(trace: NodeTrace, ctx: RunContext) -> dict[str, Any]:
    """What a finished node's span carries: the numbers of its audit record."""
    attributes: dict[str, Any] = {
        "baton.llm_calls": trace.llm_calls,
        "baton.cache_hits": trace.cache_hits,
        "gen_ai.usage.input_tokens": trace.tokens_in,
        "gen_ai.usage.output_tokens": trace.tokens_out,
        "baton.chunk_ids": list(trace.chunk_ids),
        "baton.flags": list(trace.flags),
    }
    if tracing.content_on(ctx.settings):
        attributes["baton.decision"] = trace.decision
    return attributes


class GraphNode(Protocol):
    """What LangGraph calls: the state, plus the runtime injected by keyword."""

    def __call__(self, state: Any, *, runtime: Runtime[RunContext]) -> dict[str, Any]: ...


def agent_node(name: str) -> Callable[[NodeFn], GraphNode]:
    """Turn ``fn(state, ctx) -> update`` into a LangGraph node that leaves an audit record."""

    def decorate(fn: NodeFn) -> GraphNode:
        def node(state: Any, *, runtime: Runtime[RunContext]) -> dict[str, Any]:
            ctx = resolve_context(runtime.context)
            calls, tokens = usage_so_far(state)
            trace = NodeTrace(
                run_id=ctx.run_id,
                node=name,
                model=ctx.model_name(),
                prior_calls=calls,
                prior_tokens=tokens,
            )
            token = _TRACE.set(trace)
            try:
                with (
                    served.visible_errors(ctx, state),
                    tracing.span(
                        ctx.settings, ctx.run_id, f"node {name}", node_attributes(ctx, name)
                    ) as span,
                ):
                    update = dict(fn(state, ctx))
                    if span is not None:
                        span.set_attributes(trace_attributes(trace, ctx))
            finally:
                _TRACE.reset(token)
            update["audit"] = [*update.get("audit", []), trace.record().model_dump()]
            if trace.injections:
                update["injection_flags"] = [*update.get("injection_flags", []), *trace.injections]
            return update

        node.__name__ = name
        node.__qualname__ = name
        node.__doc__ = fn.__doc__
        return node

    return decorate
