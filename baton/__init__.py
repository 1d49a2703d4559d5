"""Baton: business processes run as teams of AI agents on LangGraph.

The public API, for scripts (everything here is typed; see :mod:`baton.api`)::

    import baton

    outcome = baton.run("research-brief", input="question.yaml", review="always")
    if outcome.status == "awaiting_review":
        done = baton.resume(outcome.run_id, approve=True, reviewer="alice")

(``baton.audit_trail`` rather than ``baton.audit``: that name is the audit module.)
Names are imported on first use, so ``import baton`` stays instant and importing one
submodule (``baton.config``) never loads the runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "baton.api",
    "arun": "baton.api",
    "resume": "baton.api",
    "aresume": "baton.api",
    "show": "baton.api",
    "ashow": "baton.api",
    "list_runs": "baton.api",
    "alist_runs": "baton.api",
    "audit_trail": "baton.api",
    "aaudit_trail": "baton.api",
    "ingest": "baton.api",
    "aingest": "baton.api",
    "scenarios": "baton.api",
    "open_runner": "baton.api",
    "decision": "baton.api",
    "RunDetails": "baton.api",
    "IngestResult": "baton.stores",
    "RunOutcome": "baton.runtime",
    "Runner": "baton.runtime",
    "RunRecord": "baton.registry",
    "AuditRecord": "baton.registry",
    "ReviewDecision": "baton.review",
    "Scenario": "baton.scenario",
    "ScenarioProtocol": "baton.scenario",
    "InboxView": "baton.scenario",
    "RunContext": "baton.context",
    "Settings": "baton.config",
    "load_settings": "baton.config",
    "UserError": "baton.errors",
    "InputError": "baton.errors",
    "ConfigError": "baton.errors",
    "BudgetExceeded": "baton.errors",
    "ModelFailure": "baton.errors",
}

__all__ = [
    "AuditRecord",
    "BudgetExceeded",
    "ConfigError",
    "InboxView",
    "IngestResult",
    "InputError",
    "ModelFailure",
    "ReviewDecision",
    "RunContext",
    "RunDetails",
    "RunOutcome",
    "RunRecord",
    "Runner",
    "Scenario",
    "ScenarioProtocol",
    "Settings",
    "UserError",
    "aaudit_trail",
    "aingest",
    "alist_runs",
    "aresume",
    "arun",
    "ashow",
    "audit_trail",
    "decision",
    "ingest",
    "list_runs",
    "load_settings",
    "open_runner",
    "resume",
    "run",
    "scenarios",
    "show",
]

if TYPE_CHECKING:
    from baton.api import (
        RunDetails,
        aaudit_trail,
        aingest,
        alist_runs,
        aresume,
        arun,
        ashow,
        audit_trail,
        decision,
        ingest,
        list_runs,
        open_runner,
        resume,
        run,
        scenarios,
        show,
    )
    from baton.config import Settings, load_settings
    from baton.context import RunContext
    from baton.errors import BudgetExceeded, ConfigError, InputError, ModelFailure, UserError
    from baton.registry import AuditRecord, RunRecord
    from baton.review import ReviewDecision
    from baton.runtime import Runner, RunOutcome
    from baton.scenario import InboxView, Scenario, ScenarioProtocol
    from baton.stores import IngestResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'baton' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
