"""Turn files into embedded, citable chunks, idempotently.

Why content-derived ids: re-ingesting an unchanged corpus must add nothing and cost
almost nothing (we compare a file hash before loading the embedding model at all),
while a changed file must replace *all* of its old chunks so that stale text can never
be retrieved and cited. Every file is read and validated before anything is written,
so a bad file named on the command line leaves the store untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_text_splitters import Language, RecursiveCharacterTextSplitter

from baton import safepath
from baton.config import Settings
from baton.errors import InputError, UserError
from baton.retrieval import embeddings
from baton.retrieval.store import ContextStore, check_collection_name

SUPPORTED = (".md", ".txt", ".pdf", ".html", ".htm", ".csv")
MAX_FILE_BYTES = 50_000_000
"""Largest file read (50 MB): PDFs carry images, so the byte cap is generous."""
MAX_TEXT_CHARS = 2_000_000
"""Most text one file may yield (about 2,500 chunks, minutes of embedding on a laptop):
beyond it a "document" is an export or a dump, refused at once rather than embedded
for an hour."""


@dataclass
class Document:
    """A loaded file: its absolute path, content hash and plain text."""

    source: str
    file_hash: str
    text: str


@dataclass
class IngestReport:
    """What an ingest did, file by file and chunk by chunk."""

    added_files: int = 0
    added_chunks: int = 0
    replaced_files: int = 0
    replaced_chunks: int = 0
    unchanged_files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def embedded_chunks(self) -> int:
        return self.added_chunks + self.replaced_chunks


def _decode_text(path: Path, data: bytes) -> str:
    return safepath.decode(data, path)


def _pdf_text(path: Path, data: bytes) -> str:
    """Text of a PDF; every pypdf failure (a decompression bomb's ``LimitReachedError``
    included) is an input error for this file, never a crash of the whole ingest."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(path, f"is not a readable PDF ({detail})") from None
    except RecursionError:
        raise InputError(path, "is not a readable PDF (nested too deeply)") from None


