"""The state of the content-calendar scenario, and the input of one drafting branch.

Why here, beside the agents: the agents are typed on it and the graph routes on it, so it
lives in the lower layer both import (graphs import agents, never the reverse). It holds
only JSON data (records dumped with dates as ISO strings), so it checkpoints cleanly and a
resumed run in another process sees exactly what the paused one saw; typed views of it
are in ``agents/marketing/common.py``.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog


def merge_drafts(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Reducer for the parallel drafting branches: each writes its own post's outline."""
    return {**old, **new}


class State(TypedDict, total=False):
    request: dict[str, Any]
    input_dir: str
    competitors_dir: str
    brand_dir: str | None
    options: dict[str, Any]
    roadmap: dict[str, Any]
    analytics: list[dict[str, Any]]
    brand: dict[str, Any]
    max_revisions: int
    model_drafts: int
    model_attempts: int
    competitor_chunks: list[dict[str, Any]]
    facts: str
    brand_chunk_ids: list[str]
    gaps: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    rationale: str
    dropped_topics: list[str]
    model_posts: list[str]
    drafts: Annotated[dict[str, dict[str, Any]], merge_drafts]
    reviews: dict[str, dict[str, Any]]
    calendar: dict[str, Any]
    unplaced: list[dict[str, Any]]
    review: dict[str, Any]
    edit_errors: list[dict[str, Any]]
    outputs: Annotated[list[str], operator.add]
    artefacts: dict[str, str]
    audit: AuditLog
    injection_flags: InjectionLog


class DraftTask(TypedDict, total=False):
    """What one drafting branch receives (``Send``): everything it needs, nothing it could
    change (built by ``agents/marketing/drafter.py:draft_task``)."""

    post: dict[str, Any]
    attempt: int
    feedback: list[str]
    model_post: bool
    use_model: bool
    facts: list[str]
    launches: dict[str, str]
    previous_title: str | None
    brand: dict[str, Any]
    audit: AuditLog
