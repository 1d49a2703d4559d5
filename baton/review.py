"""Human review checkpoints shared by every scenario.

Why one mechanism: the CLI, the LangGraph API server and (later) the web inbox must
all resume a paused run the same way, with the same validation. A review node calls
:func:`request_review`; LangGraph's ``interrupt`` persists the packet in the
checkpoint and the process may exit. Days later, any process resumes with
``Command(resume=ReviewDecision)``, the node re-runs up to the interrupt, receives the
decision, and returns it together with the human's audit record.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

from langgraph.types import interrupt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from baton import served, tracing
from baton.audit import human_record
from baton.clock import parse_utc
from baton.context import RunContext
from baton.errors import UserError
from baton.registry import utcnow
from baton.served import auth_user

Action = Literal["approve", "reject", "edit", "expire"]
"""``expire`` is never a human's: the runtime decides it (reviewer :data:`DEADLINE_REVIEWER`)
when a packet's ``deadline`` passes (``baton tick``, ``baton worker``). No human surface
offers it, and :func:`parse_decision` refuses it for a packet without a deadline, so a
scenario that sets no deadline never sees it."""

DEADLINE_REVIEWER = "baton:deadline"

REJECT_NEEDS_COMMENT = "say why you reject, so the agents can act on it"
"""One rule for every surface (CLI, inbox, API): a rejection sends the work back to the
agents, and without a reason they can only repeat themselves."""


class ReviewDecision(BaseModel):
    """What a reviewer decided about a packet."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    reviewer: str = Field(min_length=1, max_length=200)
    at: str
    comment: str | None = None
    edits: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _reject_says_why(self) -> ReviewDecision:
        if self.action == "reject" and not (self.comment and self.comment.strip()):
            raise ValueError(REJECT_NEEDS_COMMENT)
        return self

    def summary(self) -> str:
        text: str = self.action
        if self.comment:
            text += f": {self.comment}"
        if self.edits:
            text += f" (edited: {', '.join(edit_kinds(self.edits))})"
        return text


def edit_kinds(edits: Mapping[str, Any]) -> list[str]:
    """What an edit changed, for the audit trail and ``baton metrics``.

    A field is named as is (``title``); a list of per-item decisions is named by the
    actions taken, with a count when repeated (``decisions:match_to×2``), so the
    metrics can say *which* kinds of correction reviewers make most.
    """
    kinds: list[str] = []
    for key in sorted(edits):
        value = edits[key]
        actions = (
            [str(v["action"]) for v in value if isinstance(v, Mapping) and "action" in v]
            if isinstance(value, list)
            else []
        )
        if not actions:
            kinds.append(key)
            continue
        for action, times in sorted(Counter(actions).items()):
            kinds.append(f"{key}:{action}" + (f"×{times}" if times > 1 else ""))
    return kinds


