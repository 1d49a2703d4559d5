"""The expense-reconciliation scenario: receipts, matching, anomalies, policy, report, review."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="expense-reconciliation",
    title="Reconcile bank and ledger, check claims against policy, review exceptions",
    module="baton.graphs.expense_reconciliation.graph",
    inbox_module="baton.graphs.expense_reconciliation.inbox",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
