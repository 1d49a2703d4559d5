"""Baton's built-in scenarios: one LangGraph ``StateGraph`` per business process.

Each ``graphs/<scenario>/__init__.py`` defines a :class:`baton.scenario.Scenario` named in
``pyproject.toml`` under ``[project.entry-points."baton.scenarios"]``: the built-ins join
exactly as a user's own installed scenario does, and nothing in the runtime names them.
"""
