"""What a run needs when LangGraph Agent Server (``langgraph dev``/``up``) drives it.

Why this module: ``baton run`` goes through :class:`baton.runtime.Runner`, which
validates the input, registers the run, records its audit trail and sets its status.
A client of Agent Server sends a request straight to the graph, so the graph itself
must do the same at its edges, or server runs would live in a separate world:

* the first node validates the *request* (a question, a folder path) with the
  scenario's pydantic model, with the CLI's defaults, and expands it into the run's
  state (:func:`takes_request`); ``baton run`` sends the very same request;
* a run driven by the server is registered in Baton's registry under its thread id,
  its audit records are copied there after every node, its status follows the review
  pause and the end (:func:`ends_run`), so ``baton runs``/``show``/``audit`` and the
  inbox see it;
* the final state carries the output files' contents (``artefacts``), because the
  client usually cannot read the server's disk;
* a :class:`UserError` reaches the client as the run's error message (the server
  shows the message only of ``ValueError`` and a few other built-in types).

A run is "served" when its :class:`RunContext` was completed by
:func:`baton.context.resolve_context` (the server sends no run id); every hook here
is a no-op for runs the :class:`Runner` drives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from langgraph.config import get_config
from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from baton.context import RunContext, resolve_context
from baton.errors import BudgetExceeded, ModelFailure, UserError
from baton.registry import AuditRecord, BaseRegistry, open_registry

M = TypeVar("M", bound=BaseModel)
Node = Callable[..., dict[str, Any]]
MAX_ARTEFACT_BYTES = 5_000_000
"""Larger output files are listed in ``outputs`` but not inlined into the final state."""


class RunRefused(ValueError):
    """A user error or a resumable stop (model endpoint down, budget spent) in a served
    run, as a type whose message the server shows the client."""


# Requests ------------------------------------------------------------------------------------
def validate_request(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate a start request; the error names the field, in one line."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise UserError(f"request: {field}: {err['msg']}") from None


def request_of(model: type[BaseModel], state: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields present in ``state`` (a graph input or a full initial state)."""
    return {k: state[k] for k in model.model_fields if k in state}


def takes_request(
    model: type[M],
    expand: Callable[[M], dict[str, Any]],
    *,
    scenario: str,
    default_review: str,
) -> Callable[[Node], Node]:
    """Make the graph's first node validate and expand the start request.

    The validated request (defaults applied) is kept in the state as ``request``; once
    it is there (the node re-runs after the expansion committed) the request is not
    read again, so the run keeps the snapshot it started with.
    """

    def decorate(node: Node) -> Node:
        def first(state: dict[str, Any], *, runtime: Runtime[RunContext]) -> dict[str, Any]:
            ctx = resolve_context(runtime.context)
            update: dict[str, Any] = {}
            if "request" not in state:
                request = request_of(model, state)
                register(ctx, scenario, request, default_review)
                with visible_errors(ctx):
                    valid = validate_request(model, request)
                    update = {**expand(valid), "request": valid.model_dump(mode="json")}
                state = {**state, **update}
            return {**update, **node(state, runtime=runtime)}

        first.__name__ = getattr(node, "__name__", "first")
        first.__doc__ = node.__doc__
        return first

    return decorate


def ends_run(node: Node) -> Node:
    """Mark the graph's last node: a served run is ``done`` after it, with its artefacts."""

    def last(state: dict[str, Any], *, runtime: Runtime[RunContext]) -> dict[str, Any]:
        update = node(state, runtime=runtime)
        ctx = resolve_context(runtime.context)
        if not ctx.served:
            return update
        outputs = list(dict.fromkeys([*(state.get("outputs") or []), *update.get("outputs", [])]))
        update = {**update, "artefacts": artefacts(outputs)}
        record(ctx, state, update)
        registry = _registry(ctx)
        if registry.find(ctx.run_id) is not None:
            registry.set_status(ctx.run_id, "done", outputs=outputs)
        return update

    last.__name__ = getattr(node, "__name__", "last")
    last.__doc__ = node.__doc__
    return last


