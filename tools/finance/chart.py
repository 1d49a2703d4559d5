"""The expense summary's chart: bank money matched, unmatched and under review, by week.

Why a chart: a reviewer looks at where the month's money stands before reading 40
exception rows; a bar per week shows at once whether the unmatched money is one bad
week or everywhere. The figures come from the reconciliation result (code), never from
a model. Rendered server-side with matplotlib's Agg backend (no display, no browser
code): SVG for the inbox page, PNG beside ``summary.md``. Output is deterministic (no
dates in the metadata, a fixed SVG id salt), so a re-run writes the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from baton.tools.finance.models import BankLine, ReconResult

STATUSES = ("matched", "unmatched", "under review")
COLOURS = ("#2e7d32", "#c62828", "#f9a825")


class WeekTotals(BaseModel):
    """Absolute bank amounts of one week (Monday start), by reconciliation status."""

    week: date
    matched: Decimal = Decimal(0)
    unmatched: Decimal = Decimal(0)
    review: Decimal = Decimal(0)


def weekly_totals(bank: Sequence[BankLine], recon: ReconResult) -> list[WeekTotals]:
    """Each bank line's absolute amount in its week, under the status the recon gave it.

    A partly booked deposit slip is split: its residual (the tied items' share) is under
    review and only the rest is matched, so the chart never shows money as settled that
    a reviewer still has to place, and the week's bar still adds up to the line.
    """
    matched = {m.bank_id for m in recon.matches}
    unmatched = set(recon.unmatched_bank)
    review = {c.bank_id for c in recon.candidates}
    residuals = recon.residuals()
    weeks: dict[date, WeekTotals] = {}
    for line in bank:
        monday = line.date - timedelta(days=line.date.weekday())
        row = weeks.setdefault(monday, WeekTotals(week=monday))
        amount = abs(line.amount)
        if line.id in residuals:
            part = min(abs(residuals[line.id]), amount)
            row.review += part
            row.matched += amount - part
        elif line.id in matched:
            row.matched += amount
        elif line.id in unmatched:
            row.unmatched += amount
        elif line.id in review:
            row.review += amount
    return [weeks[k] for k in sorted(weeks)]


def render_chart(
    rows: Sequence[WeekTotals], currency: str, fmt: Literal["svg", "png"] = "svg"
) -> bytes:
    """A small stacked bar chart of ``rows`` as SVG or PNG bytes (identical per input)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 2.8), dpi=100)
    ax = fig.subplots()
    labels = [f"w/c {r.week:%d %b}" for r in rows]
    series = [
        [float(r.matched) for r in rows],
        [float(r.unmatched) for r in rows],
        [float(r.review) for r in rows],
    ]
    bottom = [0.0] * len(rows)
    for name, colour, values in zip(STATUSES, COLOURS, series, strict=True):
        ax.bar(labels, values, bottom=bottom, color=colour, label=name, width=0.6)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel(currency)
    ax.set_title("Bank money by week: matched, unmatched, under review", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "baton", "svg.fonttype": "path"}):
        if fmt == "svg":
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
