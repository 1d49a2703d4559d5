"""Distribution through an outbox, exactly once per recipient, even under SIGKILL.

Why an outbox of files named by content: a process killed halfway through sending must
not send twice when the run resumes, and must not skip anyone. Each message's file name
is derived from the approved report's hash and the recipient, and is written atomically
(temp file + rename); a resumed distributor finds the messages already written and
skips them. ``distribution_manifest.json`` then lists exactly what went to whom with the
hash. A real mail relay reads the outbox (one ``.eml`` per message); delivering from the
outbox is the relay's job, so Baton itself never opens a network connection here.
"""

from __future__ import annotations

import hashlib
import json
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from baton.tools.outbox import SendHook, message_name, send_once

__all__ = ["SendHook", "build_message", "distribute", "manifest_json", "message_name"]


def build_message(sender: str, recipient: str, subject: str, body: str, report: str) -> bytes:
    """The message bytes, identical every time for the same inputs.

    No ``Date`` header (the relay that submits it adds one, RFC 6409 section 8.3) and a
    MIME boundary derived from the content rather than random, so a distributor that
    re-runs after a crash writes exactly the bytes it would have written the first time.
    """
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(body)
    msg.add_attachment(
        report.encode("utf-8"), maintype="text", subtype="markdown", filename="report.md"
    )
    digest = hashlib.sha256(f"{recipient}\x00{report}".encode()).hexdigest()[:32]
    msg.set_boundary(f"baton-{digest}")
    return bytes(msg)


def distribute(
    outbox: Path,
    recipients: dict[str, list[str]],
    *,
    sender: str,
    subject: str,
    report: str,
    report_hash: str,
    after_send: SendHook | None = None,
) -> list[dict[str, str]]:
    """Write one message per recipient unless already written; return the manifest rows."""
    outbox.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for role in sorted(recipients):
        for recipient in recipients[role]:
            if recipient.casefold() in seen:
                continue
            seen.add(recipient.casefold())
            body = f"Please find attached {subject}, as approved.\nReport SHA-256: {report_hash}\n"
            path, status = send_once(
                outbox,
                message_name(report_hash, recipient),
                partial(build_message, sender, recipient, subject, body, report),
                after_send,
            )
            rows.append(
                {
                    "role": role,
                    "recipient": recipient,
                    "file": path.name,
                    "sha256": report_hash,
                    "status": status,
                }
            )
    return rows


def manifest_json(rows: list[dict[str, str]], report_hash: str, approver: str) -> str:
    """The manifest without the volatile per-attempt status (byte-identical across resumes)."""
    stable = [{k: v for k, v in r.items() if k != "status"} for r in rows]
    return (
        json.dumps(
            {"report_sha256": report_hash, "approved_by": approver, "sent": stable},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
