"""The code members of the kpi-monitor team: detect (with drill-down and routing), send
(outbox, ledger) and digest. The root-cause writer is the one model agent
(``agents/kpi/writer.py``); the human checkpoint is in ``review.py``.

Why the ledger is written by ``send`` and not at the end: a run may wait hours for a
human, and the next hourly run must not page the same owner again meanwhile. ``send``
writes the alerts first (exactly once, by file name) and then records them with the
watermark, under a lock, so a run killed between the two re-sends nothing on resume.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.graphs.kpi_monitor.state import State
from baton.outputs import atomic_write
from baton.registry import utcnow
from baton.tools.kpi.alerts import alert_payload, deliver_webhook, send_alert
from baton.tools.kpi.escalation import WAITING, deadline_after
from baton.tools.kpi.io import load_folder
from baton.tools.kpi.models import AlertPolicy, Anomaly
from baton.tools.kpi.monitor import analyse, watermarks
from baton.tools.kpi.route import known_as, ledger_path, locked_ledger, read_ledger, remember, route
from baton.tools.outbox import SendHook, outbox_tally

SEND_HOOK: SendHook | None = None
"""Called after each alert file is written; the crash tests use it to SIGKILL mid-send."""


def outbox_dir(ctx: RunContext) -> Path:
    """One outbox for every run of the monitor: the relay reads a single folder."""
    return ctx.settings.home_dir / "kpi-monitor" / "outbox"


@agent_node("detect")
def detect_anomalies(state: State, ctx: RunContext) -> dict[str, Any]:
    """Detect, drill down and route what is new since the last run's watermark."""
    folder = Path(state["folder"])
    series, changes, policy = load_folder(folder)
    ledger = read_ledger(ledger_path(ctx.settings.home_dir, state["folder"]))
    since: dict[str, str] = ledger.get("watermarks", {})
    findings: list[dict[str, Any]] = []
    repeats: list[str] = []
    for finding in analyse(series, changes, policy, since):
        anomaly = Anomaly.model_validate(finding["anomaly"])
        step = series[anomaly.kpi].step_seconds
        if known_as(anomaly, ledger.get("seen", {}), step):
            repeats.append(anomaly.id)
            continue
        findings.append(finding)
    routes = {
        f["anomaly"]["id"]: route(Anomaly.model_validate(f["anomaly"]), f["explained_by"], policy)
        for f in findings
    }
    trace = current_trace()
    if trace:
        alerts = sum(r["alert"] for r in routes.values())
        trace.decision = (
            f"{len(findings)} new anomalies ({alerts} to alert), {len(repeats)} already reported"
        )
    return {
        "policy": policy.model_dump(mode="json"),
        "since": since,
        "watermarks": watermarks(series),
        "findings": findings,
        "repeats": repeats,
        "routes": routes,
    }


def deliver(
    ctx: RunContext, policy: AlertPolicy, finding: dict[str, Any], to: str, step: object, note: str
) -> dict[str, Any]:
    """One alert through the outbox (and the webhook, if configured); its manifest row."""
    channel = policy.kpis[finding["anomaly"]["kpi"]].channel
    payload = alert_payload(finding, to, step, note)
    path, status = send_alert(outbox_dir(ctx), payload, channel, policy.sender, SEND_HOOK)
    if policy.webhook_url:
        deliver_webhook(path, payload, policy.webhook_url)
    return {
        "anomaly": payload["anomaly"],
        "to": to,
        "step": step,
        "file": path.name,
        "status": status,
    }


