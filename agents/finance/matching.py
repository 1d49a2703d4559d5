"""Matching: the deterministic engine reconciles bank and ledger; people settle the rest.

``reconcile`` books only pairs the evidence settles. Unmatched rows, amount differences
and ambiguous or low-confidence candidates become exceptions with the rows involved as
evidence. When a stronger endpoint is configured (``model.provider: openai``) the model
may adjudicate up to :data:`MAX_ADJUDICATIONS` leftover candidate sets, with the
evidence rows in the prompt. Its pick *books* the pair only when code re-checks it
(:func:`~tools.finance.adjudication.verify_pick`: one of the offered entries, amounts
within the engine's tolerance for that kind of difference, dates inside the engine's
window, neither record already booked); the match's reason, an information row in the
packet and the node's audit record name the model and the evidence. A pick that fails
the re-check stays a hint on the candidate.

The embedded model (SmolLM2-135M) is asked nothing here by default, and would only
hint if asked: it picked the right entry for 9 of 30 labelled candidate sets
(``benchmarks/matching_labelled.py``), worse than the engine's own ranking, so letting
it book would trade the engine's precision for noise. ``model.adjudication_books:
any`` lets any configured model adjudicate and book (for a local model known to be
strong).

Expense claims are matched to bank lines too: a claim the company's own account already
paid is flagged as a possible double reimbursement.
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
    ledger_text,
    policy_of,
)
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.llm import ask_structured
from baton.tools.finance.adjudication import book_pick, verify_pick
from baton.tools.finance.matching import ClaimMatch, MatchParams, match_claims, reconcile
from baton.tools.finance.models import BankLine, Candidate, Claim, LedgerEntry, ReconResult
from baton.tools.finance.packet import (
    BANK_CHARGES,
    difference_group,
    is_bank_charge,
    open_item_group,
    returned_on_statement,
    unmatched_bank_group,
)
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
    """What a reviewer may do, naming every entry offered: an entry first offered to
    another line (``shared_gl_ids``) is as much this line's counterpart."""
    if len(candidate.gl_ids) == 1 and not candidate.shared_gl_ids:
        return f"accept to book {candidate.gl_ids[0]}, match_to other gl_ids, or reject"
    offered = (*candidate.gl_ids, *candidate.shared_gl_ids)
    if not offered:
        return "match_to the ledger entries that make it up, or reject"
    return f"match_to one or more of {', '.join(offered)}, or reject"


def may_adjudicate(ctx: RunContext) -> bool:
    """Whether this run's model adjudicates candidates (and may book after the re-check)."""
    return hosted(ctx) or ctx.settings.model.adjudication_books == "any"


def adjudicate_all(
    ctx: RunContext,
    recon: ReconResult,
    bank: dict[str, BankLine],
    ledger: dict[str, LedgerEntry],
    params: MatchParams,
) -> tuple[ReconResult, dict[str, str], list[dict[str, Any]]]:
    """Ask the model about up to :data:`MAX_ADJUDICATIONS` candidates; book re-checked picks.

    Returns the reconciliation with the booked pairs, a hint per candidate the model
    named an entry for but code refused to book (bank id -> text), and one information
    row per booked pair naming the model, its reason and the evidence rows.
    """
    hints: dict[str, str] = {}
    booked: list[dict[str, Any]] = []
    for bank_id in [c.bank_id for c in recon.candidates[:MAX_ADJUDICATIONS]]:
        candidate = next((c for c in recon.candidates if c.bank_id == bank_id), None)
        if candidate is None:  # released by an earlier booking that took its only entry
            continue
        answer = ask_adjudicator(ctx, candidate, bank, ledger)
        if answer is None or answer.choice == "none":
            continue
        reason = answer.reason.strip()[:160]
        checked = verify_pick(recon, candidate, answer.choice, bank, ledger, params)
        if isinstance(checked, str):
            hints[candidate.bank_id] = f"model suggests {answer.choice}: {reason}; not booked:"
            hints[candidate.bank_id] += f" {checked}"
            continue
        kind, why = checked
        who = f"model {ctx.model_name()}"
        recon = book_pick(
            recon,
            candidate.bank_id,
            answer.choice,
            kind,
            f"booked by {who} after code re-check ({why}); model: {reason}",
        )
        refs = [candidate.bank_id, answer.choice]
        booked.append(
            exception_row(
                ReportException(
                    id=f"EXC-model-{candidate.bank_id}",
                    kind="model_booked",
                    severity="low",
                    amount=bank[candidate.bank_id].amount
                    if candidate.residual is None
                    else candidate.residual,
                    message=f"{who} booked {candidate.bank_id} to {answer.choice} of"
                    f" {', '.join(candidate.gl_ids)} ({reason}); code re-checked: {why}",
                    refs=refs,
                ),
                "matching",
                evidence_rows=ledger_evidence(refs, bank, ledger),
                suggested_action="information: booked; reject to unbook it",
            )
        )
    return recon, hints, booked


