"""Deterministic scheduler and the schedule rules it (and human edits) must satisfy.

Rules, all per channel (channels never constrain each other):

* a post's date is in the run month, on an allowed weekday, not on a holiday;
* no two posts of one channel on the same day, and at least ``min_spacing_days``
  between consecutive posts of a channel;
* a post with ``must_publish_before`` goes out strictly before that date.

Placement is exact, not heuristic. Sort a channel's posts by deadline (EDF). With
spacing ``s``, the k-th post can be no earlier than ``E_k`` (greedy earliest picks) and
no later than ``L_k`` (latest allowed day before its deadline and ``s`` days before
``L_{k+1}``). A schedule exists iff ``E_k <= L_k`` for every k; any day in
``[max(E_k, d_{k-1}+s), L_k]`` keeps it feasible, so we pick the one closest to an
even spread over the month. Deadline posts are then moved as close to their launch
as the chosen days allow (latest-deadline-first onto the latest free day before it,
which is optimal), and the other posts take the remaining days by score.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from functools import cache

import holidays as holidays_lib

from baton.errors import ConfigError
from baton.tools.marketing.models import (
    WEEKDAYS,
    Calendar,
    CalendarEntry,
    PostPlan,
    RoadmapEvent,
    RunOptions,
    ScheduleInfeasible,
    ScheduleRule,
    UnplacedPost,
    Violation,
    month_dates,
    parse_month,
    weekday_name,
)


@cache
def _country_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays_lib.country_holidays(country, years=year).keys())
    except NotImplementedError:
        raise ConfigError(
            f"holiday_country: unknown country code {country!r} (use ISO 3166, e.g. GB, US, DE)"
        ) from None


def blocked_dates(options: RunOptions) -> frozenset[date]:
    """Holidays of the run month: the configured list plus ``holiday_country``'s public holidays."""
    days = set(options.holidays)
    if options.holiday_country:
        year, _ = parse_month(options.month)
        days |= _country_holidays(options.holiday_country.upper(), year)
    first, last = options.month_start, options.month_end
    return frozenset(d for d in days if first <= d <= last)


def allowed_days(options: RunOptions, channel: str, blocked: Collection[date]) -> list[date]:
    """Days of the month on which ``channel`` may publish, in order."""
    weekdays = options.weekdays_for(channel)
    return [d for d in month_dates(options.month) if d.weekday() in weekdays and d not in blocked]


# --------------------------------------------------------------------------- feasibility core


def _deadline(post: PostPlan) -> date:
    return post.must_publish_before or date.max


def _edf(posts: Sequence[PostPlan]) -> list[PostPlan]:
    return sorted(posts, key=lambda p: (_deadline(p), -p.score, p.id))


def _bounds(
    days: Sequence[date], posts: Sequence[PostPlan], spacing: int
) -> tuple[list[date], list[date]] | None:
    """(E, L) for ``posts`` in EDF order, or None when no schedule exists."""
    gap = timedelta(days=spacing)
    earliest: list[date] = []
    i = 0
    for _ in posts:
        if earliest:
            i = bisect.bisect_left(days, earliest[-1] + gap)
        if i >= len(days):
            return None
        earliest.append(days[i])
    latest: list[date] = []
    limit = date.max
    for post in reversed(posts):
        bound = (
            min(limit, _deadline(post) - timedelta(days=1)) if post.must_publish_before else limit
        )
        j = bisect.bisect_right(days, bound) - 1
        if j < 0:
            return None
        latest.append(days[j])
        limit = days[j] - gap
    latest.reverse()
    if any(e > lt for e, lt in zip(earliest, latest, strict=True)):
        return None
    return earliest, latest


def _capacity(days: Sequence[date], spacing: int, before: date = date.max) -> int:
    """How many posts fit on ``days`` (strictly before ``before``) with the spacing."""
    count, last = 0, None
    for d in days:
        if d >= before:
            break
        if last is None or (d - last).days >= spacing:
            count, last = count + 1, d
    return count


