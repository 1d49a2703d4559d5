"""Human edits to a proposed calendar: move a post, change a title, drop a post.

The reviewer writes a small JSON file; the edits are applied all-or-nothing and the
result is checked with the very rules the scheduler and the title review use. A
change that breaks a rule is reported back with the rule and the post, and the
calendar stays as it was: a person can overrule the model, not the launch deadlines.

Example ``edits.json``::

    {"edits": [
      {"action": "move", "post_id": "blog-cold-brew", "date": "2026-11-10"},
      {"action": "retitle", "post_id": "linkedin-home-composting", "title": "..."},
      {"action": "drop", "post_id": "newsletter-decaf-coffee"}
    ]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baton.bounded import LimitError, load_json
from baton.errors import InputError
from baton.review import known_id
from baton.tools.marketing.brand import BrandConfig
from baton.tools.marketing.models import (
    Calendar,
    CalendarEntry,
    RoadmapEvent,
    RunOptions,
    Violation,
)
from baton.tools.marketing.review import review_title
from baton.tools.marketing.schedule import sort_calendar, validate_schedule
from baton.tools.yamlmodel import (
    PLAIN_MESSAGES,
    YamlDoc,
    field_input_error,
    read_text,
    validate_doc,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _PostEdit(_Frozen):
    post_id: str

    @field_validator("post_id")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        """Checked against the packet's posts when validated with it (``baton resume``)."""
        return known_id(value, info, "post_ids", "post")


class MoveEdit(_PostEdit):
    """Publish ``post_id`` on ``date`` instead."""

    action: Literal["move"]
    date: date


class RetitleEdit(_PostEdit):
    """Replace the outline title of ``post_id``."""

    action: Literal["retitle"]
    title: str


class DropEdit(_PostEdit):
    """Remove ``post_id`` from the calendar."""

    action: Literal["drop"]


Edit = Annotated[MoveEdit | RetitleEdit | DropEdit, Field(discriminator="action")]


class CalendarEdits(_Frozen):
    """The reviewer's edits file; ``note`` is free text kept for the audit trail."""

    edits: list[Edit] = Field(default_factory=list)
    note: str | None = None


class EditOutcome(_Frozen):
    """The edited calendar when every rule holds, else the unchanged one plus violations."""

    calendar: Calendar
    violations: list[Violation]

    @property
    def accepted(self) -> bool:
        return not self.violations


def load_edits(path: Path) -> CalendarEdits:
    """Parse an edits JSON file; errors name the line and field (``edits[2].date``)."""
    text = read_text(path, field_input_error)
    try:
        data = load_json(text)
    except LimitError as exc:
        raise InputError(path, f"refused: {exc.message}", line=exc.line) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except (
        yaml.YAMLError,
        RecursionError,
    ):  # valid JSON that YAML cannot read (rare): no line numbers
        node = None
    doc = YamlDoc(path=path, data=data, root=node)
    return validate_doc(doc, CalendarEdits, field_input_error, messages=PLAIN_MESSAGES)


def apply_edits(
    calendar: Calendar,
    edits: CalendarEdits,
    options: RunOptions,
    brand: BrandConfig,
    *,
    launches: Sequence[RoadmapEvent] = (),
) -> EditOutcome:
    """Apply ``edits`` if the result breaks no rule; otherwise report every violation.

    Checks: each edit names a post of the calendar, no post is edited twice in
    conflicting ways, the edited schedule passes :func:`validate_schedule` (dates,
    weekdays, holidays, spacing, launch deadlines, every launch still supported), and
    every new title passes :func:`review_title` against the post's keyword.
    """
    by_id = calendar.by_id()
    violations: list[Violation] = []
    counts = Counter((e.post_id, e.action) for e in edits.edits)
    ids = Counter(e.post_id for e in edits.edits)
    for post_id, n in ids.items():
        if post_id not in by_id:
            violations.append(
                Violation(
                    rule="unknown_post",
                    post_id=post_id,
                    message=f"no post {post_id!r} in the calendar",
                )
            )
        elif n > 1 and (
            counts[(post_id, "drop")] or any(counts[(post_id, a)] > 1 for a in ("move", "retitle"))
        ):
            violations.append(
                Violation(
                    rule="conflicting_edits",
                    post_id=post_id,
                    message=f"post {post_id!r} is edited in conflicting ways",
                )
            )
    if violations:
        return EditOutcome(calendar=calendar, violations=violations)

    entries: dict[str, CalendarEntry] = dict(by_id)
    for edit in edits.edits:
        entry = entries.get(edit.post_id)
        if entry is None:
            continue
        if isinstance(edit, DropEdit):
            del entries[edit.post_id]
        elif isinstance(edit, MoveEdit):
            entries[edit.post_id] = entry.model_copy(update={"date": edit.date})
        elif entry.outline is None:
            violations.append(
                Violation(
                    rule="no_outline",
                    post_id=edit.post_id,
                    message="post has no outline to retitle yet",
                )
            )
        else:
            outline = entry.outline.model_copy(update={"title": edit.title})
            entries[edit.post_id] = entry.model_copy(update={"outline": outline})
            for failure in review_title(edit.title, entry.post.target_keyword, brand):
                violations.append(
                    Violation(rule=failure.rule, post_id=edit.post_id, message=failure.message)
                )

    edited = sort_calendar(calendar.model_copy(update={"entries": list(entries.values())}))
    violations += validate_schedule(edited, options, launches=launches)
    if violations:
        return EditOutcome(calendar=calendar, violations=violations)
    return EditOutcome(calendar=edited, violations=[])
