"""Live progress for a run in the terminal: which nodes are running, for how long.

Why: a node can run for minutes (the writer on the embedded model took 176 s), and a
screen that shows nothing for that long looks hung. While a run is driven, every
running node gets a spinner with its elapsed time and, when it fans out (LangGraph
``Send``), how many of its branches are done out of the total; a finished node leaves
one ``✓`` line with its calls, tokens and decision. Rich's live display redraws in
place on a terminal; piped or captured output gets only the ``✓`` lines.

The runner feeds two kinds of events: LangGraph ``tasks`` stream events (a task
started, a task finished) through :meth:`LiveProgress.task`, and each node's state
update through :meth:`LiveProgress.__call__` (the plain ``ProgressFn`` shape).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text


@dataclass
class _Node:
    """The tasks of one node in flight: one, or the branches of a fan-out."""

    started: float
    running: set[str] = field(default_factory=set)
    done: int = 0
    total: int = 0


class LiveProgress:
    """A progress callback for :class:`baton.runtime.Runner` that draws a live display."""

    def __init__(self, console: Console, clock: Any = time.monotonic) -> None:
        self.console = console
        self._clock = clock
        self._nodes: dict[str, _Node] = {}
        self._live: Live | None = None

    # Events ------------------------------------------------------------------------
    def task(self, event: dict[str, Any]) -> None:
        """A LangGraph ``tasks`` stream event: start events carry ``triggers``."""
        name, task_id = str(event.get("name", "")), str(event.get("id", ""))
        if name.startswith("__"):
            return
        if "triggers" in event:
            starting = self._nodes.setdefault(name, _Node(started=self._clock()))
            starting.running.add(task_id)
            starting.total += 1
            return
        node = self._nodes.get(name)
        if node is None or task_id not in node.running:
            return
        node.running.discard(task_id)
        node.done += 1
        if not node.running:  # the node (every branch of it) has finished
            del self._nodes[name]

    def __call__(self, node: str, update: dict[str, Any]) -> None:
        """A node's state update: print its audit line(s) above the live display."""
        for rec in (r for r in update.get("audit", []) if r.get("kind") == "node"):
            tokens = rec.get("tokens_in", 0) + rec.get("tokens_out", 0)
            extra = f" · {rec['llm_calls']} calls · {tokens} tok" if rec.get("llm_calls") else ""
            self.console.print(
                f"[green]✓[/] [bold]{node}[/]{extra} — {rec.get('decision', '')}", highlight=False
            )

    # Display -----------------------------------------------------------------------
    def lines(self) -> list[str]:
        """One plain line per running node: name, branches done/total, elapsed seconds."""
        now = self._clock()
        shown = []
        for name, node in self._nodes.items():
            branches = f" · {node.done}/{node.total} branches done" if node.total > 1 else ""
            shown.append(f"{name}{branches} · {now - node.started:.0f}s")
        return shown

    def __rich__(self) -> RenderableType:
        return Group(*(Spinner("dots", Text(line)) for line in self.lines()))

    def __enter__(self) -> LiveProgress:
        if self.console.is_terminal:
            self._live = Live(self, console=self.console, transient=True, refresh_per_second=8)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None
