"""Server-rendered SVG plots for the inbox's metrics page (matplotlib, Agg backend).

Why server-rendered SVG (``Figure`` objects, never ``pyplot``, whose global state is
not thread-safe under a web server): the page works without any charting script (the inbox's
Content-Security-Policy runs only its own script), the images are exact at any zoom,
and matplotlib is the maintained standard. Each plot is returned as a ``data:`` URI
for an ``<img>``, which the policy allows (``img-src 'self' data:``); an SVG shown as
an image cannot run scripts.
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from matplotlib.figure import Figure

from baton.metrics import RunFacts

SIZE = (6.4, 3.0)
COLOURS = ("#2f6fb1", "#d9822b", "#3a9d5d", "#b5485d", "#7a5cb5", "#5c7080")


def _svg(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(title: str) -> tuple[Figure, Any]:
    fig = Figure(figsize=SIZE)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def _empty(ax: Any, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this period", ha="center", va="center", color="#5c7080")
    ax.set_xticks([])
    ax.set_yticks([])


def agreement_over_time(facts: Sequence[RunFacts]) -> str:
    """Share of human review decisions approved unchanged, per day, per scenario."""
    fig, ax = _figure("Agreement: decisions approved unchanged, per day")
    by: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for f in facts:
        for d in f.decisions:
            by[f.scenario][d.at[:10]].append(1 if d.action == "approve" else 0)
    if not by:
        _empty(ax, "review decisions")
        return _svg(fig)
    for colour, (scenario, days) in zip(COLOURS, sorted(by.items()), strict=False):
        xs = sorted(days)
        ys = [100 * sum(days[x]) / len(days[x]) for x in xs]
        dates = [datetime.fromisoformat(x) for x in xs]
        ax.plot(dates, ys, marker="o", color=colour, label=scenario)
    ax.set_ylim(-5, 105)
    ax.set_ylabel("% approved unchanged")
    ax.legend(fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return _svg(fig)


def latency_distribution(facts: Sequence[RunFacts]) -> str:
    """Box plots of the three decision latencies, in minutes."""
    fig, ax = _figure("Decision latency (minutes)")
    series = {
        "machine to pause": [d.machine_s / 60 for f in facts for d in f.decisions],
        "waiting for a human": [d.waiting_s / 60 for f in facts for d in f.decisions],
        "decision to outputs": [
            f.decision_to_outputs_s / 60 for f in facts if f.decision_to_outputs_s is not None
        ],
    }
    shown = {k: v for k, v in series.items() if v}
    if not shown:
        _empty(ax, "review decisions")
        return _svg(fig)
    ax.boxplot(
        list(shown.values()), orientation="horizontal", tick_labels=list(shown), whis=(5, 95)
    )
    ax.set_xlabel("minutes (box: p25-p75, line: p50, whiskers: p5-p95)")
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def cost_per_run(facts: Sequence[RunFacts]) -> str:
    """Cost of each run in start order, coloured by scenario."""
    fig, ax = _figure("Cost per run (pricing table, per 1M tokens)")
    if not facts:
        _empty(ax, "runs")
        return _svg(fig)
    scenarios = sorted({f.scenario for f in facts})
    colour = dict(zip(scenarios, COLOURS, strict=False))
    for scenario in scenarios:
        xs = [i for i, f in enumerate(facts) if f.scenario == scenario]
        ax.bar(xs, [facts[i].cost for i in xs], color=colour[scenario], label=scenario)
    ax.set_xticks(range(len(facts)), [f.created_at[5:10] for f in facts], fontsize=7)
    ax.set_ylabel("cost")
    ax.legend(fontsize=8, frameon=False)
    return _svg(fig)


def all_plots(facts: Sequence[RunFacts]) -> dict[str, str]:
    return {
        "agreement": agreement_over_time(facts),
        "latency": latency_distribution(facts),
        "cost": cost_per_run(facts),
    }
