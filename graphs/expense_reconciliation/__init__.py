"""The expense-reconciliation scenario: receipts, matching, anomalies, policy, report, review."""
