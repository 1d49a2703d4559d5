"""Stage 6, candidates: leftover evidence grouped per bank line for the reviewer."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from baton.tools.finance.matching.batches import REVIEW_POOL, BatchSearch
from baton.tools.finance.matching.edges import Scorer, explain
from baton.tools.finance.matching.records import Edge, Rec, State
from baton.tools.finance.models import (
    Candidate,
)


def collect_candidates(
    edges: Sequence[Edge],
    batches: Sequence[BatchSearch],
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    scorer: Scorer | None = None,
) -> list[Candidate]:
    """Group leftover evidence per bank line; each ledger id is offered to one line only.

    With a ``scorer``, a line that nothing else explains is offered its counterparty's
    open entries that a flat bank charge would explain (:func:`_same_payer_rows`).
    """
    rows: dict[int, list[tuple[float, tuple[int, ...], str]]] = defaultdict(list)
    for e in edges:
        if e.b in state.bank_open and e.g in state.gl_open:
            rows[e.b].append((e.score, (e.g,), explain(e, bank, gl)))
    for search in batches:
        if search.bank not in state.bank_open:
            continue
        for sol in search.solutions:
            if all(gi in state.gl_open for gi in sol):
                why = (
                    "several subsets sum to the amount"
                    if len(search.solutions) > 1
                    else ("subset sum contested by another bank line, or too likely by chance")
                )
                rows[search.bank].append((0.5, sol, f"possible batch of {len(sol)} entries: {why}"))
        rows[search.bank].extend(_review_row(search, gl, state))
    for bi, members in state.payer_sums.items():
        if bi in state.bank_open and all(gi in state.gl_open for gi in members):
            rows[bi].append(
                (0.6, members, f"the only sum of one payer's open entries, {len(members)} of them")
            )
    for bi, (tied, rest) in state.partial.items():
        # The residual is listed even if its twins were taken since: it must not vanish.
        rows.setdefault(bi, [])
        for gi in (gi for gi in tied if gi in state.gl_open):
            # Offered even when another line claims it first (it then shows as shared).
            rows[bi].append(
                (0.5, (gi,), f"tied member of a batch partly booked, {rest} left to explain")
            )
    if scorer is not None:
        for bi, found in _same_payer_rows(bank, gl, state, scorer, set(rows)).items():
            rows[bi].extend(found)
    order = sorted(
        rows, key=lambda bi: (-max((r[0] for r in rows[bi]), default=0.0), bank[bi].bday, bi)
    )
    claimed: set[int] = set()
    candidates: list[Candidate] = []
    for bi in order:
        options = sorted(rows[bi], key=lambda r: (-r[0], r[1]))
        gl_ids: list[int] = []
        shared: list[int] = []
        reasons: list[str] = []
        for score, members, why in options:
            fresh = [gi for gi in members if gi not in claimed and gi not in gl_ids]
            # An entry already offered to another line is still offered here (a
            # symmetric tie must show the reviewer every counterpart), but it is
            # counted once, under the first line.
            again = [gi for gi in members if gi in claimed and gi not in shared]
            gl_ids.extend(fresh)
            shared.extend(again)
            if fresh or again:
                reasons.append(
                    f"{', '.join(gl[gi].id for gi in fresh + again)} ({min(1.0, score):.2f}): {why}"
                )
        residual = state.partial[bi][1] if bi in state.partial else None
        if not gl_ids and not shared and residual is None:
            continue
        claimed.update(gl_ids)
        rivals = len(options)
        lead = "ambiguous" if rivals > 1 else "low confidence"
        if residual is not None:
            lead = f"batch partly booked, {residual} left"
        candidates.append(
            Candidate(
                bank_id=bank[bi].id,
                gl_ids=tuple(gl[gi].id for gi in gl_ids),
                shared_gl_ids=tuple(gl[gi].id for gi in shared),
                confidence=round(min(1.0, max((r[0] for r in options), default=0.0)), 3),
                reason=f"{lead}: " + " | ".join(reasons),
                residual=residual,
            )
        )
        state.bank_open.discard(bi)
    for gi in claimed:
        state.gl_open.discard(gi)
    return candidates


def _review_row(
    search: BatchSearch, gl: Sequence[Rec], state: State
) -> list[tuple[float, tuple[int, ...], str]]:
    """The rest of an unresolved batch line's window, offered with what the search found.

    Why: when several subsets make the amount, or the window held too many entries to
    search whole, the subsets found may all be coincidences and the true members other
    entries of the window. The reviewer who ticks off a payment run or a paying-in slip
    needs every open entry it may hold; the row says how many combinations were found,
    so the reviewer knows the sum alone settled nothing. At most ``REVIEW_POOL`` entries,
    the nearest in date first.
    """
    # Only the subsets still offered whole count as shown: a subset that lost a member
    # to a later stage is not listed, and its other members must then show here.
    live = [sol for sol in search.solutions if all(gi in state.gl_open for gi in sol)]
    found = {gi for sol in live for gi in sol}
    rest = tuple(gi for gi in search.review if gi in state.gl_open and gi not in found)
    rest = rest[: max(0, REVIEW_POOL - len(found))]
    if not rest:
        return []
    sizes = sorted({len(sol) for sol in live})
    if sizes:
        why = (
            f"open entries of the batch's window: {' or '.join(map(str, sizes))} of these "
            f"{len(found | set(rest))} entries sum to the amount, "
            f"{len(live)} combination(s) found, none certain"
        )
    elif search.solutions:
        why = (
            f"open entries of the batch's window, {len(rest)} nearest shown: the "
            f"{len(search.solutions)} combination(s) found each lost a member to another line"
        )
    else:
        why = (
            f"open entries of the batch's window, {len(rest)} nearest shown: too many to "
            "search whole, and no subset of the nearest sums to the amount"
        )
    return [(0.4, tuple(sorted(rest, key=lambda gi: gl[gi].id)), why)]


SAME_PAYER_SCORE = 0.3
"""Confidence shown for a same-payer entry whose amount does not explain the line."""
SAME_PAYER_MAX = 3
"""Most same-payer entries offered to one line: the closest in amount first."""
SAME_PAYER_SCAN = 20
"""Most entries one line compares names with: a bound on the stage's cost."""


