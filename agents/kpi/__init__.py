"""kpi-monitor agents: the root-cause writer (the rest of the team is code in tools/kpi)."""
