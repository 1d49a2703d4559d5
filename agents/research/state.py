"""The state of the research-brief scenario: what its agents read and write.

Why here, beside the agents: the agents are typed on it and the graph routes on it, so it
lives in the lower layer both import (graphs import agents, never the reverse). It holds
only data (no clients or models), so it checkpoints cleanly and a resumed run in another
process sees exactly what the paused one saw.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog


class State(TypedDict, total=False):
    request: dict[str, Any]
    question: str
    collections: list[str]
    k: int
    max_rounds: int
    sources: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    draft: dict[str, Any]
    issues: list[str]
    unsupported: list[dict[str, Any]]
    """Model sentences the claim check dropped (tools.grounding), for the reviewer."""
    issue_history: list[list[str]]
    rounds: int
    review: dict[str, Any]
    outputs: Annotated[list[str], operator.add]
    artefacts: dict[str, str]
    audit: AuditLog
    injection_flags: InjectionLog
