"""The example input of each built-in scenario, and the document collections they cite.

Why one table: the reliability, cache, snapshot and CLI tests and the benchmarks all run
every built-in scenario on its example; listing the inputs once means a new example
(or a moved one) is one edit, and no suite silently skips a scenario another covers.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

EXAMPLE_INPUTS: dict[str, Path] = {
    "research-brief": EXAMPLES / "research-brief" / "question.yaml",
    "expense-reconciliation": EXAMPLES / "finance" / "2026-10",
    "content-calendar": EXAMPLES / "marketing",
    "onboarding": EXAMPLES / "hr",
    "compliance-report": EXAMPLES / "compliance",
    "launch-team": EXAMPLES / "launch" / "request.yaml",
    "kpi-monitor": EXAMPLES / "kpi",
}
"""Example input per built-in scenario (a file or a folder, as ``baton run --input`` takes)."""

EXAMPLE_COLLECTIONS: dict[str, Path] = {
    "company-docs": EXAMPLES / "docs",
    "finance-policy": EXAMPLES / "finance" / "policy",
}
"""Collections the examples cite, to ingest before running them: name -> folder."""
