"""Exactly-once writing of outgoing messages into an outbox folder, shared by scenarios.

Why files named by content: a process killed halfway through sending must neither send
twice nor skip anyone when the run resumes. Each message's file name is derived from what
it is and to whom (never from time or the attempt), and is written atomically (temp file
+ rename); a resumed sender finds what a killed one already wrote and skips it. A relay
(mail, chat, webhook) delivers from the outbox; Baton itself opens no connection here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from baton.outputs import atomic_write

SendHook = Callable[[Path], None]
Status = Literal["written", "already in outbox"]


def message_name(key: str, recipient: str, suffix: str = ".eml") -> str:
    """The file name of one message: a digest of its identity and recipient."""
    digest = hashlib.sha256(f"{key}\x00{recipient.casefold()}".encode()).hexdigest()
    return f"{digest[:20]}{suffix}"


def send_once(
    outbox: Path,
    name: str,
    render: Callable[[], bytes],
    after_send: SendHook | None = None,
) -> tuple[Path, Status]:
    """Write ``render()`` to ``outbox/name`` unless a previous attempt already did."""
    path = outbox / name
    if path.exists():
        return path, "already in outbox"
    atomic_write(path, render())
    if after_send is not None:
        after_send(path)
    return path, "written"


def outbox_tally(results: Iterable[Mapping[str, Any]]) -> str:
    """ "N written now, M already in the outbox" over send results carrying a ``status``.

    Why: the audit note of a sending node must tell a first send from a resumed one
    that found its messages already written; every scenario words that the same way.
    """
    statuses = [r["status"] for r in results]
    written = statuses.count("written")
    return f"{written} written now, {len(statuses) - written} already in the outbox"
