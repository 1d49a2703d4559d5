"""Finance tools for the expense-reconciliation scenario."""
