"""The launch-team's output files: plan, analysis, calendar (CSV and ICS), posts, claims
and summary, each rendered from state data only, so a re-run writes identical files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
from slugify import slugify

from baton.csvsafe import safe_cell


def plan_json(plan: Sequence[Mapping[str, Any]], by: str, note: str) -> str:
    return json.dumps({"planned_by": by, "note": note, "tasks": list(plan)}, indent=2) + "\n"


def calendar_csv(entries: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date", "channel", "post", "title"])
    for e in sorted(entries, key=lambda e: (e["date"], e["channel"])):
        writer.writerow(
            [safe_cell(v) for v in (e["date"], e["channel"], e["post"], titles.get(e["post"], ""))]
        )
    return buffer.getvalue()


def calendar_ics(
    entries: Sequence[Mapping[str, Any]], titles: Mapping[str, str], run_id: str, product: str
) -> bytes:
    """One all-day event per post; UIDs carry the run id so two runs never collide."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Baton//Launch team//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{product} launch")
    stamp = datetime.combine(
        min((date.fromisoformat(e["date"]) for e in entries), default=date(2000, 1, 1)),
        time(),
        UTC,
    )
    for e in entries:
        day = date.fromisoformat(e["date"])
        event = icalendar.Event()
        event.add("uid", f"{e['post']}.{run_id}@baton.local")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", titles.get(e["post"], e["post"]))
        event.add("categories", [e["channel"]])
        cal.add_component(event)
    return bytes(cal.to_ical())


def post_path(index: int, title: str) -> str:
    return f"posts/{index:02d}-{slugify(title, max_length=40) or 'post'}.md"


def post_md(post: Mapping[str, Any], entry: Mapping[str, Any] | None) -> str:
    head = [f"# {post['title']}", ""]
    if entry:
        head += [f"*{entry['date']} on {entry['channel']}*", ""]
    return "\n".join([*head, str(post["body"]).strip(), ""])


def claims_csv(claims: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["claim", "text", "tasks", "source_chunks", "verdict", "by", "reason"])
    for c in claims:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c["id"],
                    c["text"],
                    " ".join(c["tasks"]),
                    " ".join(c["citations"]),
                    c["verdict"],
                    c["by"],
                    c.get("reason", ""),
                )
            ]
        )
    return buffer.getvalue()


def summary_md(
    request: Mapping[str, Any],
    plan: Sequence[Mapping[str, Any]],
    plan_by: str,
    claims: Sequence[Mapping[str, Any]],
    exceptions: Sequence[Mapping[str, Any]],
    runs: Mapping[str, int],
) -> str:
    verdicts: dict[str, int] = {}
    for c in claims:
        verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
    reruns = sum(max(0, n - 1) for n in runs.values())
    lines = [
        f"# Launch: {request['product']}",
        "",
        f"> {request['request']}",
        "",
        f"- Plan: {len(plan)} tasks, planned by {plan_by}",
        f"- Claims: {len(claims)} ("
        + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
        + ")",
        f"- Task re-runs after critic or fact-check: {reruns}",
        f"- Exceptions for review: {len(exceptions)}",
        "",
        "| task | type | after |",
        "| --- | --- | --- |",
        *(f"| {t['id']} | {t['type']} | {', '.join(t['deps']) or '-'} |" for t in plan),
    ]
    if exceptions:
        lines += ["", "## Exceptions", ""]
        lines += [f"- {e['id']} ({e['kind']}): {e['detail']}" for e in exceptions]
    return "\n".join(lines) + "\n"
