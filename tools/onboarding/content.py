"""Reading list and training pathway: the model drafts, code checks every citation.

The content agent builds items from playbook chunks retrieved from the ``hr-playbook``
collection. An item whose chunk id does not exist in the store is a hallucinated source,
so :func:`check_citations` rejects it and the graph sends the content agent back.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from baton.tools.onboarding.models import Problem, ProblemLog, Record


class PathwayItem(Record):
    """One reading or training step, placed in a week, backed by playbook chunks."""

    week: int = Field(ge=1, le=26)
    kind: Literal["reading", "training"]
    title: str = Field(min_length=1)
    summary: str = ""
    chunk_ids: tuple[str, ...] = ()
    minutes: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class PlaybookChunk:
    """A retrieved chunk as the content tools need it: id, source document, text."""

    chunk_id: str
    source: str
    text: str


_TRAINING = re.compile(r"\b(training|pair|pairing|shadow|session|walkthrough|practice)\b", re.I)
_HEADING = re.compile(r"^#+\s*(.+)$", re.M)
_TITLE = re.compile(r"^#\s+(.+)$", re.M)


def draft_pathway(chunks: Sequence[PlaybookChunk], *, per_week: int = 3) -> list[PathwayItem]:
    """A deterministic pathway straight from retrieved chunks, most relevant first.

    The fallback when the model's draft is unusable (small local models often are): one
    item per source document, in retrieval order, ``per_week`` items a week, titled by the
    document's first heading and citing every retrieved chunk of that document.
    """
    by_source: dict[str, list[PlaybookChunk]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk)
    items: list[PathwayItem] = []
    for index, (source, group) in enumerate(by_source.items()):
        # The document's title (its level-1 heading) wins over a section heading that
        # happens to open the most relevant chunk.
        heading = next(
            (
                m.group(1).strip()
                for pattern in (_TITLE, _HEADING)
                for c in group
                if (m := pattern.search(c.text))
            ),
            source,
        )
        training = any(_TRAINING.search(c.text) for c in group)
        items.append(
            PathwayItem(
                week=1 + index // max(1, per_week),
                kind="training" if training else "reading",
                title=heading,
                chunk_ids=tuple(c.chunk_id for c in group),
            )
        )
    return items


def check_citations(
    items: Sequence[PathwayItem], known_chunk_ids: Collection[str]
) -> list[Problem]:
    """Every item must cite at least one chunk, and every cited chunk must exist."""
    known = set(known_chunk_ids)
    problems = ProblemLog("content")
    seen: set[tuple[int, str]] = set()
    for index, item in enumerate(items):
        ref = f"items[{index}] {item.title!r}"
        if not item.chunk_ids:
            problems.add("uncited-item", f"{ref} cites no playbook chunk", item.title)
        for chunk_id in item.chunk_ids:
            if chunk_id not in known:
                problems.add(
                    "unknown-chunk",
                    f"{ref} cites {chunk_id!r}, which is not in the playbook store",
                    chunk_id,
                )
        key = (item.week, item.title.casefold())
        if key in seen:
            problems.add("duplicate-item", f"{ref} appears twice in week {item.week}", item.title)
        seen.add(key)
    return problems.found


def render_reading_list(
    starter_name: str,
    items: Sequence[PathwayItem],
    *,
    sources: Mapping[str, str] | None = None,
) -> str:
    """Markdown grouped by week, reading before training, each line with its citations.

    ``sources`` maps chunk id to a human label (document title or path) for the
    footnotes; ids without a label are shown as they are.
    """
    labels = sources or {}
    lines = [f"# Reading list and training pathway for {starter_name}", ""]
    if not items:
        lines += ["_No items yet._", ""]
    for week in sorted({i.week for i in items}):
        lines += [f"## Week {week}", ""]
        for kind, heading in (("reading", "Reading"), ("training", "Training")):
            chosen = [i for i in items if i.week == week and i.kind == kind]
            if not chosen:
                continue
            lines += [f"### {heading}", ""]
            for item in chosen:
                minutes = f" ({item.minutes} min)" if item.minutes else ""
                cites = " ".join(f"[{c}]" for c in item.chunk_ids)
                summary = f": {item.summary}" if item.summary else ""
                lines.append(f"- **{item.title}**{minutes}{summary} {cites}".rstrip())
            lines.append("")
    cited = sorted({c for i in items for c in i.chunk_ids})
    if cited:
        lines += ["## Sources", ""]
        lines += [f"- [{c}] {labels.get(c, c)}" for c in cited]
        lines.append("")
    return "\n".join(lines)
