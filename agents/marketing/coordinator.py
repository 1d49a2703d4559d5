"""Content coordinator: schedules the posts in code and, once approved, writes the calendar.

No model here. :func:`tools.marketing.schedule.schedule_posts` places every post on a
date that meets the channel rules and launch deadlines; if the options ask for more
than the month allows, the posts that fit are kept and the rest are reported to the
human rather than failing the run. Publishing renders every file in memory first and
writes each atomically, after the human review, so a resume never repeats it and a
crash never leaves half a calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baton.agents.marketing.common import (
    calendar,
    dump,
    failures,
    gaps,
    outline,
    posts,
    roadmap,
    run_options,
    unplaced,
)
from baton.agents.marketing.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.outputs import atomic_write
from baton.tools.marketing.models import Calendar, ScheduleInfeasible, UnplacedPost
from baton.tools.marketing.render import (
    outline_paths,
    render_calendar_csv,
    render_calendar_ics,
    render_outline_md,
    render_summary_md,
)
from baton.tools.marketing.schedule import schedule_posts


@agent_node("schedule")
def schedule(state: State, ctx: RunContext) -> dict[str, Any]:
    """Place the planned posts on dates and attach each post's latest outline."""
    planned = posts(state)
    left: list[UnplacedPost] = []
    try:
        cal = schedule_posts(planned, run_options(state))
    except ScheduleInfeasible as exc:
        cal, left = exc.partial, exc.unplaced
    drafts = state.get("drafts") or {}
    entries = [
        e.model_copy(update={"outline": outline(drafts[e.post.id])}) if e.post.id in drafts else e
        for e in cal.entries
    ]
    cal = cal.model_copy(update={"entries": entries})
    trace = current_trace()
    if trace:
        trace.decision = f"scheduled {len(cal.entries)} of {len(planned)} posts in {cal.month}" + (
            f"; {len(left)} could not be placed" if left else ""
        )
    return {"calendar": dump(cal), "unplaced": [dump(u) for u in left]}


def report_md(state: Mapping[str, Any], cal: Calendar, note: str | None = None) -> str:
    """The summary: calendar, launches, gaps and open issues, then findings and rationale.

    The same text is the human's review preview and, once approved, ``summary.md``, so
    what was approved is what is published.
    """
    ids = set(cal.by_id())
    open_failures = {pid: fs for pid, fs in failures(state).items() if pid in ids}
    text = render_summary_md(
        cal,
        gaps=gaps(state),
        roadmap=roadmap(state),
        review_failures=open_failures,
        unplaced=unplaced(state),
    )
    lines = [text.rstrip(), "", "## Research findings", ""]
    lines += [
        f"- {f['point']}" + (f" [{', '.join(f['citations'])}]" if f["citations"] else "")
        for f in state.get("findings", [])
    ] or ["- none"]
    lines += ["", "## Strategy", "", state.get("rationale") or "-", ""]
    reviews = {pid: r for pid, r in (state.get("reviews") or {}).items() if pid in ids}
    if reviews:
        model = sum(1 for r in reviews.values() if r.get("source") == "model")
        passed = sum(1 for r in reviews.values() if not r.get("failures"))
        tried = sum(int(r.get("model_drafts", 0)) for r in reviews.values())
        lines += [
            "## Review",
            "",
            f"{passed} of {len(reviews)} outlines pass every brand and SEO rule. "
            f"Final outlines: {model} by the model, {len(reviews) - model} by the "
            f"plan-based fallback ({tried} model drafts reviewed in all).",
            "",
        ]
        lines += [
            f"- {pid} (tone): {t}" for pid, r in sorted(reviews.items()) for t in r.get("tone", [])
        ]
    if note:
        lines += ["", f"_{note}_"]
    return "\n".join(lines).rstrip() + "\n"


@agent_node("publish")
def publish(state: State, ctx: RunContext) -> dict[str, Any]:
    """Render every output in memory, then write each atomically."""
    cal = calendar(state)
    review = state.get("review") or {}
    note = f"{review.get('action', 'approve')} by {review.get('reviewer', 'unknown')}"
    if review.get("comment"):
        note += f": {review['comment']}"
    open_failures = failures(state)
    files: dict[str, str | bytes] = {
        "calendar.csv": render_calendar_csv(cal),
        "calendar.ics": render_calendar_ics(cal),
    }
    paths = outline_paths(cal)
    for entry in cal.entries:
        files[paths[entry.post.id]] = render_outline_md(
            entry, failures=open_failures.get(entry.post.id, [])
        )
    files["summary.md"] = report_md(state, cal, note)
    written = [str(atomic_write(ctx.output_dir / name, data)) for name, data in files.items()]
    trace = current_trace()
    if trace:
        trace.cite([c for e in cal.entries for c in e.post.chunk_ids])
        trace.decision = f"wrote {len(written)} files for {len(cal.entries)} posts"
    return {"outputs": written}
