"""Expense claims against card lines, with the same scoring and rival checks as bank lines."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence

from baton.tools.finance.matching.assignment import book_one_to_one
from baton.tools.finance.matching.edges import Scorer, build_edges, explain
from baton.tools.finance.matching.params import ClaimMatch, MatchParams
from baton.tools.finance.matching.records import (
    BusinessDays,
    Edge,
    Rec,
    Scale,
    State,
    bank_rec,
    check_amounts,
    check_ids,
    claim_rec,
)
from baton.tools.finance.models import (
    BankLine,
    Claim,
)
from baton.tools.finance.normalize import (
    name_similarity,
)


def _unpriced_claim_edges(
    bank: Sequence[Rec], claims: Sequence[Rec], converted: Sequence[bool], scorer: Scorer
) -> list[Edge]:
    """Review-only edges for foreign-currency claims with no rate: date and merchant only.

    Without a rate the amount proves nothing, so these edges can never book; they only
    tell the reviewer which card lines are worth a look.
    """
    p = scorer.p
    order = sorted(range(len(bank)), key=lambda i: (bank[i].bday, i))
    bdays = [bank[i].bday for i in order]
    edges: list[Edge] = []
    for gi, claim in enumerate(claims):
        if not converted[gi] or claim.units != 0:
            continue
        lo = bisect.bisect_left(bdays, claim.bday - p.lead_days)
        hi = bisect.bisect_right(bdays, claim.bday + p.lag_days)
        for bi in order[lo:hi]:
            b = bank[bi]
            sim = name_similarity(b.feat, claim.feat)
            dated = scorer.date_score(b, claim, False)
            if b.units >= 0 or sim is None or sim < p.strong_name or dated is None:
                continue
            score = min(p.accept_score - 0.01, 0.1 + 0.2 * dated[0] + 0.4 * sim)
            note = "claim currency has no rate, amount not compared"
            edges.append(Edge(bi, gi, "fx", score, False, dated[1], sim, False, note))
    return edges


def match_claims(
    claims: Sequence[Claim],
    bank: Sequence[BankLine],
    params: MatchParams | None = None,
) -> list[ClaimMatch]:
    """Find the bank (card) line that paid each expense claim, one line per claim at most.

    Uses the same scoring and rival checks as :func:`reconcile`: a claim gets a
    ``bank_id`` only when its line is clearly better than any other. Claims in another
    currency are compared through ``params.fx_rates`` within ``fx_tolerance_rel``; with no
    rate they can only become review items. Results follow the order of ``claims``.
    """
    params = params or MatchParams()
    check_ids(claims, "claims")
    check_ids(bank, "bank lines")
    check_amounts(claims, "claims")
    check_amounts(bank, "bank lines")
    rates = list(params.fx_rates.values())
    scale = Scale([c.amount for c in claims] + [b.amount for b in bank] + [params.fee_abs] + rates)
    bdays = BusinessDays([c.date for c in claims] + [b.date for b in bank], params.holidays)
    bank_recs = [bank_rec(line, scale, bdays) for line in bank]
    prepared = [claim_rec(claim, scale, bdays, params) for claim in claims]
    claim_recs = [rec for rec, _ in prepared]
    fx_flags = [converted for _, converted in prepared]
    scorer = Scorer(params, scale)
    edges = [
        e
        for e in build_edges(bank_recs, claim_recs, scorer, fx_flags=fx_flags)
        if e.score >= params.candidate_score
    ]
    edges += _unpriced_claim_edges(bank_recs, claim_recs, fx_flags, scorer)
    state = State(bank_open=set(range(len(bank_recs))), gl_open=set(range(len(claim_recs))))
    booked = {e.g: e for e in book_one_to_one(edges, state, params)}
    leftovers: dict[int, list[Edge]] = defaultdict(list)
    for e in edges:
        if e.g not in booked and e.b in state.bank_open:
            leftovers[e.g].append(e)
    results: list[ClaimMatch] = []
    for gi, claim in enumerate(claims):
        if gi in booked:
            e = booked[gi]
            results.append(
                ClaimMatch(
                    claim_id=claim.id,
                    bank_id=bank_recs[e.b].id,
                    confidence=round(min(1.0, e.score), 3),
                    reason=explain(e, bank_recs, claim_recs),
                )
            )
            continue
        options = sorted(leftovers.get(gi, []), key=lambda e: -e.score)
        if options:
            listed = ", ".join(
                f"{bank_recs[e.b].id} ({min(1.0, e.score):.2f})" for e in options[:5]
            )
            reason = f"needs review, possible bank lines: {listed}"
            confidence = round(min(1.0, options[0].score), 3)
        else:
            reason = "no bank line with a compatible amount and date"
            confidence = 0.0
        results.append(
            ClaimMatch(claim_id=claim.id, bank_id=None, confidence=confidence, reason=reason)
        )
    return results
