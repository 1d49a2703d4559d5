"""The launch plan as data: a catalogue of task types, counts read from the request, the
deterministic planner and the checks every plan (the model's or a person's) must pass.

Why in code: the planner's model proposes a task graph, but only code can tell that it
has no cycle, names only task types Baton can run, honours the counts the request asked
for ("three competitors", "30-day", "five posts") and stays within the caps on tasks
and model calls. A plan that fails is replaced by :func:`deterministic_plan`, which
covers the whole catalogue, and the audit says so. The same functions drive the
dispatcher: :func:`ready` says which tasks can run now, :func:`dependants` which ones a
refuted claim invalidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RESEARCH = "research_competitor"
BRAND = "brand_brief"
ANALYSE = "analyse"
CALENDAR = "plan_calendar"
POST = "write_post"

CATALOGUE: Mapping[str, str] = {
    RESEARCH: "facts about one competitor from its pages in the context store, cited",
    BRAND: "the product's own facts and voice from the brand documents, cited",
    ANALYSE: "a gap analysis of the competitors against the product",
    CALENDAR: "a launch calendar over the requested days, checked for date conflicts",
    POST: "one social media post in the brand voice, from the calendar and the facts",
}
"""Task types Baton can run, and what each delivers (shown to the planner's model)."""

ACCEPTANCE: Mapping[str, str] = {
    RESEARCH: "at least one fact, every fact cites a chunk of this competitor's pages",
    BRAND: "at least one cited product fact",
    ANALYSE: "covers every researched competitor; every claim cites a chunk",
    CALENDAR: "one entry per post, inside the window, no two on one channel and day",
    POST: "title and body, cites a chunk, no banned words, within the length cap",
}

MAX_COMPETITORS = 10
MAX_POSTS = 20
MAX_DAYS = 90
MAX_TASKS = 2 + MAX_COMPETITORS + MAX_POSTS + 1
"""Cap on tasks in one plan (the largest plan the counts' caps allow)."""
MAX_MODEL_CALLS = 180
"""Cap on the model calls a plan may need, re-runs included (see :func:`model_calls`)."""
CALLS_PER_TASK: Mapping[str, int] = {RESEARCH: 2, BRAND: 0, ANALYSE: 2, CALENDAR: 2, POST: 2}
"""Worst case per task: one call and one repair (brand facts are code only)."""
RERUN_FACTOR = 2
"""Each task may run again once after the critic or the fact-checker sends it back."""


class Counts(BaseModel):
    """What the request asks for; ``None``: that deliverable was not requested."""

    model_config = ConfigDict(frozen=True)

    competitors: int | None = None
    days: int | None = None
    posts: int | None = None
    analysis: bool = False


class Task(BaseModel):
    """One node of the plan: what to do, with which parameters, after which tasks."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40)
    type: str = Field(min_length=1, max_length=40)
    index: int = Field(default=0, ge=0, le=1000, description="which competitor or post (1-based)")
    days: int = Field(default=0, ge=0, le=100000, description="calendar length (plan_calendar)")
    deps: list[str] = Field(default_factory=list, max_length=MAX_TASKS)
    acceptance: str = Field(default="", max_length=300)


class PlanError(ValueError):
    """A plan that may not run, with the first reason in one line."""


# Reading the counts ---------------------------------------------------------------------
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
    "a": 1, "an": 1, "single": 1, "couple": 2, "dozen": 12, "fortnight": 14,
}  # fmt: skip
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_STOP = (
    r"(?:posts?|tweets?|updates?|competitors?|rivals?|brands?|days?|weeks?|months?|calendar"
    r"|schedule|and|for|about|with|of|on|in|over)"
)
_GAP = rf"(?:[\s-]+(?!\d)(?!{_STOP}\b)[\w'’-]+){{0,4}}?[\s-]+"
"""Up to four words between a number and its noun, none of them another count's noun."""
_NOUNS = {
    "competitors": r"(?:competitors?|rivals?|competing brands?|brands? we compete with)",
    "posts": r"(?:(?:social(?:[\s-]media)?\s+)?posts?|tweets?|updates?)",
    "days": r"(?:days?|weeks?|months?)",
}
_PATTERNS = {k: re.compile(rf"\b{_NUM}{_GAP}{v}\b", re.I) for k, v in _NOUNS.items()}
_ADJACENT = {k: re.compile(rf"\b{_NUM}[\s-]*{v}\b", re.I) for k, v in _NOUNS.items()}
_MENTIONS = {
    "competitors": re.compile(r"\b(?:competitors?|rivals?|competition|competing)\b", re.I),
    "posts": re.compile(r"\b(?:posts?|tweets?|social media)\b", re.I),
    "days": re.compile(r"\b(?:calendar|schedule|timeline)\b", re.I),
    "analysis": re.compile(r"\b(?:analy[sz]\w*|compar\w*|gap|benchmark\w*)\b", re.I),
}
DEFAULTS = {"competitors": 3, "days": 30, "posts": 5}


def _number(token: str) -> int:
    token = token.lower().replace(",", "")
    return int(token) if token.isdigit() else _UNITS[token]


def _count(kind: str, text: str) -> int | None:
    for pattern in (_ADJACENT[kind], _PATTERNS[kind]):
        match = pattern.search(text)
        if match:
            value = _number(match.group(1))
            unit = match.group(0).lower()
            if kind == "days" and "week" in unit:
                value *= 7
            elif kind == "days" and "month" in unit:
                value *= 30
            return value
    return None


def parse_counts(request: str) -> Counts:
    """The deliverables and counts a free-text request asks for (defaults when unnumbered).

    A count is a number (digits or words) within a few words before its noun: "top three
    competitors", "a 30-day launch calendar", "the first five social media posts".
    """
    found: dict[str, Any] = {}
    for kind in ("competitors", "posts", "days"):
        number = _count(kind, request)
        if number is not None and (kind != "days" or _MENTIONS["days"].search(request)):
            found[kind] = number
        elif _MENTIONS[kind].search(request):
            found[kind] = DEFAULTS[kind]
    found["analysis"] = bool(_MENTIONS["analysis"].search(request))
    if found["analysis"] and "competitors" not in found:
        found["competitors"] = DEFAULTS["competitors"]
    return Counts(**found)


def count_problem(counts: Counts) -> str | None:
    """Why the request's counts cannot be planned (``None``: they can)."""
    if counts.competitors is None and counts.posts is None and counts.days is None:
        return "asks for nothing Baton can plan (competitor research, analysis, calendar, posts)"
    limits = (("competitors", MAX_COMPETITORS), ("days", MAX_DAYS), ("posts", MAX_POSTS))
    for name, cap in limits:
        value = getattr(counts, name)
        if value is not None and not 1 <= value <= cap:
            return f"asks for {value} {name}; Baton plans 1 to {cap}"
    return None


# Planning ---------------------------------------------------------------------------------
def deterministic_plan(counts: Counts) -> list[Task]:
    """The catalogue's plan for ``counts``: what a model's plan is checked against."""
    tasks: list[Task] = []
    research = [f"research-{i}" for i in range(1, (counts.competitors or 0) + 1)]
    for i, rid in enumerate(research, 1):
        tasks.append(Task(id=rid, type=RESEARCH, index=i))
    needs_brand = counts.analysis or counts.posts is not None
    if needs_brand:
        tasks.append(Task(id="brand", type=BRAND))
    upstream = research
    if counts.analysis:
        tasks.append(Task(id="analysis", type=ANALYSE, deps=[*research, "brand"]))
        upstream = ["analysis"]
    if counts.days is not None:
        tasks.append(Task(id="calendar", type=CALENDAR, days=counts.days, deps=list(upstream)))
        upstream = ["calendar"]
    for i in range(1, (counts.posts or 0) + 1):
        tasks.append(Task(id=f"post-{i}", type=POST, index=i, deps=[*upstream, "brand"]))
    return [t.model_copy(update={"acceptance": ACCEPTANCE[t.type]}) for t in tasks]


def model_calls(tasks: Sequence[Task]) -> int:
    """Worst-case model calls of a plan, with one re-run of every task."""
    return sum(CALLS_PER_TASK.get(t.type, 0) for t in tasks) * RERUN_FACTOR + len(tasks)


def order(tasks: Sequence[Task]) -> list[str]:
    """Task ids in a dependency order; :class:`PlanError` names a cycle."""
    try:
        return list(TopologicalSorter({t.id: t.deps for t in tasks}).static_order())
    except CycleError as exc:
        cycle = " -> ".join(str(n) for n in exc.args[1])
        raise PlanError(f"the plan has a cycle: {cycle}") from None


def validate_plan(tasks: Sequence[Task], counts: Counts) -> None:
    """Raise :class:`PlanError` with the first reason a plan may not run."""
    if not tasks:
        raise PlanError("the plan has no tasks")
    if len(tasks) > MAX_TASKS:
        raise PlanError(f"the plan has {len(tasks)} tasks; the cap is {MAX_TASKS}")
    ids = [t.id for t in tasks]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise PlanError(f"task id '{dup}' appears more than once")
    by_id = {t.id: t for t in tasks}
    for t in tasks:
        if t.type not in CATALOGUE:
            raise PlanError(
                f"task '{t.id}': unknown task type '{t.type}' (known: {', '.join(CATALOGUE)})"
            )
        for d in t.deps:
            if d not in by_id:
                raise PlanError(f"task '{t.id}' depends on unknown task '{d}'")
    order(tasks)
    _check_counts(tasks, counts)
    _check_inputs(tasks)
    calls = model_calls(tasks)
    if calls > MAX_MODEL_CALLS:
        raise PlanError(f"the plan may need {calls} model calls; the cap is {MAX_MODEL_CALLS}")


def _check_counts(tasks: Sequence[Task], counts: Counts) -> None:
    of = {kind: [t for t in tasks if t.type == kind] for kind in CATALOGUE}
    for kind, want, noun in (
        (RESEARCH, counts.competitors, "competitors"),
        (POST, counts.posts, "posts"),
    ):
        got = len(of[kind])
        if got != (want or 0):
            raise PlanError(f"the request asks for {want or 0} {noun}; the plan has {got}")
        if sorted(t.index for t in of[kind]) != list(range(1, got + 1)):
            raise PlanError(f"{noun} must be numbered 1 to {got}")
    calendars = of[CALENDAR]
    if len(calendars) != (1 if counts.days else 0):
        raise PlanError(f"the plan has {len(calendars)} calendars; the request asks for one")
    if calendars and calendars[0].days != counts.days:
        raise PlanError(
            f"the request asks for {counts.days} days; the calendar has {calendars[0].days}"
        )
    if len(of[ANALYSE]) != (1 if counts.analysis else 0):
        raise PlanError(
            f"the plan has {len(of[ANALYSE])} analyses; expected {int(counts.analysis)}"
        )
    if len(of[BRAND]) > 1:
        raise PlanError("the plan has more than one brand brief")
    if (counts.posts or counts.analysis) and not of[BRAND]:
        raise PlanError("posts and analysis need the brand brief task")


_NEEDS: Mapping[str, tuple[str, ...]] = {
    ANALYSE: (RESEARCH, BRAND),
    CALENDAR: (ANALYSE,),
    POST: (CALENDAR, BRAND),
}
"""What each task must build on (transitively) when the plan has it."""


def upstream(tasks: Sequence[Task], task_id: str) -> set[str]:
    """Every task ``task_id`` depends on, directly or not."""
    by_id = {t.id: t for t in tasks}
    seen: set[str] = set()
    stack = list(by_id[task_id].deps)
    while stack:
        tid = stack.pop()
        if tid not in seen:
            seen.add(tid)
            stack.extend(by_id[tid].deps)
    return seen


def _check_inputs(tasks: Sequence[Task]) -> None:
    for t in tasks:
        above = upstream(tasks, t.id)
        for need in _NEEDS.get(t.type, ()):
            missing = [o.id for o in tasks if o.type == need and o.id not in above]
            if missing:
                raise PlanError(f"task '{t.id}' ({t.type}) must build on '{missing[0]}'")


# Dispatching --------------------------------------------------------------------------------
def ready(tasks: Sequence[Task], done: Iterable[str]) -> list[Task]:
    """Tasks not done whose dependencies all are: the next parallel wave."""
    finished = set(done)
    return [t for t in tasks if t.id not in finished and all(d in finished for d in t.deps)]


def dependants(tasks: Sequence[Task], ids: Iterable[str]) -> set[str]:
    """``ids`` and every task that builds on them, directly or not."""
    hit = set(ids)
    changed = True
    while changed:
        changed = False
        for t in tasks:
            if t.id not in hit and hit.intersection(t.deps):
                hit.add(t.id)
                changed = True
    return hit


def critical_path(tasks: Sequence[Task], cost: Mapping[str, float]) -> float:
    """Length of the longest dependency chain, by ``cost`` per task id."""
    finish: dict[str, float] = {}
    by_id = {t.id: t for t in tasks}
    for tid in order(tasks):
        finish[tid] = cost.get(tid, 0.0) + max((finish[d] for d in by_id[tid].deps), default=0.0)
    return max(finish.values(), default=0.0)


def edges(tasks: Sequence[Task]) -> set[tuple[str, str]]:
    """The plan's dependency edges (dependency, dependant)."""
    return {(d, t.id) for t in tasks for d in t.deps}
