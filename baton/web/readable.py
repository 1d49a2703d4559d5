"""What the inbox shows a reviewer who does not read JSON: rendered outputs, a chart, flags.

Kept apart from the per-scenario views so that each piece is a small function of the
run (or its state) that a template can include: a Markdown output rendered in the page
(sanitised by :func:`baton.web.views.markdown`: raw HTML off), and flags said in words
with a link from the inbox row to them. (A scenario's chart, e.g. the expense one, comes
from its own inbox view as ``chart``; this package names no scenario.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from baton.registry import RunRecord
from baton.web.views import markdown

MAX_RENDERED_BYTES = 512_000
"""A Markdown output larger than this is offered for download only."""


def rendered_outputs(
    run: RunRecord, find: Callable[[RunRecord, str], Path | None]
) -> list[dict[str, Any]]:
    """Each ``.md`` output of the run as ``{"name", "html"}``, for reading in the page.

    ``find`` is the inbox's confined lookup of an output by name (only files the run
    wrote, inside its folder); the download link stays next to the rendered text.
    """
    shown = []
    for registered in run.outputs:
        name = Path(registered).name
        if not name.endswith(".md"):
            continue
        path = find(run, name)
        if path is None or path.stat().st_size > MAX_RENDERED_BYTES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        shown.append({"name": name, "html": markdown(text)})
    return shown


PATTERN_WORDS = {
    "override-instructions": "tells the AI to ignore its instructions",
    "role-hijack": "pretends to be a system or administrator message",
    "approve-everything": "asks for everything to be approved",
}


def flag_lines(packet: Mapping[str, Any] | None, audit_flags: list[str]) -> list[str]:
    """Every flag as a sentence: where it was found, what it looks like, the excerpt."""
    lines = []
    for flag in (packet or {}).get("injection_flags") or []:
        if isinstance(flag, Mapping) and ("pattern" in flag or "source" in flag):
            pattern = str(flag.get("pattern", ""))
            what = PATTERN_WORDS.get(pattern, pattern.replace("-", " ") or "looks suspicious")
            excerpt = " ".join(str(flag.get("excerpt", "")).split())
            lines.append(
                f"{flag.get('source', 'a document')}: text that {what}"
                + (f": “{excerpt}”" if excerpt else "")
                + " (treated as data; it changed nothing)"
            )
        elif isinstance(flag, Mapping):
            lines.append("; ".join(f"{k}: {v}" for k, v in flag.items()))
        else:
            lines.append(str(flag))
    for flag in audit_flags:
        kind, _, ref = flag.partition(":")
        if kind == "suspected-injection":
            lines.append(f"source chunk {ref}: text that looks like instructions to the AI")
        elif kind == "model-text":
            lines.append(_tally_words(ref) or flag)
        else:
            lines.append(flag)
    return list(dict.fromkeys(lines))


def _tally_words(ref: str) -> str | None:
    """``kept=0/1;fallback=9`` -> which text the model wrote and which code wrote."""
    parts = dict(p.partition("=")[::2] for p in ref.split(";"))
    kept, _, asked = parts.get("kept", "").partition("/")
    if not (kept.isdigit() and asked.isdigit()):
        return None
    fallback = parts.get("fallback", "0")
    return (
        f"model text: {kept} of {asked} model-written passages kept; {fallback} written from"
        " the facts instead because the model's text failed the checks"
    )
