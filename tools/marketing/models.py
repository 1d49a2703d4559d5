"""Typed records shared by the content-calendar tools.

Every record crossing a boundary (input file -> research -> strategy -> writer model ->
review -> scheduler -> human edits -> renderers) is a frozen pydantic model, so a graph
node can checkpoint it as JSON and a later node cannot mutate what an earlier one
decided. Scores are plain floats because they rank posts; nothing here is money.
"""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from baton.errors import UserError

#: Channels the renderers and scheduler know how to handle. A run naming anything else
#: is almost always a typo ("linkdin"), so it is rejected instead of silently scheduled.
KNOWN_CHANNELS: tuple[str, ...] = (
    "blog",
    "newsletter",
    "linkedin",
    "instagram",
    "facebook",
    "x",
    "bluesky",
    "mastodon",
    "threads",
    "youtube",
    "tiktok",
    "podcast",
)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- months


def parse_month(month: str) -> tuple[int, int]:
    """Split ``YYYY-MM`` so callers never re-implement (and mis-implement) the parsing."""
    match = _MONTH_RE.match(month)
    if match is None:
        raise ValueError(f"month must look like 2026-11, got {month!r}")
    return int(match.group(1)), int(match.group(2))


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of ``month``; the calendar never leaves this window."""
    year, num = parse_month(month)
    last = _calendar.monthrange(year, num)[1]
    return date(year, num, 1), date(year, num, last)


def month_dates(month: str) -> list[date]:
    """Every day of ``month`` in order."""
    first, last = month_bounds(month)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def weekday_name(day: date) -> Weekday:
    """Three-letter weekday used in configs, CSV output and messages."""
    return WEEKDAYS[day.weekday()]


_FULL_WEEKDAYS = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}


def _normalise_weekday(value: object) -> object:
    """Accept "Tue", "tuesday" or "TUE" so configs read naturally."""
    if isinstance(value, str):
        key = value.strip().lower()[:3]
        if key in WEEKDAYS and value.strip().lower() in {key, _FULL_WEEKDAYS[key]}:
            return key
    return value


# --------------------------------------------------------------------------- inputs


class AnalyticsRow(_Frozen):
    """One published page from ``analytics.csv``; ``search_volume`` is per topic and optional."""

    url: str
    title: str
    topic: str
    published: date
    sessions: int = Field(ge=0)
    conversions: int = Field(ge=0)
    avg_position: float = Field(gt=0)
    search_volume: int | None = Field(default=None, ge=0)


class RoadmapEvent(_Frozen):
    """A product launch or company event from ``roadmap.yaml``.

    Launches get supporting posts that must go out before ``date``; events only raise
    the score of related topics. ``keyword`` is the search phrase launch posts target;
    when absent the launch name is used.
    """

    name: str = Field(min_length=1)
    date: date
    kind: Literal["launch", "event"] = "launch"
    audience: str = Field(min_length=1)
    key_messages: list[str] = Field(min_length=1)
    keyword: str | None = None


class Roadmap(_Frozen):
    """The month's launches and events, in file order."""

    events: list[RoadmapEvent] = Field(default_factory=list)

    @property
    def launches(self) -> list[RoadmapEvent]:
        """Launches sorted by date: these are the hard deadlines of the calendar."""
        return sorted(
            (e for e in self.events if e.kind == "launch"), key=lambda e: (e.date, e.name)
        )


