"""Busy time from .ics: recurrence, all-day, floating, transparent, and located errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from baton.errors import InputError
from baton.tools.onboarding.calendars import CalendarEvent, load_busy, merge_intervals, render_ics
from baton.tools.onboarding.models import Interval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEK = Interval(datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 6, 23, tzinfo=UTC))


def _ics(tmp_path: Path, *events: str) -> Path:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    path = tmp_path / "cal.ics"
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n")
    return path


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_recurring_event_with_exdate_is_expanded_in_its_zone(tmp_path: Path) -> None:
    path = _ics(
        tmp_path,
        """UID:standup
DTSTART;TZID=America/New_York:20260105T090000
DTEND;TZID=America/New_York:20260105T091500
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
EXDATE;TZID=America/New_York:20260304T090000""",
    )
    busy = load_busy(path, NEW_YORK, WEEK)
    assert [b.start for b in busy] == [_utc(2026, 3, d, 14) for d in (2, 3, 5, 6)]
    assert all(b.end - b.start == busy[0].end - busy[0].start for b in busy)


def test_recurrence_follows_dst_of_the_event_zone(tmp_path: Path) -> None:
    # US clocks change on 2026-03-08: 09:00 New York is 14:00 UTC before, 13:00 UTC after.
    path = _ics(
        tmp_path,
        """UID:daily
