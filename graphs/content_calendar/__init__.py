"""The content-calendar scenario: research, plan, draft in parallel, critique, review, publish."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="content-calendar",
    title="Plan a month of content from analytics, competitors and the roadmap, with outlines",
    module="baton.graphs.content_calendar.graph",
    inbox_module="baton.graphs.content_calendar.inbox",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