def _same_payer_rows(
    bank: Sequence[Rec],
    gl: Sequence[Rec],
    state: State,
    scorer: Scorer,
    explained: set[int],
) -> dict[int, list[tuple[float, tuple[int, ...], str]]]:
    """Open entries of an open line's own counterparty, for lines with nothing else.

    Why: a line left without any candidate is one whose amount no rule explains. One
    such line is common enough to look for: a bank's flat charge for a wire or an
    international transfer (15.00, 25.00) taken from a small receipt or added to a small
    payment, where it is a larger share of the amount than any percentage fee, so the
    fee rule's share cap rejects it (15.00 on 78.00). The bookkeeper finds that line's
    entry by its payer, so review must too: the open entries of the same sign whose
    name agrees strongly (``strong_name``), dated within the matching window, that the
    line differs from by a round sum (a multiple of half a unit) no larger than the flat
    fee (``fee_abs``), money lost on the way. A customer's other invoices, which differ
    by odd sums, are not offered: they would only crowd the packet. Shown only, never
    booked.
    """
    p = scorer.p
    lines = [bi for bi in sorted(state.bank_open) if bi not in explained and bank[bi].units]
    # A line the bank took back (or one taking another back) is explained by its twin.
    open_units = {bank[bi].units for bi in state.bank_open}
    lines = [bi for bi in lines if -bank[bi].units not in open_units]
    # Open entries by the first word of each name they carry, then by amount: a line
    # looks only at entries of a payer it may name, within a charge of its own amount,
    # and at no more than SAME_PAYER_SCAN of them, so the stage stays near n log n
    # however many rows are left open and however alike their amounts.
    by_word: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for gi in state.gl_open:
        g = gl[gi]
        if g.units:
            for word in {seg.split()[0] for seg in g.feat.segments if seg.split()}:
                by_word[word].append((g.units, gi))
    for entries in by_word.values():
        entries.sort()
    half = max(1, scorer.unit // 2)
    found: dict[int, list[tuple[float, tuple[int, ...], str]]] = {}
    for bi in lines:
        b = bank[bi]
        words = b.feat.name.split()
        if not words or b.feat.bank_originated:
            continue
        entries = by_word.get(words[0], [])
        # Money lost on the way: the entry exceeds the line by the charge, whichever
        # way the money went (a receipt arrives short, a payment leaves with more).
        low = bisect.bisect_right(entries, (b.units, len(gl)))
        high = bisect.bisect_right(entries, (b.units + scorer.fee_abs_units, len(gl)))
        near: list[tuple[float, int, int]] = []
        for g_units, gi in entries[low : min(high, low + SAME_PAYER_SCAN)]:
            g = gl[gi]
            gap = g_units - b.units
            if (g_units > 0) != (b.units > 0) or gap % half:
                continue
            if not -p.lead_days <= b.bday - g.bday <= p.lag_days:
                continue
            sim = scorer.names(b.feat, g.feat)
            if sim is not None and sim >= p.strong_name:
                near.append((-sim, gap, gi))
        for _sim, gap, gi in sorted(near)[:SAME_PAYER_MAX]:
            shown = Decimal(gap).scaleb(-scorer.places)
            why = f"same payer as the line, {shown} apart: a flat bank charge taken on the way?"
            found.setdefault(bi, []).append((SAME_PAYER_SCORE, (gi,), why))
    return found
