"""Baton: business processes run as teams of AI agents on LangGraph."""

__version__ = "0.1.0"
