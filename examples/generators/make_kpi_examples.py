"""Writes examples/kpi/ and examples/kpi-saas/ (run once; the CSVs are committed).

Kept out of examples/scripts/, which holds public-API scripts that the tests execute:
running this one would rewrite the committed examples.

examples/kpi/ is Fjordline Outdoor, a web and app shop in three regions, 15 weeks of daily
KPIs with three stories: an app release that broke checkout (2026-02-17, rolled back on
2026-02-21), a price rise in the west region only (2026-03-10) and an Easter newsletter
that tripled signups for a day (2026-04-02), plus change-log rows that did nothing.
examples/kpi-saas/ is a different business: three weeks of hourly API errors and logins
for two plans, where a deploy to the pro plan's cluster raised its errors.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shop() -> None:
    rng = random.Random(2026)
    start, days = date(2026, 1, 5), 105
    regions = {"north": 0.3, "south": 0.45, "west": 0.25}
    channels = {"web": 0.6, "app": 0.4}
    weekly = [0.95, 0.97, 1.0, 1.02, 1.1, 1.18, 0.9]
    rows = []
    for d in range(days):
        day = start + timedelta(days=d)
        growth = 1 + 0.002 * d
        for region, rs in regions.items():
            for channel, cs in channels.items():
                orders = 900 * rs * cs * weekly[day.weekday()] * growth
                price = 62.0
                if channel == "app" and date(2026, 2, 17) <= day < date(2026, 2, 21):
                    orders *= 0.35  # checkout broken in app 4.12
                if region == "west" and day >= date(2026, 3, 10):
                    price *= 1.15
                    orders *= 0.97
                orders = max(0.0, orders * rng.gauss(1, 0.03))
                signups = 120 * rs * cs * weekly[day.weekday()] * rng.gauss(1, 0.05)
                if day == date(2026, 4, 2):
                    signups *= 3.0
                for kpi, value in (
                    ("orders", round(orders)),
                    ("revenue", round(orders * price * rng.gauss(1, 0.01), 2)),
                    ("signups", round(signups)),
                ):
                    rows.append([day.isoformat(), kpi, region, channel, value])
    with (ROOT / "kpi" / "kpis.csv").open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["date", "kpi", "region", "channel", "value"])
        w.writerows(rows)


def saas() -> None:
    rng = random.Random(7)
    start, hours = datetime(2026, 5, 4), 21 * 24
    rows = []
    for h in range(hours):
        t = start + timedelta(hours=h)
        daily = 1 + 0.6 * math.sin((t.hour - 8) / 24 * 2 * math.pi)
        for plan, share in (("free", 0.7), ("pro", 0.3)):
            logins = 4000 * share * daily * rng.gauss(1, 0.04)
            errors = 300 * share * daily * rng.gauss(1, 0.06)
            if plan == "pro" and start + timedelta(days=16, hours=14) <= t:
                errors *= 4.0
            rows.append([t.isoformat(), "logins", plan, round(logins)])
            rows.append([t.isoformat(), "api_errors", plan, round(errors)])
    with (ROOT / "kpi-saas" / "kpis.csv").open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["date", "kpi", "plan", "value"])
        w.writerows(rows)


if __name__ == "__main__":
    shop()
    saas()
