"""Content strategy: turn topic gaps and the roadmap into a ranked list of posts.

The score of a candidate post is a documented weighted sum, computed here so it can be
explained line by line in the summary::

    score = w_gap    * gap_size                          (how far we are from owning it)
          + w_volume * log(1 + volume) / log(1 + max)    (0.5 when the volume is unknown)
          + w_conv   * conversion_rate / max_rate        (our own conversion history)
          + w_launch * relevance to the closest launch/event (share of the topic's
                       content stems found in its name/keyword; half credit for stems
                       found only in its key messages)

Every launch in the month gets ``options.launch_support_posts`` posts that must go out
before the launch date: first an announcement on the first channel, then the most
related gaps on the next channels. The remaining cadence of each channel is filled
with the best-scoring gaps, preferring topics not yet used on any channel.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from slugify import slugify

from baton.tools.marketing._text import stem_set
from baton.tools.marketing.models import (
    PlanningError,
    PostPlan,
    Roadmap,
    RoadmapEvent,
    RunOptions,
    TopicGap,
)

NEUTRAL_VOLUME = 0.5


class StrategyWeights(BaseModel):
    """Weights of the post score (they need not sum to 1; they usually do)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gap: float = Field(default=0.35, ge=0)
    search_volume: float = Field(default=0.20, ge=0)
    conversions: float = Field(default=0.25, ge=0)
    launch: float = Field(default=0.20, ge=0)
    related_threshold: float = Field(default=0.5, gt=0, le=1)


def launch_relevance(topic: str, event: RoadmapEvent) -> float:
    """Share of ``topic``'s content stems that the event talks about, in [0, 1].

    Name and keyword count fully, key messages and audience half: a launch's headline
    says what it is about, its messages mention many things in passing.
    """
    stems = stem_set(topic)
    if not stems:
        return 0.0
    headline = stem_set(f"{event.name} {event.keyword or ''}")
    body = stem_set(" ".join([*event.key_messages, event.audience]))
    credit = sum(1.0 if s in headline else 0.5 if s in body else 0.0 for s in stems)
    return round(credit / len(stems), 4)


def _closest_event(topic: str, roadmap: Roadmap) -> tuple[RoadmapEvent | None, float]:
    best: tuple[RoadmapEvent | None, float] = (None, 0.0)
    for event in sorted(roadmap.events, key=lambda e: (e.date, e.name)):
        relevance = launch_relevance(topic, event)
        if relevance > best[1]:
            best = (event, relevance)
    return best


def score_breakdown(
    gap: TopicGap, gaps: Sequence[TopicGap], roadmap: Roadmap, weights: StrategyWeights
) -> dict[str, float]:
    """Weighted score components of writing about ``gap`` (normalised against ``gaps``)."""
    volumes = [g.search_volume for g in gaps if g.search_volume is not None]
    max_volume = max(volumes, default=0)
    if gap.search_volume is None or max_volume == 0:
        volume = NEUTRAL_VOLUME
    else:
        volume = math.log1p(gap.search_volume) / math.log1p(max_volume)
    max_rate = max((g.conversion_rate for g in gaps), default=0.0)
    conversions = gap.conversion_rate / max_rate if max_rate else 0.0
    _, relevance = _closest_event(gap.topic, roadmap)
    return {
        "gap": round(weights.gap * gap.gap_size, 4),
        "search_volume": round(weights.search_volume * volume, 4),
        "conversions": round(weights.conversions * conversions, 4),
        "launch": round(weights.launch * relevance, 4),
    }


