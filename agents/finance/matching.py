"""Matching: the deterministic engine reconciles bank and ledger; people settle the rest.

``reconcile`` books only pairs the evidence settles. Unmatched rows, amount differences
and ambiguous or low-confidence candidates become exceptions with the rows involved as
evidence. Only when a stronger endpoint is configured (``model.provider: openai``) may
the model adjudicate leftover candidates, and even then its pick is only a *suggestion*
on the exception (code checks the id is one of the candidates); nothing is booked
without a human. Expense claims are matched to bank lines too: a claim the company's
own account already paid is flagged as a possible double reimbursement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from baton.agents.finance.state import (
    bank_lines,
    bank_text,
    claim_text,
    claims_of,
    evidence,
    exception_row,
    holidays_of,
    hosted,
    ledger_entries,
    ledger_evidence,
    policy_of,
)
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.finance.matching import ClaimMatch, MatchParams, match_claims, reconcile
from baton.tools.finance.models import BankLine, Candidate, Claim, LedgerEntry
from baton.tools.finance.packet import difference_group, open_item_group
from baton.tools.finance.policy import ExpensePolicy
from baton.tools.finance.report import ReportException, exceptions_from_recon

PROMPT = (
    "You are a bookkeeper. A bank line could match one of several ledger entries. Pick the"
    " ledger id that is the same payment, or 'none' if none is, and give one short reason."
)
MAX_ADJUDICATIONS = 5

SUGGESTIONS = {
    "unmatched_bank": "match_to the ledger entry (gl_ids) if one exists; otherwise accept and"
    " post a journal (fees, interest, direct debits)",
    "unmatched_ledger": "match_to the bank line (bank_ids) if it cleared; otherwise accept as"
    " outstanding (cheque not presented, deposit in transit)",
    "amount_mismatch": "accept the difference with a note, or reject to unbook the match",
}


class Adjudication(BaseModel):
    choice: str = Field(description="a ledger id or 'none'", max_length=40)
    reason: str = Field(description="one short sentence", max_length=160)


def match_params(policy: ExpensePolicy, holidays: Mapping[date, str]) -> MatchParams:
    """Matcher tolerances in the policy's currency, its fixed FX rates and bank holidays."""
    return MatchParams(
        base_currency=policy.currency,
        fx_rates=dict(policy.fx_to_base),
        holidays=tuple(sorted(holidays)),
    )


def _candidate_action(candidate: Candidate) -> str:
    if len(candidate.gl_ids) == 1:
        return f"accept to book {candidate.gl_ids[0]}, match_to other gl_ids, or reject"
    return f"match_to one or more of {', '.join(candidate.gl_ids)}, or reject"


def adjudicate(
    ctx: RunContext, candidate: Candidate, bank: dict[str, BankLine], ledger: dict[str, LedgerEntry]
) -> str | None:
    """Ask a stronger model which candidate it believes; ``None`` unless it names one."""
    answer = ask_adjudicator(ctx, candidate, bank, ledger)
    if answer is None or answer.choice == "none":
        return None
    return f"model suggests {answer.choice}: {answer.reason.strip()[:160]}"


def ask_adjudicator(
    ctx: RunContext, candidate: Candidate, bank: dict[str, BankLine], ledger: dict[str, LedgerEntry]
) -> Adjudication | None:
    """The model's valid answer (a candidate id or ``none``), else ``None``.

    Separate from :func:`adjudicate` so the labelled-set benchmark can tell a model's
    "none" from an answer that never validated.
    """
    ids = [g for g in candidate.gl_ids if g in ledger]
    if not ids or candidate.bank_id not in bank:
        return None
    allowed = Literal[tuple([*ids, "none"])]  # type: ignore[valid-type]
    schema = create_model(
        "Adjudication",
        __base__=Adjudication,
        choice=(allowed, Field(description="a ledger id or 'none'")),  # type: ignore[arg-type]
    )
    lines = "\n".join(
        f"[{g}] {ledger[g].date} {ledger[g].description} {ledger[g].amount}" for g in ids
    )
    answer = ask_structured(
        ctx,
        "matching",
        schema,
        PROMPT,
        f"Bank line: {bank_text(bank[candidate.bank_id])}\nLedger entries:\n{lines}",
        repairs=0,
    )
    if answer is None or answer.choice not in [*ids, "none"]:
        return None
    return answer