def _html_text(text: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    return soup.get_text("\n", strip=True)


def _csv_text(path: Path, text: str) -> str:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV ({exc})") from None
    return "\n".join("; ".join(f"{k}: {v}" for k, v in row.items() if k) for row in rows)


def load_document(
    path: Path, *, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Document:
    """Read one supported file as plain text, or raise an error naming the file.

    The file must be a regular file inside ``root`` (the folder the user named; its own
    folder when named alone) and at most ``max_bytes`` long, see :mod:`baton.safepath`.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            path,
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})",
        )
    data = safepath.read_bytes(path, root=root, max_bytes=max_bytes)
    if not data.strip():
        raise InputError(path, "is empty")
    if suffix == ".pdf":
        text = _pdf_text(path, data)
    else:
        text = _decode_text(path, data)
        if suffix in (".html", ".htm"):
            text = _html_text(text)
        elif suffix == ".csv":
            text = _csv_text(path, text)
    if not text.strip():
        raise InputError(path, "contains no text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            path,
            f"has {len(text):,} characters of text, more than the {MAX_TEXT_CHARS:,} one "
            "document may have; split it into smaller files",
        )
    return Document(str(path.resolve()), hashlib.sha256(data).hexdigest(), text)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (folders recursively, sorted) and files skipped with a reason.

    Inside a folder, links leading out of it, pipes and devices are skipped with a
    reason; a file named alone must itself be readable (else the error is raised).
    """
    files, skipped, _ = _discover(paths)
    return files, skipped


def _discover(
    paths: Sequence[Path],
) -> tuple[list[Path], list[tuple[str, str]], dict[Path, Path]]:
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    roots: dict[Path, Path] = {}
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", safepath.InputWarning)
                children = safepath.list_files(path, recursive=True, hidden=False)
            for warning in caught:
                text = str(warning.message).removeprefix("skipped ")
                where, _, why = text.partition(": ")
                skipped.append((where, why))
            for child in children:
                if child.suffix.lower() in SUPPORTED:
                    files.append(child)
                    roots[child] = path
                else:
                    skipped.append((str(child), f"unsupported type '{child.suffix or child.name}'"))
        else:
            if path.suffix.lower() not in SUPPORTED:
                load_document(path)  # raises the precise error for a file named alone
            safepath.check_file(path)
            files.append(path)
            roots[path] = path.parent
    return files, skipped, roots


def splitter_for(source: str, settings: Settings) -> RecursiveCharacterTextSplitter:
    size, overlap = settings.store.chunk_size, settings.store.chunk_overlap
    if source.lower().endswith(".md"):
        return RecursiveCharacterTextSplitter.from_language(
            Language.MARKDOWN, chunk_size=size, chunk_overlap=overlap
        )
    return RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)


def break_long_runs(text: str, size: int) -> str:
    """Cut runs of non-space characters longer than ``size`` with line breaks.

    The splitter falls back to single characters for a run it cannot split at a space,
    which is correct but slow (a megabyte of one "word" took minutes); pre-cut runs keep
    every chunk within ``size`` at word-level speed.
    """
    if len(text) <= size:
        return text
    return re.sub(
        rf"\S{{{size + 1},}}",
        lambda m: "\n".join(m.group(0)[i : i + size] for i in range(0, len(m.group(0)), size)),
        text,
    )


def chunk_id(source: str, index: int, text: str) -> str:
    """Stable, citable id: same source and content give the same id on every machine."""
    return hashlib.sha256(f"{source}\x00{index}\x00{text}".encode()).hexdigest()[:16]


Progress = Callable[[str], None]


def ingest(
    paths: Sequence[Path],
    collection: str,
    settings: Settings,
    store: ContextStore | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders into ``collection``; see the module docstring for why."""
    check_collection_name(collection)
    files, skipped, roots = _discover(paths)
    named = {p.resolve() for p in paths if p.is_file()}
    docs: list[Document] = []
    for path in files:
        try:
            docs.append(load_document(path, root=roots[path]))
        except InputError as exc:
            if path.resolve() in named:
                raise
            skipped.append((str(path), exc.detail))
    report = IngestReport(skipped=skipped)
    if not docs:
        if skipped:
            return report
        raise UserError("nothing to ingest: no supported files found")
    store = store or ContextStore(settings)
    pending: list[tuple[Document, list[str], list[str], list[str]]] = []
    for doc in docs:
        old = store.existing(collection, doc.source)
        if old and all(m.get("file_hash") == doc.file_hash for m in old.values()):
            report.unchanged_files += 1
            if progress:
                progress(doc.source)
            continue
        size = settings.store.chunk_size
        texts = splitter_for(doc.source, settings).split_text(break_long_runs(doc.text, size))
        ids = [chunk_id(doc.source, i, t) for i, t in enumerate(texts)]
        stale = [i for i in old if i not in set(ids)]
        if old:
            report.replaced_files += 1
            report.replaced_chunks += len(ids)
        else:
            report.added_files += 1
            report.added_chunks += len(ids)
        pending.append((doc, ids, texts, stale))
    _write(store, collection, settings, pending, progress)
    return report


def _write(
    store: ContextStore,
    collection: str,
    settings: Settings,
    pending: Iterable[tuple[Document, list[str], list[str], list[str]]],
    progress: Progress | None,
) -> None:
    """Embed in large batches across files (small files alone would starve the model),
    upsert, then drop each changed file's stale chunks."""
    rows: list[tuple[str, str, dict[str, object]]] = []
    stale: list[str] = []
    done_after: dict[int, str] = {}
    for doc, ids, texts, old in pending:
        for n, (cid, text) in enumerate(zip(ids, texts, strict=True)):
            meta: dict[str, object] = {
                "source": doc.source,
                "file_hash": doc.file_hash,
                "chunk_index": n,
                "name": Path(doc.source).name,
            }
            rows.append((cid, text, meta))
        done_after[len(rows)] = doc.source
        stale.extend(old)
    # One large encode call lets sentence-transformers sort all texts by length, which
    # minimises padding; the cap only bounds memory on very large corpora.
    step = 4096
    for start in range(0, len(rows), step):
        part = rows[start : start + step]
        vectors = embeddings.embed(
            [t for _, t, _ in part], batch_size=settings.store.embedding_batch
        )
        store.upsert(
            collection,
            [i for i, _, _ in part],
            [t for _, t, _ in part],
            [m for _, _, m in part],
            vectors,
        )
        if progress:
            for end, source in done_after.items():
                if start < end <= start + step:
                    progress(source)
    store.delete_ids(collection, stale)
