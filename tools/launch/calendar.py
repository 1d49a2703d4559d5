"""The launch calendar: an even schedule, and the date-conflict check the model's is held to.

Why code checks the dates: "Agent E checks the dates for conflicts". A proposed entry
outside the requested window, two posts on one channel on one day, or a post scheduled
twice is a conflict; a calendar with any conflict is replaced by :func:`even_schedule`,
which has none by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any


def window(start: date, days: int) -> tuple[date, date]:
    """First and last day of the calendar."""
    return start, start + timedelta(days=days - 1)


def even_schedule(
    posts: Sequence[str], start: date, days: int, channels: Sequence[str]
) -> list[dict[str, Any]]:
    """One entry per post, spread evenly over the window, channels taken in turn."""
    count = len(posts)
    entries = []
    for i, post in enumerate(posts):
        offset = round(i * (days - 1) / (count - 1)) if count > 1 else 0
        entries.append(
            {
                "post": post,
                "date": (start + timedelta(days=offset)).isoformat(),
                "channel": channels[i % len(channels)],
            }
        )
    return entries


def conflicts(
    entries: Sequence[Mapping[str, Any]], posts: Sequence[str], start: date, days: int
) -> list[str]:
    """Every date conflict of a proposed calendar, in words (empty: none)."""
    first, last = window(start, days)
    problems: list[str] = []
    seen = Counter(str(e.get("post")) for e in entries)
    for post in posts:
        if seen[post] != 1:
            problems.append(f"{post} is scheduled {seen[post]} times")
    for post in seen:
        if post not in posts:
            problems.append(f"{post} is not a planned post")
    slots: Counter[tuple[str, str]] = Counter()
    for e in entries:
        try:
            day = date.fromisoformat(str(e.get("date")))
        except ValueError:
            problems.append(f"{e.get('post')}: '{e.get('date')}' is not a date")
            continue
        if not first <= day <= last:
            problems.append(f"{e.get('post')}: {day} is outside {first} to {last}")
        slots[(day.isoformat(), str(e.get("channel")))] += 1
    for (day_text, channel), n in sorted(slots.items()):
        if n > 1:
            problems.append(f"{n} posts on {channel} on {day_text}")
    return problems
