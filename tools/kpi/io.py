"""Loading a KPI folder (series, change log, policy, runbooks) with exact, fast errors.

Why streaming with hard limits: a monitor fed by an export job can be handed a file a
thousand times larger than usual, or one that is not a CSV at all. The reader stops at
the first bad row, or at :data:`MAX_ROWS`, and says where, in one line, within seconds;
nothing is analysed on half-read data.

Folder layout: ``kpis.csv`` (``date,kpi,value`` plus any dimension columns such as
``region``), optional ``changes.csv`` (``id,date,kind,summary`` plus optional ``kpi`` and
dimension columns scoping the change), ``alert_policy.yaml`` and optional ``runbooks/``.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from baton.errors import InputError
from baton.tools.kpi.models import AlertPolicy
from baton.tools.yamlmodel import field_input_error, load_yaml_model

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024
MAX_POINTS = 50_000
"""Points per series after filling the time grid (an hourly year is 8,760)."""
MIN_POINTS = 14
SERIES_FILE = "kpis.csv"
CHANGES_FILE = "changes.csv"
POLICY_FILE = "alert_policy.yaml"
_SERIES_FIXED = ("date", "kpi", "value")
_CHANGE_FIXED = ("id", "date", "kind", "summary", "kpi")


@dataclass
class Series:
    """One KPI on a regular time grid: the total and every dimension slice.

    ``None`` marks a gap (a timestamp with no row); slices are keyed ``dim=value``.
    """

    kpi: str
    times: list[str]
    step_seconds: int
    total: list[float | None]
    slices: dict[str, list[float | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "times": self.times,
            "step_seconds": self.step_seconds,
            "total": self.total,
            "slices": self.slices,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Series:
        return cls(**data)


def _regular_file(path: Path) -> None:
    """Refuse what is not a plain, bounded file before opening it (a FIFO would block)."""
    if path.is_symlink() or not path.is_file():
        raise InputError(path, "is not a regular file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(path, f"is larger than {MAX_BYTES // (1024 * 1024)} MB")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    _regular_file(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            if not header:
                raise InputError(path, "has no header row", line=1)
            for col in required:
                if col not in header:
                    raise InputError(path, "missing column", line=1, column=col)
            for n, raw in enumerate(reader, start=2):
                if n - 1 > MAX_ROWS:
                    raise InputError(path, f"has more than {MAX_ROWS} rows", line=n)
                if not raw:
                    continue
                if len(raw) != len(header):
                    raise InputError(
                        path, f"has {len(raw)} values for {len(header)} columns", line=n
                    )
                yield n, {h: v.strip() for h, v in zip(header, raw, strict=True)}
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(path, f"is not valid CSV ({exc})") from None


def parse_time(raw: str, path: Path, line: int, column: str = "date") -> datetime:
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(path, f"invalid date {raw[:40]!r}", line=line, column=column) from None
    return when.replace(tzinfo=None) if when.tzinfo is None else when


def _number(raw: str, path: Path, line: int) -> float:
    try:
        value = float(raw.replace(",", "")) if raw else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(path, f"invalid number {raw[:40]!r}", line=line, column="value")
    return value


def _grid(times: list[datetime], path: Path, kpi: str) -> tuple[list[datetime], int]:
    """The regular grid from first to last timestamp, stepped by the commonest spacing."""
    if len(times) < MIN_POINTS:
        raise InputError(
            path, f"kpi '{kpi}' has {len(times)} point(s); at least {MIN_POINTS} are needed"
        )
    gaps = sorted((b - a).total_seconds() for a, b in itertools.pairwise(times))
    step = int(gaps[len(gaps) // 2])
    span = (times[-1] - times[0]).total_seconds()
    if step <= 0 or span / step + 1 > MAX_POINTS:
        raise InputError(path, f"kpi '{kpi}' spans more than {MAX_POINTS} time steps")
    if any(g % step for g in gaps):
        raise InputError(path, f"kpi '{kpi}': timestamps are not on a regular {step} s grid")
    grid = [times[0] + timedelta(seconds=step * i) for i in range(int(span // step) + 1)]
    return grid, step


def load_series(path: Path) -> dict[str, Series]:
    """Every KPI in ``kpis.csv``, summed over rows per time, on its regular grid."""
    totals: dict[str, dict[datetime, float]] = {}
    slices: dict[str, dict[str, dict[datetime, float]]] = {}
    seen: dict[tuple[str, datetime, tuple[str, ...]], int] = {}
    dims: list[str] = []
    for line, row in _rows(path, _SERIES_FIXED):
        if not dims:
            dims = [c for c in row if c not in _SERIES_FIXED]
        kpi = row["kpi"]
        if not kpi:
            raise InputError(path, "empty kpi", line=line, column="kpi")
        when = parse_time(row["date"], path, line)
        value = _number(row["value"], path, line)
        key = (kpi, when, tuple(row[d] for d in dims))
        if key in seen:
            raise InputError(path, f"duplicate of line {seen[key]}", line=line)
        seen[key] = line
        totals.setdefault(kpi, {})
        totals[kpi][when] = totals[kpi].get(when, 0.0) + value
        for d in dims:
            if row[d]:
                cell = slices.setdefault(kpi, {}).setdefault(f"{d}={row[d]}", {})
                cell[when] = cell.get(when, 0.0) + value
    if not totals:
        raise InputError(path, "has no data rows")
    out: dict[str, Series] = {}
    for kpi, by_time in sorted(totals.items()):
        grid, step = _grid(sorted(by_time), path, kpi)
        out[kpi] = Series(
            kpi=kpi,
            times=[t.isoformat() for t in grid],
            step_seconds=step,
            total=[by_time.get(t) for t in grid],
            slices={
                name: [cell.get(t, 0.0 if t in by_time else None) for t in grid]
                for name, cell in sorted(slices.get(kpi, {}).items())
            },
        )
    return out


def load_changes(path: Path) -> list[dict[str, str]]:
    """Change-log rows (deploys, price changes, campaigns); absent file: no rows."""
    if not path.exists() and not path.is_symlink():
        return []
    rows: list[dict[str, str]] = []
    ids: set[str] = set()
    for line, row in _rows(path, _CHANGE_FIXED[:4]):
        if not row["id"] or row["id"] in ids:
            raise InputError(path, "missing or repeated id", line=line, column="id")
        ids.add(row["id"])
        row["date"] = parse_time(row["date"], path, line).isoformat()
        rows.append({k: v for k, v in row.items() if v})
    return rows


def load_policy(path: Path) -> AlertPolicy:
    return load_yaml_model(path, AlertPolicy, field_input_error)


def check_policy(policy: AlertPolicy, series: dict[str, Series], where: Path) -> None:
    """Every KPI the policy names must be in the data, and every KPI in the data routed."""
    for kpi in policy.kpis:
        if kpi not in series:
            known = ", ".join(sorted(series))
            raise InputError(where, f"kpis.{kpi}: unknown KPI (the data has: {known})")
    for kpi in series:
        if kpi not in policy.kpis:
            raise InputError(where, f"kpis: no owner for KPI '{kpi}' found in {SERIES_FILE}")


def load_folder(folder: Path) -> tuple[dict[str, Series], list[dict[str, str]], AlertPolicy]:
    """Validate a whole KPI folder; the first problem raises with its location."""
    if not folder.is_dir():
        raise InputError(folder, "expected a folder with kpis.csv and alert_policy.yaml")
    for name in (SERIES_FILE, POLICY_FILE):
        if not (folder / name).exists():
            raise InputError(folder / name, "missing: this file is required")
    policy = load_policy(folder / POLICY_FILE)
    series = load_series(folder / SERIES_FILE)
    check_policy(policy, series, folder / POLICY_FILE)
    return series, load_changes(folder / CHANGES_FILE), policy
