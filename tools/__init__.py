"""Deterministic business logic that agents call: whatever can be computed is computed here."""
