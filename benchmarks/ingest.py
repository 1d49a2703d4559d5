"""Ingest throughput: ``baton ingest`` against raw sentence-transformers ``encode``.

A synthetic corpus is built from the example documents (each copy varied so chunks
differ). In one process we time (1) a first ingest into an empty embedded Chroma
store, (2) raw ``SentenceTransformer.encode`` of exactly the chunks that ingest
produced, with the same batch size, and (3) re-ingesting the unchanged corpus.

    python -m benchmarks.ingest [--copies 12]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from baton.config import load_settings
from baton.retrieval import embeddings
from baton.retrieval.ingest import discover, load_document, splitter_for
from baton.retrieval.ingest import ingest as do_ingest
from baton.retrieval.store import ContextStore
from benchmarks.tables import print_measures

DOCS = Path(__file__).resolve().parents[1] / "examples" / "docs"


def build_corpus(target: Path, copies: int) -> list[Path]:
    """``copies`` varied copies of every example document."""
    files, _ = discover([DOCS])
    out = []
    for n in range(copies):
        for src in files:
            dst = target / f"copy{n:02d}" / src.relative_to(DOCS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text(encoding="utf-8")
            dst.write_text(f"Edition {n} of {src.stem}.\n\n{text}\n\nRevision {n}.\n")
            out.append(dst)
    return out


def measure(copies: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        build_corpus(corpus, copies)
        settings = load_settings().model_copy(update={"home": root / "home"})
        embeddings.load_model()  # both sides start with a warm model
        embeddings.embed(["warm up"])
        store = ContextStore(settings)
        texts: list[str] = []
        for path in discover([corpus])[0]:
            doc = load_document(path)
            texts.extend(splitter_for(doc.source, settings).split_text(doc.text))
        model = embeddings.load_model()

        ingest_times, encode_times = [], []
        for rep in range(2):  # interleaved repetitions; the best of each is reported
            start = time.perf_counter()
            first = do_ingest([corpus], f"bench{rep}", settings, store=store)
            ingest_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            model.encode(
                texts, batch_size=settings.store.embedding_batch, normalize_embeddings=True
            )
            encode_times.append(time.perf_counter() - start)
        ingest_s, encode_s = min(ingest_times), min(encode_times)

        start = time.perf_counter()
        again = do_ingest([corpus], "bench0", settings, store=store)
        reingest_s = time.perf_counter() - start
        assert again.added_chunks == 0 and again.replaced_chunks == 0
    chunks = first.added_chunks
    return {
        "files": first.added_files,
        "chunks": chunks,
        "ingest_chunks_per_s": chunks / ingest_s,
        "encode_chunks_per_s": len(texts) / encode_s,
        "ratio": (chunks / ingest_s) / (len(texts) / encode_s),
        "ingest_s": ingest_s,
        "reingest_s": reingest_s,
        "reingest_speedup": ingest_s / reingest_s,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=12)
    args = parser.parse_args(argv)
    r = measure(args.copies)
    print_measures(
        f"Ingest throughput ({r['files']:.0f} files, {r['chunks']:.0f} chunks)",
        [
            ("raw sentence-transformers encode", f"{r['encode_chunks_per_s']:.1f} chunks/s"),
            ("baton ingest (first)", f"{r['ingest_chunks_per_s']:.1f} chunks/s"),
            ("ratio ingest / raw encode (target ≥ 0.85×)", f"{r['ratio']:.2f}×"),
            ("first ingest", f"{r['ingest_s']:.2f} s"),
            ("re-ingest, unchanged", f"{r['reingest_s']:.3f} s"),
            ("re-ingest speed-up (target ≥ 20×)", f"{r['reingest_speedup']:.0f}×"),
        ],
    )
    return r


if __name__ == "__main__":
    main()
