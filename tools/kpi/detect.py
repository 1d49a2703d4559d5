"""The detector: robust seasonal baselines (STL) for spikes, change points (ruptures) for
level shifts, on a regular series with gaps.

Why these libraries: statsmodels' robust STL separates weekly (or daily) seasonality and
trend without letting the outliers it is looking for bend the baseline, and ruptures'
PELT (KernelCPD, linear kernel) finds level shifts with a penalised cost rather than
hand-tuned windows. Code here
only scales residuals robustly (MAD), groups flagged points into events and turns them
into anomalies with evidence. Gaps are interpolated for the fit and never flagged.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import ruptures as rpt
from numpy.typing import NDArray
from statsmodels.tsa.seasonal import STL

Array = NDArray[np.float64]
DAY = 86_400


@dataclass(frozen=True)
class Event:
    """One anomaly by index: ``start``/``end`` inclusive, ``peak`` where it is strongest."""

    kind: str
    start: int
    end: int
    peak: int
    observed: float
    expected: float
    z: float

    @property
    def change(self) -> float:
        """Relative change against the baseline (0.3 = +30 %)."""
        return (self.observed - self.expected) / abs(self.expected) if self.expected else math.inf


@dataclass(frozen=True)
class Settings:
    """Detector thresholds. ``min_change`` ignores moves smaller than this fraction."""

    spike_z: float = 6.0
    shift_z: float = 4.0
    min_change: float = 0.05
    penalty: float = 8.0


def season_length(step_seconds: int) -> int:
    """Weekly season for daily data, daily season for intraday data."""
    if step_seconds >= DAY:
        return 7
    return max(2, min(DAY // max(step_seconds, 1), 2_000))


def fill_gaps(values: Sequence[float | None]) -> tuple[Array, NDArray[np.bool_]]:
    """Values with gaps linearly interpolated, and the gap mask."""
    raw = np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    gap = np.isnan(raw)
    if gap.all():
        raise ValueError("the series has no values")
    idx = np.arange(len(raw))
    raw[gap] = np.interp(idx[gap], idx[~gap], raw[~gap])
    return raw, gap


def robust_scale(resid: Array, level: Array) -> float:
    """1.4826 x MAD, floored so a perfectly smooth series does not divide by ~0."""
    mad = float(np.median(np.abs(resid - np.median(resid)))) * 1.4826
    floor = 1e-3 * float(np.median(np.abs(level))) + 1e-12
    return max(mad, floor)


def baseline(values: Array, period: int) -> tuple[Array, Array]:
    """(expected, seasonal): STL's trend + season, or a rolling median for short series."""
    if period >= 2 and len(values) >= 2 * period + 1:
        jump = max(1, math.ceil(period / 10))  # interpolate smoothers: 30x faster at 288
        fit = STL(
            values,
            period=period,
            seasonal=13,
            trend=_odd(4 * period),
            robust=True,
            seasonal_jump=jump,
            trend_jump=jump,
            low_pass_jump=jump,
        ).fit()
        seasonal = np.asarray(fit.seasonal, dtype=np.float64)
        return np.asarray(fit.trend, dtype=np.float64) + seasonal, seasonal
    from scipy.ndimage import median_filter

    return np.asarray(median_filter(values, size=5, mode="nearest"), np.float64), np.zeros(
        len(values)
    )


def _odd(n: int) -> int:
    return n if n % 2 else n + 1