@agent_node("send")
def send(state: State, ctx: RunContext) -> dict[str, Any]:
    """Alert each owner once, record everything in the ledger, open the review items."""
    policy = AlertPolicy.model_validate(state["policy"])
    routes = state.get("routes", {})
    notes = state.get("notes", {})
    sent: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    now = utcnow()
    for finding in state.get("findings", []):
        aid = finding["anomaly"]["id"]
        r = routes[aid]
        if not r["alert"]:
            continue
        sent.append(deliver(ctx, policy, finding, r["owner"], 0, notes[aid]["text"]))
        if r["review"]:
            items.append(
                {
                    "id": aid,
                    "status": WAITING,
                    "owner": r["owner"],
                    "ladder": r["ladder"],
                    "level": 0,
                    "deadline": deadline_after(now, policy.review_deadline_hours),
                }
            )
    with locked_ledger(ledger_path(ctx.settings.home_dir, state["folder"])) as ledger:
        for finding in state.get("findings", []):
            aid = finding["anomaly"]["id"]
            alerted = [s["to"] for s in sent if s["anomaly"] == aid]
            remember(
                ledger["seen"], Anomaly.model_validate(finding["anomaly"]), alerted, ctx.run_id
            )
        ledger["watermarks"] = {**ledger.get("watermarks", {}), **state.get("watermarks", {})}
    trace = current_trace()
    if trace:
        trace.decision = f"{len(sent)} alerts ({outbox_tally(sent)}); {len(items)} wait for a human"
    return {"sent": sent, "items": items}


def digest_text(state: State) -> str:
    """overnight_digest.md: what ran, what fired, who was alerted, what is waiting."""
    findings = state.get("findings", [])
    routes = state.get("routes", {})
    since = state.get("since") or {}
    marks = state.get("watermarks") or {}
    lines = ["# Overnight digest: kpi-monitor", "", "## What ran", ""]
    for kpi in sorted(marks):
        lines.append(f"- {kpi}: data after {since.get(kpi, 'the start')} up to {marks[kpi]}")
    lines += [
        f"- {len(findings)} new anomalies; {len(state.get('repeats', []))} already reported"
        " by an earlier run (not alerted again)",
        "",
        "## What fired",
        "",
    ]
    if findings:
        lines.append(
            "| anomaly | KPI | slice | kind | window | severity | change | owner | alerted |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
    for f in findings:
        a, r = f["anomaly"], routes[f["anomaly"]["id"]]
        where = ", ".join(f"{k}={v}" for k, v in a["dims"].items()) or "total"
        lines.append(
            f"| {a['id']} | {a['kpi']} | {where} | {a['kind']} | {a['start'][:10]} to"
            f" {a['end'][:10]} | {a['severity']} | {a['evidence']['change_pct']}% | {r['owner']} |"
            f" {'yes' if r['alert'] else 'digest only'} |"
        )
    notes = state.get("notes", {})
    for aid, note in sorted(notes.items()):
        lines += ["", f"**{aid}** ({note['by']}): {note['text']}"]
    lines += ["", "## Who was alerted", ""]
    lines += [
        f"- {s['to']}: {s['anomaly']}" + (f" (escalation step {s['step']})" if s["step"] else "")
        for s in state.get("sent", [])
    ] or ["- nobody"]
    lines += ["", "## What is waiting", ""]
    items = state.get("items", [])
    lines += [
        f"- {i['id']}: {i['status']}"
        + (f", with {i['owner']} until {i['deadline']}" if i["status"] == WAITING else "")
        + (f" (by {i['decided_by']})" if i.get("decided_by") else "")
        for i in items
    ] or ["- nothing"]
    return "\n".join(lines) + "\n"


@agent_node("digest")
def digest(state: State, ctx: RunContext) -> dict[str, Any]:
    out = ctx.output_dir
    paths = [
        atomic_write(out / "overnight_digest.md", digest_text(state)),
        atomic_write(
            out / "alerts.json",
            json.dumps(
                {"sent": state.get("sent", []), "items": state.get("items", [])},
                indent=2,
                sort_keys=True,
            )
            + "\n",
        ),
    ]
    trace = current_trace()
    if trace:
        unanswered = sum(i["status"] == "unanswered" for i in state.get("items", []))
        trace.decision = f"digest written; {unanswered} alerts unanswered"
    return {"outputs": [str(p) for p in paths]}
