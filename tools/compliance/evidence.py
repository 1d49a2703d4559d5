"""Every figure the report needs, computed from the period's data, with provenance.

Why code and not the model: a compliance figure is only worth reporting if anyone can
re-derive it. Each :class:`Figure` names its file, the ids of the rows it counted and the
formula, so an approver (or a regulator) can check it by hand, and the critic can demand
that every number in the prose equals one of these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from baton.tools.compliance.io import DATA_FILES, within
from baton.tools.compliance.models import Breach, Clause, Figure, Obligations, PeriodData

NOTIFY_WITHIN = timedelta(hours=72)
"""UK GDPR Art. 33: notify the regulator of a reportable breach within 72 hours."""
RESPOND_WITHIN = relativedelta(months=1)
"""UK GDPR Art. 12(3): answer a subject access request within one calendar month."""


def _count(fid: str, label: str, source: str, rows: Sequence[str], formula: str) -> Figure:
    return Figure(
        id=fid,
        label=label,
        value=Decimal(len(rows)),
        file=source,
        rows=list(rows),
        formula=formula,
    )


def _pct(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _incidents(data: PeriodData, in_period: Callable[[date | None], bool]) -> list[Figure]:
    src = DATA_FILES["incidents"][0]
    seen = [i for i in data.incidents if in_period(i.detected_at.date())]
    reportable = [i for i in seen if i.reportable and i.personal_data]
    late = [
        i
        for i in reportable
        if i.reported_at is None or i.reported_at - i.detected_at > NOTIFY_WITHIN
    ]
    hours = [
        Decimal(int((i.reported_at - i.detected_at).total_seconds() // 3600))
        for i in reportable
        if i.reported_at is not None
    ]
    return [
        _count(
            "incidents_total",
            "Incidents detected",
            src,
            [i.id for i in seen],
            "count of incidents with detected_at in the period",
        ),
        _count(
            "incidents_high",
            "High-severity incidents",
            src,
            [i.id for i in seen if i.severity == "high"],
            "count of incidents in the period with severity = high",
        ),
        _count(
            "breaches_reportable",
            "Reportable personal data breaches",
            src,
            [i.id for i in reportable],
            "count of incidents in the period with personal_data and reportable",
        ),
        _count(
            "breaches_reported_late",
            "Breaches not notified within 72 hours",
            src,
            [i.id for i in late],
            "reportable breaches with no reported_at, or reported_at - detected_at > 72h",
        ),
        Figure(
            id="breach_notify_hours_max",
            label="Longest time to notify (hours)",
            value=max(hours) if hours else Decimal(0),
            unit="hours",
            file=src,
            rows=[i.id for i in reportable if i.reported_at is not None],
            formula="max over notified reportable breaches of whole hours from detection",
        ),
    ]


def _training(data: PeriodData, end: date) -> list[Figure]:
    src = DATA_FILES["training"][0]
    due = [t for t in data.training if t.due_date <= end]
    on_time = [t for t in due if t.completed_date is not None and t.completed_date <= t.due_date]
    overdue = [t for t in due if t not in on_time]
    return [
        _count(
            "training_due",
            "Staff due data-protection training",
            src,
            [t.employee_id for t in due],
            "records with due_date on or before period end",
        ),
        Figure(
            id="training_completion_pct",
            label="Training completed on time",
            value=_pct(len(on_time), len(due)),
            unit="percent",
            file=src,
            rows=[t.employee_id for t in on_time],
            formula="records completed on or before due_date / records due x 100, 1 dp",
        ),
        _count(
            "training_overdue",
            "Staff overdue on training",
            src,
            [t.employee_id for t in overdue],
            "records due by period end not completed by their due_date",
        ),
    ]


def _access(data: PeriodData, in_period: Callable[[date | None], bool]) -> list[Figure]:
    src = DATA_FILES["access_reviews"][0]
    due = [r for r in data.access_reviews if in_period(r.due_date)]
    overdue = [r for r in due if r.completed_date is None or r.completed_date > r.due_date]
    exceptions = sum(r.exceptions_found for r in due if r.completed_date is not None)
    return [
        _count(
            "access_reviews_due",
            "Access reviews due",
            src,
            [r.system for r in due],
            "reviews with due_date in the period",
        ),
        _count(
            "access_reviews_overdue",
            "Access reviews overdue",
            src,
            [r.system for r in overdue],
            "reviews due in the period not completed by their due_date",
        ),
        Figure(
            id="access_review_exceptions",
            label="Access exceptions found",
            value=Decimal(exceptions),
            file=src,
            rows=[r.system for r in due if r.completed_date is not None],
            formula="sum of exceptions_found over completed reviews due in the period",
        ),
    ]


def _requests(
    data: PeriodData, in_period: Callable[[date | None], bool], end: date
) -> list[Figure]:
    src = DATA_FILES["requests"][0]
    received = [r for r in data.requests if in_period(r.received)]
    late = [
        r
        for r in received
        if (r.responded is None and r.received + RESPOND_WITHIN < end)
        or (r.responded is not None and r.responded > r.received + RESPOND_WITHIN)
    ]
    return [
        _count(
            "requests_total",
            "Subject access requests received",
            src,
            [r.id for r in received],
            "requests with received in the period",
        ),
        _count(
            "requests_late",
            "Requests answered late or overdue",
            src,
            [r.id for r in late],
            "responded more than one calendar month after received, or still open past it",
        ),
    ]


def compute_figures(data: PeriodData, obligations: Obligations) -> dict[str, Figure]:
    """All figures, keyed by id; a figure whose file is missing has no value and a gap."""
    period = (obligations.period_start, obligations.period_end)
    in_period = within(period)
    figures = [
        *_incidents(data, in_period),
        *_training(data, obligations.period_end),
        *_access(data, in_period),
        *_requests(data, in_period, obligations.period_end),
    ]
    out: dict[str, Figure] = {}
    for fig in figures:
        if fig.file in data.missing:
            fig = fig.model_copy(
                update={"value": None, "rows": [], "gap": f"no {fig.file} for this period"}
            )
        out[fig.id] = fig
    return out


def unknown_figures(obligations: Obligations) -> list[str]:
    """Figure ids the register names that code cannot compute (a register typo)."""
    known = {f.id for f in compute_figures(PeriodData(), obligations).values()}
    named = {f for c in obligations.clauses for f in c.figures}
    named |= {c.applies_if for c in obligations.clauses if c.applies_if}
    named |= {c.threshold.figure for c in obligations.clauses if c.threshold}
    return sorted(named - known)


def applicable(obligations: Obligations, figures: dict[str, Figure]) -> list[Clause]:
    """The mapper: clauses that apply this period (``applies_if`` figure > 0, or unknown)."""
    out = []
    for clause in obligations.clauses:
        if clause.applies_if:
            trigger = figures[clause.applies_if].value
            if trigger is not None and trigger <= 0:
                continue
        out.append(clause)
    return out


def breaches(clauses: Sequence[Clause], figures: dict[str, Figure]) -> list[Breach]:
    """Clauses whose threshold fails on the computed figure."""
    out = []
    for clause in clauses:
        t = clause.threshold
        if t is None:
            continue
        fig = figures[t.figure]
        if fig.value is not None and not t.holds(fig.value):
            out.append(
                Breach(
                    clause=clause.id,
                    figure=fig.id,
                    actual=fig.text(),
                    expected=f"{t.op} {t.value.normalize():f}",
                )
            )
    return out


def gaps(clauses: Sequence[Clause], figures: dict[str, Figure]) -> list[tuple[str, str]]:
    """(clause id, gap) for every required figure without data."""
    return [(c.id, figures[f].gap or "") for c in clauses for f in c.figures if figures[f].gap]
