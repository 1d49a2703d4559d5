"""The ``baton`` CLI in a subprocess, with the test-only hooks the crash trials need.

Run as ``python -m tests.reliability.crash_driver CMD [++ CMD ...]``. Each ``CMD`` is a
``baton`` command line, run in order through the real entry point (``baton.cli.main``);
``finish [RUN]`` (default: the newest run) is shorthand for "``baton resume RUN`` unless
it awaits review, then ``baton resume RUN --approve`` until it is done". Several
commands share one process because a Python start-up with LangGraph and Chroma costs
about a second, which over 30+ trials would be most of the budget.

Why hooks live here and not in ``baton/``: they exist only to crash or observe a test
process, so production code carries none of them. Each is inert unless its variable is
set:

- ``BATON_TEST_NODE_LOG``: every scripted model call appends the name of the graph node
  making it (from the node's audit trace) when the call *starts*; the ``role`` log in
  ``BATON_FAKE_CALL_LOG`` cannot tell two nodes that share a role apart.
- ``BATON_TEST_PUT_LOG``: every checkpoint row written appends a line, so a clean run
  says how many checkpoints a scenario writes.
- ``BATON_TEST_KILL_AT=put:N``: the process sends itself SIGKILL when SQLite starts the
  ``INSERT`` of the Nth checkpoint, i.e. inside ``SqliteSaver.put`` with the row's
  transaction open and uncommitted.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from typing import Any

from baton.audit import current_trace
from baton.retrieval import embeddings as retrieval_embeddings
from baton.retrieval.testing import hashing_embed
from baton.testing import ScriptedChatModel

NODE_LOG_ENV = "BATON_TEST_NODE_LOG"
PUT_LOG_ENV = "BATON_TEST_PUT_LOG"
KILL_ENV = "BATON_TEST_KILL_AT"
SEPARATOR = "++"
_CHECKPOINT_INSERT = "INSERT OR REPLACE INTO checkpoints"


def _append(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _install_node_log() -> None:
    path = os.environ.get(NODE_LOG_ENV)
    if not path:
        return
    original = ScriptedChatModel._log_call

    def log_call(self: ScriptedChatModel) -> None:
        trace = current_trace()
        _append(path, trace.node if trace else f"?{self.role}")
        original(self)

    ScriptedChatModel._log_call = log_call  # type: ignore[method-assign]


def _install_checkpoint_hooks() -> None:
    """Watch the checkpointer's SQL: count checkpoint rows, or die inside the Nth."""
    put_log = os.environ.get(PUT_LOG_ENV)
    kill_at = os.environ.get(KILL_ENV, "")
    target = int(kill_at.split(":", 1)[1]) if kill_at.startswith("put:") else 0
    if not put_log and not target:
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    seen = 0
    original = SqliteSaver.__init__

    def on_statement(sql: str) -> None:
        nonlocal seen
        if not sql.lstrip().startswith(_CHECKPOINT_INSERT):
            return
        seen += 1
        if put_log:
            _append(put_log, str(seen))
        if seen == target:
            os.kill(os.getpid(), signal.SIGKILL)

    def init(self: SqliteSaver, conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> None:
        original(self, conn, *args, **kwargs)
        conn.set_trace_callback(on_statement)

    SqliteSaver.__init__ = init  # type: ignore[method-assign]


def _run(run_id: str | None) -> tuple[str, str]:
    """``(id, status)`` of the run, or of the newest run in the home when no id is given."""
    from baton.config import load_settings
    from baton.registry import Registry

    registry = Registry(load_settings().registry_path)
    try:
        run = registry.get(run_id) if run_id else registry.list_runs(limit=1)[0]
        return run.id, run.status
    finally:
        registry.close()


def _baton(args: list[str]) -> int:
    """One ``baton`` command through the real entry point; its exit code."""
    from baton.cli import main

    sys.argv = ["baton", *args]
    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _finish(which: str | None, max_reviews: int = 5) -> int:
    """Resume a crashed run, then approve each review packet until the run is done."""
    run_id, status = _run(which)
    if status not in ("awaiting_review", "done"):
        code = _baton(["resume", run_id, "--json"])
        if code:
            return code
    for _ in range(max_reviews):
        if _run(run_id)[1] != "awaiting_review":
            break
        code = _baton(["resume", run_id, "--approve", "--reviewer", "crash-trial", "--json"])
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    retrieval_embeddings.embed = hashing_embed  # MiniLM would dominate every trial
    _install_node_log()
    _install_checkpoint_hooks()
    commands: list[list[str]] = [[]]
    for arg in argv:
        if arg == SEPARATOR:
            commands.append([])
        else:
            commands[-1].append(arg)
    for command in commands:
        if command[:1] == ["finish"]:
            code = _finish(command[1] if len(command) > 1 else None)
        else:
            code = _baton(command)
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
