"""State and input of the launch-team scenario.

The input is one ``request.yaml``: the free-text request, the product, the launch date,
the channels and a corpus folder (``competitors/`` pages and ``brand/`` documents).
Everything is validated before the run starts, including the counts the request asks
for, so "10,000 posts" is one line naming the file and field, not a run that fails
later. The plan itself is data in the state (``plan``), so a run resumed in another
process continues the very plan the paused one was executing.
"""

from __future__ import annotations

import operator
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.errors import InputError
from baton.tools.launch.plan import PlanError, Task, count_problem, parse_counts, validate_plan
from baton.tools.marketing.brand import load_brand_config
from baton.tools.yamlmodel import field_input_error, load_yaml_model

MAX_CRITIC_ROUNDS = 2
MAX_CHECK_ROUNDS = 2
_SHARE = re.compile(r"market share[^0-9]{0,20}(\d+(?:\.\d+)?)\s*%", re.I)
_HEADING = re.compile(r"^#\s+(.+)$", re.M)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Reducer for the parallel task branches: each writes its own task's entry.

    A value of ``None`` removes the key: the fact-checker and the critic invalidate a
    finished task that way, so the dispatcher runs it again.
    """
    out = {**old, **new}
    return {k: v for k, v in out.items() if v is not None}


class LaunchRequest(BaseModel):
    """``request.yaml``: what the team is asked to do, and where its evidence is."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(max_length=4000, description="the free-text request")
    product: str = Field(min_length=1, max_length=80)
    start_date: date
    channels: list[str] = Field(default=["instagram", "linkedin"], min_length=1, max_length=6)
    corpus: str = Field(default="corpus", min_length=1)
    brand: str | None = Field(default=None, description="brand rules (banned words, ...)")
    collection: str = Field(default="launch", pattern=r"^[a-z0-9][a-z0-9_-]{2,60}$")
    plan: list[Task] | None = Field(default=None, description="a person's plan, checked too")
    review_plan: bool = False
    fact_check: bool = Field(default=True, description="false only to measure what it catches")

    @field_validator("request")
    @classmethod
    def _plannable(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the request is empty")
        problem = count_problem(parse_counts(value))
        if problem:
            raise ValueError(f"the request {problem}")
        return value.strip()

    @model_validator(mode="after")
    def _plan_checks(self) -> LaunchRequest:
        if self.plan is not None:
            try:
                validate_plan(self.plan, parse_counts(self.request))
            except PlanError as exc:
                raise ValueError(f"plan: {exc}") from None
        return self


class State(TypedDict, total=False):
    request: dict[str, Any]
    counts: dict[str, Any]
    brand: dict[str, Any]
    competitors: list[dict[str, Any]]
    corpus_dir: str
    chunks: dict[str, dict[str, str]]
    plan: list[dict[str, Any]]
    plan_by: str
    plan_note: str
    done: Annotated[dict[str, Any], merge]
    feedback: dict[str, list[str]]
    runs: Annotated[dict[str, int], merge]
    critic_rounds: int
    critic_history: list[list[str]]
    critic_issues: dict[str, list[str]]
    check_rounds: int
    check_history: list[list[str]]
    claims: list[dict[str, Any]]
    refuted_ids: list[str]
    verdict_cache: dict[str, dict[str, Any]]
    fact_check: bool
    max_critic_rounds: int
    max_check_rounds: int
    plan_review: dict[str, Any]
    review: dict[str, Any]
    accepted_claims: list[str]
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog
    injection_flags: InjectionLog


def _competitors(folder: Path, file: Path) -> list[dict[str, Any]]:
    """Competitor pages ranked by the market share they state (largest first)."""
    found: list[dict[str, Any]] = []
    for page in sorted(folder.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        heading = _HEADING.search(text)
        share = _SHARE.search(text)
        found.append(
            {
                "name": heading.group(1).strip() if heading else page.stem,
                "file": page.name,
                "share": float(share.group(1)) if share else 0.0,
            }
        )
    return sorted(found, key=lambda c: (-c["share"], c["name"]))


def load_input(path: Path) -> dict[str, Any]:
    """Validate ``request.yaml`` and its corpus; errors name the file, line and field."""
    path = Path(path)
    if path.is_dir():
        path = path / "request.yaml"
    if not path.is_file():
        raise InputError(path, "no such file (expected a request.yaml)")
    req = load_yaml_model(path, LaunchRequest, field_input_error)
    counts = parse_counts(req.request)
    corpus = (path.parent / req.corpus).resolve()
    if not (corpus / "competitors").is_dir() or not (corpus / "brand").is_dir():
        raise InputError(path, f"corpus: {req.corpus} needs competitors/ and brand/ folders")
    competitors = _competitors(corpus / "competitors", path)
    if counts.competitors and len(competitors) < counts.competitors:
        raise InputError(
            path,
            f"request: asks for {counts.competitors} competitors; the corpus has pages for"
            f" {len(competitors)}",
        )
    brand = load_brand_config(path.parent / req.brand) if req.brand else load_brand_config()
    return {
        "request": req.model_dump(mode="json"),
        "counts": counts.model_dump(),
        "brand": brand.model_dump(mode="json"),
        "competitors": competitors,
        "corpus_dir": str(corpus),
        "fact_check": req.fact_check,
        "max_critic_rounds": MAX_CRITIC_ROUNDS,
        "max_check_rounds": MAX_CHECK_ROUNDS,
        "critic_rounds": 0,
        "check_rounds": 0,
        "feedback": {},
    }
