"""Read people's busy time from ``.ics`` files and write the plan's calendars.

Parsing goes through ``icalendar`` and recurrence expansion through
``recurring-ical-events`` (RRULE, RDATE, EXDATE and moved occurrences), because a
hand-written expander would get exactly the edge cases wrong that cause double bookings.
``icalendar`` is lenient: a broken property is kept as an error on its component rather
than raised, so this module looks for those errors and turns the first one into an
:class:`~baton.errors.InputError` that names the file and line.

Busy-time semantics: every VEVENT is busy unless it is ``TRANSP:TRANSPARENT`` or
``STATUS:CANCELLED``; floating times and all-day events are read in the owner's time
zone; an all-day event blocks the owner's whole local day(s).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from baton import safepath
from baton.errors import InputError
from baton.tools.onboarding.models import Interval

PRODID = "-//Baton//onboarding//EN"


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


@dataclass
class _Span:
    name: str
    begin: int
    end: int | None = None
    lines: list[_Line] = field(default_factory=list)


def _unfold(text: str) -> list[_Line]:
    """Content lines joined across RFC 5545 folds, each tagged with its first line number."""
    out: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and out:
            prev = out[-1]
            out[-1] = _Line(prev.number, prev.text + raw[1:])
        elif raw.strip():
            out.append(_Line(number, raw))
    return out


_SINGLE = frozenset({"TZID", "DTSTART", "DTEND", "DURATION", "UID"})
"""Properties RFC 5545 allows at most once per component."""


def _check_single_properties(path: Path, spans: Sequence[_Span]) -> None:
    """Reject a property given twice in one component (two TZIDs, two DTSTARTs).

    Which of two start times is meant cannot be guessed, and some parser versions
    fail on such input with an internal error rather than a message.
    """
    for span in spans:
        seen: set[str] = set()
        for line in span.lines[1:]:
            name = line.text.split(":", 1)[0].split(";", 1)[0].strip().upper()
            if name in ("BEGIN", "END"):
                continue  # a nested component's END line; its properties are its own
            if name in _SINGLE and name in seen:
                raise InputError(path, f"{span.name} gives {name} more than once", line=line.number)
            seen.add(name)


def _spans(lines: Sequence[_Line]) -> list[_Span]:
    """Components in pre-order (the order ``Component.walk()`` uses) with their lines."""
    spans: list[_Span] = []
    stack: list[_Span] = []
    for line in lines:
        upper = line.text.upper()
        if upper.startswith("BEGIN:"):
            span = _Span(upper[6:].strip(), line.number)
            spans.append(span)
            stack.append(span)
        elif upper.startswith("END:") and stack and upper[4:].strip() == stack[-1].name:
            # A mismatched END (say END:VEVENTX) closes nothing, so the component is
            # reported as never closed instead of being read as if it were fine.
            stack.pop().end = line.number
        if stack:
            stack[-1].lines.append(line)
    return spans


def _locate(span: _Span | None, prop: str | None, message: str) -> int | None:
    """Best guess at the line a component error is about."""
    if span is None:
        return None
    whole = next((ln.number for ln in span.lines if ln.text.strip() in message), None)
    if whole is not None or not prop:
        return whole or span.begin
    named = [
        ln
        for ln in span.lines
        if ln.text.upper().startswith(prop.upper()) and ln.text[len(prop) : len(prop) + 1] in ":;"
    ]
    for ln in named:
        if ln.text.split(":", 1)[-1] in message:
            return ln.number
    return named[0].number if named else span.begin


def _check_event_times(component: icalendar.Component, span: _Span | None, path: Path) -> None:
    """DTEND before DTSTART would be silently swapped by the expander, so reject it here."""
    start = getattr(component["DTSTART"], "dt", None)
    end = getattr(component.get("DTEND"), "dt", None)
    if start is None or end is None:
        return
    line = _locate(span, "DTEND", "")
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise InputError(path, "DTSTART and DTEND must both be dates or both date-times", line=line)
    if isinstance(start, datetime) and (start.tzinfo is None) != (end.tzinfo is None):
        return  # floating vs zoned: compared after conversion to the owner's zone
    if end < start:
        raise InputError(
            path, f"event {component.get('UID', '?')} ends before it starts", line=line
        )


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]


def parse_ics(path: Path) -> icalendar.Calendar:
    """Parse one calendar file, raising :class:`InputError` at the first broken line.

    Validating here, before any scheduling, means a typo in one person's calendar can
    never turn into silently free time.
    """
    text = safepath.decode(safepath.read_bytes(path, what="calendar"), path, what="calendar")
    lines = _unfold(text)
    if not lines or lines[0].text.strip().upper() != "BEGIN:VCALENDAR":
        raise InputError(
            path,
            "not an iCalendar file: the first line must be BEGIN:VCALENDAR",
            line=lines[0].number if lines else 1,
        )
    spans = _spans(lines)
    open_span = next((s for s in reversed(spans) if s.end is None), None)
    if open_span is not None:
        raise InputError(
            path,
            f"BEGIN:{open_span.name} is never closed by END:{open_span.name}",
            line=open_span.begin,
        )
    _check_single_properties(path, spans)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        message = _one_line(str(exc))
        line = next(
            (ln.number for ln in lines if ln.text.strip() and ln.text.strip() in message), None
        )
        raise InputError(path, f"invalid iCalendar: {message}", line=line) from exc
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        # The parser trips over input it does not expect instead of rejecting it: still
        # bad input, and still one line, never a traceback.
        raise InputError(
            path, f"invalid iCalendar: the parser failed ({type(exc).__name__})"
        ) from exc
    for index, component in enumerate(calendar.walk()):
        span = spans[index] if index < len(spans) else None
        if component.errors:
            prop, message = component.errors[0]
            what = f"{prop}: " if prop else ""
            raise InputError(
                path,
                f"invalid {component.name} {what}{_one_line(message)}",
                line=_locate(span, prop, message),
            )
        if component.name == "VEVENT":
            if "DTSTART" not in component:
                raise InputError(path, "VEVENT without DTSTART", line=span.begin if span else None)
            for prop in ("DTSTART", "DTEND", "DURATION", "RRULE", "UID"):
                # icalendar returns a list for a repeated property; expansion would crash.
                if isinstance(component.get(prop), list):
                    raise InputError(
                        path, f"VEVENT has {prop} more than once", line=span.begin if span else None
                    )
            _check_event_times(component, span, path)
    return calendar


def _as_utc(value: date | datetime, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=tz)).astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)


MAX_EXPANSION = 20_000
"""Most rule steps one calendar may need to reach the end of the planning window.

