"""Ingestion: idempotent ids, replacement of changed files, and precise bad-input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.config import Settings
from baton.errors import InputError, UserError
from baton.retrieval.ingest import ingest
from baton.retrieval.store import ContextStore


def _docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text(
        "# Pods\n\nOur pods are compostable.\n\n## Price\n\nA box costs four pounds."
    )
    (folder / "sub" / "b.txt").write_text("The PodBack scheme collects used pods by post.")
    (folder / "c.csv").write_text("product,price\nClassic,3.60\nDecaf,3.80\n")
    (folder / "d.html").write_text(
        "<html><body><h1>Cold brew</h1><p>Launches in November.</p>"
        "<script>x()</script></body></html>"
    )
    (folder / "e.png").write_bytes(b"\x89PNG\r\n")
    return folder


def test_ingest_twice_adds_nothing_and_changes_replace(tmp_path: Path, settings: Settings) -> None:
    folder = _docs(tmp_path)
    first = ingest([folder], "docs", settings)
    assert first.added_files == 4 and first.added_chunks >= 4
    assert [Path(p).name for p, _ in first.skipped] == ["e.png"]
    store = ContextStore(settings)
    count = dict(store.collections())["docs"]

    again = ingest([folder], "docs", settings, store=store)
    assert again.added_chunks == 0 and again.unchanged_files == 4 and again.replaced_files == 0
    assert dict(store.collections())["docs"] == count

    (folder / "sub" / "b.txt").write_text("PodBack now also accepts returns at 40 shops.")
    changed = ingest([folder], "docs", settings, store=store)
    assert changed.replaced_files == 1 and changed.unchanged_files == 3
    hits = store.retrieve("PodBack returns shops", ["docs"], k=10)
    texts = " ".join(h.text for h in hits)
    assert "40 shops" in texts and "by post" not in texts


def test_retrieve_returns_citable_chunks(tmp_path: Path, settings: Settings) -> None:
    ingest([_docs(tmp_path)], "docs", settings)
    hits = ContextStore(settings).retrieve("price of a box", ["docs"], k=2)
    assert len(hits) == 2
    assert all(
        len(h.id) == 16 and h.source.startswith("/") and h.collection == "docs" for h in hits
    )
    assert hits[0].score >= hits[1].score
    filtered = ContextStore(settings).retrieve("pods", ["docs"], k=5, where={"name": "b.txt"})
    assert {h.metadata["name"] for h in filtered} == {"b.txt"}


def test_delete_source(tmp_path: Path, settings: Settings) -> None:
    folder = _docs(tmp_path)
    ingest([folder], "docs", settings)
    store = ContextStore(settings)
    removed = store.delete_source(str((folder / "a.md").resolve()))
    assert removed >= 1
    assert all(h.metadata["name"] != "a.md" for h in store.retrieve("pods price", ["docs"], k=10))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
        ("empty.txt", b"", "is empty"),
        ("fake.txt", b"\x00\x01\x02binary\x00", "binary"),
        ("noise.txt", bytes(range(1, 256)) * 8, "binary|encoding"),
    ],
)
def test_bad_files_named_alone_are_errors_and_write_nothing(
    tmp_path: Path, settings: Settings, name: str, content: bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.md"
    good.write_text("# Fine\n\nThis one is fine.")
    with pytest.raises(InputError, match=message) as info:
        ingest([good, bad], "docs", settings)
    assert name in str(info.value)
    assert "docs" not in dict(ContextStore(settings).collections())


def test_missing_path_and_bad_collection(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(InputError, match="no such file"):
        ingest([tmp_path / "missing"], "docs", settings)
    with pytest.raises(UserError, match="invalid collection name"):
        ingest([tmp_path], "a", settings)


def test_pdf_is_ingested(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Quarterly report. PodBack returns grew by forty percent.")
    path = tmp_path / "report.pdf"
    pdf.output(str(path))
    report = ingest([path], "docs", settings)
    assert report.added_files == 1
    hits = ContextStore(settings).retrieve("PodBack returns grew", ["docs"], k=1)
    assert "forty percent" in hits[0].text and hits[0].metadata["name"] == "report.pdf"


def test_corrupt_pdf_is_an_error(tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(InputError, match=r"broken\.pdf"):
        ingest([bad], "docs", settings)
