"""IT requests for the starter, straight from the role's catalogue entry.

Least privilege is enforced structurally: tickets are generated *only* from the IT
catalogue in ``configs/onboarding.yaml``. Anything else - a model's idea, a line in a
playbook, a manager's wish - arrives as a :class:`ProvisioningSuggestion` and can only
ever become a :class:`ProvisioningException` for a human to approve or reject.

The HR reviewer may then decide each request (:class:`RequestReview`), but only to
narrow: hold a ticket back or drop it, keep or drop a held suggestion. No decision can
turn a suggestion into a ticket; that still takes a catalogue change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from baton.errors import ConfigError
from baton.tools.onboarding.config import CatalogueEntry
from baton.tools.onboarding.models import Problem, ProblemLog, Record, Starter

ItemKind = Literal["account", "equipment", "access_group"]
RequestAction = Literal["approve", "hold", "drop"]
"""approve: keep as proposed; hold: do not file it now; drop: remove it."""
_KINDS: tuple[tuple[ItemKind, str], ...] = (
    ("account", "accounts"),
    ("equipment", "equipment"),
    ("access_group", "access_groups"),
)


class ITTicket(Record):
    """One request to IT: one account, one device or one access group."""

    ticket_id: str
    kind: ItemKind
    item: str
    requested_for: str
    employee_name: str
    role: str
    needed_by: date
    justification: str


class ProvisioningSuggestion(Record):
    """Something a model or document proposes to grant; ``source`` says who proposed it."""

    kind: ItemKind
    item: str
    source: str
    reason: str = ""


class ProvisioningException(Record):
    """A suggestion that was not requested, for a human decision."""

    kind: ItemKind
    item: str
    source: str
    reason: str
    request_id: str = ""
    """Stable id the reviewer decides it by (empty only in plans made before ids existed)."""


class RequestReview(Record):
    """One reviewer decision on one request: who decided what, and why."""

    request_id: str
    kind: ItemKind
    item: str
    action: RequestAction
    note: str = ""
    reviewer: str = ""


class Provisioning(Record):
    """The tickets to file, the suggestions held back and the reviewer's decisions.

    ``held`` are catalogue tickets the reviewer chose not to file now; a dropped ticket
    or suggestion appears only in ``reviews``.
    """

    tickets: tuple[ITTicket, ...]
    exceptions: tuple[ProvisioningException, ...] = ()
    held: tuple[ITTicket, ...] = ()
    reviews: tuple[RequestReview, ...] = ()

    def narrowed(self) -> set[tuple[str, str]]:
        """(kind, item) the reviewer held or dropped: not missing, just decided against."""
        return {(r.kind, r.item) for r in self.reviews if r.action != "approve"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def catalogue_entry(catalogue: Mapping[str, CatalogueEntry], role: str) -> CatalogueEntry:
    """The role's entry; a missing one is a configuration mistake, not a reason to guess."""
    try:
        return catalogue[role]
    except KeyError:
        raise ConfigError(
            f"it_catalogue: no entry for role {role!r} (known: {', '.join(sorted(catalogue))})"
        ) from None


def catalogue_items(entry: CatalogueEntry) -> list[tuple[ItemKind, str]]:
    """Every (kind, item) the entry allows, in catalogue order."""
    return [(kind, item) for kind, attr in _KINDS for item in getattr(entry, attr)]


def build_it_requests(
    starter: Starter,
    catalogue: Mapping[str, CatalogueEntry],
    suggestions: Iterable[ProvisioningSuggestion] = (),
) -> Provisioning:
    """One ticket per catalogue item; each off-catalogue suggestion becomes an exception.

    A suggestion that the catalogue already covers is simply satisfied by its ticket.
    """
    entry = catalogue_entry(catalogue, starter.role)
    person = _slug(starter.email.split("@")[0])
    tickets = tuple(
        ITTicket(
            ticket_id=f"IT-{person}-{kind}-{_slug(item)}",
            kind=kind,
            item=item,
            requested_for=starter.email,
            employee_name=starter.name,
            role=starter.role,
            needed_by=starter.start_date,
            justification=f"IT catalogue entry for role {starter.role}",
        )
        for kind, item in catalogue_items(entry)
    )
    allowed = {(kind, _norm(item)) for kind, item in catalogue_items(entry)}
    exceptions: dict[tuple[str, str], ProvisioningException] = {}
    for suggestion in suggestions:
        key = (suggestion.kind, _norm(suggestion.item))
        if key in allowed or key in exceptions:
            continue
        exceptions[key] = ProvisioningException(
            kind=suggestion.kind,
            item=suggestion.item,
            source=suggestion.source,
            request_id=f"IT-{person}-held-{suggestion.kind}-{_slug(suggestion.item)}",
            reason=f"not in the IT catalogue for role {starter.role}; "
            "least privilege: needs human approval"
            + (f" (suggested because: {suggestion.reason})" if suggestion.reason else ""),
        )
    return Provisioning(tickets=tickets, exceptions=tuple(exceptions.values()))


def provisioning_problems(
    provisioning: Provisioning, starter: Starter, catalogue: Mapping[str, CatalogueEntry]
) -> list[Problem]:
    """Tickets must match the catalogue exactly: nothing extra, nothing missing, no duplicates."""
    problems = ProblemLog("provisioning")
    entry = catalogue.get(starter.role)
    if entry is None:
        return [
            Problem(
                agent="provisioning",
                code="unknown-role",
                message=f"no IT catalogue entry for role {starter.role!r}",
            )
        ]
    allowed = set(catalogue_items(entry))
    seen: set[tuple[str, str]] = set()
    for ticket in provisioning.tickets:
        key = (ticket.kind, ticket.item)
        if key not in allowed:
            problems.add(
                "outside-catalogue",
                f"{ticket.kind} {ticket.item!r} is not in the catalogue for {starter.role}",
                ticket.ticket_id,
            )
        if key in seen:
            problems.add(
                "duplicate-ticket",
                f"{ticket.kind} {ticket.item!r} is requested twice",
                ticket.ticket_id,
            )
        seen.add(key)
        if ticket.requested_for != starter.email:
            problems.add(
                "wrong-recipient",
                f"{ticket.ticket_id} is for {ticket.requested_for}, not {starter.email}",
                ticket.ticket_id,
            )
    for kind, item in sorted(allowed - seen - provisioning.narrowed()):
        problems.add("missing-ticket", f"no ticket for catalogue {kind} {item!r}", item)
    return problems.found


def render_it_requests_json(provisioning: Provisioning) -> str:
    """``it_requests.json``: tickets to file, what is held back, and who decided what."""
    notes = {r.request_id: r for r in provisioning.reviews}

    def held(ticket: ITTicket) -> dict[str, object]:
        review = notes.get(ticket.ticket_id)
        extra = {"note": review.note, "held_by": review.reviewer} if review else {}
        return ticket.model_dump(mode="json") | extra

    payload = {
        "tickets": [t.model_dump(mode="json") for t in provisioning.tickets],
        "held": [held(t) for t in provisioning.held],
        "exceptions": [e.model_dump(mode="json") for e in provisioning.exceptions],
        "decisions": [r.model_dump(mode="json") for r in provisioning.reviews],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
