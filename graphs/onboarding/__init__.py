"""The onboarding scenario: plan a new hire's first weeks with five agents, a critic and HR."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="onboarding",
    title="Plan a new hire's first weeks: calendar, IT, reading, buddy, check-ins",
    module="baton.graphs.onboarding.graph",
    inbox_module="baton.graphs.onboarding.inbox",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
