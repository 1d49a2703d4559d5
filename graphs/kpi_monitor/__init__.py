"""The kpi-monitor scenario: detect anomalies in KPIs, explain them, alert the owner once,
escalate when nobody answers."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="kpi-monitor",
    title="Watch KPIs: detect and explain anomalies, alert the owner once, escalate on silence",
    module="baton.graphs.kpi_monitor.graph",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
