"""Anomaly: runs the auditor's rule checks and hands each flag to review with its evidence.

No model here, on purpose: every check (duplicates, reused receipts, unusual amounts,
splits, weekend claims, new vendors) is computed in code, and the detector's own message
already says which rows and why in one line. A model sentence would add seconds per flag
and a chance of misquoting an amount, and nothing a reviewer needs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from baton.agents.finance.state import (
    bank_lines,
    claims_of,
    exception_row,
    holidays_of,
    ledger_entries,
    policy_of,
    recon_of,
)
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.tools.finance.anomaly import Anomaly, detect_anomalies
from baton.tools.finance.report import exception_from_anomaly

SUGGESTIONS = {
    "duplicate": "reject to recover the duplicate payment or claim; accept if both are genuine",
    "receipt_reused": "reject the later claim; accept only if the receipt covers both",
    "split_purchase": "reject, or accept with the approval the combined amount needs",
}
DEFAULT_SUGGESTION = "investigate the evidence rows; accept if legitimate, reject to dispute"


def anomaly_row(anomaly: Anomaly) -> dict[str, Any]:
    """An anomaly as an exception row; its evidence rows travel with it unchanged."""
    return exception_row(
        exception_from_anomaly(anomaly),
        "anomaly",
        evidence_rows=[e.model_dump() for e in anomaly.evidence],
        suggested_action=SUGGESTIONS.get(anomaly.kind, DEFAULT_SUGGESTION),
    )


@agent_node("anomaly")
def detect(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Flag unusual rows across bank, ledger and claims."""
    policy = policy_of(state)
    anomalies = detect_anomalies(
        bank_lines(state),
        ledger_entries(state),
        claims_of(state),
        policy,
        holidays_of(state, policy),
        known_vendors=state.get("vendors", []),
        recon=recon_of(state) if state.get("recon") else None,
    )
    rows = [anomaly_row(a) for a in anomalies]
    trace = current_trace()
    if trace:
        kinds = Counter(a.kind for a in anomalies)
        trace.decision = f"{len(rows)} anomalies" + (
            ": " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) if kinds else ""
        )
    return {"anomaly_exceptions": rows}