def artefacts(outputs: list[str]) -> dict[str, str]:
    """The text of each output file by file name (what a remote client downloads)."""
    found: dict[str, str] = {}
    for raw in outputs:
        path = Path(raw)
        if not path.is_file() or path.stat().st_size > MAX_ARTEFACT_BYTES:
            continue
        try:
            found[path.name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return found


# Registry --------------------------------------------------------------------------------------
_REGISTRIES: dict[str, BaseRegistry] = {}
_LOCK = threading.Lock()


def _registry(ctx: RunContext) -> BaseRegistry:
    """One registry per home folder for the server process (opened on first use)."""
    key = str(ctx.settings.home)
    with _LOCK:
        if key not in _REGISTRIES:
            _REGISTRIES[key] = open_registry(ctx.settings)
        return _REGISTRIES[key]


def register(
    ctx: RunContext, scenario: str, request: Mapping[str, Any], default_review: str
) -> None:
    """Enter a served run in the registry (once), under its thread id."""
    if not ctx.served:
        return
    registry = _registry(ctx)
    if registry.find(ctx.run_id) is not None:
        return
    described = request.get("folder") or request.get("input_dir") or request.get("question")
    mode = ctx.review_mode or default_review
    registry.create_run(
        ctx.run_id, scenario, str(described or "(request)"), str(ctx.output_dir), mode
    )


def record(ctx: RunContext, state: Mapping[str, Any], update: Mapping[str, Any]) -> None:
    """Copy the run's audit trail into the registry (idempotent by record id).

    Called where ``state`` is the whole run's state (the review pause, a failure, the
    last node), so each record gets its place in the trail as ``seq``; entries without
    an id (a parallel branch's usage carry-over) are not records.
    """
    if not ctx.served:
        return
    registry = _registry(ctx)
    if registry.find(ctx.run_id) is None:
        return
    raw = [*(state.get("audit") or []), *(update.get("audit") or [])]
    registry.record_audit(
        [AuditRecord.model_validate({**r, "seq": n}) for n, r in enumerate(raw) if r.get("id")]
    )


def set_status(ctx: RunContext, status: Any, **fields: Any) -> None:
    """Move a served run's registry status (awaiting_review, running, failed)."""
    if ctx.served and _registry(ctx).find(ctx.run_id) is not None:
        _registry(ctx).set_status(ctx.run_id, status, **fields)


@contextmanager
def visible_errors(ctx: RunContext, state: Mapping[str, Any] | None = None) -> Iterator[None]:
    """In a served run, fail the run in the registry and show a user error's message.

    Interrupts (``GraphBubbleUp``) pass untouched: they are pauses, not failures; the
    trail so far is copied to the registry then, as it is on a failure.
    """
    try:
        yield
    except GraphBubbleUp:
        record(ctx, state or {}, {})
        raise
    except (UserError, ModelFailure, BudgetExceeded) as exc:
        if not ctx.served:
            raise
        record(ctx, state or {}, {})
        set_status(ctx, "failed", reason=str(exc))
        raise RunRefused(str(exc)) from None
    except Exception as exc:
        if ctx.served and not isinstance(exc, RunRefused):
            record(ctx, state or {}, {})
            set_status(ctx, "failed", reason=f"internal error: {type(exc).__name__}: {exc}")
        raise


def auth_user() -> str | None:
    """The user the server's auth signed in for this run (None: open server or a token)."""
    try:
        configurable = get_config().get("configurable", {})
    except RuntimeError:  # not inside a graph run
        return None
    user = configurable.get("langgraph_auth_user")
    if isinstance(user, Mapping):
        identity, signed_in = user.get("identity"), user.get("is_authenticated")
    else:
        identity = getattr(user, "identity", None)
        signed_in = getattr(user, "is_authenticated", False)
    return str(identity) if identity and signed_in else None
