"""Agents of the launch-team scenario: planner, specialists, critic and fact-checker."""
