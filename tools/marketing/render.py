"""Pure renderers of the calendar outputs: text/bytes in, no file I/O.

The graph writes the returned strings atomically after everything has been
validated, so a failed run never leaves half a calendar behind. Output is fully
deterministic (stable order, a DTSTAMP derived from the month unless one is given) so
a resumed run produces byte-identical files.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta

import icalendar
import yaml
from slugify import slugify

from baton.csvsafe import safe_cell
from baton.tools.marketing.models import (
    Calendar,
    CalendarEntry,
    ReviewFailure,
    Roadmap,
    TopicGap,
    UnplacedPost,
    month_bounds,
    weekday_name,
)

CSV_COLUMNS = (
    "date",
    "weekday",
    "channel",
    "post_id",
    "title",
    "topic",
    "target_keyword",
    "launch",
    "must_publish_before",
    "score",
    "outline_file",
)


def _slug(entry: CalendarEntry) -> str:
    return (
        (entry.outline.slug if entry.outline is not None else "")
        or slugify(entry.post.topic)
        or entry.post.id
    )


def outline_paths(calendar: Calendar) -> dict[str, str]:
    """``post_id -> outlines/<date>-<slug>.md``, adding the channel when two would clash."""
    base = {e.post.id: f"{e.date.isoformat()}-{_slug(e)}" for e in calendar.entries}
    clashes = Counter(base.values())
    out: dict[str, str] = {}
    for e in calendar.entries:
        stem = base[e.post.id]
        if clashes[stem] > 1:
            stem = f"{stem}-{e.channel}"
            if stem in out.values():
                stem = f"{stem}-{e.post.id}"
        out[e.post.id] = f"outlines/{stem}.md"
    return out


def render_calendar_csv(calendar: Calendar) -> str:
    """``calendar.csv``: one row per post in calendar order."""
    paths = outline_paths(calendar)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in calendar.entries:
        p = e.post
        cells: list[object] = [
            e.date.isoformat(),
            weekday_name(e.date),
            p.channel,
            p.id,
            e.title,
            p.topic,
            p.target_keyword,
            p.launch or "",
            p.must_publish_before.isoformat() if p.must_publish_before else "",
            f"{p.score:.4f}",
            paths[p.id],
        ]
        writer.writerow([safe_cell(c) for c in cells])
    return buffer.getvalue()


def render_calendar_ics(
    calendar: Calendar, *, dtstamp: datetime | None = None, domain: str = "baton.local"
) -> bytes:
    """``calendar.ics``: one all-day event per post, titled with the outline title.

    The description carries the outline's meta description (its summary), channel,
    keyword and launch. UIDs are derived from month and post id, so re-importing an
    updated calendar updates events instead of duplicating them.
    """
    stamp = dtstamp or datetime.combine(month_bounds(calendar.month)[0], time(), UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Baton//Content calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Content calendar {calendar.month}")
    for e in calendar.entries:
        p = e.post
        lines = (
            [e.outline.meta_description]
            if e.outline is not None and e.outline.meta_description
            else []
        )
        lines += [f"Channel: {p.channel}", f"Keyword: {p.target_keyword}"]
        if p.launch:
            lines.append(f"Supports: {p.launch}")
        event = icalendar.Event()
        event.add("uid", f"{calendar.month}-{p.id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", e.date)
        event.add("dtend", e.date + timedelta(days=1))
        event.add("summary", e.title)
        event.add("description", "\n".join(lines))
        event.add("categories", [p.channel])
        cal.add_component(event)
    return bytes(cal.to_ical())


def render_outline_md(entry: CalendarEntry, *, failures: Sequence[ReviewFailure] = ()) -> str:
    """``outlines/<date>-<slug>.md``: YAML front matter, the outline, and why it was planned.

    ``failures`` are review failures left when the critic loop stopped; they are shown
    so the human reviewer sees what still needs fixing.
    """
    p, o = entry.post, entry.outline
    front: dict[str, object] = {
        "title": entry.title,
        "date": entry.date.isoformat(),
        "channel": p.channel,
        "post_id": p.id,
        "target_keyword": p.target_keyword,
    }
    if o is not None:
        front["slug"] = o.slug
        front["meta_description"] = o.meta_description
    if p.launch:
        front["launch"] = p.launch
    if p.must_publish_before:
        front["must_publish_before"] = p.must_publish_before.isoformat()
    out = [
        "---",
        yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000).rstrip(),
        "---",
        "",
        f"# {entry.title}",
        "",
    ]
    if o is None:
        out += ["_Outline not written yet._", ""]
    else:
        out += [f"> {o.meta_description}", ""]
        for h2 in o.h2s:
            out += [f"## {h2}", ""]
        if o.key_points:
            out += ["### Key points", "", *[f"- {k}" for k in o.key_points], ""]
        out += [f"**Call to action:** {o.call_to_action}", ""]
    out += ["---", "", "### Why this post", ""]
    breakdown = ", ".join(f"{k} {v:.3f}" for k, v in p.score_breakdown.items())
    out += [f"- Topic: {p.topic}", f"- Score: {p.score:.3f} ({breakdown})"]
    if p.chunk_ids:
        out.append(f"- Competitor evidence: {', '.join(p.chunk_ids)}")
    if failures:
        out += [
            "",
            "### Review notes (unresolved)",
            "",
            *[f"- `{f.rule}`: {f.message}" for f in failures],
        ]
    return "\n".join(out).rstrip() + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_summary_md(
    calendar: Calendar,
    *,
    gaps: Sequence[TopicGap] = (),
    roadmap: Roadmap | None = None,
    review_failures: Mapping[str, Sequence[ReviewFailure]] | None = None,
    unplaced: Sequence[UnplacedPost] = (),
) -> str:
    """``summary.md``: what was planned, why, and what still needs a human."""
    paths = outline_paths(calendar)
    per_channel = Counter(e.channel for e in calendar.entries)
    out = [f"# Content calendar {calendar.month}", ""]
    out.append(
        f"{len(calendar.entries)} posts: "
        + ", ".join(f"{n} {c}" for c, n in sorted(per_channel.items()))
        + "."
    )
    out.append("")
    if roadmap is not None and roadmap.events:
        out += ["## Launches and events", ""]
        for ev in sorted(roadmap.events, key=lambda x: (x.date, x.name)):
            support = [e for e in calendar.entries if e.post.launch == ev.name]
            before = [e for e in support if e.date < ev.date]
            listed = ", ".join(f"{e.date.isoformat()} {e.channel}" for e in support) or "none"
            if ev.kind == "launch":
                listed += f" ({len(before)} before the launch)"
            note = "" if ev.kind != "launch" or before else " **(no post before launch)**"
            out.append(
                f"- {ev.date.isoformat()} {ev.kind} **{_cell(ev.name)}**: "
                f"{len(support)} post(s): {listed}{note}"
            )
        out.append("")
    out += [
        "## Schedule",
        "",
        "| Date | Channel | Title | Keyword | Score | Outline |",
        "|---|---|---|---|---|---|",
    ]
    for e in calendar.entries:
        out.append(
            f"| {e.date.isoformat()} {weekday_name(e.date)} | {e.channel} | {_cell(e.title)} | "
            f"{_cell(e.post.target_keyword)} | {e.post.score:.3f} | {paths[e.post.id]} |"
        )
    out.append("")
    if gaps:
        out += ["## Topic gaps", "", "| Topic | Kinds | Score | Evidence |", "|---|---|---|---|"]
        for g in gaps:
            evidence = ", ".join(g.chunk_ids[:3]) + (
                f" (+{len(g.chunk_ids) - 3})" if len(g.chunk_ids) > 3 else ""
            )
            out.append(
                f"| {_cell(g.topic)} | {', '.join(g.kinds)} | {g.score:.3f} "
                f"| {_cell(evidence) or '-'} |"
            )
        out.append("")
    open_reviews = {pid: fs for pid, fs in (review_failures or {}).items() if fs}
    if open_reviews:
        out += ["## Needs attention", ""]
        for pid in sorted(open_reviews):
            out.append(
                f"- {pid}: " + "; ".join(f"{f.rule}: {f.message}" for f in open_reviews[pid])
            )
        out.append("")
    if unplaced:
        out += ["## Not scheduled", ""]
        out += [f"- {u.post_id} ({u.channel}): {u.reason}" for u in unplaced]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
