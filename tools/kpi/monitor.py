"""One monitoring pass: detect on every KPI and slice, keep what is new, drill down.

Why slices are detected too: a region can collapse while the total barely moves (a
dimension-only anomaly). A slice anomaly that overlaps an anomaly of its KPI's total is
folded into the total's drill-down instead of alerted twice; of several overlapping
slice anomalies of one KPI, the strongest is kept (the others are its reflection in
other dimensions).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baton.tools.kpi import detect
from baton.tools.kpi.drill import contributions, explaining, rank_changes
from baton.tools.kpi.io import Series
from baton.tools.kpi.models import AlertPolicy, Anomaly


def _anomaly(
    series: Series,
    dims: dict[str, str],
    ev: detect.Event,
    policy: AlertPolicy,
    cfg: detect.Settings,
) -> Anomaly:
    label = ", ".join(f"{k}={v}" for k, v in sorted(dims.items())) or "total"
    start = series.times[ev.start]
    th = policy.thresholds_for(series.kpi)
    change_pct = round(100 * ev.change, 1)
    evidence: dict[str, float | int | str] = {
        "observed": round(ev.observed, 2),
        "expected": round(ev.expected, 2),
        "change_pct": change_pct,
        "abs_change_pct": abs(change_pct),
        "delta": round(ev.observed - ev.expected, 2),
        "abs_delta": round(abs(ev.observed - ev.expected), 2),
        "z": round(abs(ev.z), 1),
        "peak": series.times[ev.peak],
        "points": ev.end - ev.start + 1,
    }
    return Anomaly(
        id=detect.anomaly_id(series.kpi, label, ev.kind, start),
        kpi=series.kpi,
        dims=dims,
        kind="spike" if ev.kind == "spike" else "level_shift",
        start=start,
        end=series.times[ev.end],
        severity=detect.severity(ev.change, th.medium, th.high),
        confidence=detect.confidence(ev.z, cfg, ev.kind),
        evidence=evidence,
    )


def _overlaps(a: detect.Event, b: detect.Event) -> bool:
    return a.start - 1 <= b.end and b.start - 1 <= a.end


def find(
    series: Series, policy: AlertPolicy, cfg: detect.Settings | None = None
) -> list[tuple[Anomaly, detect.Event]]:
    """Anomalies of one KPI: its total, plus slices the total does not already explain."""
    cfg = cfg or detect.Settings(min_change=policy.thresholds_for(series.kpi).medium / 2)
    total = detect.detect(series.total, series.step_seconds, cfg)
    found = [(_anomaly(series, {}, ev, policy, cfg), ev) for ev in total]
    candidates: list[tuple[float, str, detect.Event]] = []
    for name, values in series.slices.items():
        for ev in detect.detect(values, series.step_seconds, cfg):
            if not any(_overlaps(ev, t) for t in total):
                candidates.append((-abs(ev.z), name, ev))
    kept: list[tuple[str, detect.Event]] = []
    for _, name, ev in sorted(candidates, key=lambda c: (c[0], c[1], c[2].start)):
        if not any(_overlaps(ev, k) for _, k in kept):
            kept.append((name, ev))
    for name, ev in kept:
        dim, value = name.split("=", 1)
        found.append((_anomaly(series, {dim: value}, ev, policy, cfg), ev))
    return sorted(found, key=lambda f: (f[0].start, f[0].id))


def analyse(
    series: dict[str, Series],
    changes: list[dict[str, str]],
    policy: AlertPolicy,
    since: dict[str, str] | None = None,
    cfg: detect.Settings | None = None,
) -> list[dict[str, Any]]:
    """Findings newer than ``since`` (per KPI, the last run's watermark), with drill-down.

    An anomaly counts as new if its window ends after the watermark: a level shift is
    only confirmed some points after it starts, so its start may predate the watermark.
    """
    out: list[dict[str, Any]] = []
    for kpi, s in sorted(series.items()):
        mark = (since or {}).get(kpi)
        for anomaly, ev in find(s, policy, cfg):
            if mark and datetime.fromisoformat(s.times[ev.end]) <= datetime.fromisoformat(mark):
                continue
            contribs = contributions(s, ev.start, ev.end, ev.start)
            where = explaining(anomaly, contribs)
            out.append(
                {
                    "anomaly": anomaly.model_dump(),
                    "contributions": contribs[:6],
                    "explained_by": where,
                    "causes": rank_changes(anomaly, where, changes, s.step_seconds)[:5],
                }
            )
    return out


def watermarks(series: dict[str, Series]) -> dict[str, str]:
    """The last timestamp per KPI: what the next run starts after."""
    return {kpi: s.times[-1] for kpi, s in series.items()}
