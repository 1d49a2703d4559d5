"""Chroma collections behind one small API: open, add, retrieve with citable ids, delete.

Why wrap Chroma: agents must cite what they used, so every chunk carries a stable id
(derived from source and content) and its source path; retrieval merges several
collections and returns scores on one scale; and the client is embedded
(``PersistentClient``) or remote (``HttpClient``) by configuration alone, with
telemetry off and Chroma's network-fetching default embedding never invoked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel

from baton.config import Settings
from baton.errors import UserError
from baton.retrieval import embeddings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


class Chunk(BaseModel):
    """One retrieved passage with everything needed to cite it."""

    id: str
    text: str
    source: str
    collection: str
    score: float
    metadata: dict[str, Any] = {}

    @property
    def display_source(self) -> str:
        return display_path(self.source)


def display_path(source: str) -> str:
    """Show sources relative to the working directory when they live under it."""
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except ValueError:
        return source


def check_collection_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise UserError(
            f"invalid collection name '{name}': use 3-512 letters, digits, '.', '_' or '-',"
            " starting and ending with a letter or digit"
        )
    return name


def make_client(settings: Settings) -> Any:
    """An embedded or HTTP Chroma client as configured, with telemetry disabled."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.store.mode == "http":
        if not settings.store.url:
            raise UserError("store.mode is 'http' but store.url is not set")
        url = urlparse(settings.store.url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = settings.chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ContextStore:
    """The team's shared documents, as Chroma collections of embedded chunks."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else make_client(settings)

    # Collections -----------------------------------------------------------------
    def collection(self, name: str, *, create: bool = True) -> Any:
        check_collection_name(name)
        if create:
            return self.client.get_or_create_collection(
                name=name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedding": embeddings.MODEL_PACKAGE},
            )
        try:
            return self.client.get_collection(name=name, embedding_function=None)
        except Exception:  # chroma raises NotFoundError / ValueError depending on version
            raise UserError(f"unknown collection '{name}' (see `baton store list`)") from None

    def collections(self) -> list[tuple[str, int]]:
        """Names and chunk counts, sorted by name."""
        out = []
        for item in self.client.list_collections():
            name = item if isinstance(item, str) else item.name
            out.append((name, int(self.client.get_collection(name=name).count())))
        return sorted(out)

    # Writing ---------------------------------------------------------------------
    def existing(self, collection: str, source: str) -> dict[str, dict[str, Any]]:
        """Chunk ids and metadata currently stored for one source file."""
        got = self.collection(collection).get(where={"source": source}, include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=False)}

    def upsert(
        self,
        collection: str,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
        vectors: Any,
    ) -> None:
        if ids:
            self.collection(collection).upsert(
                ids=list(ids),
                documents=list(texts),
                metadatas=[dict(m) for m in metadatas],
                embeddings=vectors,
            )

    def delete_ids(self, collection: str, ids: Sequence[str]) -> None:
        if ids:
            self.collection(collection).delete(ids=list(ids))

    def delete_source(self, source: str, collection: str | None = None) -> int:
        """Remove every chunk of ``source``; returns how many were removed."""
        names = [collection] if collection else [n for n, _ in self.collections()]
        removed = 0
        for name in names:
            col = self.collection(name, create=False)
            ids = col.get(where={"source": source}, include=[])["ids"]
            if ids:
                col.delete(ids=ids)
                removed += len(ids)
        return removed

    # Reading ---------------------------------------------------------------------
    def _query_vector(self, query: str) -> Any:
        """The query's embedding, from the home's cache when this exact text was seen."""
        from baton.cache import cache_key, get_cache, lookup, store

        cache = get_cache(self.settings)
        namespace, key = ("embedding", embeddings.MODEL_PACKAGE), cache_key(query)
        cached = lookup(cache, namespace, key)
        if cached is not None:
            return [cached]
        vector = embeddings.embed([query])
        store(cache, namespace, key, [float(x) for x in vector[0]])
        return vector

    def retrieve(
        self,
        query: str,
        collections: Sequence[str],
        k: int = 5,
        where: Mapping[str, Any] | None = None,
    ) -> list[Chunk]:
        """:meth:`_retrieve` inside a ``retrieval`` trace span (a no-op unless tracing is on)."""
        from baton import tracing
        from baton.audit import current_trace

        node = current_trace()
        attributes: dict[str, Any] = {
            "db.system.name": "chromadb",
            "db.operation.name": "query",
            "db.collection.name": list(collections),
            "baton.retrieval.k": k,
        }
        if tracing.content_on(self.settings):
            attributes["baton.retrieval.query"] = query
        run_id = node.run_id if node is not None else ""
        name = f"retrieval {','.join(collections)}"
        with tracing.span(self.settings, run_id, name, attributes) as span:
            found = self._retrieve(query, collections, k, where)
            if span is not None:
                span.set_attribute("baton.retrieval.chunk_ids", [c.id for c in found])
        return found

    def _retrieve(
        self,
        query: str,
        collections: Sequence[str],
        k: int,
        where: Mapping[str, Any] | None,
    ) -> list[Chunk]:
        """Top-``k`` chunks across ``collections``, best first, ties broken by chunk id.

        Score scale depends on ``store.hybrid``. Dense only (false): cosine similarity
        (1 = identical). Hybrid (true): the dense ranking (all collections merged by
        cosine) and each collection's BM25 keyword ranking are fused by reciprocal rank
        fusion, scaled to 0-1 so that 1 means "ranked first by both"; keyword matching
        recovers exact names and figures that the small embedding model blurs.
        """
        if not collections:
            return []
        from baton.retrieval import hybrid

        use_hybrid = self.settings.store.hybrid
        depth = max(k, hybrid.CANDIDATES) if use_hybrid else k
        vector = self._query_vector(query)

        def chunk(cid: str, text: str | None, meta: Any, name: str, score: float) -> Chunk:
            meta = dict(meta or {})
            return Chunk(
                id=cid,
                text=text or "",
                source=str(meta.get("source", "")),
                collection=name,
                score=score,
                metadata=meta,
            )

        found: list[Chunk] = []
        keyword: list[list[tuple[str, str]]] = []
        by_key: dict[tuple[str, str], Chunk] = {}
        for name in collections:
            col = self.collection(name, create=False)
            count = int(col.count())
            if count == 0:
                continue
            res = col.query(
                query_embeddings=vector,
                n_results=min(depth, count),
                where=dict(where) if where else None,
                include=["documents", "metadatas", "distances"],
            )
            for cid, text, meta, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            ):
                found.append(chunk(cid, text, meta, name, round(1.0 - float(dist), 4)))
            if use_hybrid:
                index = hybrid.index_for(col)
                allowed = col.get(where=dict(where), include=[])["ids"] if where else None
                ranked = index.rank(query, depth, allowed)
                keyword.append([(name, index.ids[i]) for i, _ in ranked])
                for i, _ in ranked:
                    by_key[(name, index.ids[i])] = chunk(
                        index.ids[i], index.texts[i], index.metadatas[i], name, 0.0
                    )
        found.sort(key=lambda c: (-c.score, c.id))
        if not use_hybrid:
            return found[:k]
        by_key.update({(c.collection, c.id): c for c in found})
        dense = [(c.collection, c.id) for c in found]
        fused = hybrid.rrf([dense, *keyword])
        top = hybrid.rrf_max(2)
        out = [
            by_key[key].model_copy(update={"score": round(value / top, 4)})
            for key, value in fused.items()
        ]
        out.sort(key=lambda c: (-c.score, c.id, c.collection))
        return out[:k]

    def get_chunks(self, ids: Sequence[str], collections: Sequence[str]) -> dict[str, Chunk]:
        """Look chunks up by id, e.g. to verify that a citation exists."""
        out: dict[str, Chunk] = {}
        for name in collections:
            col = self.collection(name, create=False)
            got = col.get(ids=list(ids), include=["documents", "metadatas"])
            for cid, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                meta = dict(meta or {})
                out[cid] = Chunk(
                    id=cid,
                    text=text or "",
                    source=str(meta.get("source", "")),
                    collection=name,
                    score=1.0,
                    metadata=meta,
                )
        return out
