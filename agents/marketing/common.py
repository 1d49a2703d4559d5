"""Typed views of the content-calendar state, shared by its agents.

Why: the graph state holds plain JSON (so it checkpoints and resumes in any process),
while the deterministic tools in ``tools.marketing`` take frozen pydantic records.
Converting in one place keeps every agent reading the state the same way, and makes
a record that no longer validates fail loudly instead of being half-used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from baton.tools.marketing.brand import BrandConfig
from baton.tools.marketing.models import (
    AnalyticsRow,
    Calendar,
    Outline,
    PostPlan,
    ReviewFailure,
    Roadmap,
    RunOptions,
    TopicGap,
    UnplacedPost,
)
from baton.tools.marketing.review import find_unsupported_claims, review_title

COMPETITORS = "competitors"
"""Collection that receives the run's competitor posts (ingested idempotently)."""
BRAND = "brand"
"""Collection of brand guideline documents: the allowed facts for claims."""


def one_of(values: Sequence[str]) -> Any:
    """A ``Literal`` of runtime values, for schemas the embedded model fills under a grammar.

    llama.cpp turns the enum into a grammar, so the model cannot even spell a value it was
    not offered; callers still re-check every value in code.
    """
    return Literal.__getitem__(tuple(values))


def list_of(item: Any) -> Any:
    """``list[item]`` for an item type built at run time (see :func:`one_of`)."""
    return list[item]


def dump(model: BaseModel) -> dict[str, Any]:
    """A record as JSON-able data for the state (dates as ISO strings)."""
    return model.model_dump(mode="json")


def run_options(state: Mapping[str, Any]) -> RunOptions:
    return RunOptions.model_validate(state["options"])


def roadmap(state: Mapping[str, Any]) -> Roadmap:
    return Roadmap.model_validate(state["roadmap"])


def brand(state: Mapping[str, Any]) -> BrandConfig:
    return BrandConfig.model_validate(state["brand"])


def posts(state: Mapping[str, Any]) -> list[PostPlan]:
    return [PostPlan.model_validate(p) for p in state.get("posts", [])]


def analytics_rows(state: Mapping[str, Any]) -> list[AnalyticsRow]:
    return [AnalyticsRow.model_validate(r) for r in state["analytics"]]


def gaps(state: Mapping[str, Any]) -> list[TopicGap]:
    return [TopicGap.model_validate(g) for g in state.get("gaps", [])]


def calendar(state: Mapping[str, Any]) -> Calendar:
    return Calendar.model_validate(state["calendar"])


def unplaced(state: Mapping[str, Any]) -> list[UnplacedPost]:
    return [UnplacedPost.model_validate(u) for u in state.get("unplaced", [])]


def outline(draft: Mapping[str, Any]) -> Outline:
    """The outline inside one ``drafts[post_id]`` entry."""
    return Outline.model_validate(draft["outline"])


def failures(state: Mapping[str, Any]) -> dict[str, list[ReviewFailure]]:
    """Open rule failures per post id, as the critic left them."""
    return {
        pid: [ReviewFailure.model_validate(f) for f in review.get("failures", [])]
        for pid, review in (state.get("reviews") or {}).items()
    }


def breaks_brand(text: str, cfg: BrandConfig, facts: str) -> bool:
    """Text that uses a banned or discouraged word, or claims what ``facts`` do not state.

    A gap topic like this can never yield a compliant outline, so it is not planned; a
    model's rationale or finding like this is replaced by the deterministic one.
    """
    word_rules = [
        f for f in review_title(text, text, cfg) if f.rule in ("banned_word", "preferred_word")
    ]
    return bool(word_rules or find_unsupported_claims(text, facts, cfg))
