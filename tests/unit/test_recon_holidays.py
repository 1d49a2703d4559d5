"""Bank holidays read off a busy statement, so windows count banking days.

The convention is documented in ``statement_holidays``: on a holiday a busy account
posts what it posts on a Saturday (a few instant payments), never its weekday volume.
"""

from __future__ import annotations

from datetime import date, timedelta

from baton.tools.finance.matching import MatchParams, reconcile
from baton.tools.finance.matching.records import statement_holidays
from baton.tools.finance.models import BankLine, LedgerEntry
from tests.unit.test_recon_runs import MON, bank, bill, booked

HOLIDAY = 14
"""The third Monday of the statement (offset from ``MON``) is a bank holiday."""


def busy_statement() -> list[BankLine]:
    """Three and a half weeks of instant receipts: ten a weekday, two a weekend day or
    holiday, none of them in the books."""
    lines = []
    for offset in range(25):
        day = MON + timedelta(days=offset)
        count = 2 if day.weekday() >= 5 or offset == HOLIDAY else 10
        lines += [
            bank(f"F{offset}-{k}", offset, f"FPI PAYER {offset} {k}", f"{offset * 10 + k}.{k}7")
            for k in range(count)
        ]
    return lines


def test_a_weekday_quiet_as_a_weekend_is_read_as_a_holiday() -> None:
    days = [line.date for line in busy_statement()]
    assert statement_holidays(days) == (MON + timedelta(days=HOLIDAY),)


def test_a_sparse_statement_infers_no_holiday() -> None:
    # Three lines a week: quiet weekdays are ordinary, not closures.
    days = [MON + timedelta(days=offset) for offset in range(0, 25, 2)]
    assert statement_holidays(days) == ()


def run_across_the_holiday() -> tuple[list[BankLine], list[LedgerEntry]]:
    # The run posts on the Thursday after the holiday; its payments were booked the
    # Thursday before: four banking days, five weekdays.
    lines = [*busy_statement(), bank("RUN", HOLIDAY + 3, "BACS PAYMENT RUN", "-1234.56")]
    entries = [
        bill("P1", HOLIDAY - 4, "Ashworth Joinery", "-400.00", "51001"),
        bill("P2", HOLIDAY - 4, "Baxter Plumbing", "-534.56", "51002"),
        bill("P3", HOLIDAY - 4, "Carrow Print", "-300.00", "51003"),
        # Two payments of the week before that happen to make the same total: outside
        # the run's window of four banking days, a rival inside five weekdays.
        bill("P4", HOLIDAY - 5, "Dunmore Electrical", "-600.00", "51004"),
        bill("P5", HOLIDAY - 5, "Ellison Hire", "-634.56", "51005"),
    ]
    return lines, entries


def test_a_run_across_a_holiday_keeps_its_window_in_banking_days() -> None:
    lines, entries = run_across_the_holiday()
    assert booked(reconcile(lines, entries)) == {("RUN", "P1"), ("RUN", "P2"), ("RUN", "P3")}


def test_a_calendar_of_another_country_still_gets_the_closure_the_statement_shows() -> None:
    lines, entries = run_across_the_holiday()
    params = MatchParams(holidays=(date(2025, 7, 4),))
    assert booked(reconcile(lines, entries, params)) == {
        ("RUN", "P1"),
        ("RUN", "P2"),
        ("RUN", "P3"),
    }


def test_inference_off_uses_the_configured_calendar_alone() -> None:
    # A calendar that knows of no closure that week: five weekdays, past the window.
    lines, entries = run_across_the_holiday()
    params = MatchParams(holidays=(date(2025, 7, 4),), infer_holidays=False)
    assert booked(reconcile(lines, entries, params)) == set()


def test_a_weekend_only_statement_infers_nothing() -> None:
    saturday = MON + timedelta(days=5)
    assert statement_holidays([saturday, saturday + timedelta(days=1)]) == ()


def test_dates_centuries_apart_are_not_walked_day_by_day() -> None:
    assert statement_holidays([date(1, 1, 1), date(9999, 12, 31)]) == ()