class RunOptions(_Frozen):
    """How dense the calendar is and when it may publish.

    ``posts_per_week`` and ``min_spacing_days`` accept one number for every channel or
    a mapping per channel; both are stored as mappings. ``channel_weekdays`` overrides
    ``weekdays`` for single channels (e.g. LinkedIn only on weekdays, newsletter only
    on Thursdays). ``holiday_country`` adds that country's public holidays (via the
    ``holidays`` package) to the explicit ``holidays`` list.
    """

    month: str
    channels: list[str] = Field(min_length=1)
    posts_per_week: dict[str, int]
    weekdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    channel_weekdays: dict[str, list[Weekday]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    holiday_country: str | None = None
    min_spacing_days: dict[str, int] = Field(default_factory=dict)
    launch_support_posts: int = Field(default=2, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _expand_per_channel(cls, data: object) -> object:
        """Let a config say ``posts_per_week: 2`` instead of repeating it per channel."""
        if not isinstance(data, dict):
            return data
        channels = data.get("channels")
        out = dict(data)
        for key in ("posts_per_week", "min_spacing_days"):
            value = out.get(key)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and isinstance(channels, list)
            ):
                out[key] = {str(c).strip().lower(): value for c in channels}
            elif isinstance(value, dict):
                out[key] = {str(k).strip().lower(): v for k, v in value.items()}
        return out

    @field_validator("month")
    @classmethod
    def _check_month(cls, value: str) -> str:
        parse_month(value)
        return value

    @field_validator("channels")
    @classmethod
    def _check_channels(cls, value: list[str]) -> list[str]:
        cleaned = [c.strip().lower() for c in value]
        for name in cleaned:
            if name not in KNOWN_CHANNELS:
                raise ValueError(
                    f"unknown channel {name!r}; known channels: {', '.join(KNOWN_CHANNELS)}"
                )
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("channels must not repeat")
        return cleaned

    @field_validator("holidays", mode="after")
    @classmethod
    def _dedupe_holidays(cls, value: list[date]) -> list[date]:
        return sorted(set(value))

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekday_names(cls, value: object) -> object:
        if not isinstance(value, list):
            return value
        names = [_normalise_weekday(v) for v in value]
        # Dedupe only strings: a nested list or mapping must reach pydantic's type check.
        return list(dict.fromkeys(names)) if all(isinstance(n, str) for n in names) else names

    @field_validator("channel_weekdays", mode="before")
    @classmethod
    def _channel_weekday_names(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        return {
            str(k).strip().lower(): [_normalise_weekday(d) for d in v] if isinstance(v, list) else v
            for k, v in value.items()
        }

    @model_validator(mode="after")
    def _check_channel_maps(self) -> RunOptions:
        maps: dict[str, dict[str, object]] = {
            "posts_per_week": dict(self.posts_per_week),
            "min_spacing_days": dict(self.min_spacing_days),
            "channel_weekdays": dict(self.channel_weekdays),
        }
        for field_name, mapping in maps.items():
            for name in mapping:
                if name not in self.channels:
                    raise ValueError(
                        f"{field_name} names channel {name!r}, which is not in channels"
                    )
        for name in self.channels:
            if name not in self.posts_per_week:
                raise ValueError(f"posts_per_week has no entry for channel {name!r}")
            if self.posts_per_week[name] < 0 or self.posts_per_week[name] > 14:
                raise ValueError(f"posts_per_week for {name!r} must be between 0 and 14")
            if self.min_spacing_days.get(name, 1) < 1:
                raise ValueError(f"min_spacing_days for {name!r} must be at least 1")
        return self

    # -- derived values used by strategy and scheduler --------------------------------

    @property
    def month_start(self) -> date:
        return month_bounds(self.month)[0]

    @property
    def month_end(self) -> date:
        return month_bounds(self.month)[1]

    def posts_in_month(self, channel: str) -> int:
        """Posts a channel gets this month: ``floor(posts_per_week * days / 7)``.

        Flooring keeps a 2-per-week cadence at 8 posts in a 30-day month rather than
        rounding up to 9 and crowding the last week.
        """
        days = (self.month_end - self.month_start).days + 1
        return (self.posts_per_week.get(channel, 0) * days) // 7

    def spacing_for(self, channel: str) -> int:
        """Minimum days between two posts of ``channel`` (1 = any two different days)."""
        return self.min_spacing_days.get(channel, 1)

    def weekdays_for(self, channel: str) -> frozenset[int]:
        """Allowed ``date.weekday()`` numbers for ``channel``."""
        names = self.channel_weekdays.get(channel, self.weekdays)
        return frozenset(WEEKDAYS.index(n) for n in names)


# --------------------------------------------------------------------------- research / strategy

GapKind = Literal["uncovered", "poor_rank", "converts"]


class TopicGap(_Frozen):
    """A topic worth writing about, with the evidence that makes it one.

    ``kinds``: ``uncovered`` (competitors write about it, we have no page),
    ``poor_rank`` (our pages sit below the first search page), ``converts`` (our pages
    convert better than the site average). ``gap_size`` in [0, 1] is how far we are
    from owning the topic; ``score`` = 0.6 * gap_size + 0.4 * competitor_coverage is
    research's own ranking. ``chunk_ids`` are the competitor chunks that cover the topic,
    so every finding can be cited.
    """

    topic: str
    target_keyword: str
    kinds: list[GapKind]
    gap_size: float = Field(ge=0, le=1)
    competitor_coverage: float = Field(ge=0, le=1)
    sessions: int = 0
    conversions: int = 0
    conversion_rate: float = 0.0
    avg_position: float | None = None
    search_volume: int | None = None
    score: float
    chunk_ids: list[str] = Field(default_factory=list)


class PostPlan(_Frozen):
    """One post the strategy wants, before it has a date.

    ``score_breakdown`` holds the weighted components (their sum is ``score``) so the
    summary can show why a post was chosen. ``launch`` names the roadmap launch or
    event the post relates to; ``must_publish_before`` is set only on the posts that
    support a launch, and the scheduler treats it as a hard deadline (the post must
    go out strictly before that date).
    """

    id: str
    topic: str
    target_keyword: str
    channel: str
    launch: str | None = None
    must_publish_before: date | None = None
    score: float
    score_breakdown: dict[str, float]
    chunk_ids: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- writer / review


class Outline(_Frozen):
    """What the writer model fills in for one post.

    Deliberately flat and unconstrained so a 135M-parameter model can produce it under
    a JSON grammar; every rule (lengths, keyword placement, brand words) is checked
    afterwards by :func:`tools.marketing.review.review_outline`, not by the schema.
    """

    title: str
    slug: str
    meta_description: str
    h2s: list[str]
    key_points: list[str]
    call_to_action: str
    target_keyword: str


ReviewRule = Literal[
    "banned_word",
    "preferred_word",
    "title_length",
    "meta_description_length",
    "keyword_in_title",
    "keyword_in_h2",
    "keyword_in_slug",
    "slug_format",
    "call_to_action",
    "unsupported_claim",
    "reading_level",
]


class ReviewFailure(_Frozen):
    """One broken brand/SEO rule, phrased so the writer model can fix it."""

    rule: ReviewRule
    message: str


# --------------------------------------------------------------------------- calendar


class CalendarEntry(_Frozen):
    """A post on a date; ``outline`` is attached once the writer has produced one."""

    date: date
    post: PostPlan
    outline: Outline | None = None

    @property
    def channel(self) -> str:
        return self.post.channel

    @property
    def title(self) -> str:
        """The outline's title once written, the planned topic before that."""
        return self.outline.title if self.outline is not None else self.post.topic


class Calendar(_Frozen):
    """The month's schedule, sorted by (date, channel, post id)."""

    month: str
    entries: list[CalendarEntry]

    def by_id(self) -> dict[str, CalendarEntry]:
        return {e.post.id: e for e in self.entries}


ScheduleRule = Literal[
    "unknown_channel",
    "outside_month",
    "weekday",
    "holiday",
    "same_day_channel",
    "spacing",
    "launch_deadline",
    "launch_uncovered",
    "duplicate_post",
    "unknown_post",
    "conflicting_edits",
    "no_outline",
]


class Violation(_Frozen):
    """A broken scheduling rule (or a rejected human edit), naming the post involved."""

    rule: ScheduleRule | ReviewRule
    message: str
    post_id: str | None = None


class UnplacedPost(_Frozen):
    """A post the scheduler could not fit, and the constraint that stopped it."""

    post_id: str
    channel: str
    reason: str


class ScheduleInfeasible(UserError):
    """No schedule satisfies every rule: the run options ask for more than the month allows.

    A :class:`~baton.errors.UserError` because the fix is in the user's hands (fewer
    posts, more weekdays, smaller spacing, fewer holidays). ``unplaced`` names every
    post that could not be fitted and why; ``partial`` is a valid schedule of the rest,
    so a caller may offer to publish it after the user agrees to drop the others.
    """

    def __init__(self, unplaced: list[UnplacedPost], partial: Calendar) -> None:
        self.unplaced = unplaced
        self.partial = partial
        parts = "; ".join(f"{u.post_id}: {u.reason}" for u in unplaced)
        super().__init__(
            f"no valid schedule for {partial.month}: "
            f"{len(unplaced)} post(s) cannot be placed: {parts}"
        )


class PlanningError(UserError):
    """The run options leave too few post slots for the launches that need them."""
