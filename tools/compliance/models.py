"""Typed records of the compliance-report scenario.

Why pydantic models with ``extra="forbid"``: the obligations register is reviewed
configuration (who receives the report, what each clause demands), so a typo in a key
must be an error that names the field, never a silently ignored setting.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CLAUSE_ID = r"^[A-Z][A-Z0-9]{0,7}-\d{1,3}(?:\.\d{1,3})?$"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")

Op = Literal["<=", ">=", "==", "<", ">"]


class Threshold(BaseModel):
    """What a figure must satisfy for the clause to be met (``figure op value``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    figure: str
    op: Op
    value: Decimal

    def holds(self, actual: Decimal) -> bool:
        return {
            "<=": actual <= self.value,
            ">=": actual >= self.value,
            "==": actual == self.value,
            "<": actual < self.value,
            ">": actual > self.value,
        }[self.op]


class Clause(BaseModel):
    """One obligation: the report section it needs, its figures, its test and its readers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CLAUSE_ID)
    title: str = Field(min_length=3, max_length=120)
    section: str = Field(min_length=3, max_length=120)
    figures: list[str] = Field(min_length=1)
    applies_if: str | None = Field(
        None, description="a figure id: the clause applies only when that figure is > 0"
    )
    threshold: Threshold | None = None
    report_to: list[str] = Field(min_length=1)
    deadline_days: int = Field(30, ge=1, le=366)


class Obligations(BaseModel):
    """The reviewed obligations register (``obligations.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    firm: str = Field(min_length=2, max_length=120)
    report_title: str = Field(min_length=3, max_length=160)
    period_start: date
    period_end: date
    preparer: str = Field(min_length=2, max_length=80)
    collection: str = "compliance-docs"
    sources: list[str] = Field(
        min_length=1,
        description="the reviewed documents (file names under docs/) a clause may be cited from",
    )
    recipients: dict[str, list[str]] = Field(min_length=1)
    clauses: list[Clause] = Field(min_length=1, max_length=200)

    @field_validator("recipients")
    @classmethod
    def _emails(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for role, people in value.items():
            if not people:
                raise ValueError(f"role '{role}' has no recipients")
            for email in people:
                if not _EMAIL.match(email):
                    raise ValueError(f"role '{role}': '{email}' is not an email address")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Obligations:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if (self.period_end - self.period_start).days > 366:
            raise ValueError("the period is longer than a year")
        ids = [c.id for c in self.clauses]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate clause id {dupes[0]}")
        for clause in self.clauses:
            unknown = [r for r in clause.report_to if r not in self.recipients]
            if unknown:
                raise ValueError(f"clause {clause.id}: unknown recipient role '{unknown[0]}'")
        return self


Severity = Literal["low", "medium", "high"]


class Incident(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    detected_at: datetime
    reported_at: datetime | None
    severity: Severity
    personal_data: bool
    reportable: bool
    summary: str = ""


class TrainingRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    employee_id: str
    department: str
    due_date: date
    completed_date: date | None


class AccessReview(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    due_date: date
    completed_date: date | None
    exceptions_found: int = Field(ge=0)


class SubjectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    received: date
    responded: date | None
    notes: str = ""


class PeriodData(BaseModel):
    """One period's validated records; a missing file is an empty list plus a gap."""

    model_config = ConfigDict(extra="forbid")

    incidents: list[Incident] = Field(default_factory=list)
    training: list[TrainingRecord] = Field(default_factory=list)
    access_reviews: list[AccessReview] = Field(default_factory=list)
    requests: list[SubjectRequest] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="data files absent")
    people: list[str] = Field(
        default_factory=list, description="names from people.csv, for the personal-data check"
    )


class Figure(BaseModel):
    """A computed number with its provenance: which file, which rows, which formula."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    value: Decimal | None
    unit: Literal["count", "percent", "hours"] = "count"
    file: str
    rows: list[str] = Field(default_factory=list)
    formula: str
    gap: str | None = None

    def text(self) -> str:
        """The figure as the report prints it (so the critic compares like with like)."""
        if self.value is None:
            return "not available"
        if self.unit == "percent":
            return f"{self.value:.1f}%"
        return f"{self.value.normalize():f}"


class Breach(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clause: str
    figure: str
    actual: str
    expected: str
