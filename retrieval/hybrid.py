"""Keyword (BM25) ranking of a Chroma collection and reciprocal rank fusion with dense hits.

Why: MiniLM embeddings blur exact tokens — product names, figures, clause numbers —
that business questions often hinge on, while BM25 matches them literally. Rank
fusion combines the two without calibrating their incomparable scores.

The BM25 index is built from the documents Chroma already stores (so it can never
disagree with what dense retrieval returns) and cached per collection, keyed by the
collection's id, chunk count and a digest of its chunk ids: chunk ids are derived from
source and content, so any ingest that adds, removes or replaces text changes the key.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

#: Standard RRF damping constant (Cormack et al., 2009): later ranks still count a little.
RRF_K = 60
#: How deep each ranking (dense and keyword) is read before fusing, at least ``k``.
CANDIDATES = 30
_H = TypeVar("_H", bound=Hashable)
_CACHE_SIZE = 8
_CACHE: OrderedDict[tuple[str, str], BM25Index] = OrderedDict()
_CACHE_LOCK = threading.Lock()


_LOCAL = threading.local()


def _stemmer() -> Any:
    """One stemmer per thread: Snowball stemmers keep state between calls, so a shared
    instance corrupts words when parallel branches or concurrent runs retrieve at once."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stopword-free, Snowball-stemmed tokens: one rule for docs and queries."""
    import bm25s  # type: ignore[import-untyped]

    if not texts:
        return []
    tokens: list[list[str]] = bm25s.tokenize(
        list(texts),
        stopwords="en",
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )
    return tokens


@dataclass(frozen=True)
class BM25Index:
    """One collection's chunks and their BM25 index, positionally aligned."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    metadatas: tuple[dict[str, Any], ...]
    retriever: Any  # bm25s.BM25 (untyped library)

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[Mapping[str, Any]]
    ) -> BM25Index:
        import bm25s

        retriever = bm25s.BM25()
        if ids:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(tuple(ids), tuple(texts), tuple(dict(m) for m in metadatas), retriever)

    def rank(
        self, query: str, limit: int, allowed: Iterable[str] | None = None
    ) -> list[tuple[int, float]]:
        """Positions and BM25 scores of the best ``limit`` chunks with a positive score.

        Ties are broken by chunk id so the same query always gives the same order.
        """
        if not self.ids or limit <= 0:
            return []
        vocab = self.retriever.vocab_dict
        words = [t for t in (tokenize([query]) or [[]])[0] if t in vocab]
        if not words:
            return []
        scores = np.asarray(self.retriever.get_scores(words), dtype=np.float64)
        keep = set(allowed) if allowed is not None else None
        hits = [
            (i, float(s))
            for i, s in enumerate(scores)
            if s > 0 and (keep is None or self.ids[i] in keep)
        ]
        hits.sort(key=lambda h: (-h[1], self.ids[h[0]]))
        return hits[:limit]


def cache_key(collection: Any, ids: Sequence[str]) -> tuple[str, str]:
    """Identity of a collection's current content: its id plus a digest of count and ids."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(len(ids)).encode())
    for cid in sorted(ids):
        digest.update(b"\0" + cid.encode())
    return (str(getattr(collection, "id", "")) + ":" + str(collection.name), digest.hexdigest())


def index_for(collection: Any) -> BM25Index:
    """The (cached) BM25 index of a Chroma collection's stored documents.

    Fetching only the ids to check freshness is far cheaper than re-tokenising, so
    a stale index is never served and an unchanged one is never rebuilt.
    """
    ids = list(collection.get(include=[])["ids"])
    key = cache_key(collection, ids)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    got = collection.get(include=["documents", "metadatas"])
    index = BM25Index.build(
        got["ids"],
        [t or "" for t in (got["documents"] or [])],
        [m or {} for m in (got["metadatas"] or [])],
    )
    with _CACHE_LOCK:
        for old in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[old]  # one live index per collection
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index


def clear_cache() -> None:
    """Drop every cached index (tests, or after a collection is deleted)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def rrf(rankings: Iterable[Sequence[_H]], k: int = RRF_K) -> dict[_H, float]:
    """Reciprocal rank fusion: each list adds ``1 / (k + rank)`` (rank from 1) per item.

    Why RRF: dense cosines and BM25 scores live on unrelated scales; ranks do not.
    """
    fused: dict[_H, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def rrf_max(lists: int, k: int = RRF_K) -> float:
    """The fused score of an item ranked first in all ``lists``: used to scale scores to 0-1."""
    return lists / (k + 1)