class _Planner:
    """Mutable bookkeeping of one planning pass (quotas, used topics, unique ids)."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.quota = {c: options.posts_in_month(c) for c in options.channels}
        self.used: set[tuple[str, str]] = set()
        self.uses: Counter[str] = Counter()
        self.ids: set[str] = set()
        self.posts: list[PostPlan] = []

    def free(self, topic: str, channel: str) -> bool:
        return self.quota[channel] > 0 and (topic.lower(), channel) not in self.used

    def add(
        self,
        topic: str,
        keyword: str,
        breakdown: dict[str, float],
        chunk_ids: list[str],
        *,
        channel: str,
        link: RoadmapEvent | None,
        deadline: date | None = None,
    ) -> None:
        base = f"{channel}-{slugify(topic, max_length=48, word_boundary=True)}"
        post_id, n = base, 2
        while post_id in self.ids:
            post_id, n = f"{base}-{n}", n + 1
        self.ids.add(post_id)
        self.quota[channel] -= 1
        self.used.add((topic.lower(), channel))
        self.uses[topic.lower()] += 1
        self.posts.append(
            PostPlan(
                id=post_id,
                topic=topic,
                target_keyword=keyword,
                channel=channel,
                launch=link.name if link is not None else None,
                must_publish_before=deadline,
                score=round(sum(breakdown.values()), 4),
                score_breakdown=breakdown,
                chunk_ids=chunk_ids,
            )
        )


def plan_posts(
    gaps: Sequence[TopicGap],
    roadmap: Roadmap,
    options: RunOptions,
    *,
    weights: StrategyWeights | None = None,
) -> list[PostPlan]:
    """Choose the month's posts: launch support first, then the best gaps per channel.

    Raises :class:`PlanningError` when the cadence leaves fewer slots than the launches
    need. A channel may end up with fewer posts than its cadence when there are not
    enough distinct gaps; the scheduler then simply has fewer posts to place.
    """
    w = weights or StrategyWeights()
    planner = _Planner(options)
    scored = [(g, score_breakdown(g, gaps, roadmap, w)) for g in gaps]

    for launch in roadmap.launches:
        related = sorted(
            ((g, b) for g, b in scored if launch_relevance(g.topic, launch) >= w.related_threshold),
            key=lambda gb: (
                -launch_relevance(gb[0].topic, launch),
                -sum(gb[1].values()),
                gb[0].topic,
            ),
        )
        announcement = {
            "gap": 0.0,
            "search_volume": round(w.search_volume * NEUTRAL_VOLUME, 4),
            "conversions": 0.0,
            "launch": round(w.launch, 4),
        }
        topics: list[tuple[str, str, dict[str, float], list[str]]] = [
            (launch.name, launch.keyword or launch.name.lower(), announcement, [])
        ]
        topics += [(g.topic, g.target_keyword, b, list(g.chunk_ids)) for g, b in related]
        for i in range(options.launch_support_posts):
            placed = False
            for step in range(len(options.channels)):
                channel = options.channels[(i + step) % len(options.channels)]
                rotated = topics[i % len(topics) :] + topics[: i % len(topics)]
                choice = next((t for t in rotated if planner.free(t[0], channel)), None)
                if choice is not None:
                    planner.add(*choice, channel=channel, link=launch, deadline=launch.date)
                    placed = True
                    break
            if not placed:
                raise PlanningError(
                    f"launch {launch.name!r} ({launch.date.isoformat()}) needs "
                    f"{options.launch_support_posts} supporting posts but only {i} fit the "
                    f"cadence of {', '.join(options.channels)}: raise posts_per_week "
                    "or lower launch_support_posts"
                )

    for channel in options.channels:
        while planner.quota[channel] > 0:
            options_left = [(g, b) for g, b in scored if planner.free(g.topic, channel)]
            if not options_left:
                break
            g, b = min(
                options_left,
                key=lambda gb: (
                    planner.uses[gb[0].topic.lower()],
                    -sum(gb[1].values()),
                    gb[0].topic,
                ),
            )
            event, relevance = _closest_event(g.topic, roadmap)
            link = event if relevance >= w.related_threshold else None
            planner.add(g.topic, g.target_keyword, b, list(g.chunk_ids), channel=channel, link=link)
    return planner.posts
