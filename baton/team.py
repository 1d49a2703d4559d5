"""Team building blocks: the pieces every Baton scenario is made of, public and documented.

Why one module: a user writing their own team should find, in one import, what the
built-in scenarios use themselves, rather than re-deriving how Baton audits a node or
bounds a loop. Each block is small and does one thing:

* :func:`agent_node` - turn ``fn(state, ctx) -> update`` into a LangGraph node that
  leaves exactly one audit record (model, tokens, prompt hash, cited chunks, decision)
  committed atomically with its result;
* :func:`ask_structured` - one structured-output model call (a forced, grammar-constrained
  tool call, schema-checked, re-asked once with the error, ``None`` when it never
  validates so the agent falls back to a deterministic answer); :func:`quote` wraps a
  document as data, :func:`cited_schema` restricts citations to the ids shown;
* :func:`keep_revising` / :func:`feedback_repeats` - the bounded critic loop rule (round
  limit, stop on repeated feedback);
* :func:`review_gate` - a review node: pause per the run's mode (always / exceptions /
  never), decisions validated by an edit schema against the packet being answered;
* :func:`ungrounded` - the grounding check: every cited id exists and was retrieved in
  this run;
* :func:`policy_gate` - rules in code over structured records (retrieved text is
  evidence, never a rule);
* :func:`atomic_write` - output files written whole or not at all;
* :func:`team_graph` - a ``StateGraph`` of named nodes with the run context, its straight
  edges written as the diagram reads (``"START -> a -> b -> END"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Generic, TypeVar

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from baton.audit import GraphNode, agent_node, current_trace
from baton.context import ReviewMode, RunContext
from baton.llm import ask_structured, cited_schema, quote
from baton.loops import feedback_repeats, keep_revising
from baton.outputs import atomic_write
from baton.review import ReviewDecision, request_review, validate_edits

__all__ = [
    "Breach",
    "ReviewDecision",
    "Rule",
    "RunContext",
    "agent_node",
    "ask_structured",
    "atomic_write",
    "cited_schema",
    "current_trace",
    "feedback_repeats",
    "keep_revising",
    "policy_gate",
    "quote",
    "review_gate",
    "team_graph",
    "ungrounded",
    "validate_edits",
]

R = TypeVar("R")


def ungrounded(
    cited: Iterable[str], retrieved: Iterable[str], existing: Iterable[str]
) -> list[str]:
    """Problems with citations: ids that do not exist, or were not retrieved in this run.

    ``existing`` is every chunk id the context store holds (or the ids of the records a
    citation may name); ``retrieved`` is what this run actually read. A model can cite
    an id it was never shown (or invent one); only code can tell, so this runs in a
    critic before a human sees anything.
    """
    retrieved_set, existing_set = set(retrieved), set(existing)
    problems: list[str] = []
    for cid in dict.fromkeys(cited):
        if cid not in existing_set:
            problems.append(f"citation [{cid}] does not exist in the context store")
        elif cid not in retrieved_set:
            problems.append(f"citation [{cid}] was not retrieved in this run")
    return problems


@dataclass(frozen=True)
class Rule(Generic[R]):
    """One policy rule in code: ``check(record)`` returns why it is breached, or ``None``.

    ``clause`` names the reviewed rule (a config key or a policy section); a retrieved
    document may be cited as evidence for it but can never change the outcome.
    """

    name: str
    check: Callable[[R], str | None]
    clause: str = ""


@dataclass(frozen=True)
class Breach:
    """A record that failed a rule: which record, which rule, why, under which clause."""

    index: int
    rule: str
    detail: str
    clause: str = ""


def policy_gate(records: Sequence[R], rules: Sequence[Rule[R]]) -> list[Breach]:
    """Every breach of every rule, record by record (empty: the records pass)."""
    breaches: list[Breach] = []
    for index, record in enumerate(records):
        for rule in rules:
            why = rule.check(record)
            if why:
                breaches.append(Breach(index, rule.name, why, rule.clause))
    return breaches


def review_gate(
    name: str,
    *,
    packet: Callable[[Any], dict[str, Any]],
    edit_schema: type[BaseModel],
    default_mode: ReviewMode = "always",
    has_exceptions: Callable[[Any], bool] | None = None,
    apply: Callable[[Any, ReviewDecision], dict[str, Any]] | None = None,
) -> GraphNode:
    """A review node: build the packet, pause when the mode says so, return the decision.

    ``packet(state)`` is what the reviewer sees (``preview`` Markdown and ``exceptions``
    rows are shown by the CLI and the inbox; anything else as tables). The decision
    lands in state as ``review`` (a :class:`ReviewDecision` dump). ``has_exceptions(state)``
    decides whether mode ``exceptions`` pauses (default: the packet lists exceptions);
    ``apply(state,
    decision)`` may turn approved edits into a further state update. Edits are
    validated by ``edit_schema`` with the packet as context, so a schema can refuse ids
    the packet does not list.
    """

    def gate(state: Any, ctx: RunContext) -> dict[str, Any]:
        shown = packet(state)
        exceptional = (
            has_exceptions(state) if has_exceptions is not None else bool(shown.get("exceptions"))
        )
        decision, audit = request_review(
            ctx,
            name,
            shown,
            has_exceptions=exceptional,
            default_mode=default_mode,
            edit_schema=edit_schema,
        )
        update: dict[str, Any] = {"review": decision.model_dump(), "audit": audit}
        if apply is not None:
            update |= apply(state, decision)
        return update

    gate.__doc__ = f"Review gate '{name}': {default_mode} by default."
    return agent_node(name)(gate)


def team_graph(
    state: type[Any],
    nodes: Mapping[str, Any],
    *,
    flow: str = "",
    input_schema: type[Any] | None = None,
    deferred: Iterable[str] = (),
) -> StateGraph[Any, Any, Any, Any]:
    """A graph of ``nodes`` (name -> node, in order) on ``state`` with the run context,
    and the edges of ``flow``: straight runs ``"START -> a -> b"``, separated by ``;``.

    Why: every team's graph is the same scaffolding (state, context schema, a node per
    agent, a chain of edges) around the few routers that make it that team; writing the
    chain as the flow diagram reads keeps ``graph.py`` on one screen. Routers are added on
    the returned builder with ``add_conditional_edges``. Nodes named in ``deferred`` wait
    for every branch of a fan-out before they run (LangGraph's ``defer``).
    """
    builder = StateGraph(state, input_schema=input_schema, context_schema=RunContext)
    waits = set(deferred)
    for name, node in nodes.items():
        builder.add_node(name, node, defer=name in waits)
    ends = {"START": START, "END": END}
    for run in filter(None, (r.strip() for r in flow.split(";"))):
        names = [ends.get(n.strip(), n.strip()) for n in run.split("->")]
        for a, b in pairwise(names):
            builder.add_edge(a, b)
    return builder
