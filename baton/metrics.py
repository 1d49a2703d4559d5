"""Outcome metrics computed from the run registry and the audit trail.

Why from the audit trail: every agent and every human decision is already recorded
there (who, when, model, tokens, cache hits), committed exactly once with the node
that made it. So "how often do reviewers accept what the agents propose", "how long
does a decision wait for a human" and "what does a run cost" are questions about data
Baton already keeps; no second bookkeeping can drift from it.

Definitions (the test computes the same figures by hand from a fixed trail):

- **review decision**: a human audit record whose decision is ``approve``, ``reject``
  or ``edit`` made by a person (actor other than ``baton``; ``baton`` is the
  auto-approval when the review mode lets a run through unseen, counted apart).
- **agreement**: approved unchanged / review decisions; **override rate**: (edits +
  rejections) / review decisions; **edit kinds**: the fields edits changed, and for
  per-item decisions the actions taken (``decisions:match_to``).
- **machine time to pause**: from the run's start (or the previous decision) to the end
  of the last node before the decision; **waiting for a human**: from there to the
  decision; **decision to outputs**: from the last decision to the end of the last node
  of a finished run. Each at p50 and p95 (linear interpolation).
- **cost**: per node record, input and output tokens times the ``pricing`` entry of its
  model (per 1M tokens); a model without an entry is listed as unpriced, never guessed.
- **throughput**: runs started per day over the period; **failures**: runs whose status
  is ``failed``; **budget stops**: failed runs whose reason is an exhausted budget.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from baton.config import PriceSettings, Settings
from baton.errors import UserError
from baton.registry import AuditRecord, BaseRegistry, RunRecord, open_registry
from baton.scenario import get_scenario

AUTO_ACTOR = "baton"
_DECISION = re.compile(r"^(approve|reject|edit)\b")
_EDITED = re.compile(r"\(edited: ([^)]*)\)\s*$")
_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw])\s*$")
_UNITS = {"h": 1 / 24, "d": 1.0, "w": 7.0}


def parse_since(text: str) -> timedelta:
    """``30d``, ``12h`` or ``2w`` as a time span; anything else is a one-line error."""
    match = _SINCE.match(text)
    if not match or float(match.group(1)) <= 0:
        raise UserError(f"--since: expected a period like 30d, 12h or 2w (got '{text}')")
    return timedelta(days=float(match.group(1)) * _UNITS[match.group(2)])


def _ts(text: str) -> datetime:
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _secs(start: str, end: str) -> float:
    return max(0.0, (_ts(end) - _ts(start)).total_seconds())


class Decision(BaseModel):
    """One human review decision with the latencies around it."""

    at: str
    action: str
    actor: str
    edit_kinds: list[str] = []
    machine_s: float
    """From the run's start (or the previous decision) to the pause."""
    waiting_s: float
    """From the pause to the decision."""


class RunFacts(BaseModel):
    """What one run did, read from its registry row and its audit trail."""

    run_id: str
    scenario: str
    status: str
    created_at: str
    reason: str | None = None
    decisions: list[Decision] = []
    auto_approvals: int = 0
    decision_to_outputs_s: float | None = None
    llm_calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    unpriced: list[str] = []
    """Models this run used that have no ``pricing`` entry (their tokens cost 0 here)."""

    @property
    def budget_stop(self) -> bool:
        return self.status == "failed" and (self.reason or "").startswith("budget exhausted")


def edit_kinds(decision: str) -> list[str]:
    """The edit kinds named in a decision summary (``edit (edited: a, b:x×2)``)."""
    match = _EDITED.search(decision)
    if not match:
        return []
    kinds: list[str] = []
    for part in match.group(1).split(","):
        name, _, times = part.strip().partition("×")
        if name:
            kinds += [name] * (int(times) if times.isdigit() else 1)
    return kinds


