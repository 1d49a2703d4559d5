"""The state of the compliance-report scenario: what its agents read and write.

Why here, beside the agents: the agents are typed on it and the graph routes on it, so it
lives in the lower layer both import (graphs import agents, never the reverse). It holds
only data, so a run resumed days later, in another process, sees exactly what the paused
one saw; the input that fills it is read by ``graphs/compliance_report/state.py``.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog


class State(TypedDict, total=False):
    folder: str
    docs_dir: str | None
    obligations: dict[str, Any]
    data: dict[str, Any]
    figures: dict[str, dict[str, Any]]
    clauses: list[dict[str, Any]]
    breaches: list[dict[str, Any]]
    gaps: list[list[str]]
    clause_chunks: dict[str, str | None]
    chunk_text: dict[str, str]
    sections: dict[str, str]
    drafted_by: dict[str, str]
    issues: list[str]
    issue_history: list[list[str]]
    rounds: int
    max_rounds: int
    replaced: list[str]
    report: str
    report_hash: str
    editors: list[str]
    review: dict[str, Any]
    approved_hash: str
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog
    injection_flags: InjectionLog
