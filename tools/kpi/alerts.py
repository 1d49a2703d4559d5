"""Rendering alert messages and sending them through the shared outbox.

One file per alert and recipient: ``.eml`` for the e-mail channel, ``.json`` otherwise.
The name derives from the anomaly id, the recipient and the escalation step, so a
resumed or repeated run writes nothing twice and an escalation is a new message.
An optional webhook gets the same JSON, POSTed once per outbox file (a marker file
records the delivery; the ``Idempotency-Key`` header lets the receiver drop a repeat
after a crash between the POST and the marker).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from baton.outputs import atomic_write
from baton.tools.outbox import SendHook, Status, message_name, send_once

Poster = Callable[[str, bytes, str], None]


def alert_payload(finding: dict[str, Any], to: str, step: object, note: str) -> dict[str, Any]:
    a = finding["anomaly"]
    return {
        "anomaly": a["id"],
        "kpi": a["kpi"],
        "slice": ", ".join(f"{k}={v}" for k, v in sorted(a["dims"].items())) or "total",
        "severity": a["severity"],
        "window": [a["start"], a["end"]],
        "to": to,
        "step": step,
        "note": note,
    }


def render(payload: dict[str, Any], channel: str, sender: str) -> bytes:
    """The message bytes, identical every time for the same alert (no Date, no randomness)."""
    if channel != "email":
        return (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode()
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = payload["to"]
    esc = "" if payload["step"] in (0, "0") else " (escalated)"
    msg["Subject"] = (
        f"[{payload['severity']}] {payload['kpi']} {payload['slice']} anomaly{esc}"
        f" {payload['window'][0][:10]}"
    )
    msg.set_content(
        f"{payload['note']}\n\nAnomaly {payload['anomaly']}, window {payload['window'][0]}"
        f" to {payload['window'][1]}.\n"
    )
    return bytes(msg)


def send_alert(
    outbox: Path,
    payload: dict[str, Any],
    channel: str,
    sender: str,
    after_send: SendHook | None = None,
) -> tuple[Path, Status]:
    suffix = ".eml" if channel == "email" else ".json"
    name = message_name(f"{payload['anomaly']}\x00{payload['step']}", payload["to"], suffix)
    return send_once(outbox, name, lambda: render(payload, channel, sender), after_send)


def _post(url: str, body: bytes, key: str) -> None:
    req = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # the policy's reviewed URL
        resp.read()


def deliver_webhook(
    path: Path, payload: dict[str, Any], url: str, post: Poster | None = None
) -> bool:
    """POST the alert once per outbox file; ``False`` if it was delivered before."""
    marker = path.with_name(path.name + ".webhook")
    if marker.exists():
        return False
    (post or _post)(url, json.dumps(payload, sort_keys=True).encode(), path.name)
    atomic_write(marker, "delivered\n")
    return True
