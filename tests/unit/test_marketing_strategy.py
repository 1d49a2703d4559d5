"""Research finds the gaps the example data was built to contain; strategy plans around launches."""

from __future__ import annotations

from datetime import date

import pytest

from baton.tools.marketing.brand import load_brand_config
from baton.tools.marketing.inputs import (
    load_analytics,
    load_competitor_chunks,
    load_roadmap,
    load_run_options,
)
from baton.tools.marketing.models import (
    AnalyticsRow,
    PlanningError,
    Roadmap,
    RoadmapEvent,
    RunOptions,
    TopicGap,
)
from baton.tools.marketing.research import ResearchSettings, find_topic_gaps
from baton.tools.marketing.schedule import schedule_posts, validate_schedule
from baton.tools.marketing.strategy import StrategyWeights, launch_relevance, plan_posts
from baton.tools.marketing.testing import EXAMPLE_DIR, make_options


@pytest.fixture(scope="module")
def chunks() -> list[tuple[str, str]]:
    return load_competitor_chunks(EXAMPLE_DIR / "competitors")


@pytest.fixture(scope="module")
def gaps(chunks: list[tuple[str, str]]) -> list[TopicGap]:
    analytics = load_analytics(EXAMPLE_DIR / "analytics.csv")
    return find_topic_gaps(
        analytics, chunks, ignore_words=load_brand_config().research_ignore_words
    )


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return load_roadmap(EXAMPLE_DIR / "roadmap.yaml", "2026-11")


@pytest.fixture(scope="module")
def options() -> RunOptions:
    return load_run_options(EXAMPLE_DIR / "run.yaml")


def _by_topic(gaps: list[TopicGap]) -> dict[str, TopicGap]:
    return {g.topic: g for g in gaps}


def test_example_gaps(gaps: list[TopicGap], chunks: list[tuple[str, str]]) -> None:
    found = _by_topic(gaps)
    ids = {cid for cid, _ in chunks}
    for topic in ("cold brew", "home composting", "carbon footprint", "kerbside collection"):
        gap = found[topic]
        assert gap.kinds == ["uncovered"]
        assert gap.gap_size == 1.0
        assert len({c.split("#")[0] for c in gap.chunk_ids}) >= 2
        assert set(gap.chunk_ids) <= ids
    assert "poor_rank" in found["office coffee"].kinds
    assert found["office coffee"].avg_position is not None
    assert found["office coffee"].avg_position > 20
    assert found["coffee subscription"].kinds == ["converts"]
    # topics we rank well on and convert poorly on are not gaps
    assert "machine compatibility" not in found
    assert "compostable coffee pods" not in found
    # brand names are ignored as phrases
    assert not any(w in g.topic for g in gaps for w in ("orla", "kilnworth", "brightcup"))
    assert [g.score for g in gaps] == sorted((g.score for g in gaps), reverse=True)


def test_research_is_deterministic_and_uses_our_titles(chunks: list[tuple[str, str]]) -> None:
    row = AnalyticsRow(
        url="u",
        title="Cold brew at home",
        topic="recipes",
        published=date(2025, 1, 1),
        sessions=10,
        conversions=0,
        avg_position=2.0,
    )
    first = find_topic_gaps([row], chunks, settings=ResearchSettings(max_gaps=50))
    assert first == find_topic_gaps([row], chunks, settings=ResearchSettings(max_gaps=50))
    assert "cold brew" not in _by_topic(first)  # covered by one of our titles
    assert "home composting" in _by_topic(first)


def test_gap_score_formula(gaps: list[TopicGap]) -> None:
    for g in gaps:
        assert g.score == pytest.approx(0.6 * g.gap_size + 0.4 * g.competitor_coverage, abs=1e-3)


def test_launch_relevance() -> None:
    launch = RoadmapEvent(
        name="Fernleaf Cold Brew Pods",
        date=date(2026, 11, 12),
        audience="people who buy iced coffee",
        key_messages=["Smooth at home"],
    )
    assert launch_relevance("cold brew", launch) == 1.0
    assert launch_relevance("iced coffee", launch) == 0.5
    assert launch_relevance("office coffee", launch) == 0.25
    assert launch_relevance("tax returns", launch) == 0.0


def test_plan_supports_every_launch_before_its_date(
    gaps: list[TopicGap], roadmap: Roadmap, options: RunOptions
) -> None:
    posts = plan_posts(gaps, roadmap, options)
    assert len({p.id for p in posts}) == len(posts)
    for launch in roadmap.launches:
        support = [p for p in posts if p.must_publish_before == launch.date]
        assert len(support) == options.launch_support_posts
        assert all(p.launch == launch.name for p in support)
        assert len({p.channel for p in support}) == len(support)  # spread over channels
    for channel in options.channels:
        assert sum(p.channel == channel for p in posts) <= options.posts_in_month(channel)
    for p in posts:
        assert p.score == pytest.approx(sum(p.score_breakdown.values()), abs=1e-3)
        assert set(p.score_breakdown) == {"gap", "search_volume", "conversions", "launch"}
    cold = next(p for p in posts if p.topic == "cold brew")
    assert cold.launch == "Fernleaf Cold Brew Pods"
    assert cold.chunk_ids

    calendar = schedule_posts(posts, options)
    assert validate_schedule(calendar, options, launches=roadmap.launches) == []


def test_weights_change_the_ranking(gaps: list[TopicGap]) -> None:
    options = make_options(channels=["blog"], posts_per_week=1)
    empty = Roadmap(events=[])
    by_conversion = plan_posts(gaps, empty, options, weights=StrategyWeights(gap=0, conversions=1))
    assert by_conversion[0].topic == "coffee subscription"
    by_gap = plan_posts(gaps, empty, options, weights=StrategyWeights(gap=1, conversions=0))
    assert _by_topic(gaps)[by_gap[0].topic].gap_size == 1.0
    assert by_gap[0].topic != by_conversion[0].topic
    assert len(by_gap) == options.posts_in_month("blog") == 4


def test_too_few_slots_for_launches_is_a_planning_error(
    gaps: list[TopicGap], roadmap: Roadmap
) -> None:
    options = make_options(channels=["blog"], posts_per_week=0)
    with pytest.raises(PlanningError, match="Fernleaf Cold Brew Pods"):
        plan_posts(gaps, roadmap, options)
