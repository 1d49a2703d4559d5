"""How any scenario's review looks in the browser, and how its form becomes edits.

Why generic: the inbox must show a scenario it has never heard of (a user's own plugin).
The packet a graph stores is written for every client (the CLI prints its Markdown
preview); here its other parts become tables and lists, and the scenario's edit schema
becomes a form whose fields are turned into exactly the edit document ``baton resume
--edit`` takes, validated by the same schema. A scenario may add a richer page of its own
(an :class:`baton.scenario.InboxView`: a template, its context and its form parsing); the
helpers below (:func:`decided`, :func:`split_ids`) are for those views too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import BaseModel

_MD = MarkdownIt("js-default")  # tables on, raw HTML off: packet text is data, not markup
_CITATION = re.compile(r"\[(?:<code>)?([0-9a-f]{16})(?:</code>)?\]")
SHOWN_ELSEWHERE = {
    "preview",
    "exceptions",
    "items",
    "edit_schema",
    "injection_flags",
    "edit_errors",
}
"""Packet keys the run page shows in their own place, not among the generic sections."""
MAX_ROWS = 500


def markdown(text: str) -> Markup:
    """Packet Markdown as safe HTML, with ``[chunk id]`` citations linked to the chunk."""
    html = _MD.render(text or "")
    return Markup(_CITATION.sub(lambda m: str(chunk_link(m.group(1))), html))


def chunk_link(chunk_id: str) -> Markup:
    return Markup('[<a class="cite" href="/chunks/{0}">{0}</a>]').format(chunk_id)


def flags_of(packet: Mapping[str, Any] | None) -> list[str]:
    """Prompt-injection flags of a packet (strings or dicts), as lines to show."""
    out: list[str] = []
    for flag in (packet or {}).get("injection_flags") or []:
        if isinstance(flag, Mapping):
            out.append("; ".join(f"{k}: {v}" for k, v in flag.items()))
        else:
            out.append(str(flag))
    return out


# Per-item controls (for scenario views) -----------------------------------------------------
def split_ids(text: str) -> list[str]:
    """Ids typed into one field, separated by commas or white space."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def row_count(form: Mapping[str, str], total: str = "items") -> int:
    """The row count a page declared in the hidden field ``total`` (bounded)."""
    try:
        return max(0, min(int(form.get(total, "0")), 10_000))
    except ValueError:
        return 0


def decided(
    form: Mapping[str, str], prefix: str, total: str = "items"
) -> Iterator[tuple[str, str, str]]:
    """``(field prefix, action, item id)`` for every row the reviewer chose an action on.

    Rows are named ``{prefix}{n}-action`` and ``{prefix}{n}-id``; ``total`` names the
    hidden field with the row count, for a page with two tables.
    """
    for n in range(row_count(form, total)):
        action = form.get(f"{prefix}{n}-action", "")
        if action:
            yield f"{prefix}{n}", action, form.get(f"{prefix}{n}-id", "")


# Any scenario ----------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def packet_sections(packet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The packet's other parts as tables (lists of records, mappings) and lists."""
    sections: list[dict[str, Any]] = []
    for key, value in packet.items():
        if key in SHOWN_ELSEWHERE or value in (None, "", [], {}):
            continue
        title = key.replace("_", " ").capitalize()
        if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            columns = list(dict.fromkeys(k for row in value for k in row))
            rows = [[_cell(row.get(c)) for c in columns] for row in value[:MAX_ROWS]]
            sections.append({"title": title, "kind": "table", "columns": columns, "rows": rows})
        elif isinstance(value, list):
            sections.append({"title": title, "kind": "list", "entries": [_cell(v) for v in value]})
        elif isinstance(value, Mapping):
            rows = [[str(k), _cell(v)] for k, v in value.items()]
            sections.append(
                {"title": title, "kind": "table", "columns": ["field", "value"], "rows": rows}
            )
        else:
            sections.append({"title": title, "kind": "text", "text": _cell(value)})
    return sections


_INPUTS = {"string": "text", "integer": "number", "number": "number", "boolean": "checkbox"}


def _kind(prop: Mapping[str, Any]) -> str | None:
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    if len(options) != 1:
        return None
    one = options[0]
    if one.get("type") == "array" and one.get("items", {}).get("type") == "string":
        return "lines"
    return _INPUTS.get(str(one.get("type")))


def schema_fields(schema: type[BaseModel]) -> list[dict[str, Any]]:
    """The edit schema's simple top-level fields as form inputs (text, number, lines...).

    Nested fields (lists of per-item decisions) need a scenario view; a field left empty
    means "no change".
    """
    fields: list[dict[str, Any]] = []
    for name, prop in (schema.model_json_schema().get("properties") or {}).items():
        kind = _kind(prop)
        if kind is not None:
            label = prop.get("title") or name.replace("_", " ").capitalize()
            fields.append(
                {
                    "name": name,
                    "label": label,
                    "kind": kind,
                    "help": prop.get("description", ""),
                    "max": prop.get("maxLength")
                    or next(
                        (o.get("maxLength") for o in prop.get("anyOf", []) if "maxLength" in o),
                        None,
                    ),
                }
            )
    return fields


def generic_edits(form: Mapping[str, str], schema: type[BaseModel]) -> dict[str, Any] | None:
    """The edit document the generic form describes (``None``: nothing changed)."""
    edits: dict[str, Any] = {}
    for field in schema_fields(schema):
        raw = form.get(f"edit-{field['name']}", "")
        if field["kind"] == "checkbox":
            if raw:
                edits[field["name"]] = raw.lower() in ("on", "true", "1", "yes")
        elif field["kind"] == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                edits[field["name"]] = lines
        elif raw.strip():
            edits[field["name"]] = raw.strip()
    return edits or None


def age(stamp: str, now: datetime) -> str:
    """``3d 4h``, ``2h 5m`` or ``40s``: how long a run has been waiting."""
    seconds = max(0, int((now - datetime.fromisoformat(stamp)).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


__all__ = [
    "age",
    "chunk_link",
    "decided",
    "flags_of",
    "generic_edits",
    "markdown",
    "packet_sections",
    "row_count",
    "schema_fields",
    "split_ids",
]
