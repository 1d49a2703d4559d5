"""Deterministic logic of the kpi-monitor scenario: loading, detection, drill-down,
routing with de-duplication, number checks and exactly-once sending."""
