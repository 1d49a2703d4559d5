"""Working days for the starter: weekends plus the public holidays of their country.

Week one and the 30/60/90-day check-ins must both skip the same non-working days, so the
rule lives in one place. Holidays come from the maintained ``holidays`` package rather
than a hand-kept list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays


def supported_country(country: str, subdivision: str | None = None) -> str | None:
    """Why ``country``/``subdivision`` cannot give a holiday calendar, or None if it can."""
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2000)
    except NotImplementedError as exc:
        return str(exc)
    return None


def holiday_calendar(
    country: str, subdivision: str | None, years: Iterable[int]
) -> holidays.HolidayBase:
    """Public holidays for the starter's country (and region, if given) in ``years``."""
    return holidays.country_holidays(country, subdiv=subdivision, years=sorted(set(years)))


def non_working_reasons(day: date, calendar: holidays.HolidayBase) -> list[str]:
    """Why ``day`` is not a working day (empty list: it is one)."""
    reasons: list[str] = []
    if day.weekday() >= 5:
        reasons.append(day.strftime("%A"))
    reasons.extend(calendar.get_list(day))
    return reasons


def next_working_day(day: date, calendar: holidays.HolidayBase) -> tuple[date, list[str]]:
    """The first working day on or after ``day`` and the reasons for every day skipped."""
    skipped: list[str] = []
    while reasons := non_working_reasons(day, calendar):
        skipped.append(f"{day.isoformat()} is {' / '.join(reasons)}")
        day += timedelta(days=1)
    return day, skipped


def working_days_from(start: date, count: int, calendar: holidays.HolidayBase) -> list[date]:
    """The first ``count`` working days starting on ``start`` (week one of the starter)."""
    days: list[date] = []
    day = start
    while len(days) < count:
        day, _ = next_working_day(day, calendar)
        days.append(day)
        day += timedelta(days=1)
    return days