def _partly(candidate: Candidate) -> str:
    """The question for a partly booked slip: which entry is the rest of the deposit."""
    if candidate.residual is None:
        return ""
    return (
        f"\nThis deposit is partly matched already; {candidate.residual} of it is still"
        " unexplained. Pick the ledger entry that is the rest of the deposit."
    )


def ask_adjudicator(
    ctx: RunContext, candidate: Candidate, bank: dict[str, BankLine], ledger: dict[str, LedgerEntry]
) -> Adjudication | None:
    """The model's valid answer (a candidate id or ``none``), else ``None``.

    Separate from :func:`adjudicate_all` so the labelled-set benchmark can tell a model's
    "none" from an answer that never validated.
    """
    ids = [g for g in candidate.gl_ids + candidate.shared_gl_ids if g in ledger]
    if not ids or candidate.bank_id not in bank:
        return None
    allowed = Literal[tuple([*ids, "none"])]  # type: ignore[valid-type]
    schema = create_model(
        "Adjudication",
        __base__=Adjudication,
        choice=(allowed, Field(description="a ledger id or 'none'")),  # type: ignore[arg-type]
    )
    lines = "\n".join(f"[{g}] {ledger_text(ledger[g])}" for g in ids)
    answer = ask_structured(
        ctx,
        "matching",
        schema,
        PROMPT,
        f"Bank line: {bank_text(bank[candidate.bank_id])}{_partly(candidate)}"
        f"\nLedger entries:\n{lines}",
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
    hints: dict[str, str] = {}
    model_rows: list[dict[str, Any]] = []
    if may_adjudicate(ctx) and recon.candidates:
        recon, hints, model_rows = adjudicate_all(ctx, recon, by_bank, by_gl, params)
    rows = list(model_rows)
    candidates = {c.bank_id: c for c in recon.candidates}
    period_start = min((b.date for b in bank), default=None)
    # The period ends at the earlier of the statement's last line and the books' last
    # entry: a statement that runs on past the books' close (cheques clearing late)
    # must not make the books' last receipts look long overdue.
    period_end = min(
        (
            d
            for d in (
                max((b.date for b in bank), default=None),
                max((e.date for e in ledger), default=None),
            )
            if d is not None
        ),
        default=None,
    )
    returned = returned_on_statement([by_bank[i] for i in recon.unmatched_bank])
    for exc in exceptions_from_recon(recon, bank, ledger):
        action = SUGGESTIONS.get(exc.kind, "")
        candidate = candidates.get(exc.refs[0]) if exc.kind == "ambiguous_match" else None
        if candidate is not None:
            action = _candidate_action(candidate)
            if candidate.bank_id in hints:
                action += f" ({hints[candidate.bank_id]})"
        extra: dict[str, Any] = {}
        if exc.kind == "unmatched_ledger" and exc.refs[0] in by_gl:
            extra["group"] = open_item_group(by_gl[exc.refs[0]], period_end, period_start)
        if exc.kind == "unmatched_bank" and exc.refs[0] in by_bank:
            extra["group"] = unmatched_bank_group(
                by_bank[exc.refs[0]], period_start, period_end, returned
            )
        if candidate is not None and is_bank_charge(by_bank[candidate.bank_id].description):
            # The month's bank charges are settled together, matched or not.
            extra["group"] = BANK_CHARGES
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
            + (
                f"; {ctx.model_name()} booked {len(model_rows)} after re-check:"
                f" {', '.join(r['refs'][0] + '->' + r['refs'][1] for r in model_rows)}"
                if model_rows
                else ""
            )
        )
    return {
        "recon": recon.model_dump(mode="json"),
        "claim_matches": [cm.model_dump(mode="json") for cm in claim_matches],
        "matching_exceptions": rows,
    }
