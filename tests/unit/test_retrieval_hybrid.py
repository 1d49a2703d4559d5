"""Hybrid retrieval: BM25 ranking, rank fusion, cache freshness and the retrieve contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.config import Settings
from baton.retrieval import hybrid
from baton.retrieval.ingest import ingest
from baton.retrieval.store import ContextStore


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    hybrid.clear_cache()


def _with(settings: Settings, on: bool) -> Settings:
    return settings.model_copy(update={"store": settings.store.model_copy(update={"hybrid": on})})


def _docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("Our pods are compostable at home within twelve weeks.")
    (folder / "b.md").write_text("The PodBack scheme has 212 drop-off points across the UK.")
    (folder / "c.md").write_text("A box of Classic pods costs 3.60 pounds in shops.")
    return folder


def test_hybrid_is_the_shipped_default(settings: Settings) -> None:
    assert settings.store.hybrid is True


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert hybrid.tokenize(["The pods are returned"]) == [["pod", "return"]]


def test_bm25_rank_prefers_exact_terms_and_respects_allowed() -> None:
    index = hybrid.BM25Index.build(
        ["x", "y", "z"],
        ["drop-off points for PodBack", "cold brew launch", "PodBack PodBack collection"],
        [{}, {}, {}],
    )
    ranked = [index.ids[i] for i, _ in index.rank("PodBack", 5)]
    assert ranked == ["z", "x"]  # term frequency wins; "y" has no match at all
    assert [index.ids[i] for i, _ in index.rank("PodBack", 5, allowed={"x"})] == ["x"]
    assert index.rank("the and of", 5) == []  # only stopwords
    assert hybrid.BM25Index.build([], [], []).rank("anything", 5) == []


def test_rrf_rewards_agreement() -> None:
    fused = hybrid.rrf([["a", "b", "c"], ["b", "d"]])
    assert max(fused, key=lambda key: fused[key]) == "b"
    assert fused["a"] == pytest.approx(1 / 61)
    assert hybrid.rrf([["a"], ["a"]])["a"] == pytest.approx(hybrid.rrf_max(2))


@given(st.lists(st.lists(st.text(max_size=3), unique=True, max_size=8), max_size=4))
def test_rrf_scores_bounded_by_max(rankings: list[list[str]]) -> None:
    fused = hybrid.rrf(rankings)
    assert set(fused) == {item for r in rankings for item in r}
    assert all(0 < v <= hybrid.rrf_max(len(rankings)) + 1e-12 for v in fused.values())


def test_hybrid_retrieve_finds_keyword_match_and_is_scaled(
    tmp_path: Path, settings: Settings
) -> None:
    ingest([_docs(tmp_path)], "docs", settings)
    hits = ContextStore(_with(settings, True)).retrieve("212 drop-off points", ["docs"], k=3)
    assert hits[0].source.endswith("b.md")
    assert all(0 < h.score <= 1 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    again = ContextStore(_with(settings, True)).retrieve("212 drop-off points", ["docs"], k=3)
    assert [h.id for h in again] == [h.id for h in hits]


def test_hybrid_respects_where_and_k(tmp_path: Path, settings: Settings) -> None:
    ingest([_docs(tmp_path)], "docs", settings)
    store = ContextStore(_with(settings, True))
    hits = store.retrieve("PodBack pods", ["docs"], k=5, where={"name": "c.md"})
    assert {h.metadata["name"] for h in hits} == {"c.md"}
    assert len(store.retrieve("pods", ["docs"], k=1)) == 1
    assert store.retrieve("pods", [], k=3) == []


def test_dense_mode_keeps_cosine_scores(tmp_path: Path, settings: Settings) -> None:
    ingest([_docs(tmp_path)], "docs", settings)
    dense = ContextStore(_with(settings, False)).retrieve("PodBack", ["docs"], k=3)
    assert len(dense) == 3 and all(-1 <= h.score <= 1 for h in dense)
    assert hybrid._CACHE == {}  # dense mode never builds a keyword index


def test_index_is_rebuilt_after_content_changes(tmp_path: Path, settings: Settings) -> None:
    folder = _docs(tmp_path)
    ingest([folder], "docs", settings)
    store = ContextStore(_with(settings, True))
    col = store.collection("docs", create=False)
    first = hybrid.index_for(col)
    assert hybrid.index_for(col) is first  # unchanged collection: cached
    (folder / "b.md").write_text("PodBack now accepts returns at 40 shops.")
    ingest([folder], "docs", settings, store=store)
    assert col.count() == len(first.ids)  # same count, different content
    hits = store.retrieve("PodBack 212 drop-off", ["docs"], k=5)
    assert all("212" not in h.text for h in hits)
    assert hybrid.index_for(col) is not first
    assert len(hybrid._CACHE) == 1  # the stale index was dropped
