"""expense-reconciliation in the review inbox: the packet's items, decided per row.

A row is an item (related exceptions merged, alike ones grouped per counterparty); a
decision naming it applies to every member, as in a decisions file. Each row's controls
become one entry of ``{"decisions": [...]}``, exactly the edit file
``baton resume --edit`` takes, so the browser and the CLI are checked by the same schema.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from baton.agents.finance.state import bank_lines, policy_of, recon_of
from baton.scenario import InboxPage
from baton.tools.finance.chart import render_chart, weekly_totals
from baton.tools.finance.decisions import MATCHABLE_BANK, MATCHABLE_GL
from baton.web.views import decided, split_ids

EXPENSE_ACTIONS = ("accept", "reject", "match_to", "note")


def match_field(kind: str) -> str | None:
    """Which ids ``match_to`` takes for an exception of this kind (None: not matchable)."""
    if kind in MATCHABLE_BANK:
        return "gl_ids"
    if kind in MATCHABLE_GL:
        return "bank_ids"
    return None


def item_match_field(row: Mapping[str, Any]) -> str | None:
    """Which ids ``match_to`` takes for an item: that of its one matchable member.

    ``match_to`` names the rows of one exception, so an item with several matchable
    members (a group of unmatched lines) is decided by accept, reject or note only,
    the same rule :func:`~baton.tools.finance.packet.expand_decisions` applies.
    """
    members = row.get("members") or [{"kind": row.get("kind", "")}]
    fields = [f for f in (match_field(str(m.get("kind", ""))) for m in members) if f]
    return fields[0] if len(fields) == 1 else None


def expense_rows(packet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows to decide: the packet's items (its exceptions, for a packet without items)."""
    items = packet.get("items")
    rows = items if items is not None else packet.get("exceptions") or []
    return [{**row, "match_field": item_match_field(row)} for row in rows]


def info_rows(packet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Exceptions that belong to no item: information (a new vendor), nothing to decide."""
    items = packet.get("items")
    if items is None:
        return []
    placed = {str(m.get("id")) for i in items for m in i.get("members") or []}
    placed |= {str(i.get("id")) for i in items}
    return [dict(e) for e in packet.get("exceptions") or [] if str(e.get("id")) not in placed]


def expense_edits(form: Mapping[str, str]) -> dict[str, Any] | None:
    """``{"decisions": [...]}`` from the per-exception controls (None: nothing decided)."""
    decisions: list[dict[str, Any]] = []
    for x, action, exception_id in decided(form, "x"):
        decision: dict[str, Any] = {"id": exception_id, "action": action}
        ids = split_ids(form.get(f"{x}-ids", ""))
        if ids:
            # The field name comes from the form: accept only the two id lists.
            field = form.get(f"{x}-field")
            decision[field if field in ("gl_ids", "bank_ids") else "gl_ids"] = ids
        note = form.get(f"{x}-note", "").strip()
        if note:
            decision["note"] = note
        decisions.append(decision)
    return {"decisions": decisions} if decisions else None


def expense_chart(state: Mapping[str, Any]) -> Markup | None:
    """The expense chart (bank money by week and status) as an inline SVG image.

    Drawn on the server from the reconciliation (code, not the model); a ``data:`` image
    (allowed by the inbox's CSP ``img-src``) keeps the SVG's own styles working without
    allowing inline styles on the page itself.
    """
    if not state.get("recon") or not state.get("bank"):
        return None
    weeks = weekly_totals(bank_lines(state), recon_of(state))
    svg = render_chart(weeks, policy_of(state).currency, "svg")
    return Markup(
        '<img class="chart" id="expense-chart" src="data:image/svg+xml;base64,{0}"'
        ' alt="Bank money by week: matched, unmatched and under review">'
    ).format(base64.b64encode(svg).decode("ascii"))


def expense_context(packet: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
    """What the expense page shows: the exception rows, the info rows and the weekly chart."""
    return {
        "rows": expense_rows(packet),
        "info_rows": info_rows(packet),
        "exception_count": len(packet.get("exceptions") or []),
        "currency": policy_of(state).currency if state.get("policy") else "",
        "chart": expense_chart(state),
    }


VIEW = InboxPage(
    Path(__file__).with_name("inbox.html"),
    context=expense_context,
    form_edits=lambda form, state: expense_edits(form),
)
"""The inbox page of expense-reconciliation."""