def _place_channel(
    days: Sequence[date], posts: Sequence[PostPlan], spacing: int, month: str
) -> dict[str, date]:
    """Dates for a feasible set of posts of one channel (see module docstring)."""
    if not posts:
        return {}
    order = _edf(posts)
    bounds = _bounds(days, order, spacing)
    assert bounds is not None, "caller passes a feasible set"
    earliest, latest = bounds
    month_days = month_dates(month)
    span = (month_days[-1] - month_days[0]).days + 1
    chosen: list[date] = []
    for k in range(len(order)):
        lo = earliest[k] if not chosen else max(earliest[k], chosen[-1] + timedelta(days=spacing))
        target = month_days[0] + timedelta(days=(k + 0.5) * span / len(order))
        a = bisect.bisect_left(days, lo)
        b = bisect.bisect_right(days, latest[k])
        window = days[a:b]
        chosen.append(min(window, key=lambda d: (abs((d - target).days), d)))

    free = list(chosen)
    placed: dict[str, date] = {}
    for post in sorted(
        (p for p in order if p.must_publish_before),
        key=lambda p: (_deadline(p), p.score, p.id),
        reverse=True,
    ):
        day = max(d for d in free if d < _deadline(post))
        free.remove(day)
        placed[post.id] = day
    rest = sorted((p for p in order if not p.must_publish_before), key=lambda p: (-p.score, p.id))
    for post, day in zip(rest, sorted(free), strict=True):
        placed[post.id] = day
    return placed


def _reason(
    post: PostPlan,
    accepted: Sequence[PostPlan],
    days: Sequence[date],
    spacing: int,
    options: RunOptions,
) -> str:
    channel = post.channel
    weekdays = ",".join(WEEKDAYS[w] for w in sorted(options.weekdays_for(channel)))
    total = _capacity(days, spacing)
    if len(accepted) >= total:
        return (
            f"all {total} {channel} slots of {options.month} are taken "
            f"(weekdays {weekdays}, min spacing {spacing} day(s), holidays excluded); "
            "lower posts_per_week or allow more weekdays"
        )
    if post.must_publish_before is not None:
        deadline = post.must_publish_before
        before = _capacity(days, spacing, deadline)
        competing = sum(
            1 for p in accepted if p.must_publish_before and p.must_publish_before <= deadline
        )
        if before <= competing:
            return (
                f"must publish before {deadline.isoformat()} ({post.launch}) but only "
                f"{before} {channel} slot(s) precede it (weekdays {weekdays}, "
                f"min spacing {spacing} day(s)) and {competing} are taken"
            )
    return (
        f"no arrangement of {len(accepted) + 1} {channel} posts meets every launch "
        f"deadline with {spacing}-day spacing"
    )


# --------------------------------------------------------------------------- public API


def schedule_posts(posts: Sequence[PostPlan], options: RunOptions) -> Calendar:
    """Place every post on a date that satisfies all rules, or say exactly why not.

    Raises :class:`ScheduleInfeasible` naming each post that cannot be placed (deadline
    posts are placed first, then the rest by score, so the lowest-value posts are the
    ones reported) together with a valid partial calendar of the others.
    """
    blocked = blocked_dates(options)
    unplaced: list[UnplacedPost] = []
    entries: list[CalendarEntry] = []
    by_channel: dict[str, list[PostPlan]] = defaultdict(list)
    seen: set[str] = set()
    for post in posts:
        if post.id in seen:
            raise ValueError(f"duplicate post id {post.id!r}")
        seen.add(post.id)
        if post.channel not in options.channels:
            unplaced.append(
                UnplacedPost(
                    post_id=post.id,
                    channel=post.channel,
                    reason="channel is not in the run options",
                )
            )
            continue
        by_channel[post.channel].append(post)
    for channel in options.channels:
        days = allowed_days(options, channel, blocked)
        spacing = options.spacing_for(channel)
        accepted: list[PostPlan] = []
        priority = sorted(
            by_channel[channel],
            key=lambda p: (p.must_publish_before is None, _deadline(p), -p.score, p.id),
        )
        for post in priority:
            if _bounds(days, _edf([*accepted, post]), spacing) is not None:
                accepted.append(post)
            else:
                unplaced.append(
                    UnplacedPost(
                        post_id=post.id,
                        channel=channel,
                        reason=_reason(post, accepted, days, spacing, options),
                    )
                )
        dates = _place_channel(days, accepted, spacing, options.month)
        entries += [CalendarEntry(date=dates[p.id], post=p) for p in accepted]
    calendar = sort_calendar(Calendar(month=options.month, entries=entries))
    if unplaced:
        raise ScheduleInfeasible(unplaced, calendar)
    return calendar


