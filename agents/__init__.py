"""Specialist agents: one module each, holding its prompt, its output model and its node."""
