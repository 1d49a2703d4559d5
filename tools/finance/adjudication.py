"""Code re-checks a model's pick before it books: the engine's own tolerances decide.

A stronger model may adjudicate a candidate set the engine left for review (which of
these ledger entries is this bank line?). Its answer is a proposal. It books only when
code confirms what the model cannot be trusted to check: the picked entry was offered,
the amounts agree within the tolerance the engine allows for that kind of difference
(exact, a fee, two transposed digits), the clearing lag is inside the engine's window
for that kind, and neither record is already booked. The re-check is the engine's
scorer on the one pair, so a model can never book what the engine's rules forbid (two
different cheque numbers, a bank fee against a supplier payment...).

A partly booked deposit slip (its residual is the share of two same-amount receipts
that tie) may be completed the same way: the model names which receipt is on the slip,
and code books it as the rest of the batch only when its amount is exactly the residual
and it is dated inside the batch window before the deposit.
"""

from __future__ import annotations

from decimal import Decimal

from baton.tools.finance.matching.edges import Scorer, build_edges, explain
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import BusinessDays, Scale, bank_rec, ledger_rec
from baton.tools.finance.models import BankLine, Candidate, LedgerEntry, Match, ReconResult


def recheck(line: BankLine, entry: LedgerEntry, params: MatchParams) -> tuple[str, str] | None:
    """``(edge kind, explanation)`` when the engine's tolerances admit the pair, else None.

    Builds the engine's edges for this one pair, so every kind of difference and its
    window (lead and lag in business days, the cheque clearing window, fee bounds,
    transpositions) is exactly the engine's, never a second copy of its rules.
    """
    scale = Scale([line.amount, entry.amount, params.fee_abs])
    bdays = BusinessDays([line.date, entry.date], params.holidays)
    bank, gl = [bank_rec(line, scale, bdays)], [ledger_rec(entry, scale, bdays)]
    edges = build_edges(bank, gl, Scorer(params, scale))
    if not edges:
        return None
    best = max(edges, key=lambda e: e.score)
    return best.kind, explain(best, bank, gl)


def recheck_residual(
    line: BankLine, entry: LedgerEntry, residual: Decimal, params: MatchParams
) -> tuple[str, str] | None:
    """``("batch", explanation)`` when ``entry`` completes the slip's residual, else None.

    Convention of the deposit slip: its items are receipts of the days before the
    deposit, so the completing receipt must be exactly the amount still unexplained, on
    the same side, and dated no later than the deposit and no more business days before
    it than the engine's widest batch window (the run-of-days sweep).
    """
    if entry.amount != residual or (entry.amount > 0) != (line.amount > 0):
        return None
    bdays = BusinessDays([line.date, entry.date], params.holidays)
    lag = bdays[line.date] - bdays[entry.date]
    if not 0 <= lag <= max(params.batch_lag_days, params.batch_sweep_days):
        return None
    return "batch", (
        f"{entry.id} ({entry.amount}) is exactly the residual of the slip, "
        f"dated {lag} business day(s) before the deposit"
    )


def book_pick(
    recon: ReconResult,
    bank_id: str,
    gl_id: str,
    kind: str,
    reason: str,
) -> ReconResult:
    """``recon`` with the pair booked and the candidate's other entries released.

    The candidate of ``bank_id`` is removed; the entries it offered besides ``gl_id``
    become unmatched (they were counted under this line only); ``gl_id`` is withdrawn
    from any other candidate that also offered it, and a candidate left with nothing
    to offer leaves its bank line unmatched. Every id stays in exactly one bucket.
    """
    released: list[str] = []
    released_bank: list[str] = []
    candidates: list[Candidate] = []
    for cand in recon.candidates:
        if cand.bank_id == bank_id:
            released.extend(g for g in cand.gl_ids if g != gl_id)
            continue
        if gl_id in cand.gl_ids or gl_id in cand.shared_gl_ids:
            cand = cand.model_copy(
                update={
                    "gl_ids": tuple(g for g in cand.gl_ids if g != gl_id),
                    "shared_gl_ids": tuple(g for g in cand.shared_gl_ids if g != gl_id),
                }
            )
            if not cand.gl_ids and not cand.shared_gl_ids:
                released_bank.append(cand.bank_id)
                continue
        candidates.append(cand)
    match = Match(
        bank_id=bank_id,
        gl_id=gl_id,
        kind="batch" if kind == "batch" else "one_to_one" if kind == "exact" else "amount_mismatch",
        confidence=0.6,
        reason=reason,
    )
    return ReconResult(
        matches=sorted([*recon.matches, match], key=lambda m: (m.bank_id, m.gl_id)),
        offsetting=recon.offsetting,
        unmatched_bank=sorted([*recon.unmatched_bank, *released_bank]),
        unmatched_gl=sorted([*(g for g in recon.unmatched_gl if g != gl_id), *released]),
        candidates=candidates,
    )


def booked_ids(recon: ReconResult) -> tuple[set[str], set[str]]:
    """Bank and ledger ids already booked (matched or offset): a pick may use neither."""
    bank = {m.bank_id for m in recon.matches}
    gl = {m.gl_id for m in recon.matches}
    gl.update(x for pair in recon.offsetting for x in (pair.gl_id_a, pair.gl_id_b))
    return bank, gl


def verify_pick(
    recon: ReconResult,
    candidate: Candidate,
    pick: str,
    bank: dict[str, BankLine],
    ledger: dict[str, LedgerEntry],
    params: MatchParams,
) -> tuple[str, str] | str:
    """The re-checked ``(kind, explanation)``, or one line saying why the pick cannot book."""
    offered = candidate.gl_ids + candidate.shared_gl_ids
    if pick not in offered:
        return f"{pick} is not one of the offered entries ({', '.join(offered)})"
    booked_bank, booked_gl = booked_ids(recon)
    partly = candidate.residual is not None
    if (candidate.bank_id in booked_bank and not partly) or pick in booked_gl:
        return f"{candidate.bank_id} or {pick} is already booked"
    if candidate.bank_id not in bank or pick not in ledger:
        return f"{candidate.bank_id} or {pick} is not in this month's rows"
    if candidate.residual is not None:
        done = recheck_residual(bank[candidate.bank_id], ledger[pick], candidate.residual, params)
        if done is None:
            return (
                f"{pick} is not exactly the slip's residual {candidate.residual} "
                "inside the batch window"
            )
        return done
    checked = recheck(bank[candidate.bank_id], ledger[pick], params)
    if checked is None:
        return "amounts or dates are outside the matcher's tolerance for any kind of match"
    return checked
