"""Distributor: pure code. Writes the approved report and sends it exactly once.

It refuses to send anything whose hash is not the approved hash (a report changed after
approval needs a new approval). Messages go through the outbox in
``tools/compliance/distribute.py``, which makes a resumed distributor skip what a
killed one already wrote. Messages carry no send time (the relay adds one), so the outputs are
byte-identical however many times the node runs.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from baton.agents.compliance.state import State
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.errors import UserError
from baton.outputs import atomic_write
from baton.tools.compliance.approval import content_hash
from baton.tools.compliance.distribute import SendHook, distribute, manifest_json
from baton.tools.compliance.render import evidence_rows
from baton.tools.outbox import outbox_tally

SEND_HOOK: SendHook | None = None
"""Called after each message is written; the crash tests use it to SIGKILL mid-send."""


def recipients_for(state: State) -> dict[str, list[str]]:
    roles = sorted({r for c in state.get("clauses", []) for r in c["report_to"]})
    everyone = state["obligations"]["recipients"]
    return {role: list(everyone[role]) for role in roles}


@agent_node("distributor")
def send(state: State, ctx: RunContext) -> dict[str, Any]:
    report = state["report"]
    approved = state.get("approved_hash")
    if not approved or content_hash(report) != approved:
        raise UserError("the report changed after approval: it needs a new approval")
    review = state.get("review") or {}
    approver = str(review.get("reviewer", ""))
    out = ctx.output_dir
    paths = [atomic_write(out / "report.md", report)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(evidence_rows(state["figures"]))
    paths.append(atomic_write(out / "evidence.csv", buf.getvalue()))
    ob = state["obligations"]
    rows = distribute(
        out / "outbox",
        recipients_for(state),
        sender=f"compliance@{ob['recipients'][sorted(ob['recipients'])[0]][0].split('@', 1)[1]}",
        subject=f"{ob['report_title']}, {ob['period_start']} to {ob['period_end']}",
        report=report,
        report_hash=approved,
        after_send=SEND_HOOK,
    )
    paths.append(
        atomic_write(out / "distribution_manifest.json", manifest_json(rows, approved, approver))
    )
    trace = current_trace()
    if trace:
        trace.decision = (
            f"sent to {len(rows)} recipients ({outbox_tally(rows)}); approved by {approver}"
        )
    return {"outputs": [str(p) for p in paths]}
