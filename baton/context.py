"""Per-run dependencies handed to every node through LangGraph's typed runtime context.

Why a context object instead of globals: a run must be able to swap its model (a
scripted fake in tests, the embedded model, a hosted endpoint), its store and its
output folder without touching agent code, and two runs in one process must not
share them by accident. LangGraph passes ``context=`` to every node as
``runtime.context``; it is not checkpointed, so a resume simply provides it again.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from langchain_core.language_models import BaseChatModel
from langgraph.config import get_config
from pydantic.json_schema import SkipJsonSchema

from baton.config import Settings, load_settings

ReviewMode = Literal["always", "exceptions", "never", "plan"]
ModelFactory = Callable[[str], BaseChatModel]


@dataclass
class RunContext:
    """Everything a node needs besides its state.

    Only ``review_mode`` is part of the public context schema: the API server keeps
    just the schema's properties of a client's ``context``, so a client can choose the
    review mode but never point a run at other settings, folders or models. Every other
    field is hidden from the JSON schema (``SkipJsonSchema``) and the types are all
    defined at runtime, so ``TypeAdapter(RunContext)`` builds (``assistants.get_schemas``).
    """

    run_id: SkipJsonSchema[str] = ""
    settings: SkipJsonSchema[Settings] = field(default_factory=load_settings)
    output_dir: SkipJsonSchema[Path] = field(default_factory=Path)
    review_mode: ReviewMode | None = None
    reviewer: SkipJsonSchema[str | None] = None
    model_factory: SkipJsonSchema[ModelFactory | None] = None
    served: SkipJsonSchema[bool] = False
    """Driven by LangGraph Agent Server rather than a Runner (see ``baton.served``)."""
    _store: Annotated[Any, SkipJsonSchema()] = field(default=None, repr=False)
    """The ContextStore (typed ``Any`` so the schema needs no Chroma import)."""

    def model(self, role: str) -> BaseChatModel:
        """The chat model for one agent role, from the injected factory or the settings."""
        if self.model_factory is not None:
            return self.model_factory(role)
        from baton.llm import chat_model

        return chat_model(role, self.settings)

    def model_name(self) -> str:
        return "fake" if self.settings.model.provider == "fake" else self.settings.model.model

    @cached_property
    def store(self) -> Any:
        """The context store, opened on first use (loading embeddings takes seconds) by the
        configured backend (``store.backend``, see :mod:`baton.stores`)."""
        if self._store is not None:
            return self._store
        from baton.stores import store_backend

        return store_backend(self.settings).open(self.settings)

    def reviewer_name(self) -> str:
        return self.reviewer or self.settings.review.reviewer or getpass.getuser()


_DEFAULTS: dict[str, RunContext] = {}


def resolve_context(context: RunContext | None) -> RunContext:
    """Return the run's context, completing it when a server (``langgraph dev``) ran us.

    The LangGraph API server builds the context from the request (usually empty), so
    the run id comes from the thread id and settings from the environment; the result
    is cached per thread so the store and model are opened once.
    """
    if context is not None and context.run_id:
        return context
    thread_id = str(get_config().get("configurable", {}).get("thread_id", "default"))
    if thread_id not in _DEFAULTS:
        settings = context.settings if context is not None else load_settings()
        _DEFAULTS[thread_id] = RunContext(
            run_id=thread_id,
            settings=settings,
            output_dir=settings.runs_dir / thread_id,
            review_mode=context.review_mode if context is not None else None,
            served=True,
        )
    return _DEFAULTS[thread_id]
