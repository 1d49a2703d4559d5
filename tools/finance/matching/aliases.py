"""Payer descriptors learned from the month's certain pairs.

Convention of the payer descriptor: an organisation's payments carry the same
descriptor every time (``PWGSC-TPSGC`` for the Government of Canada's payments, ``CN
RAIL AP`` for Canadian National's payables, ``TDSB ACCTS PAY``), however little it
resembles the name the books know the payer by. Reconciliation tools learn these as
bank rules; here the month itself teaches them. A pair booked beyond doubt while the
names disagree (an amount to the cent with no rival, or the invoice number printed on
the line) shows that the descriptor stands for that payer, and the payer's other
lines, often one payment of several invoices, may then be matched by name.

Only a descriptor that at least two certain pairs tie to the same books name, and none
to another, is learned. Learned names widen which entries may share a batch
line and name-support its solution; they never book a one-to-one pair by themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from baton.tools.finance.matching.params import MatchParams
from baton.tools.finance.matching.records import Edge, Rec

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
