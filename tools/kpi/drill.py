"""Drill-down: which dimension values moved, and which change-log rows fall in the window.

Why seasonal-naive expectations per slice: a slice (one region, one channel) is small and
noisy, so its own model would be unstable; the median of the same position in the
previous four seasons is robust, needs no fitting, and is easy to check by hand. The
contribution of a value is its observed minus expected, summed over the window; a value
"explains" the change when it carries most of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from baton.tools.kpi.detect import fill_gaps, season_length
from baton.tools.kpi.io import Series
from baton.tools.kpi.models import Anomaly

EXPLAINS = 0.6
"""Share of the window's total move a single value must carry to be named the cause."""


def expected_at(values: np.ndarray[Any, Any], t: int, base: int, period: int) -> float:
    """Median of the same season position in the four seasons before ``base``."""
    anchor = t - period * -(-(t - base + 1) // period)  # last same-phase point before base
    back = [values[anchor - k * period] for k in range(4) if anchor - k * period >= 0]
    return float(np.median(back)) if back else float(values[t])


def contributions(series: Series, start: int, end: int, base: int) -> list[dict[str, Any]]:
    """Per slice: observed minus expected over ``start..end`` (expected from before ``base``).

    ``base`` is where the anomaly begins; positions after it are compared with the
    season before it, so a level shift does not become its own baseline.
    """
    period = season_length(series.step_seconds)
    rows: list[dict[str, Any]] = []
    by_dim: dict[str, float] = {}
    for name, values in series.slices.items():
        filled, _ = fill_gaps(values)
        delta = 0.0
        for t in range(start, end + 1):
            delta += float(filled[t]) - expected_at(filled, t, base, period)
        dim, value = name.split("=", 1)
        by_dim[dim] = by_dim.get(dim, 0.0) + delta
        rows.append({"dim": dim, "value": value, "delta": round(delta, 2)})
    for row in rows:
        total = by_dim[row["dim"]]
        row["share_pct"] = round(100 * row["delta"] / total, 1) if total else 0.0
    return sorted(rows, key=lambda r: (-abs(r["delta"]), r["dim"], r["value"]))


def explaining(anomaly: Anomaly, contribs: list[dict[str, Any]]) -> dict[str, str]:
    """The slice that explains the anomaly: its own slice, else a value carrying most of it."""
    if anomaly.dims:
        return dict(anomaly.dims)
    best = [c for c in contribs if c["share_pct"] >= 100 * EXPLAINS and c["delta"] != 0]
    if not best:
        return {}
    top = max(best, key=lambda c: (abs(c["delta"]), c["share_pct"]))
    return {top["dim"]: top["value"]}


def rank_changes(
    anomaly: Anomaly,
    where: dict[str, str],
    changes: list[dict[str, str]],
    step_seconds: int,
) -> list[dict[str, Any]]:
    """Change rows in (or one period before) the window, most plausible cause first.

    A row scoped to the slice that moved ranks first; a row scoped to another value of
    that dimension, or to another KPI, is a decoy and ranks last; ties go to the row
    closest to the start.
    """
    start = datetime.fromisoformat(anomaly.start)
    end = datetime.fromisoformat(anomaly.end)
    lead = timedelta(seconds=step_seconds * max(1, season_length(step_seconds) // 7))
    ranked: list[tuple[float, str, dict[str, Any]]] = []
    for row in changes:
        when = datetime.fromisoformat(row["date"])
        if not start - lead <= when <= end:
            continue
        score = 0.0
        if row.get("kpi"):
            score += 1 if row["kpi"] == anomaly.kpi else -3
        for dim, value in where.items():
            if dim in row:
                score += 2 if row[dim] == value else -2
        for dim, value in row.items():
            if dim not in where and dim not in ("id", "date", "kind", "summary", "kpi") and value:
                score -= 1  # scoped to a slice that did not move
        score -= abs((when - start).total_seconds()) / (step_seconds * 7)
        ranked.append((-score, row["id"], {**row, "score": round(score, 2)}))
    return [r for _, _, r in sorted(ranked, key=lambda x: (x[0], x[1]))]
