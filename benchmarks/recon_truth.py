"""Ground truth shared by the reconciliation benchmark's generators, and how it is built.

Both generators (``recon_synth`` and the independent ``recon_statements``) draw a month
as drafts: bank rows and ledger rows with a private key, plus the true links between
them. This module turns drafts into records with ids and the truth the scorer in
``benchmarks.reconciliation`` compares against, so that both generators are scored by
the same rules and only the data differs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from baton.tools.finance.models import BankLine, LedgerEntry, MatchKind


class BankDraft(Protocol):
    """A generated bank row before it has an id."""

    @property
    def key(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def text(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def case(self) -> str: ...


class LedgerDraft(BankDraft, Protocol):
    """A generated ledger row before it has an id."""

    @property
    def ref(self) -> str: ...
    @property
    def entry_type(self) -> str: ...


B = TypeVar("B", bound=BankDraft)
G = TypeVar("G", bound=LedgerDraft)


class DraftBook(Generic[B, G]):
    """What a generator accumulates: draft rows under private keys and the true links.

    Ids are given only at the end (:func:`assemble`), after the rows are sorted by date,
    so that an id never tells which event a row came from.
    """

    def __init__(self) -> None:
        self.bank: list[B] = []
        self.gl: list[G] = []
        self.pairs: list[tuple[int, int, MatchKind, str]] = []
        self.offsets: list[tuple[int, int, str]] = []
        self._key = 0

    def key(self) -> int:
        """A fresh private key for a draft row."""
        self._key += 1
        return self._key


@dataclass
class GroundTruth:
    """What a perfect reconciliation of the generated data would report, labelled by case."""

    pairs: dict[tuple[str, str], tuple[MatchKind, str]] = field(default_factory=dict)
    """(bank_id, gl_id) -> (match kind, case). A batch has one pair per ledger entry."""
    offsets: dict[frozenset[str], str] = field(default_factory=dict)
    unmatched_bank: dict[str, str] = field(default_factory=dict)
    unmatched_gl: dict[str, str] = field(default_factory=dict)
    bank_case: dict[str, str] = field(default_factory=dict)
    gl_case: dict[str, str] = field(default_factory=dict)

    def problems(
        self, bank: list[BankLine], ledger: list[LedgerEntry], fee_limit: Decimal = Decimal(50)
    ) -> list[str]:
        """Internal inconsistencies of the truth; empty when the dataset is sound."""
        issues: list[str] = []
        bank_by_id = {b.id: b for b in bank}
        gl_by_id = {g.id: g for g in ledger}
        if len(bank_by_id) != len(bank) or len(gl_by_id) != len(ledger):
            issues.append("duplicate ids")
        bank_seen: Counter[str] = Counter()
        gl_seen: Counter[str] = Counter()
        batch_members: dict[str, list[str]] = defaultdict(list)
        for (bank_id, gl_id), (kind, _case) in self.pairs.items():
            if bank_id not in bank_by_id or gl_id not in gl_by_id:
                issues.append(f"pair {bank_id}/{gl_id} names an unknown id")
                continue
            gl_seen[gl_id] += 1
            if kind == "batch":
                batch_members[bank_id].append(gl_id)
                continue
            bank_seen[bank_id] += 1
            b, g = bank_by_id[bank_id].amount, gl_by_id[gl_id].amount
            if kind == "one_to_one" and b != g:
                issues.append(f"one_to_one {bank_id}/{gl_id} amounts differ")
            if kind == "amount_mismatch" and b == g:
                issues.append(f"amount_mismatch {bank_id}/{gl_id} amounts equal")
            if kind == "amount_mismatch" and not (
                is_transposition(b, g)
                or (Decimal(0) < abs(g - b) <= fee_limit + abs(g) * Decimal("0.035"))
            ):
                issues.append(
                    f"amount_mismatch {bank_id}/{gl_id} is neither a fee nor a transposition"
                )
        for bank_id, members in batch_members.items():
            bank_seen[bank_id] += 1
            total = sum((gl_by_id[g].amount for g in members), Decimal(0))
            if len(members) < 2 or total != bank_by_id[bank_id].amount:
                issues.append(f"batch {bank_id} does not add up")
        for pair in self.offsets:
            first, second = sorted(pair)
            if (
                first not in gl_by_id
                or second not in gl_by_id
                or gl_by_id[first].amount != -gl_by_id[second].amount
            ):
                issues.append(f"offset {first}/{second} does not net to zero")
            gl_seen[first] += 1
            gl_seen[second] += 1
        for bank_id in self.unmatched_bank:
            bank_seen[bank_id] += 1
        for gl_id in self.unmatched_gl:
            gl_seen[gl_id] += 1
        for bank_id in bank_by_id:
            if bank_seen[bank_id] != 1:
                issues.append(f"bank {bank_id} accounted for {bank_seen[bank_id]} times")
            if bank_id not in self.bank_case:
                issues.append(f"bank {bank_id} has no case label")
        for gl_id in gl_by_id:
            if gl_seen[gl_id] != 1:
                issues.append(f"ledger {gl_id} accounted for {gl_seen[gl_id]} times")
            if gl_id not in self.gl_case:
                issues.append(f"ledger {gl_id} has no case label")
        return issues


@dataclass
class SynthDataset:
    """One generated reconciliation problem and its answer."""

    bank: list[BankLine]
    ledger: list[LedgerEntry]
    truth: GroundTruth
    period_start: date
    period_end: date
    seed: int


def is_transposition(a: Decimal, b: Decimal) -> bool:
    """Whether two amounts differ by one swap of two adjacent digits."""
    if (a < 0) != (b < 0):
        return False
    x, y = str(abs(int(a * 100))), str(abs(int(b * 100)))
    if len(x) != len(y):
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )


def assemble(
    bank_rows: Sequence[BankDraft],
    gl_rows: Sequence[LedgerDraft],
    pairs: Iterable[tuple[int, int, MatchKind, str]],
    offsets: Iterable[tuple[int, int, str]],
    *,
    id_formats: tuple[str, str],
    period: tuple[date, date],
    seed: int,
) -> SynthDataset:
    """Number the drafts in the order given and derive the truth from the draft links.

    ``pairs`` are (bank key, ledger key, kind, case) and ``offsets`` (ledger key, ledger
    key, case); every row no link names is unmatched, labelled with its own case.
    """
    bank_fmt, gl_fmt = id_formats
    bank_id = {r.key: bank_fmt.format(i) for i, r in enumerate(bank_rows, start=1)}
    gl_id = {r.key: gl_fmt.format(i) for i, r in enumerate(gl_rows, start=1)}
    bank = [
        BankLine(id=bank_id[r.key], date=r.day, description=r.text, amount=r.amount)
        for r in bank_rows
    ]
    ledger = [
        LedgerEntry(
            id=gl_id[r.key],
            date=r.day,
            description=r.text,
            amount=r.amount,
            ref=r.ref,
            entry_type=r.entry_type,
        )
        for r in gl_rows
    ]
    truth = GroundTruth()
    for b_key, g_key, kind, case in pairs:
        truth.pairs[(bank_id[b_key], gl_id[g_key])] = (kind, case)
    for a_key, b_key, case in offsets:
        truth.offsets[frozenset((gl_id[a_key], gl_id[b_key]))] = case
    paired_bank = {b for b, _g in truth.pairs}
    used_gl = {g for _b, g in truth.pairs} | {g for pair in truth.offsets for g in pair}
    for r in bank_rows:
        truth.bank_case[bank_id[r.key]] = r.case
        if bank_id[r.key] not in paired_bank:
            truth.unmatched_bank[bank_id[r.key]] = r.case
    for g in gl_rows:
        truth.gl_case[gl_id[g.key]] = g.case
        if gl_id[g.key] not in used_gl:
            truth.unmatched_gl[gl_id[g.key]] = g.case
    return SynthDataset(bank, ledger, truth, period[0], period[1], seed)


def swap_spots(amount: Decimal) -> list[int]:
    """Where two adjacent unequal digits of ``amount`` (in cents) can be swapped.

    A transposition error keeps the number of digits, so a swap that would move a zero
    to the front is not one.
    """
    digits = str(int(amount * 100))
    return [
        i
        for i in range(len(digits) - 1)
        if digits[i] != digits[i + 1] and not (i == 0 and digits[1] == "0")
    ]


def swapped(amount: Decimal, i: int) -> Decimal:
    """``amount`` with its digits ``i`` and ``i + 1`` (in cents) swapped."""
    digits = str(int(amount * 100))
    return Decimal(int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])) / 100