A weekly meeting since 2000 needs about 1,400 and a daily one about 10,000; an endless
``FREQ=SECONDLY`` rule needs ~950,000 for one week and took minutes to expand, so the
bound is checked from the rules themselves before anything is expanded."""

_STEP_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _rule_steps(rule: icalendar.vRecur, start: datetime, stop: datetime) -> float:
    """Upper estimate of the occurrences a rule generates from ``start`` up to ``stop``.

    Periods of ``FREQ × INTERVAL`` in the span, times the size of every BY-list that can
    add occurrences per period (counting filters as expanders only over-estimates).
    """
    freq = str((rule.get("FREQ") or ["DAILY"])[0]).upper()
    interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    periods = max(0.0, (stop - start).total_seconds()) / (_STEP_SECONDS.get(freq, 1) * interval)
    steps = periods + 1
    for part in _EXPANDING:
        steps *= max(1, len(rule.get(part) or []))
    count = rule.get("COUNT")
    return min(steps, float(count[0])) if count else steps


def _check_expansion(
    calendar: icalendar.Calendar, tz: ZoneInfo, stop: datetime, source: Path
) -> None:
    """Refuse a calendar whose rules would need more than :data:`MAX_EXPANSION` steps."""
    total = 0.0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        start = _as_utc(event.decoded("DTSTART"), tz)
        for rule in rules if isinstance(rules, list) else [rules]:
            until = rule.get("UNTIL")
            end = stop
            if until:
                end = min(stop, _as_utc(until[0], tz))
            total += _rule_steps(rule, start, end)
            if total > MAX_EXPANSION:
                freq = str((rule.get("FREQ") or ["?"])[0])
                raise InputError(
                    source,
                    f"event {event.get('UID', '?')}: RRULE FREQ={freq} repeats more than "
                    f"{MAX_EXPANSION:,} times before the end of the planning window; give it "
                    "an end (UNTIL or COUNT) or a coarser frequency",
                )


def busy_intervals(
    calendar: icalendar.Calendar, tz: ZoneInfo, window: Interval, *, source: Path
) -> list[Interval]:
    """Expanded, opaque busy spans of ``calendar`` that touch ``window``, sorted by start."""
    _check_expansion(calendar, tz, window.end + timedelta(days=1), source)
    try:
        # Rules are parsed when the query is built, so a broken RRULE fails here too.
        query = recurring_ical_events.of(calendar)
        occurrences = query.between(
            window.start - timedelta(days=1), window.end + timedelta(days=1)
        )
    except ValueError as exc:
        raise InputError(source, f"cannot expand recurring events: {_one_line(str(exc))}") from exc
    busy: list[Interval] = []
    for event in occurrences:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start_value = event.start
        end_value = event.end if ("DTEND" in event or "DURATION" in event) else None
        if end_value is None:
            # RFC 5545: no end means one day for a date, zero length for a date-time.
            end_value = (
                start_value + timedelta(days=1)
                if not isinstance(start_value, datetime)
                else start_value
            )
        span = Interval(
            _as_utc(start_value, tz), _as_utc(end_value, tz), str(event.get("SUMMARY", ""))
        )
        if span.end < span.start:
            raise InputError(source, f"event {event.get('UID', '?')} ends before it starts")
        if span.end > span.start and span.overlaps(window):
            busy.append(span)
    return sorted(busy, key=lambda i: (i.start, i.end))


def load_busy(path: Path, tz: ZoneInfo, window: Interval) -> list[Interval]:
    """Busy spans of one person's calendar file within ``window``."""
    return busy_intervals(parse_ics(path), tz, window, source=path)


