"""Deterministic logic of the launch-team scenario: the plan, its checks, claims, rendering."""
