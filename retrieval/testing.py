"""A stand-in for the embedding model, for tests and benchmarks of retrieval plumbing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from baton.retrieval.embeddings import DIMENSIONS


def hashing_embed(texts: Sequence[str], batch_size: int = 64) -> Any:
    """A deterministic bag-of-words embedding for tests: no model load, same shape.

    Texts sharing words land close together, which is enough to test retrieval plumbing
    (ids, sources, scores, filtering) without the seconds it takes to load MiniLM.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            out[row, int.from_bytes(digest, "little") % DIMENSIONS] += 1.0
        norm = float(np.linalg.norm(out[row]))
        out[row] = out[row] / norm if norm else out[row]
        if not norm:
            out[row, 0] = 1.0
    return out