def _groups(flags: NDArray[np.bool_], join: int = 1) -> list[tuple[int, int]]:
    """Runs of flagged indices, joining runs separated by at most ``join`` unflagged points."""
    idx = np.flatnonzero(flags)
    runs: list[tuple[int, int]] = []
    for i in idx.tolist():
        if runs and i - runs[-1][1] <= join + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def level_shifts(
    level: Array,
    gap: NDArray[np.bool_],
    period: int,
    scale: float,
    cfg: Settings,
    back: Callable[[float], float],
) -> tuple[list[Event], Array]:
    """Change points in the deseasonalised series, kept when the level really moved.

    Also returns the step function of the kept shifts, which :func:`detect` removes
    before fitting the seasonal baseline again (so STL's trend need not bend to them).
    """
    n = len(level)
    w = max(3, min(period, 30))
    steps = np.zeros(n)
    if n < 2 * 3:
        return [], steps
    noise = max(robust_scale(np.diff(level), level) / math.sqrt(2), scale * 0.5)
    # KernelCPD with a linear kernel is PELT on the l2 cost, implemented in C.
    algo = rpt.KernelCPD(kernel="linear", min_size=3).fit(level / noise)
    out: list[Event] = []
    for b in algo.predict(pen=cfg.penalty * math.log(n))[:-1]:
        if b < 3 or n - b < 3 or gap[b]:
            continue
        before = float(np.median(level[max(0, b - w) : b]))
        after = float(np.median(level[b : b + w]))
        z = (after - before) / scale
        rel = abs(back(after) - back(before)) / max(abs(back(before)), 1e-12)
        if abs(z) < cfg.shift_z or rel < cfg.min_change:
            continue
        steps[b:] += after - before
        prev = out[-1] if out else None
        if prev and prev.z * z < 0 and b - prev.start <= 2 * w:
            # The level went back: one dip (or bump) from prev.start to b, not two shifts.
            out[-1] = Event(
                "level_shift", prev.start, b - 1, prev.peak, prev.observed, prev.expected, prev.z
            )
            continue
        out.append(Event("level_shift", b, min(b + w, n) - 1, b, back(after), back(before), z))
    return out, steps


def detect(
    values: Sequence[float | None], step_seconds: int, cfg: Settings | None = None
) -> list[Event]:
    """All spikes and level shifts in a series, by index, in time order.

    A strictly positive series (sales, counts at scale) is analysed in logs: its noise
    grows with its level, so a 10 % move at the daily peak and at night weigh the same.
    """
    cfg = cfg or Settings()
    filled, gap = fill_gaps(values)
    logged = bool(np.all(filled > 0))
    x = np.log(filled) if logged else filled

    def back(v: float) -> float:
        return math.exp(v) if logged else v

    period = season_length(step_seconds)
    expected, seasonal = baseline(x, period)
    resid = x - expected
    # The residual's own MAD understates noise where STL overfits; successive differences
    # of the residual (/sqrt 2) do not, so the larger of the two is the scale.
    scale = max(robust_scale(resid, x), robust_scale(np.diff(resid), x) / math.sqrt(2))
    shifts, steps = level_shifts(x - seasonal, gap, period, scale, cfg, back)
    if shifts:  # refit without the shifts: the points after one are not spikes
        refit, _ = baseline(x - steps, period)
        expected = refit + steps
        resid = x - expected
    z = resid / scale
    base = np.exp(expected) if logged else expected
    rel = np.abs(filled - base) / np.maximum(np.abs(base), 1e-12)
    flags = (np.abs(z) >= cfg.spike_z) & (rel >= cfg.min_change) & ~gap
    events = list(shifts)
    for start, end in _groups(flags):
        w = max(3, min(period, 30))
        if any(start <= s.end and end >= s.start - w for s in shifts):
            continue  # STL's trend lags a level shift; the shift already explains it
        peak = start + int(np.argmax(np.abs(z[start : end + 1])))
        events.append(
            Event("spike", start, end, peak, float(filled[peak]), float(base[peak]), z[peak])
        )
    return sorted(events, key=lambda e: (e.start, e.kind))


def anomaly_id(kpi: str, slice_label: str, kind: str, start: str) -> str:
    """Stable across runs: derived from what was found, never from when it was found."""
    digest = hashlib.sha256(f"{kpi}\x00{slice_label}\x00{kind}\x00{start}".encode()).hexdigest()
    return f"A-{digest[:10]}"


def severity(change: float, medium: float, high: float) -> Literal["low", "medium", "high"]:
    size = abs(change)
    return "high" if size >= high else "medium" if size >= medium else "low"


def confidence(z: float, cfg: Settings, kind: str) -> float:
    """0.5 at the detection threshold, 1.0 at twice the threshold."""
    threshold = cfg.spike_z if kind == "spike" else cfg.shift_z
    return round(min(1.0, abs(z) / (2 * threshold)), 2)
