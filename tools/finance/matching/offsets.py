"""Stage 5, offsetting pairs: open ledger entries that cancel each other (settled before
the batch clusters of stage 3c, whose windows they would otherwise crowd).

A void and its cheque, a reversal and the wrong payment, an accrual and its reversal.
The same links also demote, in stage 1, entries cancelled before they reached the bank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State, names_reversed
from baton.tools.finance.models import (
    OffsetPair,
)
from baton.tools.finance.normalize import (
    name_similarity,
    normalize_ref,
)


def _offset_link(a: Rec, b: Rec, params: MatchParams) -> tuple[float, float] | None:
    """How strongly two ledger entries of opposite amounts cancel: (same ref, name agreement).

    Same reference is the strong link (a void names its cheque number, an accrual and
    its reversal share the journal number, a reversing journal's memo names the entry
    it reverses: "Reverse duplicate entry BP-4718"); otherwise one entry must say it reverses
    something and the two must name the same counterparty.
    """
    if a.units == 0 or a.units != -b.units or abs(a.day - b.day) > params.offset_window_days:
        return None
    ref_a, ref_b = normalize_ref(a.ref), normalize_ref(b.ref)
    sim = name_similarity(a.feat, b.feat) or 0.0
    if (ref_a and ref_a == ref_b) or names_reversed(a, b) or names_reversed(b, a):
        return 1.0, sim
    if (a.reversal or b.reversal) and sim >= params.strong_name:
        return 0.0, sim
    return None


def _offset_candidates(
    gl: Sequence[Rec], members: Iterable[int], params: MatchParams
) -> list[tuple[int, int]]:
    """Reversal/original pairs among ``members``: each reversal's best partners only.

    A reversal of a payment often shares its reference with the correct payment that
    followed, so only the partners with the strongest link (same ref first, then name
    agreement, then the nearest date) are kept; ties are all kept.
    """
    chosen = sorted(members)
    by_units: dict[int, list[int]] = defaultdict(list)
    for i in chosen:
        by_units[gl[i].units].append(i)
    pairs: list[tuple[int, int]] = []
    for i in chosen:
        rec = gl[i]
        if not rec.reversal:
            continue
        ranked: list[tuple[tuple[float, float, int], int]] = []
        for j in by_units.get(-rec.units, ()):
            # A reversal cancels what was posted on or before its own date: the books
            # cannot reverse an entry not yet made (a later payment of the same payer
            # and amount is a new invoice's).
            if gl[j].reversal or gl[j].day > rec.day:
                continue
            link = _offset_link(rec, gl[j], params)
            if link is not None:
                ranked.append(((link[0], round(link[1], 2), -abs(rec.day - gl[j].day)), j))
        if ranked:
            best = max(key for key, _ in ranked)
            tied = [j for key, j in ranked if key == best]
            pairs += [(i, j) for j in _latest_of_identical(gl, tied)]
    return pairs


def _latest_of_identical(gl: Sequence[Rec], tied: list[int]) -> list[int]:
    """Of entries a reversal cancels equally well, the one it is taken to cancel.

    Convention of a duplicate posting: the same payment entered twice is corrected by
    reversing the second entry. When the tied entries are identical (date, amount,
    description, reference), they are interchangeable and the books are the same
    whichever is reversed, so the later one in ledger order is; the earlier one stays
    free to meet its bank line. Entries that differ in anything remain a real tie.
    """
    if len(tied) < 2:
        return tied
    first = gl[tied[0]]
    signature = (first.units, first.day, first.feat.compact, normalize_ref(first.ref))
    if all(
        (gl[j].units, gl[j].day, gl[j].feat.compact, normalize_ref(gl[j].ref)) == signature
        for j in tied
    ):
        return [max(tied)]
    return tied


def _reversals_cleared(edges: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec]) -> set[int]:
    """Ledger reversals that a returned or reversed bank line of the same amount may meet.

    A returned item comes back for its full amount (a return fee is a line of its own),
    so only an exact-amount edge shows that a reversal reached the bank; a near amount
    ("fee netted") from some other returned item proves nothing about this one.
    """
    return {e.g for e in edges if e.kind == "exact" and bank[e.b].reversal and gl[e.g].reversal}


def returned_receipts(
    edges: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
) -> frozenset[int]:
    """Receipts the books reverse as returned (NSF) whose return is on the statement.

    Convention of the returned deposit item: the bank charges back a bounced cheque as
    the one item it credited, for that item's amount, and the business had deposited
    it on its own (a customer's cheque of doubtful funds, a remote or mobile deposit of
    one item). Such a receipt is therefore not batch material: it meets the single
    deposit line of its amount, and a batch that needs it is no evidence.
    """
    cleared = _reversals_cleared(edges, bank, gl)
    return frozenset(
        j
        for i, j in _offset_candidates(gl, range(len(gl)), params)
        if i in cleared and gl[j].units > 0
    )


def penalise_self_cancelling(
    edges: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
) -> list[Edge]:
    """Demote entries that a reversal in the ledger cancels before they reached the bank.

    A void, an accrual reversal or the reversal of a booking error has no bank line,
    and neither has the entry it cancels; yet that entry often has the same amount and
    counterparty as the real payment (the reissued cheque, the corrected payment), so it
    would otherwise tie with it. When the reversal itself reached the bank (a returned
    ACH debit, an NSF cheque) both entries are real bank movements and keep their score.
    """
    reversal_cleared = _reversals_cleared(edges, bank, gl)
    demoted: set[int] = set()
    for i, j in _offset_candidates(gl, range(len(gl)), params):
        if i not in reversal_cleared:
            demoted.update((i, j))
    kept: list[Edge] = []
    for e in edges:
        if e.g in demoted:
            e.score = max(0.0, e.score - params.offset_penalty)
            e.note = (e.note + "; " if e.note else "") + "ledger entry is cancelled by a reversal"
        if e.score >= params.candidate_score:
            kept.append(e)
    return kept


def pair_offsets(gl: Sequence[Rec], state: State, params: MatchParams) -> list[OffsetPair]:
    """Pair the open entries that cancel each other; strongest links first, each entry once."""
    links: list[tuple[tuple[float, float], int, int, int]] = []
    for i, j in _offset_candidates(gl, state.gl_open, params):
        link = _offset_link(gl[i], gl[j], params)
        if link is not None:
            links.append((link, abs(gl[i].day - gl[j].day), i, j))
    # Same-ref pairs without a reversal marker (a credit note against its invoice).
    by_ref: dict[str, list[int]] = defaultdict(list)
    for i in sorted(state.gl_open):
        ref = normalize_ref(gl[i].ref)
        if ref:
            by_ref[ref].append(i)
    for group in by_ref.values():
        for x in group:
            for y in group:
                if (
                    x < y
                    and gl[x].units == -gl[y].units != 0
                    and not (gl[x].reversal or gl[y].reversal)
                ):
                    link = _offset_link(gl[x], gl[y], params)
                    if link is not None:
                        links.append((link, abs(gl[x].day - gl[y].day), x, y))
    links.sort(key=lambda t: (-t[0][0], -t[0][1], t[1], t[2], t[3]))
    pairs: list[OffsetPair] = []
    for (same_ref, _sim), _gap, i, j in links:
        if i not in state.gl_open or j not in state.gl_open:
            continue
        a, b = sorted((gl[i], gl[j]), key=lambda r: (r.day, r.id))
        how = "same reference" if same_ref else "reversal naming the same counterparty"
        pairs.append(
            OffsetPair(
                gl_id_a=a.id,
                gl_id_b=b.id,
                reason=f"{how}; {a.display_amount} and {b.display_amount} net to zero",
            )
        )
        state.gl_open.discard(i)
        state.gl_open.discard(j)
    return pairs
