"""Builders for tests and demos of the marketing tools.

Shipped next to the tools (not under ``tests/``) so the lead's graph tests and the
unit tests build posts, options and outlines the same way instead of each keeping a
slightly different copy.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from baton.tools.marketing.models import Outline, PostPlan, RunOptions

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "marketing"


def make_post(
    post_id: str,
    channel: str = "blog",
    *,
    score: float = 0.5,
    before: date | None = None,
    launch: str | None = None,
    topic: str | None = None,
    keyword: str | None = None,
) -> PostPlan:
    """A post with a neutral score breakdown; ``before`` makes it a launch post."""
    return PostPlan(
        id=post_id,
        topic=topic or post_id.replace("-", " "),
        target_keyword=keyword or topic or post_id.replace("-", " "),
        channel=channel,
        launch=launch or ("Launch" if before else None),
        must_publish_before=before,
        score=score,
        score_breakdown={"gap": score},
    )


def make_options(**overrides: object) -> RunOptions:
    """Run options for November 2026, three channels, Mon-Fri, spacing 1 day."""
    data: dict[str, object] = {
        "month": "2026-11",
        "channels": ["blog", "newsletter", "linkedin"],
        "posts_per_week": {"blog": 2, "newsletter": 1, "linkedin": 2},
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    }
    data.update(overrides)
    return RunOptions.model_validate(data)


def good_outline(**overrides: object) -> Outline:
    """An outline for the Cold Brew launch that passes every rule of ``configs/brand.yaml``."""
    data: dict[str, object] = {
        "title": "Cold brew pods: smooth coffee at home",
        "slug": "cold-brew-pods-at-home",
        "meta_description": "Make smooth cold brew at home in under two minutes. "
        "Send your used pods back free with PodBack.",
        "h2s": ["What cold brew pods are", "How to make it", "Where used pods go"],
        "key_points": [
            "Each pod makes a 110 ml cold brew concentrate.",
            "Pour it over ice or top it up with milk.",
            "The pods are industrially compostable to EN 13432.",
        ],
        "call_to_action": "Try Fernleaf Cold Brew Pods today.",
        "target_keyword": "cold brew pods",
    }
    data.update(overrides)
    return Outline.model_validate(data)
