"""The Chroma context store as the runtime's store plugin (``store.backend``).

Why: the runtime (``baton/``) reaches the store only through :class:`baton.stores.StoreBackend`
so that retrieval can build on the runtime without the runtime importing it back;
``configs/baton.yaml`` names :data:`CHROMA` as the default backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from baton.config import Settings
from baton.retrieval import ingest as ingesting
from baton.retrieval.store import ContextStore, make_client
from baton.stores import IngestResult, Progress, StoreBackend


def _ingest(
    paths: Sequence[Path], collection: str, settings: Settings, progress: Progress | None
) -> IngestResult:
    report = ingesting.ingest(paths, collection, settings, progress=progress)
    return IngestResult(
        collection=collection,
        added_files=report.added_files,
        added_chunks=report.added_chunks,
        replaced_files=report.replaced_files,
        replaced_chunks=report.replaced_chunks,
        unchanged_files=report.unchanged_files,
        skipped=list(report.skipped),
    )


def _discover(paths: Sequence[Path]) -> list[Path]:
    return ingesting.discover(paths)[0]


CHROMA = StoreBackend(open=ContextStore, client=make_client, discover=_discover, ingest=_ingest)