DTSTART;TZID=America/New_York:20260305T090000
DURATION:PT30M
RRULE:FREQ=DAILY;COUNT=5""",
    )
    later = Interval(WEEK.start, _utc(2026, 3, 12))
    starts = [b.start for b in load_busy(path, NEW_YORK, later)]
    assert starts[0] == _utc(2026, 3, 5, 14)
    assert starts[-1] == _utc(2026, 3, 9, 13)


def test_all_day_floating_transparent_and_cancelled(tmp_path: Path) -> None:
    path = _ics(
        tmp_path,
        "UID:ooo\nDTSTART;VALUE=DATE:20260304\nDTEND;VALUE=DATE:20260305",
        "UID:float\nDTSTART:20260303T100000\nDTEND:20260303T110000",
        "UID:focus\nDTSTART:20260303T130000Z\nDTEND:20260303T150000Z\nTRANSP:TRANSPARENT",
        "UID:gone\nDTSTART:20260305T130000Z\nDTEND:20260305T150000Z\nSTATUS:CANCELLED",
    )
    busy = load_busy(path, BERLIN, WEEK)
    assert [(b.start, b.end) for b in busy] == [
        (_utc(2026, 3, 3, 9), _utc(2026, 3, 3, 10)),  # floating 10:00 Berlin
        (_utc(2026, 3, 3, 23), _utc(2026, 3, 4, 23)),  # the whole Berlin day
    ]


def test_events_outside_the_window_are_ignored(tmp_path: Path) -> None:
    path = _ics(tmp_path, "UID:x\nDTSTART:20260401T100000Z\nDTEND:20260401T110000Z")
    assert load_busy(path, BERLIN, WEEK) == []


@pytest.mark.parametrize(
    ("event", "bad_line", "message"),
    [
        ("UID:1\nDTSTART:2026-03-02T10:00\nDTEND:20260302T110000Z", 6, "DTSTART"),
        ("UID:1\nDTSTART 20260302T100000Z\nDTEND:20260302T110000Z", 6, "Content line"),
        (
            "UID:1\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FREQ=SOMETIMES",
            8,
            "RRULE",
        ),
        ("UID:1\nDTEND:20260302T110000Z", 4, "without DTSTART"),
    ],
)
def test_malformed_event_names_file_and_line(
    tmp_path: Path, event: str, bad_line: int, message: str
) -> None:
    path = _ics(tmp_path, event)
    with pytest.raises(InputError, match=message) as err:
        load_busy(path, BERLIN, WEEK)
    assert err.value.path == str(path)
    assert err.value.line == bad_line


def test_unclosed_component_and_non_calendar(tmp_path: Path) -> None:
    path = tmp_path / "cut.ics"
    path.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nDTSTART:20260302T100000Z\n")
    with pytest.raises(InputError, match="BEGIN:VEVENT is never closed") as err:
        load_busy(path, BERLIN, WEEK)
    assert err.value.line == 3
    path.write_text("hello\n")
    with pytest.raises(InputError, match="not an iCalendar file"):
        load_busy(path, BERLIN, WEEK)


def test_a_property_given_twice_is_named_with_its_line(tmp_path: Path) -> None:
    # A duplicated TZID made one icalendar version fail with an AttributeError; which of
    # two start times is meant cannot be guessed either. Both are one located error.
    path = tmp_path / "tz.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n"
        "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nTZID:Europe/Berlin\n"
        "BEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "END:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n"
    )
    with pytest.raises(InputError, match="VTIMEZONE gives TZID more than once") as err:
        load_busy(path, BERLIN, WEEK)
    assert err.value.line == 6
    path = _ics(tmp_path, "UID:1\nDTSTART:20260302T100000Z\nDTSTART:20260302T110000Z")
    with pytest.raises(InputError, match="VEVENT gives DTSTART more than once") as err:
        load_busy(path, BERLIN, WEEK)
    assert err.value.line == 7


def test_event_ending_before_start(tmp_path: Path) -> None:
    path = _ics(tmp_path, "UID:1\nDTSTART:20260302T100000Z\nDTEND:20260302T090000Z")
    with pytest.raises(InputError):
        load_busy(path, BERLIN, WEEK)


def test_merge_intervals_joins_overlapping_and_touching() -> None:
    a = Interval(_utc(2026, 3, 2, 9), _utc(2026, 3, 2, 10))
    b = Interval(_utc(2026, 3, 2, 10), _utc(2026, 3, 2, 11))
    c = Interval(_utc(2026, 3, 2, 10, 30), _utc(2026, 3, 2, 10, 45))
    d = Interval(_utc(2026, 3, 2, 12), _utc(2026, 3, 2, 13))
    assert merge_intervals([d, c, b, a]) == [Interval(a.start, b.end), d]


def test_render_ics_round_trips_through_icalendar() -> None:
    event = CalendarEvent(
        uid="x@test",
        summary="Hello",
        start=datetime(2026, 3, 2, 10, tzinfo=BERLIN),
        end=datetime(2026, 3, 2, 11, tzinfo=BERLIN),
        attendees=("a@example.com",),
    )
    data = render_ics([event], name="Test", dtstamp=_utc(2026, 3, 1))
    parsed = icalendar.Calendar.from_ical(data)
    (vevent,) = parsed.walk("VEVENT")
    assert vevent.decoded("DTSTART") == _utc(2026, 3, 2, 9)
    assert str(vevent["ATTENDEE"]) == "mailto:a@example.com"
    assert data == render_ics([event], name="Test", dtstamp=_utc(2026, 3, 1))


def test_committed_example_calendars_match_their_seeded_generator() -> None:
    import csv
    import importlib.util

    from baton.tools.onboarding.testing import EXAMPLE_DIR

    spec = importlib.util.spec_from_file_location(
        "make_calendars", EXAMPLE_DIR / "make_calendars.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with (EXAMPLE_DIR / "directory.csv").open(encoding="utf-8", newline="") as handle:
        directory = list(csv.DictReader(handle))
    built = module.build(directory)
    assert sorted(built) == sorted(p.stem for p in (EXAMPLE_DIR / "calendars").glob("*.ics"))
    for pid, cal in built.items():
        assert cal.to_ical() == (EXAMPLE_DIR / "calendars" / f"{pid}.ics").read_bytes(), pid


def test_rule_that_icalendar_accepts_but_cannot_be_expanded_is_an_input_error(
    tmp_path: Path,
) -> None:
    # A NUL byte splits the rule into parts that parse but cannot be turned into a rule.
    path = _ics(
        tmp_path,
        "UID:1\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FR\x00EQ=WEEKLY;BYDAY=MO",
    )
    with pytest.raises(InputError, match="cannot expand recurring events") as err:
        load_busy(path, BERLIN, WEEK)
    assert err.value.path == str(path)
