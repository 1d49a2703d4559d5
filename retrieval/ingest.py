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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_text_splitters import Language, RecursiveCharacterTextSplitter

from baton.config import Settings
from baton.errors import InputError, UserError
from baton.retrieval import embeddings
from baton.retrieval.store import ContextStore, check_collection_name

SUPPORTED = (".md", ".txt", ".pdf", ".html", ".htm", ".csv")


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
    if b"\x00" in data[:8192]:
        raise InputError(path, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not UTF-8 text (byte {exc.start})") from None


def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InputError(path, f"is not a readable PDF ({exc})") from None


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


def load_document(path: Path) -> Document:
    """Read one supported file as plain text, or raise an error naming the file."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            path,
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
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
    return Document(str(path.resolve()), hashlib.sha256(data).hexdigest(), text)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (folders recursively, sorted) and files skipped with a reason."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.suffix.lower() in SUPPORTED:
                    files.append(child)
                else:
                    skipped.append((str(child), f"unsupported type '{child.suffix or child.name}'"))
        else:
            if path.suffix.lower() not in SUPPORTED:
                load_document(path)  # raises the precise error for a file named alone
            files.append(path)
    return files, skipped


def splitter_for(source: str, settings: Settings) -> RecursiveCharacterTextSplitter:
    size, overlap = settings.store.chunk_size, settings.store.chunk_overlap
    if source.lower().endswith(".md"):
        return RecursiveCharacterTextSplitter.from_language(
            Language.MARKDOWN, chunk_size=size, chunk_overlap=overlap
        )
    return RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)


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
    files, skipped = discover(paths)
    named = {p.resolve() for p in paths if p.is_file()}
    docs: list[Document] = []
    for path in files:
        try:
            docs.append(load_document(path))
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
        texts = splitter_for(doc.source, settings).split_text(doc.text)
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
