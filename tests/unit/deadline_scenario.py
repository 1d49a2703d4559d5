"""A throwaway scenario for the schedule and review-deadline tests (not installed).

One review whose packet may carry a ``deadline``; an ``expire`` decision escalates to
the next owner on the input's ladder with a deadline one hour later, until the ladder
ends. Tests register it through a ``langgraph.json`` in their temporary folder.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict, TypeVar

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, ConfigDict

from baton import clock
from baton.audit import AuditLog
from baton.config import Settings
from baton.runtime import Runner
from baton.team import ReviewDecision, RunContext, agent_node, atomic_write, review_gate
from baton.tools.yamlmodel import field_input_error, load_yaml_model

TITLE = "Test scenario: a review that escalates when its deadline passes"
DEFAULT_REVIEW = "always"


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owners: list[str]
    deadline: str | None = None


class NoEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")


EDIT_SCHEMA = NoEdit


class State(TypedDict, total=False):
    owners: list[str]
    deadline: str | None
    level: int
    review: dict[str, Any]
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog


def packet(state: State) -> dict[str, Any]:
    level = state.get("level", 0)
    shown: dict[str, Any] = {"owner": state["owners"][level], "level": level}
    if state.get("deadline") and level == 0:
        shown["deadline"] = state["deadline"]  # as written: request_review checks it
    elif state.get("deadline"):
        due = clock.parse_utc(str(state["deadline"]), "deadline") + timedelta(hours=level)
        shown["deadline"] = clock.iso(due)
    return shown


def _escalate(state: State, decision: ReviewDecision) -> dict[str, Any]:
    return {"level": state.get("level", 0) + 1} if decision.action == "expire" else {}


review = review_gate("review", packet=packet, edit_schema=NoEdit, apply=_escalate)


@agent_node("finish")
def finish(state: State, ctx: RunContext) -> dict[str, Any]:
    decided = state.get("review") or {}
    text = f"{decided.get('action', 'none')} by {decided.get('reviewer', '-')}\n"
    return {"outputs": [str(atomic_write(ctx.output_dir / "result.txt", text))]}


def route(state: State) -> Literal["review", "finish"]:
    escalated = (state.get("review") or {}).get("action") == "expire"
    return "review" if escalated and state.get("level", 0) < len(state["owners"]) else "finish"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(State, context_schema=RunContext)
    builder.add_node("review", review)
    builder.add_node("finish", finish)
    builder.add_edge(START, "review")
    builder.add_conditional_edges("review", route)
    builder.add_edge("finish", END)
    return builder.compile(checkpointer=checkpointer, name="deadline-demo")


def load_input(path: Path) -> dict[str, Any]:
    return load_yaml_model(path, Input, field_input_error).model_dump()


NAME = "deadline-demo"


def register(folder: Path, owners: tuple[str, ...] = ("alice", "bob"), deadline: str = "") -> Path:
    """Make this scenario known in ``folder`` (a ``langgraph.json``); returns an input file.

    The tests run with ``folder`` as the working directory, where scenario discovery
    reads the nearest ``langgraph.json``.
    """
    (folder / "langgraph.json").write_text(
        f'{{"graphs": {{"{NAME}": "{Path(__file__).resolve()}:build_graph"}}}}\n',
        encoding="utf-8",
    )
    lines = [f"owners: [{', '.join(owners)}]"] + ([f"deadline: '{deadline}'"] if deadline else [])
    path = folder / "input.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


T = TypeVar("T")


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Set the test clock (``BATON_NOW``) for this test."""
    monkeypatch.setenv(clock.TEST_CLOCK_ENV, when)


def race(settings: Settings, tick: Callable[[Runner], list[T]], ticks: int = 4) -> list[T]:
    """Run ``tick`` in ``ticks`` threads at once, each with its own runner (own connection),
    released together by a barrier; returns everything they reported."""
    runners = [Runner(settings) for _ in range(ticks)]
    gate = threading.Barrier(ticks)
    done: list[T] = []

    def one(r: Runner) -> None:
        gate.wait()
        done.extend(tick(r))

    threads = [threading.Thread(target=one, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in runners:
        r.close()
    return done