def run_facts(
    run: RunRecord, audit: Sequence[AuditRecord], pricing: dict[str, PriceSettings]
) -> RunFacts:
    """Facts of one run; ``audit`` in ``seq`` order, as the registry returns it."""
    facts = RunFacts(
        run_id=run.id,
        scenario=run.scenario,
        status=run.status,
        created_at=run.created_at,
        reason=run.reason,
    )
    mark = run.created_at  # where the machine's stretch before the next pause began
    pause: str | None = None  # end of the last node record seen
    last_decision: str | None = None
    unpriced: set[str] = set()
    for rec in audit:
        if rec.kind == "node":
            facts.llm_calls += rec.llm_calls
            facts.cache_hits += rec.cache_hits
            facts.tokens_in += rec.tokens_in
            facts.tokens_out += rec.tokens_out
            if rec.model and (rec.tokens_in or rec.tokens_out):
                price = pricing.get(rec.model)
                if price is None:
                    unpriced.add(rec.model)
                else:
                    facts.cost += (
                        rec.tokens_in * price.input + rec.tokens_out * price.output
                    ) / 1e6
            pause = rec.ended_at if pause is None or rec.ended_at > pause else pause
            continue
        action = _DECISION.match(rec.decision)
        if action is None:
            continue  # a per-item note recorded beside the decision (e.g. an IT request)
        if rec.actor == AUTO_ACTOR:
            facts.auto_approvals += 1
            continue
        paused_at = pause if pause is not None and pause > mark else mark
        facts.decisions.append(
            Decision(
                at=rec.started_at,
                action=action.group(1),
                actor=rec.actor or "",
                edit_kinds=edit_kinds(rec.decision),
                machine_s=_secs(mark, paused_at),
                waiting_s=_secs(paused_at, rec.started_at),
            )
        )
        mark = last_decision = rec.started_at
    if run.status == "done" and last_decision is not None and pause and pause > last_decision:
        facts.decision_to_outputs_s = _secs(last_decision, pause)
    facts.cost = round(facts.cost, 9)
    facts.unpriced = sorted(unpriced)
    return facts


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile by linear interpolation (numpy's default); None if empty."""
    return round(float(np.percentile(values, q)), 3) if values else None


class Metrics(BaseModel):
    """The outcome metrics of one scenario (or ``all``) over one period."""

    scenario: str
    since: str
    days: float
    runs: int
    done: int
    awaiting_review: int
    failed: int
    runs_per_day: float
    failure_rate: float | None
    reviews: int
    approved: int
    edited: int
    rejected: int
    auto_approved: int
    agreement: float | None
    override_rate: float | None
    edit_kinds: dict[str, int]
    machine_to_pause_p50_s: float | None
    machine_to_pause_p95_s: float | None
    waiting_p50_s: float | None
    waiting_p95_s: float | None
    decision_to_outputs_p50_s: float | None
    decision_to_outputs_p95_s: float | None
    llm_calls: int
    cache_hits: int
    tokens_in: int
    tokens_out: int
    cost_total: float
    cost_per_run: float | None
    budget_stops: int
    unpriced_models: list[str]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarise(scenario: str, since: str, days: float, facts: Sequence[RunFacts]) -> Metrics:
    """Aggregate run facts into one row of metrics."""
    decisions = [d for f in facts for d in f.decisions]
    actions = Counter(d.action for d in decisions)
    finished = sum(1 for f in facts if f.status in ("done", "failed"))
    failed = sum(1 for f in facts if f.status == "failed")
    machine = [d.machine_s for d in decisions]
    waiting = [d.waiting_s for d in decisions]
    outputs = [f.decision_to_outputs_s for f in facts if f.decision_to_outputs_s is not None]
    cost = round(sum(f.cost for f in facts), 9)
    kinds = Counter(k for d in decisions for k in d.edit_kinds)
    kinds.update({"rejected": actions["reject"]} if actions["reject"] else {})
    return Metrics(
        scenario=scenario,
        since=since,
        days=round(days, 3),
        runs=len(facts),
        done=sum(1 for f in facts if f.status == "done"),
        awaiting_review=sum(1 for f in facts if f.status == "awaiting_review"),
        failed=failed,
        runs_per_day=round(len(facts) / days, 3) if days else 0.0,
        failure_rate=_share(failed, finished),
        reviews=len(decisions),
        approved=actions["approve"],
        edited=actions["edit"],
        rejected=actions["reject"],
        auto_approved=sum(f.auto_approvals for f in facts),
        agreement=_share(actions["approve"], len(decisions)),
        override_rate=_share(actions["edit"] + actions["reject"], len(decisions)),
        edit_kinds=dict(sorted(kinds.items())),
        machine_to_pause_p50_s=percentile(machine, 50),
        machine_to_pause_p95_s=percentile(machine, 95),
        waiting_p50_s=percentile(waiting, 50),
        waiting_p95_s=percentile(waiting, 95),
        decision_to_outputs_p50_s=percentile(outputs, 50),
        decision_to_outputs_p95_s=percentile(outputs, 95),
        llm_calls=sum(f.llm_calls for f in facts),
        cache_hits=sum(f.cache_hits for f in facts),
        tokens_in=sum(f.tokens_in for f in facts),
        tokens_out=sum(f.tokens_out for f in facts),
        cost_total=cost,
        cost_per_run=round(cost / len(facts), 9) if facts else None,
        budget_stops=sum(1 for f in facts if f.budget_stop),
        unpriced_models=sorted({m for f in facts for m in f.unpriced}),
    )


def collect(
    registry: BaseRegistry,
    pricing: dict[str, PriceSettings],
    *,
    scenario: str | None = None,
    since: timedelta | None = None,
    now: datetime | None = None,
) -> list[RunFacts]:
    """Facts of every run started in the period (oldest first), optionally one scenario."""
    cutoff = (now or datetime.now(UTC)) - since if since is not None else None
    runs = [
        r
        for r in registry.list_runs(limit=10_000_000)
        if (scenario is None or r.scenario == scenario)
        and (cutoff is None or _ts(r.created_at) >= cutoff)
    ]
    return [run_facts(r, registry.audit(r.id), pricing) for r in reversed(runs)]


def compute(
    facts: Sequence[RunFacts], since: str, days: float, scenario: str | None = None
) -> list[Metrics]:
    """One row per scenario seen (sorted), plus an ``all`` row when there are several."""
    names = sorted({f.scenario for f in facts} | ({scenario} if scenario else set()))
    rows = [summarise(n, since, days, [f for f in facts if f.scenario == n]) for n in names]
    if len(rows) != 1:
        rows.append(summarise("all", since, days, facts))
    return rows


def period_days(facts: Sequence[RunFacts], since: timedelta | None, now: datetime) -> float:
    """The period's length in days: ``--since``, else from the first run until now."""
    if since is not None:
        return since.total_seconds() / 86_400
    if not facts:
        return 0.0
    return max(1 / 24, (now - _ts(facts[0].created_at)).total_seconds() / 86_400)


def to_csv(rows: Iterable[Metrics]) -> str:
    """CSV with one row per scenario; edit kinds as ``kind=count`` pairs."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(Metrics.model_fields))
    writer.writeheader()
    for row in rows:
        data = row.model_dump()
        data["edit_kinds"] = " ".join(f"{k}={v}" for k, v in row.edit_kinds.items())
        data["unpriced_models"] = " ".join(row.unpriced_models)
        writer.writerow({k: "" if v is None else v for k, v in data.items()})
    return buf.getvalue()


def gather(
    settings: Settings,
    scenario: str | None = None,
    since: str | None = None,
    now: datetime | None = None,
) -> tuple[list[RunFacts], list[Metrics]]:
    """Run facts and metric rows for one home, as ``baton metrics`` and the inbox show."""
    if scenario is not None:
        get_scenario(scenario)  # an unknown name is a one-line error, not an empty table
    span = parse_since(since) if since else None
    now = now or datetime.now(UTC)
    registry = open_registry(settings)
    try:
        facts = collect(registry, settings.pricing, scenario=scenario, since=span, now=now)
    finally:
        registry.close()
    return facts, compute(facts, since or "all", period_days(facts, span, now), scenario)


TABLE_ROWS: tuple[tuple[str, str], ...] = (
    ("runs", "runs"),
    ("done", "done"),
    ("awaiting_review", "awaiting review"),
    ("failed", "failed"),
    ("failure_rate", "failure rate"),
    ("runs_per_day", "runs per day"),
    ("reviews", "review decisions"),
    ("agreement", "agreement"),
    ("override_rate", "override rate"),
    ("edit_kinds", "kinds of edits"),
    ("auto_approved", "auto-approved"),
    ("machine_to_pause_p50_s", "to pause p50 s"),
    ("machine_to_pause_p95_s", "to pause p95 s"),
    ("waiting_p50_s", "waiting p50 s"),
    ("waiting_p95_s", "waiting p95 s"),
    ("decision_to_outputs_p50_s", "to outputs p50 s"),
    ("decision_to_outputs_p95_s", "to outputs p95 s"),
    ("llm_calls", "model calls"),
    ("cache_hits", "cache hits"),
    ("tokens_in", "input tokens"),
    ("tokens_out", "output tokens"),
    ("cost_total", "cost"),
    ("cost_per_run", "cost per run"),
    ("budget_stops", "budget stops"),
    ("unpriced_models", "unpriced models"),
)


def cell(value: Any) -> str:
    """A metric value as the table shows it."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_metrics(
    settings: Settings, scenario: str | None, since: str | None, fmt: str = "table"
) -> None:
    """``baton metrics``: a table (metrics down, scenarios across), JSON or CSV on stdout."""
    _, rows = gather(settings, scenario, since)
    if fmt == "json":
        sys.stdout.write(json.dumps([r.model_dump() for r in rows], indent=2) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(to_csv(rows))
        return
    period = f"last {since}" if since else "all time"
    table = Table(
        title=f"baton metrics ({period})",
        caption="agreement: approved unchanged / human review decisions; override: edited or"
        " rejected; to pause: machine time until a review; waiting: for the human; to"
        " outputs: decision to the last node; cost from `pricing` per 1M tokens",
    )
    table.add_column("metric")
    for row in rows:
        table.add_column(row.scenario, justify="right")
    for key, label in TABLE_ROWS:
        table.add_row(label, *(cell(getattr(r, key)) for r in rows))
    Console().print(table)