def validate_edits(
    edits: Any,
    schema: type[BaseModel],
    source: str = "edit file",
    packet: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check an edit document against the packet's schema; errors name the field.

    With ``packet`` (the one being answered) a schema can also check the ids an edit
    names against it, as its validation context ``{"packet": packet}``.
    """
    context = {"packet": packet} if packet is not None else None
    try:
        return schema.model_validate(edits, context=context).model_dump(
            exclude_none=True, mode="json"
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(_printable(str(p)) for p in err["loc"]) or "(top level)"
        raise UserError(f"{source}: {field}: {_printable(err['msg'])}") from None


def _printable(text: str) -> str:
    """Control characters escaped (a key named ``"\\n"`` shows as ``\\n``), so an error
    about a hostile edit document stays the one line the CLI promises."""
    return "".join(
        repr(ch)[1:-1] if unicodedata.category(ch).startswith("C") else ch for ch in text
    )


def packet_ids(context: Any, key: str, field: str = "id") -> list[str] | None:
    """The ids the packet being answered lists under ``key`` (``None`` without a packet).

    Edit schemas call this from a validator so that every scenario checks the ids a
    decision names the same way: against the packet the reviewer saw, before anything
    is applied, as one line (exit code 2 in the CLI, an inline error in the inbox).
    """
    packet = context.get("packet") if isinstance(context, Mapping) else None
    if not isinstance(packet, Mapping) or not isinstance(packet.get(key), list):
        return None
    return [str(r[field]) if isinstance(r, Mapping) else str(r) for r in packet[key]]


def known_id(value: str, info: ValidationInfo, key: str, noun: str, field: str = "id") -> str:
    """``value`` if the packet lists it under ``key``; else the one-line "unknown" error."""
    known = packet_ids(info.context, key, field)
    if known is not None and value not in known:
        raise PydanticCustomError(
            f"unknown_{noun.replace(' ', '_')}",
            "unknown {noun} {id} (the packet lists {count} {noun}s)",
            {"noun": noun, "id": repr(value), "count": len(known)},
        )
    return value


def separation_of_duties(decision: ReviewDecision, packet: Mapping[str, Any] | None) -> None:
    """Refuse an approval by someone the packet excludes (e.g. the preparer of a report).

    Why generic: any scenario whose approval is a control (two-person rule) lists the
    people who may not approve in its packet's ``excluded_reviewers``; the CLI, the inbox
    and workers all resume through :class:`~baton.runtime.Runner`, which calls this before
    the run moves, so a refused approval leaves the run awaiting review.
    """
    excluded = (packet or {}).get("excluded_reviewers") or []
    if decision.action != "approve" or not excluded:
        return
    why = two_person_violation(decision.reviewer, [str(p) for p in excluded])
    if why:
        raise UserError(why)


def person_key(name: str) -> str:
    """A name as the two-person rule compares it (NFKC, casefolded, spaces collapsed)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def two_person_violation(reviewer: str, excluded: list[str]) -> str | None:
    """Why ``reviewer`` may not approve, or None: they prepared or edited the work."""
    if not person_key(reviewer):
        return "an approval needs the approver's name"
    if person_key(reviewer) in {person_key(p) for p in excluded}:
        return (
            f"{reviewer} prepared or edited this report; the two-person rule needs a"
            " different approver"
        )
    return None


def make_decision(
    action: Action,
    reviewer: str,
    comment: str | None = None,
    edits: dict[str, Any] | None = None,
    *,
    comment_field: str = "comment",
) -> ReviewDecision:
    """A decision, or a one-line :class:`UserError` naming ``comment_field`` if it lacks one."""
    try:
        return ReviewDecision(
            action=action, reviewer=reviewer, at=utcnow(), comment=comment, edits=edits
        )
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise UserError(f"{comment_field}: {message}") from None


def request_review(
    ctx: RunContext,
    node: str,
    packet: dict[str, Any],
    *,
    has_exceptions: bool,
    default_mode: Literal["always", "exceptions", "never", "plan"],
    edit_schema: type[BaseModel],
) -> tuple[ReviewDecision, list[dict[str, Any]]]:
    """Pause for a human when the review mode says so; returns the decision and audit.

    With mode ``never`` (or ``exceptions`` and nothing exceptional) the run approves
    itself, and the audit trail says that no human looked and why.
    """
    if packet.get("deadline") is not None:
        parse_utc(str(packet["deadline"]), f"review packet of {node}: deadline")
    mode = ctx.review_mode or default_mode
    if mode == "plan":  # the plan's sign-off is the scenario's own gate; the rest: default
        mode = default_mode
    if mode == "never" or (mode == "exceptions" and not has_exceptions):
        why = "no exceptions" if mode == "exceptions" else "review=never"
        decision = make_decision("approve", "baton", comment=f"auto-approved: {why}")
        tracing.record_decision(ctx.settings, ctx.run_id, node, decision)
        return decision, [human_record(ctx.run_id, node, "baton", decision.summary())]
    value = interrupt(_pausing(ctx, packet))
    while True:
        try:
            decision = parse_decision(value, edit_schema, packet, on_server=ctx.served)
            break
        except UserError as exc:
            # Refused: ask again with the reason. The bad answer stays consumed by the
            # first interrupt, so the next resume answers this one and the thread lives on.
            value = interrupt(_pausing(ctx, {**packet, "refused": str(exc)}))
    served.set_status(ctx, "running")
    tracing.record_decision(ctx.settings, ctx.run_id, node, decision)
    return decision, [human_record(ctx.run_id, node, decision.reviewer, decision.summary())]


def _pausing(ctx: RunContext, packet: dict[str, Any]) -> dict[str, Any]:
    """A served run shows as awaiting review in the registry while it waits."""
    served.set_status(ctx, "awaiting_review", packet=packet)
    return packet


def parse_decision(
    value: Any, edit_schema: type[BaseModel], packet: Mapping[str, Any], *, on_server: bool = False
) -> ReviewDecision:
    """Validate a resume value; a bad one raises a one-line :class:`UserError`.

    ``at`` is the server's clock when an API server drives the run (and filled in when
    missing); ``reviewer`` is the authenticated user when the server has auth, else
    the payload's.
    """
    data: Any = value
    if isinstance(value, Mapping):
        data = dict(value)
        if on_server or not data.get("at"):
            data["at"] = utcnow()
        user = auth_user()
        if user:
            data["reviewer"] = user
    try:
        decision = ReviewDecision.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise UserError(f"invalid review decision: {field}: {err['msg']}") from None
    if decision.action == "expire" and (on_server or not packet.get("deadline")):
        raise UserError(
            "invalid review decision: action: 'expire' is decided by the runtime when a"
            " review deadline passes, not by a reviewer"
        )
    if decision.edits is not None:
        decision.edits = validate_edits(decision.edits, edit_schema, "edits", packet=packet)
    return decision
