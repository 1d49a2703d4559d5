"""Renderers: CSV and ICS parse back to the calendar, Markdown carries outline and reasons."""

from __future__ import annotations

import csv
import io
from datetime import date

import icalendar
import pytest
import yaml

from baton.tools.marketing.models import (
    Calendar,
    CalendarEntry,
    ReviewFailure,
    Roadmap,
    RoadmapEvent,
    TopicGap,
    UnplacedPost,
)
from baton.tools.marketing.render import (
    CSV_COLUMNS,
    outline_paths,
    render_calendar_csv,
    render_calendar_ics,
    render_outline_md,
    render_summary_md,
)
from baton.tools.marketing.testing import good_outline, make_post


@pytest.fixture
def calendar() -> Calendar:
    outline = good_outline()
    return Calendar(
        month="2026-11",
        entries=[
            CalendarEntry(
                date=date(2026, 11, 10),
                post=make_post("blog-cold-brew", before=date(2026, 11, 12), launch="Cold Brew"),
                outline=outline,
            ),
            CalendarEntry(
                date=date(2026, 11, 10),
                post=make_post("linkedin-cold-brew", "linkedin", launch="Cold Brew"),
                outline=outline,
            ),
            CalendarEntry(date=date(2026, 11, 17), post=make_post("blog-office-coffee")),
        ],
    )


def test_csv_round_trips(calendar: Calendar) -> None:
    rows = list(csv.DictReader(io.StringIO(render_calendar_csv(calendar))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["post_id"] for r in rows] == [e.post.id for e in calendar.entries]
    assert rows[0]["title"] == good_outline().title
    assert rows[0]["weekday"] == "tue"
    assert rows[0]["must_publish_before"] == "2026-11-12"
    assert rows[2]["title"] == "blog office coffee"  # planned topic until an outline exists
    assert rows[2]["launch"] == ""


def test_ics_events_carry_title_and_summary(calendar: Calendar) -> None:
    data = render_calendar_ics(calendar)
    assert data == render_calendar_ics(calendar)  # deterministic
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 3
    first = events[0]
    assert str(first["SUMMARY"]) == good_outline().title
    assert good_outline().meta_description in str(first["DESCRIPTION"])
    assert "Supports: Cold Brew" in str(first["DESCRIPTION"])
    assert first.decoded("DTSTART") == date(2026, 11, 10)
    assert len({str(e["UID"]) for e in events}) == 3


def test_outline_paths_are_unique(calendar: Calendar) -> None:
    paths = outline_paths(calendar)
    assert paths["blog-cold-brew"] == "outlines/2026-11-10-cold-brew-pods-at-home-blog.md"
    assert paths["linkedin-cold-brew"] == "outlines/2026-11-10-cold-brew-pods-at-home-linkedin.md"
    assert paths["blog-office-coffee"] == "outlines/2026-11-17-blog-office-coffee.md"


def test_outline_markdown(calendar: Calendar) -> None:
    failure = ReviewFailure(rule="title_length", message="title is 61 characters")
    text = render_outline_md(calendar.entries[0], failures=[failure])
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == good_outline().title
    assert front["must_publish_before"] == "2026-11-12"
    assert f"# {good_outline().title}" in text
    for h2 in good_outline().h2s:
        assert f"## {h2}" in text
    assert "**Call to action:** Try Fernleaf Cold Brew Pods today." in text
    assert "`title_length`: title is 61 characters" in text
    assert "Outline not written yet" in render_outline_md(calendar.entries[2])


def test_summary_markdown(calendar: Calendar) -> None:
    roadmap = Roadmap(
        events=[
            RoadmapEvent(
                name="Cold Brew", date=date(2026, 11, 12), audience="a", key_messages=["m"]
            ),
            RoadmapEvent(name="Carbon", date=date(2026, 11, 24), audience="a", key_messages=["m"]),
        ]
    )
    gap = TopicGap(
        topic="cold brew",
        target_keyword="cold brew",
        kinds=["uncovered"],
        gap_size=1.0,
        competitor_coverage=0.5,
        score=0.8,
        chunk_ids=["competitors/a.md#0"],
    )
    text = render_summary_md(
        calendar,
        gaps=[gap],
        roadmap=roadmap,
        review_failures={"blog-office-coffee": [ReviewFailure(rule="call_to_action", message="m")]},
        unplaced=[UnplacedPost(post_id="x", channel="blog", reason="no slot")],
    )
    assert "3 posts: 2 blog, 1 linkedin." in text
    assert "**Cold Brew**: 2 post(s)" in text and "(2 before the launch)" in text
    assert "**Carbon**: 0 post(s): none (0 before the launch) **(no post before launch)**" in text
    assert "| cold brew | uncovered | 0.800 | competitors/a.md#0 |" in text
    assert "- blog-office-coffee: call_to_action: m" in text
    assert "- x (blog): no slot" in text
