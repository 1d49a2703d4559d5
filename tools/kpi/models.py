"""Typed records of the kpi-monitor scenario: the alert policy, series and anomalies.

Why pydantic for the policy: ``alert_policy.yaml`` is edited by hand by the people who
get paged, so a typo must be a located one-line error, never a silently unrouted alert.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
Kind = Literal["spike", "level_shift"]


class Thresholds(BaseModel):
    """Relative change (0.25 = 25 %) at which an anomaly becomes medium or high."""

    model_config = ConfigDict(extra="forbid")

    medium: float = Field(default=0.10, gt=0, le=10)
    high: float = Field(default=0.25, gt=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.high < self.medium:
            raise ValueError("high must be at least medium")
        return self


class KpiPolicy(BaseModel):
    """Who owns one KPI, how they are told, and who is next when nobody answers."""

    model_config = ConfigDict(extra="forbid")

    owner: str = Field(min_length=1, max_length=200)
    ladder: list[str] = Field(default_factory=list, max_length=10)
    channel: Literal["email", "json"] = "email"
    thresholds: Thresholds | None = None
    dimension_owners: dict[str, dict[str, str]] = Field(default_factory=dict)
    """``{dimension: {value: owner}}``: an anomaly explained by one region goes to its owner."""


class AlertPolicy(BaseModel):
    """The reviewed ``alert_policy.yaml``: routing, review and escalation rules."""

    model_config = ConfigDict(extra="forbid")

    sender: str = Field(default="kpi-monitor@baton.invalid", min_length=3)
    alert_min_severity: Literal["low", "medium", "high"] = "medium"
    review_severity: Literal["medium", "high"] = "high"
    review_below_confidence: float = Field(default=0.6, ge=0, le=1)
    review_deadline_hours: float = Field(default=4.0, gt=0, le=24 * 14)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    webhook_url: str | None = None
    kpis: dict[str, KpiPolicy] = Field(min_length=1)

    def thresholds_for(self, kpi: str) -> Thresholds:
        return self.kpis[kpi].thresholds or self.thresholds


class Anomaly(BaseModel):
    """One detected anomaly with the evidence that justifies it.

    ``id`` is derived from what was found (KPI, slice, kind, start), never from the run,
    so the same anomaly seen by tomorrow's run has the same id and is not alerted twice.
    Every number a note may state is in ``evidence``.
    """

    id: str
    kpi: str
    dims: dict[str, str] = Field(default_factory=dict)
    kind: Kind
    start: str
    end: str
    severity: Severity
    confidence: float
    evidence: dict[str, float | int | str]

    def slice_label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.dims.items())) or "total"
