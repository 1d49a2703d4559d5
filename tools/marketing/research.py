"""Topic-gap research: which topics to write about, computed rather than guessed.

Three kinds of gap, each from data the run already has:

* ``uncovered`` - a phrase that at least ``min_sources`` competitor posts use and that
  none of our topics or page titles cover (compared on word stems);
* ``poor_rank`` - one of our topics whose pages sit below ``poor_position`` in search;
* ``converts`` - one of our topics whose conversion rate beats the site average.

Candidate phrases are adjacent content-word pairs of the competitor texts, ranked by
their summed TF-IDF weight (scikit-learn) so phrases that define a post outrank
phrases every post repeats. A chunk *covers* a topic when it contains every content
stem of the topic; those chunk ids are returned as the evidence for each gap.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field
from sklearn.feature_extraction.text import TfidfVectorizer

from baton.tools.marketing._text import content_stems, is_content, phrase_stripper, stem, words
from baton.tools.marketing.models import AnalyticsRow, GapKind, TopicGap


class ResearchSettings(BaseModel):
    """Thresholds of the gap analysis; defaults follow common SEO practice.

    Position 10 is the end of the first results page; positions at or above
    ``best_position`` count as owned (gap 0) and at or below ``worst_position`` as a
    full gap (1), linearly in between.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    poor_position: float = 10.0
    best_position: float = 3.0
    worst_position: float = 20.0
    min_sources: int = Field(default=2, ge=1)
    generic_share: float = Field(default=0.75, gt=0, le=1)
    max_gaps: int = Field(default=20, ge=1)


@dataclass
class _TopicStats:
    name: str
    sessions: int = 0
    conversions: int = 0
    weighted_position: float = 0.0
    positions: list[float] = field(default_factory=list)
    search_volume: int | None = None

    @property
    def avg_position(self) -> float:
        """Sessions-weighted so a page nobody visits cannot drag a topic's rank around."""
        if self.sessions:
            return self.weighted_position / self.sessions
        return sum(self.positions) / len(self.positions)

    @property
    def conversion_rate(self) -> float:
        return self.conversions / self.sessions if self.sessions else 0.0


def _topic_stats(analytics: Sequence[AnalyticsRow]) -> dict[str, _TopicStats]:
    stats: dict[str, _TopicStats] = {}
    for row in analytics:
        key = " ".join(row.topic.lower().split())
        s = stats.setdefault(key, _TopicStats(name=key))
        s.sessions += row.sessions
        s.conversions += row.conversions
        s.weighted_position += row.avg_position * row.sessions
        s.positions.append(row.avg_position)
        if row.search_volume is not None:
            s.search_volume = max(s.search_volume or 0, row.search_volume)
    return stats


def _source(chunk_id: str) -> str:
    """``competitors/a.md#3`` -> ``competitors/a.md``; other ids are their own source."""
    return chunk_id.split("#", 1)[0]


