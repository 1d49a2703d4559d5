"""Scenario registry: one LangGraph ``StateGraph`` per business process.

Why a registry of module paths: ``baton scenarios`` and ``baton run`` must list and
validate scenario names instantly, without importing every graph (and its agents'
dependencies). A scenario's module provides ``build_graph(checkpointer=None)``,
``load_input(path)``, ``EDIT_SCHEMA`` and ``DEFAULT_REVIEW``; new scenarios join by
adding one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel

from baton.errors import UserError


@dataclass(frozen=True)
class Scenario:
    """How to find, feed and review one scenario graph."""

    name: str
    title: str
    module: str

    def _mod(self) -> ModuleType:
        return importlib.import_module(self.module)

    def build(
        self, checkpointer: BaseCheckpointSaver[Any] | None = None
    ) -> CompiledStateGraph[Any, Any, Any, Any]:
        return cast(CompiledStateGraph[Any, Any, Any, Any], self._mod().build_graph(checkpointer))

    def load_input(self, path: Path) -> dict[str, Any]:
        """Validate the user's input and return the graph's initial state."""
        return cast(dict[str, Any], self._mod().load_input(path))

    @property
    def edit_schema(self) -> type[BaseModel]:
        return cast(type[BaseModel], self._mod().EDIT_SCHEMA)

    @property
    def default_review(self) -> str:
        return str(self._mod().DEFAULT_REVIEW)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "research-brief",
            "Research, draft and format a brief from company documents, with citations",
            "baton.graphs.research_brief.graph",
        ),
        Scenario(
            "expense-reconciliation",
            "Reconcile bank and ledger, check claims against policy, review exceptions",
            "baton.graphs.expense_reconciliation.graph",
        ),
        Scenario(
            "content-calendar",
            "Plan a month of content from analytics, competitors and the roadmap, with outlines",
            "baton.graphs.content_calendar.graph",
        ),
        Scenario(
            "onboarding",
            "Plan a new hire's first weeks: calendar, IT, reading, buddy, check-ins",
            "baton.graphs.onboarding.graph",
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise UserError(f"unknown scenario '{name}' (known: {known})") from None