def sort_calendar(calendar: Calendar) -> Calendar:
    """Canonical order (date, channel, id) so renders and diffs are stable."""
    entries = sorted(calendar.entries, key=lambda e: (e.date, e.channel, e.post.id))
    return calendar.model_copy(update={"entries": entries})


def validate_schedule(
    calendar: Calendar, options: RunOptions, *, launches: Sequence[RoadmapEvent] = ()
) -> list[Violation]:
    """Every rule the calendar breaks; empty means valid.

    Used on the scheduler's own output (tests), and on a calendar after human edits,
    so the person is told what their change breaks instead of the change being
    silently accepted. ``launches`` adds the rule that each launch keeps at least one
    supporting post before its date.
    """
    blocked = blocked_dates(options)
    first, last = options.month_start, options.month_end
    out: list[Violation] = []

    def flag(rule: ScheduleRule, message: str, post_id: str | None = None) -> None:
        out.append(Violation(rule=rule, message=message, post_id=post_id))

    ids: set[str] = set()
    by_channel: dict[str, list[CalendarEntry]] = defaultdict(list)
    for e in calendar.entries:
        pid, d = e.post.id, e.date
        if pid in ids:
            flag("duplicate_post", f"post {pid} appears more than once", pid)
        ids.add(pid)
        if e.channel not in options.channels:
            flag("unknown_channel", f"channel {e.channel!r} is not in the run options", pid)
            continue
        if not first <= d <= last:
            flag("outside_month", f"{d.isoformat()} is outside {options.month}", pid)
        if d.weekday() not in options.weekdays_for(e.channel):
            flag(
                "weekday",
                f"{d.isoformat()} is a {weekday_name(d)}, not a publishing day for {e.channel}",
                pid,
            )
        if d in blocked:
            flag("holiday", f"{d.isoformat()} is a holiday", pid)
        if e.post.must_publish_before is not None and d >= e.post.must_publish_before:
            flag(
                "launch_deadline",
                f"{d.isoformat()} is not before "
                f"{e.post.must_publish_before.isoformat()} ({e.post.launch})",
                pid,
            )
        by_channel[e.channel].append(e)
    for channel, items in by_channel.items():
        items.sort(key=lambda e: (e.date, e.post.id))
        spacing = options.spacing_for(channel)
        for prev, cur in itertools.pairwise(items):
            gap = (cur.date - prev.date).days
            if gap == 0:
                flag(
                    "same_day_channel",
                    f"{cur.post.id} and {prev.post.id} are both on {channel} "
                    f"on {cur.date.isoformat()}",
                    cur.post.id,
                )
            elif gap < spacing:
                flag(
                    "spacing",
                    f"{cur.post.id} is {gap} day(s) after {prev.post.id} "
                    f"on {channel}; minimum is {spacing}",
                    cur.post.id,
                )
    for launch in launches:
        if launch.kind != "launch":
            continue
        if not any(e.post.launch == launch.name and e.date < launch.date for e in calendar.entries):
            flag(
                "launch_uncovered",
                f"launch {launch.name!r} has no supporting post before {launch.date.isoformat()}",
            )
    return out
