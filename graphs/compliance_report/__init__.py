"""The compliance-report scenario: computed evidence, drafted prose, two-person approval,
distribution exactly once."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="compliance-report",
    title="Draft a compliance report from computed evidence; two-person approval; send once",
    module="baton.graphs.compliance_report.graph",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
