"""A fixed run registry and audit trail whose metrics were computed by hand.

Shared by the metrics unit test (which checks every figure against the hand-computed
values in ``EXPECTED``) and the inbox browser test (which renders and screenshots the
metrics page over it). Times are fixed, so nothing depends on when the test runs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from baton.config import Settings
from baton.registry import AuditRecord, Registry, RunRecord
from baton.review import make_decision

NOW = datetime(2026, 11, 6, tzinfo=UTC)
"""``--since 30d`` from here keeps every run but the one from September."""


def _edit_summary(edits: dict[str, Any]) -> str:
    return make_decision("edit", "x", None, edits).summary()


def _at(day: str, clock: str) -> str:
    """A UTC timestamp in 2026 from ``"MM-DD"`` and ``"HH:MM:SS"``."""
    return f"2026-{day}T{clock}+00:00"


def _node(
    node: str,
    day: str,
    start: str,
    end: str,
    model: str | None = None,
    tokens: tuple[int, int] = (0, 0),
    calls: int = 0,
    cache: int = 0,
) -> dict[str, Any]:
    return {
        "kind": "node",
        "node": node,
        "started_at": _at(day, start),
        "ended_at": _at(day, end),
        "model": model,
        "tokens_in": tokens[0],
        "tokens_out": tokens[1],
        "llm_calls": calls,
        "cache_hits": cache,
        "decision": "done",
    }


def _human(actor: str, day: str, at: str, decision: str) -> dict[str, Any]:
    return {
        "kind": "human",
        "node": "review",
        "started_at": _at(day, at),
        "ended_at": _at(day, at),
        "actor": actor,
        "decision": decision,
    }


RUNS: list[tuple[str, str, str, str | None]] = [
    # id, scenario, status, reason; a run is created when its first audit record starts
    ("rb-a", "research-brief", "done", None),
    ("rb-b", "research-brief", "done", None),
    ("rb-c", "research-brief", "done", None),
    ("rb-f", "research-brief", "done", None),
    ("er-d", "expense-reconciliation", "done", None),
    ("er-e", "expense-reconciliation", "failed", "budget exhausted: 60 of 60 model calls used"),
    ("rb-old", "research-brief", "done", None),
]
AUDIT: dict[str, list[dict[str, Any]]] = {
    # each run's trail, in seq order
    "rb-a": [
        _node("researcher", "11-01", "10:00:00", "10:00:10", "gpt-4o-mini", (1000, 200), 1),
        _node("writer", "11-01", "10:00:10", "10:00:30", "gpt-4o-mini", (2000, 500), 2, 1),
        _node("critic", "11-01", "10:00:30", "10:00:40"),
        _human("alice", "11-01", "10:10:40", "approve"),
        _node("review", "11-01", "10:10:40", "10:10:41"),
        _node("formatter", "11-01", "10:10:41", "10:10:51"),
    ],
    "rb-b": [
        _node("researcher", "11-02", "09:00:00", "09:00:20", "gpt-4o-mini", (1000, 100), 1),
        _human("bob", "11-02", "09:30:20", _edit_summary({"title": "T", "summary": "S"})),
        _node("formatter", "11-02", "09:30:20", "09:30:25"),
    ],
    "rb-c": [
        _node("writer", "11-03", "08:00:00", "08:01:00", "local-x", (500, 50), 1),
        _human("carol", "11-03", "09:01:00", "reject: too vague"),
        _node("writer", "11-03", "09:01:00", "09:02:00", "gpt-4o-mini", (1000, 0), 1),
        _human("carol", "11-03", "09:32:00", "approve"),
        _node("formatter", "11-03", "09:32:00", "09:32:30"),
    ],
    "rb-f": [
        _node("researcher", "11-05", "06:00:00", "06:00:10"),
        _human("baton", "11-05", "06:00:10", "approve: auto-approved: review=never"),
        _node("formatter", "11-05", "06:00:10", "06:00:11"),
    ],
    "er-d": [
        _node("extraction", "11-04", "12:00:00", "12:00:05", "gpt-4o", (100, 100), 1),
        _human(
            "dave",
            "11-04",
            "12:05:05",
            _edit_summary(
                {
                    "decisions": [
                        {"action": "accept"},
                        {"action": "match_to"},
                        {"action": "accept"},
                    ]
                }
            ),
        ),
        _human("dave", "11-04", "12:05:05", "IT request R-1: approve"),
        _node("publish", "11-04", "12:05:05", "12:05:06"),
    ],
    "er-e": [
        _node("extraction", "11-05", "00:00:00", "00:01:00", "gpt-4o", (1000, 1000), 60),
    ],
    "rb-old": [
        _node("writer", "09-01", "00:00:00", "00:00:09", "gpt-4o", (9999, 9999), 1),
        _human("zed", "09-01", "01:00:00", "reject: old"),
    ],
}

PRICING = {
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4o": {"input": 2.50, "output": 10.00},
}

EXPECTED: dict[str, dict[str, Any]] = {
    # Worked by hand from RUNS above (runs created in the 30 days before NOW).
    "research-brief": {
        "runs": 4,
        "done": 4,
        "failed": 0,
        "failure_rate": 0.0,
        "runs_per_day": round(4 / 30, 3),
        "reviews": 4,
        "approved": 2,
        "edited": 1,
        "rejected": 1,
        "auto_approved": 1,
        "agreement": 0.5,
        "override_rate": 0.5,
        "edit_kinds": {"rejected": 1, "summary": 1, "title": 1},
        # machine [40, 20, 60, 60]; waiting [600, 1800, 3600, 1800]; outputs [11, 5, 30]
        "machine_to_pause_p50_s": 50.0,
        "machine_to_pause_p95_s": 60.0,
        "waiting_p50_s": 1800.0,
        "waiting_p95_s": 3330.0,
        "decision_to_outputs_p50_s": 11.0,
        "decision_to_outputs_p95_s": 28.1,
        "llm_calls": 6,
        "cache_hits": 1,
        "tokens_in": 5500,
        "tokens_out": 850,
        # (3000*.15 + 700*.60) + (1000*.15 + 100*.60) + 1000*.15, per 1M tokens
        "cost_total": 0.00123,
        "cost_per_run": 0.0003075,
        "budget_stops": 0,
        "unpriced_models": ["local-x"],
    },
    "expense-reconciliation": {
        "runs": 2,
        "done": 1,
        "failed": 1,
        "failure_rate": 0.5,
        "reviews": 1,
        "approved": 0,
        "edited": 1,
        "rejected": 0,
        "auto_approved": 0,
        "agreement": 0.0,
        "override_rate": 1.0,
        "edit_kinds": {"decisions:accept": 2, "decisions:match_to": 1},
        "machine_to_pause_p50_s": 5.0,
        "waiting_p50_s": 300.0,
        "decision_to_outputs_p50_s": 1.0,
        "llm_calls": 61,
        "tokens_in": 1100,
        "tokens_out": 1100,
        # (100*2.5 + 100*10) + (1000*2.5 + 1000*10)
        "cost_total": 0.01375,
        "cost_per_run": 0.006875,
        "budget_stops": 1,
        "unpriced_models": [],
    },
    "all": {
        "runs": 6,
        "reviews": 5,
        "approved": 2,
        "agreement": 0.4,
        "override_rate": 0.6,
        "cost_total": 0.01498,
        "budget_stops": 1,
        "failure_rate": round(1 / 6, 4),
    },
}


def _moved(stamp: str, by: timedelta) -> str:
    return (datetime.fromisoformat(stamp) + by).isoformat()


def write_trail(settings: Settings, now: datetime = NOW) -> None:
    """Put ``RUNS`` into the home's registry (idempotent), moved so ``NOW`` is ``now``.

    Moving every timestamp by the same amount changes no figure, only the period a
    page or ``--since`` must ask for: the browser test moves them to the present.
    """
    by = now - NOW
    registry = Registry(settings.registry_path)
    try:
        for run_id, scenario, status, reason in RUNS:
            trail = AUDIT[run_id]
            created = trail[0]["started_at"]
            audit = [
                {
                    **r,
                    "started_at": _moved(r["started_at"], by),
                    "ended_at": _moved(r["ended_at"], by),
                }
                for r in trail
            ]
            created = _moved(created, by)
            registry.import_run(
                RunRecord(
                    id=run_id,
                    scenario=scenario,
                    status=status,
                    created_at=created,
                    updated_at=audit[-1]["ended_at"],
                    input_path="-",
                    output_dir="-",
                    review_mode="always",
                    reason=reason,
                )
            )
            registry.record_audit(
                [
                    AuditRecord.model_validate(
                        {
                            "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{run_id}/{n}").hex,
                            "run_id": run_id,
                            "seq": n,
                            **rec,
                        }
                    )
                    for n, rec in enumerate(audit)
                ]
            )
    finally:
        registry.close()
