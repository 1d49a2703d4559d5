"""Compliance-report agents: evidence, mapper, drafter, critic, approval and distributor."""
