"""The launch-team scenario: a planner builds the team for one request; a dispatcher runs
it in parallel; a critic and an adversarial fact-checker break the hallucination loop."""

from baton.scenario import Scenario

SCENARIO = Scenario(
    name="launch-team",
    title="Plan and run a product-launch team; fact-check every claim; review exceptions",
    module="baton.graphs.launch_team.graph",
)
"""Registered in pyproject.toml's ``baton.scenarios`` entry points, like any plugin."""