def claim_exception(match: ClaimMatch, claim: Claim, line: BankLine) -> dict[str, Any]:
    return exception_row(
        ReportException(
            id=f"EXC-claimpaid-{claim.id}",
            kind="claim_paid_from_bank",
            severity="low",
            amount=claim.amount,
            message=f"claim {claim.id} matches bank line {line.id} already paid by the company"
            f" ({match.reason}): possible double reimbursement",
            refs=[claim.id, line.id],
        ),
        "matching",
        evidence_rows=[
            evidence("claim", claim.id, claim_text(claim)),
            evidence("bank", line.id, bank_text(line)),
        ],
        suggested_action="accept if the claim is company-card spend being documented;"
        " reject to refuse reimbursement",
    )


@agent_node("matching")
def match(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Reconcile, turn what was left over into exceptions, and match claims to the bank."""
    bank, ledger, claims = bank_lines(state), ledger_entries(state), claims_of(state)
    policy = policy_of(state)
    params = match_params(policy, holidays_of(state, policy))
    recon = reconcile(bank, ledger, params)
    by_bank, by_gl = {b.id: b for b in bank}, {e.id: e for e in ledger}
    candidates = {c.bank_id: c for c in recon.candidates}
    statement_end = max((b.date for b in bank), default=None)
    adjudicated = 0
    rows: list[dict[str, Any]] = []
    for exc in exceptions_from_recon(recon, bank, ledger):
        action = SUGGESTIONS.get(exc.kind, "")
        candidate = candidates.get(exc.refs[0]) if exc.kind == "ambiguous_match" else None
        if candidate is not None:
            action = _candidate_action(candidate)
            if hosted(ctx) and adjudicated < MAX_ADJUDICATIONS:
                adjudicated += 1
                hint = adjudicate(ctx, candidate, by_bank, by_gl)
                action += f" ({hint}; not booked)" if hint else ""
        extra: dict[str, Any] = {}
        if exc.kind == "unmatched_ledger" and exc.refs[0] in by_gl:
            extra["group"] = open_item_group(by_gl[exc.refs[0]], statement_end)
        if exc.kind == "amount_mismatch" and len(exc.refs) == 2:
            line, entry = by_bank.get(exc.refs[0]), by_gl.get(exc.refs[1])
            if line is not None and entry is not None:
                cents = (int(line.amount.scaleb(2)), int(entry.amount.scaleb(2)))
                extra["group"] = difference_group(*cents)
        rows.append(
            exception_row(
                exc,
                "matching",
                evidence_rows=ledger_evidence(exc.refs, by_bank, by_gl),
                suggested_action=action,
                **extra,
            )
        )
    claim_matches = match_claims(claims, bank, params) if claims and bank else []
    by_claim = {c.id: c for c in claims}
    for cm in claim_matches:
        if cm.bank_id is not None and cm.bank_id in by_bank:
            rows.append(claim_exception(cm, by_claim[cm.claim_id], by_bank[cm.bank_id]))
    trace = current_trace()
    if trace:
        trace.decision = (
            f"{len(recon.matches)} match rows, {len(recon.offsetting)} offsetting pairs,"
            f" {len(recon.unmatched_bank)} bank and {len(recon.unmatched_gl)} ledger unmatched,"
            f" {len(recon.candidates)} candidates; {len(rows)} exceptions"
            + (f"; model adjudicated {adjudicated}" if adjudicated else "")
        )
    return {
        "recon": recon.model_dump(mode="json"),
        "claim_matches": [cm.model_dump(mode="json") for cm in claim_matches],
        "matching_exceptions": rows,
    }
