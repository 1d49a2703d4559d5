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
    """Public holidays for the starter's country (and region, if given) in ``years``.

    Names are in the country's own language ("Erster Mai" in Berlin): under the process's
    default locale the package gives English names, and Germany's 1 May then reads
    "Labor Day", which a reader takes for the American holiday of that name.
    """
    years = sorted(set(years))
    local = holidays.country_holidays(country, subdiv=subdivision, years=years)
    language = getattr(local, "default_language", None)
    if not language:
        return local
    return holidays.country_holidays(country, subdiv=subdivision, years=years, language=language)


def region_of(calendar: holidays.HolidayBase) -> str:
    """``DE-BE`` / ``US``: whose public holiday a day is, said in every reason."""
    country = str(getattr(calendar, "country", "") or "")
    subdivision = getattr(calendar, "subdiv", None)
    return f"{country}-{subdivision}" if subdivision else country


def non_working_reasons(day: date, calendar: holidays.HolidayBase) -> list[str]:
    """Why ``day`` is not a working day (empty list: it is one)."""
    reasons: list[str] = []
    if day.weekday() >= 5:
        reasons.append(day.strftime("%A"))
    where = region_of(calendar)
    reasons.extend(f"{name} (a public holiday in {where})" for name in calendar.get_list(day))
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
