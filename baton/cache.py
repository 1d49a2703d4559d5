"""Response and query-embedding caches, so re-running on identical inputs costs nothing.

Why here and keyed this way: a model answer depends only on the model, its sampling
settings, the messages and the forced tool schema; a query vector depends only on the
embedding model and the text. Keys hash exactly those, so any change to an input that
reaches a prompt misses the cache, and everything else is served from it. Storage is
LangGraph's own ``SqliteCache`` (a maintained namespaced key-value cache), one file per
Baton home, shared by every run and process.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from langgraph.cache.sqlite import SqliteCache

from baton.config import Settings

_CACHES: dict[str, SqliteCache[Any]] = {}
_LOCK = threading.Lock()


def get_cache(settings: Settings) -> SqliteCache[Any] | None:
    """The home's cache, or ``None`` when caching is switched off."""
    if not settings.cache.enabled:
        return None
    path = str(settings.home_dir / "cache.sqlite")
    with _LOCK:
        if path not in _CACHES:
            settings.home_dir.mkdir(parents=True, exist_ok=True)
            _CACHES[path] = SqliteCache(path=path)
        return _CACHES[path]


def cache_key(*parts: Any) -> str:
    """A stable digest of JSON-able parts."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def lookup(cache: SqliteCache[Any] | None, namespace: tuple[str, ...], key: str) -> Any | None:
    if cache is None:
        return None
    return cache.get([(namespace, key)]).get((namespace, key))


def store(cache: SqliteCache[Any] | None, namespace: tuple[str, ...], key: str, value: Any) -> None:
    if cache is not None:
        cache.set({(namespace, key): (value, None)})
