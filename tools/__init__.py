"""Deterministic business logic that agents call: everything that can be computed is computed here."""
