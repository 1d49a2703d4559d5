"""Payer descriptors learned from the month's certain pairs.

Convention of the payer descriptor: an organisation's payments carry the same
descriptor every time (``PWGSC-TPSGC`` for the Government of Canada's payments, ``CN
RAIL AP`` for Canadian National's payables, ``TDSB ACCTS PAY``), however little it
resembles the name the books know the payer by. Reconciliation tools learn these as
bank rules; here the month itself teaches them. A pair booked beyond doubt while the
names disagree (an amount to the cent with no rival, or the invoice number printed on
the line) shows that the descriptor stands for that payer, and the payer's other
lines, often one payment of several invoices, may then be matched by name.

A payer that settles several invoices in one payment is taught the same way by its sums
(:func:`learn_batch_aliases`): a line whose amount is, to the cent, the sum of open
entries all of one payer is that payer's, however unlike the names are.

Only a descriptor that at least two certain pairs tie to the same books name, and none
to another, is learned. Learned names widen which entries may share a batch
line and name-support its solution; they never book a one-to-one pair by themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from baton.tools.finance.matching.batches import OpenEntries, may_be_batch, subset_sums
from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec, State, names_no_payee
from baton.tools.finance.normalize import name_similarity

_MIN_NAME = 4
"""Shortest descriptor (letters) learned: two or three letters name too many payers."""
_MIN_PAIRS = 2
"""Certain pairs that must agree before a descriptor is learned: one could be the lone
coincidence of the month, and a learned name is applied to every line of the payer."""


def learn_aliases(
    booked: Sequence[Edge], bank: Sequence[Rec], gl: Sequence[Rec], params: MatchParams
) -> int:
    """Give every bank line whose descriptor a certain pair tied to one books name that
    name (:attr:`Rec.alias`); returns how many lines were given one."""
    seen: dict[str, dict[str, list[Rec]]] = defaultdict(lambda: defaultdict(list))
    for e in booked:
        b, g = bank[e.b], gl[e.g]
        if e.kind != "exact" or not (e.sole or e.ref_hit):
            continue
        if e.sim is None or e.sim >= params.weak_name or not g.feat.name:
            continue
        if len(b.feat.name.replace(" ", "")) < _MIN_NAME:
            continue
        seen[b.feat.name][g.feat.name].append(g)
    learned = {
        name: entries[0]
        for name, by in seen.items()
        if len(by) == 1 and len(entries := next(iter(by.values()))) >= _MIN_PAIRS
    }
    given = 0
    for b in bank:
        entry = learned.get(b.feat.name)
        if entry is not None:
            b.alias = entry.feat
            given += 1
    return given


def learn_batch_aliases(
    bank: Sequence[Rec], gl: Sequence[Rec], state: State, params: MatchParams, unit: int
) -> int:
    """Give lines of a descriptor whose amounts are sums of one payer's entries that name.

    Convention of the remittance: a payer that pays several invoices at once sends one
    payment of their total under its own descriptor (``PWGSC-TPSGC``, ``CN RAIL AP``),
    while the books hold one receipt per invoice under the name the business knows it
    by. A line whose amount is the sum of two or more open entries *all of one payer*,
    within the batch window, and of no other payer's, is strong evidence on its own: a
    payer has a handful of open invoices, so a chance sum among them is rare. Two such
    lines naming the same payer, and none naming another, teach the descriptor as
    surely as two certain pairs do (:func:`learn_aliases`), and the batch search then
    takes the payer's entries by name. Nothing is booked here.
    """
    entries = OpenEntries(gl, state.gl_open, params)
    seen: dict[str, dict[str, list[Rec]]] = defaultdict(lambda: defaultdict(list))
    for bi in sorted(state.bank_open):
        b = bank[bi]
        if b.alias is not None or not may_be_batch(b) or names_no_payee(b):
            continue
        if len(b.feat.name.replace(" ", "")) < _MIN_NAME:
            continue
        by_name: dict[str, list[int]] = defaultdict(list)
        for gi in entries.window(b, params.batch_lag_days, None, named=False):
            g = gl[gi]
            sim = name_similarity(b.feat, g.feat)
            if g.feat.name and sim is not None and sim < params.weak_name:
                by_name[g.feat.name].append(gi)
        hits: list[tuple[int, ...]] = []
        for name, pool in by_name.items():
            if not 2 <= len(pool) <= params.batch_pool_limit:
                continue
            sums = subset_sums([abs(gl[gi].units) for gi in pool], abs(b.units), len(pool), unit)
            found = [sol for sols in sums.solutions.values() for sol in sols]
            hits += [tuple(pool[i] for i in sol) for sol in found]
            if len(found) == 1:
                seen[b.feat.name][name].append(gl[pool[0]])
        if len(hits) == 1:
            # A sender the books do not know (a numbered company paying a customer's
            # invoices) may still be settled by the reviewer: the one payer whose
            # entries make the amount is shown with the line (see collect_candidates).
            state.payer_sums[bi] = hits[0]
    learned = {
        name: entries_[0]
        for name, by in seen.items()
        if len(by) == 1 and len(entries_ := next(iter(by.values()))) >= _MIN_PAIRS
    }
    given = 0
    for b in bank:
        entry = learned.get(b.feat.name)
        if entry is not None and b.alias is None:
            b.alias = entry.feat
            given += 1
    return given
