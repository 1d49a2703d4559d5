"""The state of the kpi-monitor scenario: what its nodes read and write.

Why here, beside the agents: the root-cause writer is typed on it and the graph routes on
it, so it lives in the lower layer both import (graphs import agents, never the reverse).
From the ``detect`` node on it holds only data (findings, notes, alerts sent, review
items), so a run resumed days later sees exactly what the paused one saw; the input
that starts it is read by ``graphs/kpi_monitor/state.py``.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog


class State(TypedDict, total=False):
    folder: str
    runbooks_dir: str | None
    policy: dict[str, Any]
    since: dict[str, str]
    watermarks: dict[str, str]
    findings: list[dict[str, Any]]
    repeats: list[str]
    routes: dict[str, dict[str, Any]]
    notes: dict[str, dict[str, Any]]
    sent: Annotated[list[dict[str, Any]], operator.add]
    items: list[dict[str, Any]]
    review: dict[str, Any]
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog
    injection_flags: InjectionLog
