"""Router and de-duplication ledger: who is told, how, and never twice for one anomaly.

Why a ledger in the Baton home: runs are hourly and independent, but "the same anomaly"
spans them. The ledger (one JSON file per monitored input, written atomically under a
file lock) keeps the watermark each run starts after and every anomaly already reported,
so tomorrow's run neither re-reads old data nor re-pages an owner. A level shift's
change point can move by a step or two as data arrives, and a level shift's first point
is first seen as a spike; an anomaly of the same KPI and slice starting within one
season (same kind) or two steps (other kind) of a known one is the known one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from baton.outputs import atomic_write
from baton.tools.kpi.detect import season_length
from baton.tools.kpi.models import SEVERITIES, AlertPolicy, Anomaly


def route(anomaly: Anomaly, explained_by: dict[str, str], policy: AlertPolicy) -> dict[str, Any]:
    """Owner, escalation ladder, channel, and whether to alert and to ask a human."""
    rule = policy.kpis[anomaly.kpi]
    owner, why = rule.owner, f"owner of {anomaly.kpi}"
    for dim, value in sorted(explained_by.items()):
        named = rule.dimension_owners.get(dim, {}).get(value)
        if named:
            owner, why = named, f"owner of {anomaly.kpi} for {dim}={value}"
            break
    ladder = [owner, *(p for p in [rule.owner, *rule.ladder] if p != owner)]
    rank = SEVERITIES.index(anomaly.severity)
    alert = rank >= SEVERITIES.index(policy.alert_min_severity)
    review = alert and (
        rank >= SEVERITIES.index(policy.review_severity)
        or anomaly.confidence < policy.review_below_confidence
    )
    return {
        "owner": owner,
        "ladder": list(dict.fromkeys(ladder)),
        "channel": rule.channel,
        "alert": alert,
        "review": review,
        "reason": why,
    }


def ledger_path(home: Path, folder: str) -> Path:
    """One ledger per monitored input folder (by its resolved path)."""
    key = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return home / "kpi-monitor" / f"ledger-{key}.json"


def read_ledger(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"watermarks": {}, "seen": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@contextmanager
def locked_ledger(path: Path) -> Iterator[dict[str, Any]]:
    """Read-modify-write the ledger under an exclusive lock; written only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_ledger(path)
        yield data
        atomic_write(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def known_as(anomaly: Anomaly, seen: dict[str, Any], step_seconds: int) -> str | None:
    """The id this anomaly was already reported under, if any."""
    if anomaly.id in seen:
        return anomaly.id
    start = datetime.fromisoformat(anomaly.start)
    for aid, row in sorted(seen.items()):
        if (row["kpi"], row["slice"]) != (anomaly.kpi, anomaly.slice_label()):
            continue
        # Same kind: within a season. A spike that turns out to be the first point of a
        # level shift (or the reverse) is the same incident when they start within 2 steps.
        steps = season_length(step_seconds) if row["kind"] == anomaly.kind else 2
        gap = abs((datetime.fromisoformat(row["start"]) - start).total_seconds())
        if gap <= steps * step_seconds:
            return aid
    return None


def remember(seen: dict[str, Any], anomaly: Anomaly, alerted: list[str], run_id: str) -> None:
    seen[anomaly.id] = {
        "kpi": anomaly.kpi,
        "slice": anomaly.slice_label(),
        "kind": anomaly.kind,
        "start": anomaly.start,
        "severity": anomaly.severity,
        "alerted": alerted,
        "run": run_id,
    }
