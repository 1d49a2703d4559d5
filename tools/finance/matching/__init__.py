"""Bank-to-ledger reconciliation: the deterministic matching engine.

Precision comes first. A false match is booked and hides an error until an auditor
finds it; a missed match only waits in the review queue. So the engine books a pair
only when the evidence is strong *and* no rival explanation comes close, and it
explains everything else as a :class:`~tools.finance.models.Candidate` for a human.

Stages, each working only on what the previous ones left:

1. **Edges.** Every plausible (bank line, ledger entry) pair is scored from the amount
   (exact, a small fee netted by the bank, or two digits transposed), the clearing lag
   in business days, the counterparty names and references (cheque and invoice
   numbers). Entries that a void or reversal in the same ledger cancels are demoted.
2. **One-to-one, exact amounts.** Competing edges form groups; in each group the best
   assignment is solved exactly (``scipy.optimize.linear_sum_assignment``) and an edge
   books only if forbidding it costs the assignment more than a margin. Near-ties
   therefore block each other instead of being guessed.
3. **Batches.** A bank line still open may be a deposit of several ledger entries: a
   meet-in-the-middle subset-sum search over nearby open entries books it only if one
   subset fits, a chance fit is unlikely, and no other open bank line wants its members.
4. **One-to-one again**, now with fees and transpositions: an exact sum of several
   entries beats an approximate single amount, and batches may have removed rivals.
   Ties that remain among identical repeats (a daily fare) and among one processor's
   payouts are then paired by the month's own habits (clearing delay, fee share), only
   when the likeliest pairing is far likelier than any other.
5. **Offsetting pairs.** Open ledger entries that cancel each other (a void and its
   cheque, a reversal and the wrong payment, an accrual and its reversal).
6. **Candidates.** What remains with some evidence goes to review; the rest is
   unmatched (bank fees, interest, outstanding cheques, deposits in transit...).

Decisions worth knowing:

- *Transposed digits* (bank 1,234.00, ledger 1,243.00) book as ``amount_mismatch`` only
  when the reference appears in the bank text or the names agree strongly, and nothing
  else explains either record; otherwise they are a candidate. The bank is presumed
  right: the reason tells the bookkeeper to correct the ledger.
- *Netted fees* only ever reduce what reaches the bank (a wire fee on either side), are
  bounded by a flat plus proportional tolerance and a share of the amount, and also
  need agreeing names or a reference.
- *Names that disagree* never book on an equal amount, except an amount to the cent,
  posted within three business days, with no rival at all (brand-family descriptors
  such as ``HAMPTON INN`` for a Hilton stay), and never for a transfer we pushed to a
  name sharing no word with the payee (the bank prints the payee we typed).
- *An entry copying a bank line's whole text on its day* is that line's, as if the line
  printed its reference, even when the amount was mistyped.
- *Bank charges and interest* only match ledger entries that book a bank charge, on
  (nearly) the same date.

Everything is indexed by amount and date, so the work grows with the number of
records times the (small) number of same-amount records nearby, never n².
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from baton.tools.finance.matching.aliases import learn_aliases, learn_batch_aliases
from baton.tools.finance.matching.assignment import book_one_to_one
from baton.tools.finance.matching.batches import (
    book_batches,
    book_gross_less_fees,
    book_referenced_batches,
    hold_for_payers,
)
from baton.tools.finance.matching.candidates import collect_candidates
from baton.tools.finance.matching.claims import match_claims
from baton.tools.finance.matching.clusters import book_batch_clusters
from baton.tools.finance.matching.covers import book_slip_weeks
from baton.tools.finance.matching.edges import Scorer, build_edges, to_match
from baton.tools.finance.matching.offsets import (
    pair_offsets,
    penalise_self_cancelling,
    returned_receipts,
)
from baton.tools.finance.matching.params import ClaimMatch, MatchParams
from baton.tools.finance.matching.payouts import book_payouts
from baton.tools.finance.matching.records import (
    BusinessDays,
    Rec,
    Scale,
    State,
    bank_rec,
    check_amounts,
    check_ids,
    inherit_counterparty,
    ledger_rec,
    statement_holidays,
)
from baton.tools.finance.matching.repeats import book_repeats
from baton.tools.finance.models import BankLine, LedgerEntry, ReconResult

__all__ = ["ClaimMatch", "MatchParams", "match_claims", "reconcile"]


def reconcile(
    bank: Sequence[BankLine],
    ledger: Sequence[LedgerEntry],
    params: MatchParams | None = None,
) -> ReconResult:
    """Match a bank statement against the ledger, booking only what the evidence settles.

    Returns every bank and ledger id exactly once: in ``matches`` (a batch bank line in
    several rows), ``offsetting``, ``candidates`` or the unmatched lists. The one
    exception is a partly booked batch line: its certain members are in ``matches`` and
    the rest of its amount is a candidate with ``residual`` set, so it never vanishes. Ambiguity is
    never resolved by order of appearance: rivals within the margin go to ``candidates``.
    Raises :class:`~baton.errors.InputError` on duplicate ids or non-finite amounts.
    """
    params = params or MatchParams()
    bank_recs, gl_recs, scorer = _prepare(bank, ledger, params)
    edges = penalise_self_cancelling(
        build_edges(bank_recs, gl_recs, scorer), bank_recs, gl_recs, params
    )
    state = State(bank_open=set(range(len(bank_recs))), gl_open=set(range(len(gl_recs))))
    returned = returned_receipts(edges, bank_recs, gl_recs, params)
    hold_for_payers(edges, bank_recs, gl_recs, params)

    # Exact amounts first, then exact sums of several entries, and only then amounts
    # that differ by a fee or a transposition: an exact batch beats an approximate pair.
    booked = book_one_to_one(edges, state, params, frozenset({"exact"}))
    learn_aliases(booked, bank_recs, gl_recs, params)
    learn_batch_aliases(bank_recs, gl_recs, state, params, scorer.unit)
    book_gross_less_fees(bank_recs, gl_recs, state, params, scorer.fee_tolerance)
    book_referenced_batches(bank_recs, gl_recs, state, params, scorer.unit)
    ambiguous_batches = book_batches(
        bank_recs, gl_recs, state, params, scorer.unit, edges, returned
    )
    booked += book_one_to_one(edges, state, params)
    booked += book_repeats(edges, list(booked), bank_recs, gl_recs, state, params)
    booked += book_payouts(edges, list(booked), bank_recs, gl_recs, state, params)
    state.matches.extend(to_match(e, bank_recs, gl_recs) for e in booked)
    # Approximate pairs have now claimed their entries, so the deposits left open face
    # smaller pools: a run of days that was crowded before may now be swept whole.
    ambiguous_batches = book_batches(
        bank_recs, gl_recs, state, params, scorer.unit, edges, returned, partial=True
    )
    # Entries the books reversed themselves (a duplicate posting, a voided cheque) never
    # reached the bank: they are settled before batch clusters are split, where each
    # would otherwise count as an entry left on no line.
    offsetting = pair_offsets(gl_recs, state, params)
    clustered = book_batch_clusters(bank_recs, gl_recs, state, params, edges, returned)
    # Deposits still open after that are settled together over a working week, on the
    # premise that each is paid in by some subset of its own window.
    if book_slip_weeks(bank_recs, gl_recs, state, params, edges, returned) or clustered:
        ambiguous_batches = [s for s in ambiguous_batches if s.bank in state.bank_open]

    candidates = collect_candidates(edges, ambiguous_batches, bank_recs, gl_recs, state, scorer)
    state.matches.sort(key=lambda m: (m.bank_id, m.gl_id))
    return ReconResult(
        matches=state.matches,
        offsetting=sorted(offsetting, key=lambda o: (o.gl_id_a, o.gl_id_b)),
        unmatched_bank=sorted(bank_recs[i].id for i in state.bank_open),
        unmatched_gl=sorted(gl_recs[i].id for i in state.gl_open),
        candidates=sorted(candidates, key=lambda c: c.bank_id),
    )


def _posting_order(record: BankLine | LedgerEntry) -> tuple[date, int, str]:
    """Date, then id, shorter ids first: ``JE-9`` was posted before ``JE-10``."""
    return record.date, len(record.id), record.id


def _prepare(
    bank: Sequence[BankLine], ledger: Sequence[LedgerEntry], params: MatchParams
) -> tuple[list[Rec], list[Rec], Scorer]:
    check_ids(bank, "bank lines")
    check_ids(ledger, "ledger entries")
    check_amounts(bank, "bank lines")
    check_amounts(ledger, "ledger entries")
    # Records are taken in posting order, never in the order the caller passed them: a
    # tie the evidence cannot break (a bill booked twice, both copies alike) then goes
    # the same way however the files were sorted, and by the books' convention the
    # earlier posting is the original, the later one the duplicate.
    bank = sorted(bank, key=_posting_order)
    ledger = sorted(ledger, key=_posting_order)
    scale = Scale([r.amount for r in bank] + [r.amount for r in ledger] + [params.fee_abs])
    holidays = params.holidays
    if params.infer_holidays:
        holidays = tuple(sorted({*holidays, *statement_holidays([r.date for r in bank])}))
    bdays = BusinessDays([r.date for r in bank] + [r.date for r in ledger], holidays)
    bank_recs = [bank_rec(line, scale, bdays) for line in bank]
    gl_recs = [ledger_rec(entry, scale, bdays) for entry in ledger]
    inherit_counterparty(gl_recs)
    return bank_recs, gl_recs, Scorer(params, scale)