def _bigrams(text: str) -> list[tuple[str, str]]:
    """(stemmed bigram, surface bigram) for adjacent content words, never across a stop word."""
    out: list[tuple[str, str]] = []
    tokens = words(text)
    for a, b in itertools.pairwise(tokens):
        if is_content(a) and is_content(b):
            out.append((f"{stem(a)} {stem(b)}", f"{a} {b}"))
    return out


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def find_topic_gaps(
    analytics: Sequence[AnalyticsRow],
    competitor_chunks: Sequence[tuple[str, str]],
    *,
    ignore_words: Collection[str] = (),
    settings: ResearchSettings | None = None,
) -> list[TopicGap]:
    """Rank topic gaps, strongest first (ties by topic name, so output is stable).

    ``competitor_chunks`` are ``(chunk_id, text)`` pairs; ids of the form
    ``source#n`` let several chunks of one post count as one source. ``ignore_words``
    are words or phrases (competitor and own brand names) removed before analysis, so
    they never form a topic.
    """
    cfg = settings or ResearchSettings()
    strip = phrase_stripper(ignore_words)
    competitor_chunks = [(cid, strip(text)) for cid, text in competitor_chunks]
    stats = _topic_stats(analytics)
    total_sessions = sum(s.sessions for s in stats.values())
    site_rate = (
        sum(s.conversions for s in stats.values()) / total_sessions if total_sessions else 0.0
    )

    chunk_stems = [(cid, frozenset(content_stems(text))) for cid, text in competitor_chunks]
    all_sources = {_source(cid) for cid, _ in competitor_chunks}

    def covering(stems: frozenset[str]) -> list[str]:
        return [cid for cid, have in chunk_stems if stems and stems <= have]

    def coverage(chunk_ids: Sequence[str]) -> float:
        return len({_source(c) for c in chunk_ids}) / len(all_sources) if all_sources else 0.0

    gaps: list[TopicGap] = []
    for s in stats.values():
        kinds: list[GapKind] = []
        position = s.avg_position
        if position > cfg.poor_position:
            kinds.append("poor_rank")
        if s.conversions and s.conversion_rate > site_rate:
            kinds.append("converts")
        if not kinds:
            continue
        gap = _clamp((position - cfg.best_position) / (cfg.worst_position - cfg.best_position))
        chunks = covering(frozenset(content_stems(s.name)))
        gaps.append(_gap(s.name, kinds, gap, coverage(chunks), chunks, s))

    ours = [frozenset(content_stems(s.name)) for s in stats.values()]
    ours += [frozenset(content_stems(row.title)) for row in analytics]
    for phrase, stems in _competitor_phrases(competitor_chunks, cfg):
        if any(stems <= mine for mine in ours):
            continue
        chunks = covering(stems)
        gaps.append(_gap(phrase, ["uncovered"], 1.0, coverage(chunks), chunks, None))

    gaps.sort(key=lambda g: (-g.score, g.topic))
    return gaps[: cfg.max_gaps]


def _gap(
    topic: str,
    kinds: list[GapKind],
    gap_size: float,
    competitor_coverage: float,
    chunk_ids: list[str],
    stats: _TopicStats | None,
) -> TopicGap:
    gap_size = round(gap_size, 4)
    competitor_coverage = round(competitor_coverage, 4)
    return TopicGap(
        topic=topic,
        target_keyword=topic,
        kinds=kinds,
        gap_size=gap_size,
        competitor_coverage=competitor_coverage,
        sessions=stats.sessions if stats else 0,
        conversions=stats.conversions if stats else 0,
        conversion_rate=round(stats.conversion_rate, 4) if stats else 0.0,
        avg_position=round(stats.avg_position, 2) if stats else None,
        search_volume=stats.search_volume if stats else None,
        score=round(0.6 * gap_size + 0.4 * competitor_coverage, 4),
        chunk_ids=chunk_ids,
    )


def _competitor_phrases(
    chunks: Sequence[tuple[str, str]], cfg: ResearchSettings
) -> list[tuple[str, frozenset[str]]]:
    """Distinct two-word phrases competitors share, best first, one per theme.

    A phrase made only of generic stems (in more than ``generic_share`` of chunks,
    e.g. "coffee pods") says nothing; a phrase sharing a specific stem with a better
    phrase ("brew ratio" after "cold brew") is the same theme and is skipped.
    """
    if not chunks:
        return []
    per_chunk = [_bigrams(text) for _, text in chunks]
    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc, sublinear_tf=True
    )  # docs are pre-tokenised
    matrix = vectorizer.fit_transform([[b for b, _ in grams] for grams in per_chunk])
    weights = matrix.sum(axis=0).A1
    vocabulary: dict[str, int] = vectorizer.vocabulary_

    sources: dict[str, set[str]] = defaultdict(set)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for (cid, _), grams in zip(chunks, per_chunk, strict=True):
        for stemmed, surface in grams:
            sources[stemmed].add(_source(cid))
            surfaces[stemmed][surface] += 1

    stem_df: Counter[str] = Counter()
    for _, text in chunks:
        stem_df.update(set(content_stems(text)))
    generic = {s for s, n in stem_df.items() if n / len(chunks) > cfg.generic_share}

    ranked = sorted(
        (b for b in vocabulary if len(sources[b]) >= cfg.min_sources),
        key=lambda b: (-float(weights[vocabulary[b]]), b),
    )
    picked: list[tuple[str, frozenset[str]]] = []
    taken: set[str] = set()
    for stemmed in ranked:
        stems = frozenset(stemmed.split())
        specific = stems - generic
        if not specific or specific & taken:
            continue
        taken |= specific
        surface = sorted(surfaces[stemmed].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        picked.append((surface, stems))
        if len(picked) >= cfg.max_gaps:
            break
    return picked
