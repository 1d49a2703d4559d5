"""Expense-reconciliation agents: extraction, matching, anomaly, compliance and reporting."""
