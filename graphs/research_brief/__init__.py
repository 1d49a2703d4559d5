"""The research-brief scenario: research, draft, critique, human review, publish."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="research-brief",
    title="Research, draft and format a brief from company documents, with citations",
    module="baton.graphs.research_brief.graph",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
