"""Scheduler: placements obey every rule, infeasibility is reported exactly and explained."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.errors import ConfigError
from baton.tools.marketing.models import (
    WEEKDAYS,
    Calendar,
    CalendarEntry,
    PostPlan,
    RoadmapEvent,
    RunOptions,
    ScheduleInfeasible,
    month_dates,
)
from baton.tools.marketing.schedule import (
    allowed_days,
    blocked_dates,
    schedule_posts,
    validate_schedule,
)
from baton.tools.marketing.testing import make_options, make_post

NOV = "2026-11"


def _rules(calendar: Calendar, options: RunOptions, launches: list[RoadmapEvent]) -> set[str]:
    return {v.rule for v in validate_schedule(calendar, options, launches=launches)}


def test_places_posts_on_allowed_days_evenly() -> None:
    options = make_options(weekdays=["tue", "thu"], holidays=["2026-11-10"])
    posts = [make_post(f"b{i}", score=i / 10) for i in range(6)]
    calendar = schedule_posts(posts, options)
    dates = [e.date for e in calendar.entries]
    assert len(dates) == 6
    assert validate_schedule(calendar, options) == []
    assert all(d.weekday() in (1, 3) for d in dates)
    assert date(2026, 11, 10) not in dates
    assert dates[0] <= date(2026, 11, 6) and dates[-1] >= date(2026, 11, 24)  # spread out
    assert dates == sorted(dates)


def test_launch_posts_go_out_before_and_close_to_the_launch() -> None:
    options = make_options(min_spacing_days={"blog": 2})
    launch = date(2026, 11, 19)
    posts = [make_post(f"plain{i}", score=0.9) for i in range(5)]
    posts.append(make_post("launch-post", score=0.1, before=launch))
    calendar = schedule_posts(posts, options)
    when = {e.post.id: e.date for e in calendar.entries}
    assert when["launch-post"] < launch
    assert launch - when["launch-post"] <= timedelta(days=7)
    assert validate_schedule(calendar, options) == []


def test_capacity_shortfall_names_the_lowest_scoring_post() -> None:
    options = make_options(weekdays=["mon"], channels=["blog"], posts_per_week=1)
    posts = [make_post(f"p{i}", score=s) for i, s in enumerate([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])]
    with pytest.raises(ScheduleInfeasible) as err:
        schedule_posts(posts, options)
    unplaced = err.value.unplaced
    assert [u.post_id for u in unplaced] == ["p5"]  # November 2026 has five Mondays
    assert "all 5 blog slots" in unplaced[0].reason
    assert len(err.value.partial.entries) == 5
    assert validate_schedule(err.value.partial, options) == []
    assert "p5" in str(err.value) and "\n" not in str(err.value)


def test_deadline_that_cannot_be_met_is_explained() -> None:
    options = make_options(weekdays=["wed"], channels=["blog"], posts_per_week=1)
    posts = [make_post("early", before=date(2026, 11, 4)), make_post("fine")]
    with pytest.raises(ScheduleInfeasible) as err:
        schedule_posts(posts, options)
    assert [u.post_id for u in err.value.unplaced] == ["early"]
    assert "must publish before 2026-11-04" in err.value.unplaced[0].reason
    assert "only 0 blog slot(s)" in err.value.unplaced[0].reason


def test_spacing_and_channels_are_independent() -> None:
    options = make_options(
        channels=["blog", "linkedin"],
        posts_per_week={"blog": 1, "linkedin": 1},
        min_spacing_days={"blog": 7},
    )
    posts = [make_post(f"b{i}") for i in range(4)] + [
        make_post(f"l{i}", "linkedin") for i in range(4)
    ]
    calendar = schedule_posts(posts, options)
    blog = sorted(e.date for e in calendar.entries if e.channel == "blog")
    assert all((b - a).days >= 7 for a, b in itertools.pairwise(blog))
    assert validate_schedule(calendar, options) == []


def test_country_holidays_are_blocked() -> None:
    options = make_options(month="2026-12", holiday_country="GB")
    blocked = blocked_dates(options)
    assert date(2026, 12, 25) in blocked
    assert all(d.month == 12 for d in blocked)
    assert date(2026, 12, 25) not in allowed_days(options, "blog", blocked)


def test_validate_schedule_reports_every_rule() -> None:
    options = make_options(
        weekdays=["mon", "tue", "wed", "thu"],
        holidays=["2026-11-11"],
        min_spacing_days={"blog": 3},
    )
    launch = RoadmapEvent(
        name="Big launch", date=date(2026, 11, 20), audience="all", key_messages=["m"]
    )
    entries = [
        (date(2026, 11, 2), make_post("a")),
        (date(2026, 11, 2), make_post("b")),  # same day and channel as a
        (date(2026, 11, 4), make_post("c")),  # 2 days after b, spacing is 3
        (date(2026, 11, 7), make_post("d")),  # a Saturday
        (date(2026, 11, 11), make_post("e", "linkedin")),  # holiday
        (date(2026, 12, 1), make_post("f", "linkedin")),  # outside the month
        (date(2026, 11, 24), make_post("g", "newsletter", before=date(2026, 11, 20))),
        (date(2026, 11, 3), make_post("h", "podcast")),
        (date(2026, 11, 16), make_post("a")),  # duplicate id
    ]
    calendar = Calendar(month=NOV, entries=[CalendarEntry(date=d, post=p) for d, p in entries])
    assert _rules(calendar, options, launches=[launch]) == {
        "same_day_channel",
        "spacing",
        "weekday",
        "holiday",
        "outside_month",
        "launch_deadline",
        "unknown_channel",
        "duplicate_post",
        "launch_uncovered",
    }


# --------------------------------------------------------------------------- property test


def _oracle_feasible(days: list[date], posts: list[PostPlan], spacing: int) -> bool:
    """Independent check by dynamic programming over (day index, posts placed).

    Posts are taken in deadline order (any valid schedule can be reordered that way
    on the same days); f(i, k) = posts k.. fit on days[i:].
    """
    order = sorted(posts, key=lambda p: p.must_publish_before or date.max)
    memo: dict[tuple[int, int], bool] = {}

    def f(i: int, k: int) -> bool:
        if k == len(order):
            return True
        if i >= len(days):
            return False
        if (i, k) not in memo:
            ok = f(i + 1, k)
            deadline = order[k].must_publish_before or date.max
            if not ok and days[i] < deadline:
                j = i + 1
                while j < len(days) and (days[j] - days[i]).days < spacing:
                    j += 1
                ok = f(j, k + 1)
            memo[(i, k)] = ok
        return memo[(i, k)]

    return f(0, 0)


@st.composite
def _instances(draw: st.DrawFn) -> tuple[RunOptions, list[PostPlan]]:
    year = draw(st.integers(2025, 2028))
    month = f"{year}-{draw(st.integers(1, 12)):02d}"
    days = month_dates(month)
    channels = draw(
        st.lists(st.sampled_from(["blog", "newsletter", "linkedin"]), min_size=1, unique=True)
    )
    weekday_sets = st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
    options = RunOptions.model_validate(
        {
            "month": month,
            "channels": channels,
            "posts_per_week": {c: draw(st.integers(0, 4)) for c in channels},
            "weekdays": draw(weekday_sets),
            "channel_weekdays": {c: draw(weekday_sets) for c in channels if draw(st.booleans())},
            "holidays": draw(st.lists(st.sampled_from(days), max_size=8)),
            "min_spacing_days": {c: draw(st.integers(1, 5)) for c in channels},
        }
    )
    posts: list[PostPlan] = []
    launches = draw(st.lists(st.sampled_from(days), max_size=3))
    for channel in channels:
        count = options.posts_in_month(channel) + draw(st.integers(-1, 2))
        for i in range(max(0, count)):
            before = draw(st.sampled_from([None, *launches])) if launches else None
            score = draw(st.integers(0, 100)) / 100
            posts.append(make_post(f"{channel}-{i}", channel, score=score, before=before))
    return options, posts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_scheduler_never_breaks_a_rule_and_reports_infeasibility(
    instance: tuple[RunOptions, list[PostPlan]],
) -> None:
    options, posts = instance
    blocked = blocked_dates(options)
    by_channel: dict[str, list[PostPlan]] = defaultdict(list)
    for p in posts:
        by_channel[p.channel].append(p)
    feasible = all(
        _oracle_feasible(allowed_days(options, c, blocked), ps, options.spacing_for(c))
        for c, ps in by_channel.items()
    )
    try:
        calendar = schedule_posts(posts, options)
    except ScheduleInfeasible as err:
        assert not feasible, "scheduler gave up on a feasible instance"
        assert err.unplaced
        placed = {e.post.id for e in err.partial.entries}
        assert placed.isdisjoint(u.post_id for u in err.unplaced)
        assert placed | {u.post_id for u in err.unplaced} == {p.id for p in posts}
        assert validate_schedule(err.partial, options) == []
        assert all(u.reason for u in err.unplaced)
    else:
        assert feasible, "scheduler produced a schedule the oracle says cannot exist"
        assert sorted(e.post.id for e in calendar.entries) == sorted(p.id for p in posts)
        assert validate_schedule(calendar, options) == []


def test_unknown_holiday_country_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="holiday_country: unknown country code 'XX'"):
        blocked_dates(make_options(holiday_country="XX"))
