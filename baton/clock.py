"""The one clock the runtime reads: real UTC time, or a fixed test time from ``BATON_NOW``.

Why a module for a clock: review deadlines and schedules compare "now" with stored
timestamps, and a test must be able to say "it is now 03:00, tick" without sleeping or
patching ``datetime``. ``BATON_NOW`` (an ISO-8601 timestamp) is TEST-ONLY: it freezes
every timestamp the registry, the audit trail, review deadlines and schedules see, in
this process and in the ``baton`` subprocesses it starts. Never set it in production.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from baton.errors import UserError

TEST_CLOCK_ENV = "BATON_NOW"


def now() -> datetime:
    """The current time (timezone-aware UTC), frozen at ``BATON_NOW`` when that is set."""
    fixed = os.environ.get(TEST_CLOCK_ENV)
    if fixed:
        return parse_utc(fixed, TEST_CLOCK_ENV)
    return datetime.now(UTC)


def parse_utc(text: str, what: str) -> datetime:
    """An ISO-8601 timestamp as aware UTC; a naive one is read as UTC.

    Raises a one-line :class:`UserError` naming ``what`` for anything else.
    """
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise UserError(
            f"{what}: {text!r} is not an ISO-8601 timestamp (e.g. 2026-12-03T17:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """The registry's timestamp text: UTC, milliseconds, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
