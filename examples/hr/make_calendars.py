"""Regenerate ``examples/hr/calendars/*.ics`` from ``directory.csv`` (seeded, reproducible).

Run from the repository root: ``python examples/hr/make_calendars.py``. The files are
committed; this script documents how they were made and lets anyone remake them.

What the calendars contain, so the example exercises every calendar rule:

* recurring team rituals per department (RRULE), in each person's own time zone, with an
  EXDATE on one series;
* fortnightly 1:1s (``INTERVAL=2``) on both the manager's and the report's calendar;
* a few seeded one-off meetings per person in week one;
* special cases: an all-day out-of-office, a transparent focus block (not busy), a
  cancelled meeting (not busy), a floating-time event, a busy manager on day one.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

HERE = Path(__file__).resolve().parent
WEEK_ONE = [date(2026, 3, 2) + timedelta(days=i) for i in range(5)]
SERIES_START = date(2026, 1, 5)  # a Monday
STAMP = datetime(2026, 2, 1, tzinfo=UTC)
SEED = 20260302

# department -> (title, weekday byday, start, minutes); "MO,TU,WE,TH,FR" = daily
RITUALS: dict[str, tuple[str, str, time, int]] = {
    "Engineering": ("Team stand-up", "MO,TU,WE,TH,FR", time(10, 0), 15),
    "Platform": ("Platform ops review", "TU", time(14, 0), 60),
    "Data": ("Data team sync", "TH", time(11, 0), 45),
    "Sales": ("Pipeline review", "MO", time(9, 0), 60),
    "People": ("People team meeting", "WE", time(16, 0), 30),
    "IT": ("IT queue triage", "MO,TU,WE,TH,FR", time(9, 0), 30),
    "Security": ("Security sync", "WE", time(10, 0), 60),
    "Product": ("Product review", "TH", time(15, 0), 60),
}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]


def _event(uid: str, summary: str, start: datetime | date, end: datetime | date) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@example.com")
    event.add("dtstamp", STAMP)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    return event


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def build(directory: list[dict[str, str]]) -> dict[str, icalendar.Calendar]:
    """One calendar per person, deterministic for the fixed seed."""
    rng = random.Random(SEED)
    calendars: dict[str, icalendar.Calendar] = {}
    for row in directory:
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Baton//example HR calendars//EN")
        cal.add("version", "2.0")
        calendars[row["id"]] = cal
    tz = {row["id"]: ZoneInfo(row["timezone"]) for row in directory}

    for row in directory:
        pid, cal = row["id"], calendars[row["id"]]
        title, byday, clock, minutes = RITUALS[row["department"]]
        start = _at(SERIES_START, clock, tz[pid])
        ritual = _event(f"{pid}-ritual", title, start, start + timedelta(minutes=minutes))
        ritual.add("rrule", {"freq": "weekly", "byday": byday.split(",")})
        if pid == "p04":  # one skipped occurrence in week one
            ritual.add("exdate", _at(WEEK_ONE[2], clock, tz[pid]))
        cal.add_component(ritual)

        for n in range(rng.randint(2, 5)):
            day = rng.choice(WEEK_ONE)
            length = rng.choice([30, 45, 60, 90])
            begin = time(rng.randint(9, 15), rng.choice([0, 15, 30, 45]))
            first = _at(day, begin, tz[pid])
            cal.add_component(
                _event(f"{pid}-m{n}", "Meeting", first, first + timedelta(minutes=length))
            )

    by_id = {row["id"]: row for row in directory}
    for manager in directory:
        reports = [r for r in manager["is_manager_of"].split(";") if r in by_id]
        for index, report in enumerate(reports):
            day = SERIES_START + timedelta(days=index % 5)
            first = _at(day, time(15, 0), tz[manager["id"]])
            for owner in (manager["id"], report):
                one = _event(
                    f"{manager['id']}-{report}-1on1", "1:1", first, first + timedelta(minutes=30)
                )
                one.add("rrule", {"freq": "weekly", "interval": 2, "byday": WEEKDAYS[index % 5]})
                calendars[owner].add_component(one)

    def add(pid: str, event: icalendar.Event) -> icalendar.Event:
        calendars[pid].add_component(event)
        return event

    def timed(pid: str, uid: str, title: str, day: date, start: time, end: time) -> icalendar.Event:
        """One event on ``pid``'s calendar, from ``start`` to ``end`` in their own zone."""
        return add(
            pid, _event(f"{pid}-{uid}", title, _at(day, start, tz[pid]), _at(day, end, tz[pid]))
        )

    timed("p02", "offsite", "Leadership offsite", WEEK_ONE[0], time(13, 0), time(15, 30))
    add("p09", _event("p09-ooo", "Out of office", WEEK_ONE[2], WEEK_ONE[3]))
    timed("p06", "focus", "Focus time", WEEK_ONE[1], time(13, 0), time(17, 0)).add(
        "transp", "TRANSPARENT"
    )
    timed("p17", "cancelled", "Cancelled review", WEEK_ONE[0], time(9, 0), time(12, 0)).add(
        "status", "CANCELLED"
    )
    floating = datetime.combine(WEEK_ONE[1], time(9, 0))  # no time zone: read in the owner's zone
    add("p10", _event("p10-floating", "Dentist", floating, floating + timedelta(hours=1)))
    timed("p19", "rollout", "Laptop rollout", WEEK_ONE[0], time(9, 30), time(12, 30))

    for cal in calendars.values():
        cal.add_missing_timezones()
        # add_missing_timezones iterates a set; sort so the files are byte-identical per run.
        zones = sorted(
            (c for c in cal.subcomponents if c.name == "VTIMEZONE"), key=lambda c: str(c["TZID"])
        )
        cal.subcomponents = [*zones, *(c for c in cal.subcomponents if c.name != "VTIMEZONE")]
    return calendars


def main(argv: list[str]) -> int:
    with (HERE / "directory.csv").open(encoding="utf-8", newline="") as handle:
        directory = list(csv.DictReader(handle))
    out = HERE / "calendars"
    out.mkdir(exist_ok=True)
    for pid, cal in build(directory).items():
        (out / f"{pid}.ics").write_bytes(cal.to_ical())
    print(f"wrote {len(directory)} calendars to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
