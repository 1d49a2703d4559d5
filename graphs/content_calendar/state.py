"""Input of the content-calendar scenario (its state: ``agents/marketing/state.py``).

The state holds only JSON data (records dumped with dates as ISO strings), so it
checkpoints cleanly and a resumed run in another process sees exactly what the paused
one saw, including the brand rules in force when the run started.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from baton.agents.marketing.common import breaks_brand
from baton.agents.marketing.drafter import MODEL_ATTEMPTS
from baton.agents.marketing.reviewer import MAX_REVISIONS
from baton.agents.marketing.strategy import MODEL_DRAFTS
from baton.errors import InputError
from baton.tools.marketing.brand import load_brand_config
from baton.tools.marketing.inputs import (
    load_analytics,
    load_brand_documents,
    load_competitor_chunks,
    load_roadmap,
    load_run_options,
)
from baton.tools.marketing.models import PlanningError
from baton.tools.marketing.research import find_topic_gaps
from baton.tools.marketing.review import build_facts_text
from baton.tools.marketing.strategy import plan_posts


class CalendarRequest(BaseModel):
    """The request that starts a content calendar: the input folder (on the server's disk)."""

    model_config = ConfigDict(extra="forbid")

    input_dir: str = Field(
        min_length=1, description="folder with analytics.csv, competitors/, roadmap.yaml, run.yaml"
    )


class CalendarInput(TypedDict):
    """Agent Server input schema (validated as :class:`CalendarRequest` by the first node)."""

    input_dir: str


def expand(request: CalendarRequest) -> dict[str, Any]:
    return load_input(Path(request.input_dir))


def load_input(path: Path) -> dict[str, Any]:
    """Validate the whole input folder before anything runs; errors name file, line, column.

    Besides parsing every file, this plans the month once from the files themselves, so
    run options that leave a launch without enough supporting posts fail here, before
    any document is ingested or any output written.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such folder")
    if not path.is_dir():
        raise InputError(
            path, "expected a folder with analytics.csv, competitors/, roadmap.yaml and run.yaml"
        )
    run_file = path / "run.yaml"
    options = load_run_options(run_file)
    roadmap = load_roadmap(path / "roadmap.yaml", options.month)
    analytics = load_analytics(path / "analytics.csv")
    chunks = load_competitor_chunks(path / "competitors")
    brand_dir = path / "brand"
    documents = load_brand_documents(brand_dir) if brand_dir.exists() else []
    brand_file = path / "brand.yaml"  # this company's rules; else the configured default
    brand = load_brand_config(brand_file) if brand_file.is_file() else load_brand_config()
    facts = build_facts_text(roadmap, [text for _, text in documents])
    candidates = [
        g
        for g in find_topic_gaps(analytics, chunks, ignore_words=brand.research_ignore_words)
        if not breaks_brand(g.topic, brand, facts)
    ]
    try:
        plan_posts(candidates, roadmap, options)
    except PlanningError as exc:
        raise InputError(run_file, str(exc)) from None
    return {
        "input_dir": str(path.resolve()),
        "competitors_dir": str((path / "competitors").resolve()),
        "brand_dir": str(brand_dir.resolve()) if documents else None,
        "options": options.model_dump(mode="json"),
        "roadmap": roadmap.model_dump(mode="json"),
        "analytics": [row.model_dump(mode="json") for row in analytics],
        "brand": brand.model_dump(mode="json"),
        "max_revisions": MAX_REVISIONS,
        "model_drafts": MODEL_DRAFTS,
        "model_attempts": MODEL_ATTEMPTS,
    }
