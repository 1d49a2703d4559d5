"""Time travel: start a new run from an earlier checkpoint of an existing one.

Why: a reviewer who wonders "what if the matching had been stricter?" or "what if the
findings had said this instead?" should not pay for the whole run again. Every step of
a run is a LangGraph checkpoint, so a fork copies the state as it was just before a
chosen node, applies the reviewer's edits to it, and drives a *new* run (a new thread)
from there: the nodes before the fork point never run again, the parent run is left
untouched, and the fork's audit trail opens with a record naming its parent, the
node and the checkpoint it started from.

The copy is written with ``update_state(..., as_node=<the node that ran before>)`` on
the new thread, which is how LangGraph itself resumes from a state: the graph's own
edges then schedule the fork point next (a router after an edited state may pick
another branch, which the fork reports rather than hides).
"""

from __future__ import annotations

import os
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from langgraph.channels.binop import BinaryOperatorAggregate

from baton.audit import human_record
from baton.errors import UserError
from baton.scenario import get_scenario

if TYPE_CHECKING:
    from baton.runtime import ProgressFn, Runner, RunOutcome, TokenFn

FORK_NODE = "fork"
"""The ``node`` of the audit record that opens a fork's trail."""


def fork_run(
    runner: Runner,
    parent_id: str,
    at: str,
    edits: dict[str, Any] | None = None,
    *,
    actor: str,
    progress: ProgressFn | None = None,
    tokens: TokenFn | None = None,
) -> RunOutcome:
    """Fork ``parent_id`` just before the first time node ``at`` was about to run."""
    from baton.runtime import _config, new_run_id

    parent = runner.registry.get(parent_id)
    scenario = get_scenario(parent.scenario)
    graph = runner._graph(scenario)
    history = list(reversed(list(graph.get_state_history(_config(parent_id)))))
    pairs = [(b, s) for b, s in pairwise(history) if at in s.next]
    if not pairs:
        seen = dict.fromkeys(n for s in history for n in s.next if not n.startswith("__"))
        known = ", ".join(seen) or "none (its checkpoints were pruned?)"
        raise UserError(f"--at: run {parent_id} never reached node '{at}' (nodes: {known})")
    before, snapshot = pairs[0]
    if len(before.next) != 1:
        raise UserError(f"--at: '{at}' follows parallel branches; fork at a node after them")
    values = dict(snapshot.values or {})
    if edits:
        values.update(_checked(graph, edits))
    values.pop("outputs", None)  # the parent's files are the parent's
    checkpoint = str(snapshot.config["configurable"].get("checkpoint_id", ""))
    run_id = new_run_id(scenario.name)
    link = f"fork of {parent_id} at {at} (checkpoint {checkpoint})"
    if edits:
        link += f" (edited: {', '.join(sorted(edits))})"
    values["audit"] = [
        *(values.get("audit") or []),
        human_record(run_id, FORK_NODE, actor, link),
    ]
    out = (runner.settings.runs_dir / run_id).resolve()
    runner.registry.create_run(
        run_id, scenario.name, parent.input_path, str(out), parent.review_mode, owner=os.getpid()
    )
    graph.update_state(_config(run_id), values, as_node=before.next[0])
    scheduled = graph.get_state(_config(run_id)).next
    if at not in scheduled:
        runner.registry.set_status(run_id, "failed", reason=f"edited state routes to {scheduled}")
        raise UserError(
            f"--edit: with this state the graph goes to {', '.join(scheduled) or 'the end'},"
            f" not '{at}'"
        )
    return runner._drive(scenario, runner.registry.get(run_id), None, progress, tokens, first=True)


def _checked(graph: Any, edits: dict[str, Any]) -> dict[str, Any]:
    """Edits must name state keys that hold plain values (not appended logs)."""
    channels: dict[str, Any] = graph.channels
    keys = sorted(
        k
        for k, ch in channels.items()
        if not k.startswith(("__", "branch:")) and not isinstance(ch, BinaryOperatorAggregate)
    )
    for key in edits:
        if key not in channels or key.startswith(("__", "branch:")):
            raise UserError(f"edit file: {key}: not a state key (known: {', '.join(keys)})")
        if key not in keys:
            raise UserError(
                f"edit file: {key}: an append-only log (audit, outputs) cannot be edited"
            )
    return edits
