"""The context store as the runtime sees it: a plugin named by ``store.backend``.

Why a plugin: the context store (``baton.retrieval``: Chroma, local embeddings, ingest)
is built on the runtime's config, errors, cache, audit and tracing, so the runtime may
not import it back. Yet the runtime opens the store for every run (``RunContext.store``),
and its CLI, API, doctor, migration and inbox ingest, check, copy and show chunks. It
does all that through :class:`StoreBackend`, a small protocol, and the implementation is
chosen by configuration (``store.backend: module:attribute`` in ``configs/baton.yaml``),
the same way ``langgraph.json`` names a graph. A team can plug in another store the same
way, and nothing in ``baton/`` names the built-in one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from pkgutil import resolve_name
from typing import Any

from baton.config import Settings
from baton.errors import UserError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: chunks added/replaced, files unchanged and files skipped (why)."""

    collection: str
    added_files: int
    added_chunks: int
    replaced_files: int
    replaced_chunks: int
    unchanged_files: int
    skipped: list[tuple[str, str]]


Ingest = Callable[[Sequence[Path], str, Settings, Progress | None], IngestResult]
"""Add ``paths`` to ``collection``, idempotently, reporting each file to ``progress``."""


@dataclass(frozen=True)
class StoreBackend:
    """Everything the runtime asks of a context store implementation."""

    open: Callable[[Settings], Any]
    """The store handed to nodes as ``RunContext.store``."""
    client: Callable[[Settings], Any]
    """The raw database client (health check and ``baton migrate``)."""
    discover: Callable[[Sequence[Path]], list[Path]]
    """The files an ingest of ``paths`` would read (for a progress bar)."""
    ingest: Ingest


def store_backend(settings: Settings) -> StoreBackend:
    """The configured backend; a :class:`UserError` naming the setting when it is unusable."""
    name = settings.store.backend
    if not name:
        raise UserError("store.backend is not set: name the context store as module:attribute")
    try:
        found = resolve_name(name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise UserError(f"store.backend: cannot load '{name}' ({exc})") from None
    if not isinstance(found, StoreBackend):
        raise UserError(f"store.backend: '{name}' is not a context store backend")
    return found