def load_calendars(
    folder: Path, people: Mapping[str, ZoneInfo], window: Interval
) -> dict[str, list[Interval]]:
    """Busy time for everybody in ``people``, read from ``folder/<person id>.ics``.

    A person without a file has no known busy time (new hires usually have none). A file
    whose name matches nobody is an error: it is almost always a typo that would
    otherwise leave someone looking free.
    """
    if not folder.is_dir():
        raise InputError(folder, "calendars folder not found")
    files = safepath.list_files(folder, suffixes=(".ics",))
    unknown = [f for f in files if f.stem not in people]
    if unknown:
        raise InputError(
            unknown[0], f"no person with id {unknown[0].stem!r} in the directory (directory.csv)"
        )
    empty: dict[str, list[Interval]] = {person: [] for person in people}
    busy = empty | {f.stem: load_busy(f, people[f.stem], window) for f in files}
    return busy


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching spans merged into one, so minutes are not counted twice."""
    merged: list[Interval] = []
    for span in sorted(intervals, key=lambda i: i.start):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, span.end), last.label)
        else:
            merged.append(span)
    return merged


@dataclass(frozen=True)
class CalendarEvent:
    """One event to export; attendees are e-mail addresses."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    description: str = ""
    attendees: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Publication:
    """Which run publishes a calendar, as which revision, and who organises it.

    RFC 5545 identity: a UID must be unique per event across every calendar a client
    imports, so it carries the run id (two new hires' weeks never share one) and stays
    the same when the same run publishes again; SEQUENCE counts the reviewer's edits,
    so a client replaces the events it already has; DTSTAMP is the time of the run's
    review decision, so the bytes are the same however often the run is resumed.
    """

    run_id: str = ""
    dtstamp: datetime | None = None
    sequence: int = 0
    organizer: tuple[str, str] | None = None
    """(name, e-mail) of the organiser; RFC 5545 §3.8.4.3 requires one with attendees."""

    def uid(self, local: str) -> str:
        return (
            f"{local}.{self.run_id}@onboarding.baton"
            if self.run_id
            else f"{local}@onboarding.baton"
        )


def render_ics(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    dtstamp: datetime,
    organizer: tuple[str, str] | None = None,
    sequence: int = 0,
) -> bytes:
    """Serialise events with ``icalendar``; ``dtstamp`` is passed in so output is reproducible."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", dtstamp.astimezone(UTC))
        event.add("sequence", sequence)
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", list(item.categories))
        if organizer is not None:
            event.add("organizer", f"mailto:{organizer[1]}", parameters={"CN": organizer[0]})
        for email in item.attendees:
            event.add("attendee", f"mailto:{email}")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
