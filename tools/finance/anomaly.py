"""Rule-based anomaly detection over a month of bank lines, ledger entries and claims.

These are the checks an auditor runs by hand: duplicates, reused receipts, amounts odd
for the vendor, round and just-under-threshold amounts, split purchases, weekend or
holiday claims and first-time vendors. They are cheap, explainable and reproducible,
so the review agent only has to *explain* a flagged row, never to find it.
Every anomaly id is a hash of its kind and evidence, so reruns give the same ids and a
reviewer's decision on one stays attached to it.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import statistics
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from baton.tools.finance.models import BankLine, Claim, LedgerEntry, ReconResult
from baton.tools.finance.normalize import (
    MASKED_REF,
    collected_by_payee,
    describe,
    fold,
    normalize_ref,
)
from baton.tools.finance.policy import ExpensePolicy

AnomalyKind = Literal[
    "duplicate",
    "receipt_reused",
    "unusual_amount",
    "round_amount",
    "just_under_threshold",
    "split_purchase",
    "weekend_spend",
    "holiday_spend",
    "new_vendor",
]
Severity = Literal["low", "medium", "high"]
Source = Literal["bank", "ledger", "claim"]
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class EvidenceRow(BaseModel):
    """A row that supports an anomaly, with enough text for a reviewer to recognise it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Source
    id: str
    text: str


class Anomaly(BaseModel):
    """One finding; ``id`` is stable across runs (``ANOM-<kind>-<hash>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: AnomalyKind
    severity: Severity
    message: str
    evidence: list[EvidenceRow]


# --- vendor normalisation -------------------------------------------------------------

_PAYMENT_CODES = re.compile(
    r"^(?:card payment to|card purchase|direct debit|standing order|faster payment|"
    r"bank giro credit|bill payment|payment to|transfer to|"
    r"dd|so|fpo|fpi|bgc|bacs|pos|vis|deb|chq|tfr|cr|dr)\b[\s:-]*",
    re.IGNORECASE,
)
_REF_TAIL = re.compile(r"\s(?:ref|inv|invoice|on|to acc)\b.*$", re.IGNORECASE)
_LEGAL = {"ltd", "limited", "plc", "llp", "llc", "inc", "co", "uk", "gb", "the", "and", "&", "t/a"}
_ABBREVIATIONS = {
    "amzn": "amazon",
    "mktp": "marketplace",
    "mkt": "market",
    "svcs": "services",
    "intl": "international",
}
_VENDOR_SIMILARITY = 88.0
_MIN_PREFIX = 8


def _vendor_similarity(a: str, b: str, **_: object) -> float:
    """token_sort_ratio, plus a full score when one name is a truncation of the other.

    Banks cut descriptions at 18 characters or so ("BEANHAUS ROASTE"), which plain
    ratios under-score.
    """
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= _MIN_PREFIX and longer.startswith(shorter):
        return 100.0
    return float(fuzz.token_sort_ratio(a, b))


def vendor_key(text: str) -> str:
    """A comparable vendor name: payment codes, references, digits and legal suffixes removed.

    Bank descriptions ("FPO BEANHAUS ROASTERS LTD REF INV-2291", "AMZN MKTP UK*2K4") and
    ledger text ("Beanhaus Roasters - beans", "Amazon Marketplace") name the same vendor
    in different clothes; this strips the clothes so equal vendors compare equal.
    """
    # A masked e-transfer reference ("SEND E-TFR ***Ivz WEI ZHANG") is not the
    # processor star of "AMZN MKTP UK*2K4": the payee follows it.
    cleaned = MASKED_REF.sub(" ", text).split(" - ")[0].split("*")[0]
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _PAYMENT_CODES.sub("", cleaned.strip())
    cleaned = _REF_TAIL.sub("", cleaned)
    words = []
    # Accents are folded, not split on: "Lévesque" is one word, "levesque", and the
    # bank's unaccented "LEVESQUE" is the same vendor.
    for raw in re.split(r"[^a-z0-9&/]+", fold(cleaned).casefold()):
        if not raw or raw in _LEGAL or any(ch.isdigit() for ch in raw):
            continue
        words.append(_ABBREVIATIONS.get(raw, raw))
    return " ".join(words)


class _VendorIndex:
    """Maps raw keys to one canonical key per vendor, merging near-identical spellings."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._canon: list[str] = []
        self._order: dict[str, int] = {}
        self._sorted: list[str] = []
        self._cache: dict[str, str] = {}
        for name in known:
            self.canonical(name)

    def _best(self, key: str) -> str | None:
        """The canonical key ``_vendor_similarity`` ranks first, if it reaches the bar.

        Same answer as ``process.extractOne`` with that Python scorer (highest score,
        earliest on ties), but the truncation view is looked up (prefixes in a set, and
        canonical keys starting with ``key`` by bisection in a sorted list) and the
        token-sort view runs natively with a cut-off, so a month of thousands of
        vendors costs milliseconds, not minutes.
        """
        if not key or not self._canon:
            return None
        perfect = [key[:n] for n in range(_MIN_PREFIX, len(key) + 1) if key[:n] in self._order]
        if len(key) >= _MIN_PREFIX:
            at = bisect.bisect_left(self._sorted, key)
            while at < len(self._sorted) and self._sorted[at].startswith(key):
                perfect.append(self._sorted[at])
                at += 1
        native = process.extractOne(
            key, self._canon, scorer=fuzz.token_sort_ratio, score_cutoff=_VENDOR_SIMILARITY
        )
        if native is not None and native[1] >= 100.0:
            perfect.append(native[0])
        if perfect:
            return min(perfect, key=self._order.__getitem__)
        return native[0] if native is not None else None

    def canonical(self, text: str) -> str:
        key = vendor_key(text)
        if key in self._cache:
            return self._cache[key]
        chosen = self._best(key) or key
        if chosen == key and key not in self._order:
            self._order[key] = len(self._canon)
            self._canon.append(key)
            bisect.insort(self._sorted, key)
        self._cache[key] = chosen
        return chosen

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        return self._best(vendor_key(text)) is not None


# --- a common view of rows --------------------------------------------------------------


_REFERENCE_TOKEN = re.compile(r"\b(?=[A-Z]*\d)[A-Z0-9]{3,}\b")
"""A code with a digit in a folded bank description: a payment reference or number."""
_MASKED = re.compile(r"[*X]{2,}\w*")
"""A masked card or account number (``****1234``): the payer's own, on every line."""
_JOINED = re.compile(r"(?<=[A-Z0-9])[-/.](?=[A-Z0-9])")
"""Punctuation inside a code: ``QF-77`` is ``QF77``."""


def references_printed(description: str) -> frozenset[str]:
    """The payment references a bank description prints, masked numbers left out."""
    text = _JOINED.sub("", _MASKED.sub(" ", fold(description)))
    return frozenset(_REFERENCE_TOKEN.findall(text))


@dataclass(frozen=True)
class _Txn:
    source: Source
    id: str
    date: date
    vendor: str
    amount: Decimal
    text: str
    receipt: str = ""
    category: str = ""
    collected: bool = False
    """A debit the payee pulled under a mandate (:func:`collected_by_payee`)."""
    references: frozenset[str] = frozenset()
    """The codes with digits a bank line prints (``REF QF77``, a confirmation number)."""

    def evidence(self) -> EvidenceRow:
        return EvidenceRow(source=self.source, id=self.id, text=self.text)


def _from_bank(line: BankLine, vendors: _VendorIndex) -> _Txn:
    """A bank line, its vendor named as the matcher reads the description.

    Card networks and processors print preambles (``DEBIT CARD PURCHASE SQ *``,
    ``PURCHASE AUTHORIZED ON 0302``) that are not the merchant: keyed on the raw text,
    every Square merchant of a day would be one vendor "sq" and look like a split
    purchase. A cheque the bank prints without its payee (``CHECK 1050``) names no
    vendor: cheques of different numbers are different payments to payees the statement
    does not know; their ledger entries, which name the payee, are checked instead.
    Nor does a returned item (``CHEQUE RETOURNE SANS PROVISION``): its words are the
    bank's reason, and two customers' bounced cheques on one day are no split purchase.
    """
    text = f"{line.date.isoformat()} {line.description} {line.amount}"
    feat = describe(line.description)
    if (feat.cheque_no or feat.reversal) and not feat.name:
        vendor = ""
    elif feat.account_tail and not feat.name:
        # A transfer names the account it goes to by its last digits (``TO ****0142``):
        # transfers to two accounts are two counterparties, whatever the wording.
        vendor = f"account ending {feat.account_tail}"
    else:
        vendor = vendors.canonical(feat.name or line.description)
    collected = line.amount < 0 and collected_by_payee(line.description)
    references = references_printed(line.description)
    return _Txn(
        "bank",
        line.id,
        line.date,
        vendor,
        line.amount,
        text,
        collected=collected,
        references=references,
    )


def _from_ledger(entry: LedgerEntry, vendors: _VendorIndex) -> _Txn:
    text = f"{entry.date.isoformat()} {entry.description} {entry.amount} ({entry.ref})"
    return _Txn(
        "ledger", entry.id, entry.date, vendors.canonical(entry.description), entry.amount, text
    )


def _from_claim(claim: Claim, policy: ExpensePolicy, vendors: _VendorIndex) -> _Txn:
    base = policy.to_base(claim.amount, claim.currency)
    amount = base if base is not None else claim.amount
    text = (
        f"{claim.date.isoformat()} {claim.employee}: {claim.merchant} "
        f"{claim.amount} {claim.currency} ({claim.category})"
    )
    return _Txn(
        "claim",
        claim.id,
        claim.date,
        vendors.canonical(claim.merchant),
        amount,
        text,
        claim.receipt.strip(),
        claim.category,
    )


def _anomaly(kind: AnomalyKind, severity: Severity, message: str, rows: Sequence[_Txn]) -> Anomaly:
    digest = hashlib.sha256(
        "|".join([kind, *sorted(f"{row.source}:{row.id}" for row in rows)]).encode()
    ).hexdigest()[:10]
    ordered = sorted(rows, key=lambda row: (row.date, row.source, row.id))
    return Anomaly(
        id=f"ANOM-{kind}-{digest}",
        kind=kind,
        severity=severity,
        message=message,
        evidence=[r.evidence() for r in ordered],
    )


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


# --- checks -----------------------------------------------------------------------------


def _without_reversals(rows: Sequence[_Txn]) -> list[_Txn]:
    """Drop pairs that cancel (same vendor, opposite amounts): a void and its original,
    a returned deposit and the deposit. They are not duplicates of whatever replaces them.
    """
    # Rows by (vendor, amount) in order, so each pairing is a look-up: linear, where
    # scanning the remaining list for every row was quadratic in the month's size.
    buckets: dict[tuple[str, Decimal], deque[int]] = defaultdict(deque)
    for i, row in enumerate(rows):
        buckets[(row.vendor, row.amount)].append(i)
    removed: set[int] = set()
    for i, row in enumerate(rows):
        if i in removed or row.amount >= 0:
            continue
        partners = buckets.get((row.vendor, -row.amount))
        while partners and partners[0] in removed:
            partners.popleft()
        if partners:
            removed.update((i, partners.popleft()))
    return [row for i, row in enumerate(rows) if i not in removed]


def documents_of(
    bank: Sequence[BankLine], ledger: Sequence[LedgerEntry], recon: ReconResult
) -> dict[str, frozenset[str]]:
    """The bookkeeping documents (invoice, bill, cheque numbers) behind each booked row.

    A document number is one the ledger entry carries (in its text or ``ref``) that its
    bank line does not print: the bank's own confirmation or trace number, copied into
    the books from the feed, is new on every payment and says nothing about what was
    paid. A bank line and its ledger entries share the entries' documents.
    """
    bank_text = {line.id: line.description for line in bank}
    entries = {entry.id: entry for entry in ledger}
    found: dict[str, set[str]] = defaultdict(set)
    for match in recon.matches:
        entry = entries.get(match.gl_id)
        if entry is None or match.bank_id not in bank_text:
            continue
        printed = describe(bank_text[match.bank_id]).numbers
        ref = normalize_ref(entry.ref).lstrip("0")
        numbers = describe(entry.description).numbers | ({ref} if len(ref) >= 4 else set())
        docs = {n for n in numbers if n not in printed}
        found[match.bank_id] |= docs
        found[match.gl_id] |= docs
    return {row: frozenset(docs) for row, docs in found.items() if docs}


def _separate_documents(cluster: Sequence[_Txn], documents: Mapping[str, frozenset[str]]) -> bool:
    """Each row settles a document of its own: two bills of one price, not one bill twice.

    Convention of the duplicate-payment check: payments are duplicates when they settle
    the same obligation. When every row is booked against entries carrying their own
    invoice or bill numbers, and no number is shared, each payment has its own bill.
    """
    seen: set[str] = set()
    for row in cluster:
        docs = documents.get(row.id)
        if not docs or docs & seen:
            return False
        seen |= docs
    return True


def _duplicates(
    rows: Sequence[_Txn],
    window: int,
    currency: str,
    cancelled: Collection[str] = (),
    documents: Mapping[str, frozenset[str]] | None = None,
) -> list[Anomaly]:
    """Same vendor and same signed amount within ``window`` days, per source.

    Rows in ``cancelled`` are entries the books reversed themselves (the reconciliation's
    offsetting pairs): a duplicate posting corrected by a reversing journal is already
    undone, so the entry left is no duplicate of anything. A cluster whose rows each
    settle their own document (``documents``, see :func:`documents_of`) is two bills.
    """
    groups: dict[tuple[Source, str, Decimal], list[_Txn]] = defaultdict(list)
    for row in _without_reversals([row for row in rows if row.id not in cancelled]):
        if row.vendor and row.amount != 0:
            groups[(row.source, row.vendor, row.amount)].append(row)
    found: list[Anomaly] = []
    for (source, vendor, amount), group in groups.items():
        group.sort(key=lambda r: (r.date, r.id))
        if _habitual(group, window):
            continue
        cluster: list[_Txn] = [group[0]]
        for row in group[1:]:
            if (row.date - cluster[-1].date).days <= window:
                cluster.append(row)
                continue
            found.extend(_duplicate_anomaly(source, vendor, amount, cluster, currency, documents))
            cluster = [row]
        found.extend(_duplicate_anomaly(source, vendor, amount, cluster, currency, documents))
    return found


_HABIT = 4
"""Distinct days on which the same price must recur before it is a habit, not a slip."""


def _habitual(group: Sequence[_Txn], window: int) -> bool:
    """The same price to the same vendor on many days across the period: a fare, a daily
    delivery, a per-use fee. Paying it again is what the business does, so two of them
    a few days apart are not a duplicate; a duplicate is a payment *outside* the habit.
    Needs at least ``_HABIT`` distinct days spread over more than twice the window.
    """
    days = {row.date for row in group}
    return len(days) >= _HABIT and (max(days) - min(days)).days > 2 * window


def _duplicate_anomaly(
    source: Source,
    vendor: str,
    amount: Decimal,
    cluster: list[_Txn],
    currency: str,
    documents: Mapping[str, frozenset[str]] | None = None,
) -> list[Anomaly]:
    if len(cluster) < 2 or (documents and _separate_documents(cluster, documents)):
        return []
    span = (cluster[-1].date - cluster[0].date).days
    message = (
        f"{len(cluster)} {source} rows for '{vendor}' of {_money(abs(amount), currency)} "
        f"within {span} day(s): "
        "possible duplicate payment or claim"
    )
    return [_anomaly("duplicate", "high", message, cluster)]


def _reused_receipts(claims: Sequence[_Txn]) -> list[Anomaly]:
    by_receipt: dict[str, list[_Txn]] = defaultdict(list)
    for row in claims:
        if row.receipt:
            by_receipt[row.receipt.casefold()].append(row)
    return [
        _anomaly(
            "receipt_reused",
            "high",
            f"receipt '{group[0].receipt}' is attached to {len(group)} claims",
            group,
        )
        for group in by_receipt.values()
        if len(group) > 1
    ]


def _unusual_amounts(
    rows: Sequence[_Txn], policy: ExpensePolicy, flag_from: date | None = None
) -> list[Anomaly]:
    """Amounts far from the vendor's median, by the modified z-score (Iglesias & Hoaglin).

    Median and MAD ignore the outlier they are meant to catch, unlike mean and standard
    deviation. Vendors with fewer than ``unusual_min_history`` rows are skipped: there is
    not enough history to call anything unusual. When all other amounts are identical
    (MAD = 0) a relative deviation is used instead. Rows before ``flag_from`` are history:
    they count towards the median but are not flagged.
    """
    settings = policy.anomaly
    by_vendor: dict[tuple[Source, str], list[_Txn]] = defaultdict(list)
    for row in rows:
        if row.vendor and (row.amount < 0 or row.source == "claim"):
            by_vendor[(row.source, row.vendor)].append(row)
    found: list[Anomaly] = []
    for (_, vendor), group in by_vendor.items():
        if len(group) < settings.unusual_min_history:
            continue
        amounts = [abs(r.amount) for r in group]
        median = statistics.median(amounts)
        mad = statistics.median(abs(a - median) for a in amounts)
        for row, amount in zip(group, amounts, strict=True):
            if flag_from is not None and row.date < flag_from:
                continue
            if mad > 0:
                score = Decimal("0.6745") * abs(amount - median) / mad
                unusual = score > settings.unusual_z
                why = f"modified z-score {score:.1f}"
            else:
                unusual = (
                    median > 0 and abs(amount - median) / median > settings.unusual_rel_if_flat
                )
                why = "all other amounts identical"
            if unusual:
                message = (
                    f"{_money(amount, policy.currency)} to '{vendor}' is unusual: "
                    f"median of {len(group)} rows is "
                    f"{_money(median, policy.currency)} ({why})"
                )
                found.append(_anomaly("unusual_amount", "medium", message, [row]))
    return found


def _round_and_just_under(claims: Sequence[_Txn], policy: ExpensePolicy) -> list[Anomaly]:
    """Claims on round numbers, or a little under a receipt/approval/category threshold."""
    settings = policy.anomaly
    found: list[Anomaly] = []
    for row in claims:
        if row.amount >= settings.round_min and row.amount % settings.round_unit == 0:
            found.append(
                _anomaly(
                    "round_amount",
                    "low",
                    f"claim of exactly {_money(row.amount, policy.currency)}: "
                    "round amounts are often estimates",
                    [row],
                )
            )
        for threshold in policy.thresholds(row.category):
            if threshold * (1 - settings.just_under_margin) <= row.amount < threshold:
                message = (
                    f"claim of {_money(row.amount, policy.currency)} is just under the "
                    f"{_money(threshold, policy.currency)} threshold"
                )
                found.append(_anomaly("just_under_threshold", "medium", message, [row]))
                break
    return found


def _split_purchases(
    rows: Sequence[_Txn],
    policy: ExpensePolicy,
    documents: Mapping[str, frozenset[str]] | None = None,
) -> list[Anomaly]:
    """Several rows to one vendor on one day, each under a limit that their sum exceeds.

    Claims are held to their category cap and every approval band. Bank payments are held
    only to the top band: suppliers routinely bill each site separately on the same day,
    but splitting to stay under the most senior approver is the classic fraud pattern.
    A debit the payee collected under a mandate (two insurance policies' premiums) is
    the payee's split, not the business's, and is not held to it. Nor are payments that
    each settle a bill of their own in the books (``documents``, see :func:`documents_of`)
    and print no common reference: two bills paid, not one purchase paid in parts. Parts
    of one order (``REF QF77`` on both) still are.
    """
    groups: dict[tuple[Source, str, date], list[_Txn]] = defaultdict(list)
    for row in rows:
        if row.collected:
            continue
        if row.vendor and (row.source == "claim" or row.amount < 0):
            groups[(row.source, row.vendor, row.date)].append(row)
    found: list[Anomaly] = []
    for (source, vendor, day), group in groups.items():
        if len(group) < 2:
            continue
        if source == "bank" and documents and _separate_bills(group, documents):
            continue
        amounts = [abs(r.amount) for r in group]
        total = sum(amounts, Decimal(0))
        if source == "claim":
            categories = {r.category for r in group}
            limits = sorted(
                {
                    t
                    for c in categories
                    for t in policy.thresholds(c)
                    if t != policy.receipts.required_above
                },
                reverse=True,
            )
        else:
            limits = [policy.approvals.levels[-1].above]
        crossed = next((t for t in limits if total > t and max(amounts) <= t), None)
        if crossed is not None:
            message = (
                f"{len(group)} {source} rows to '{vendor}' on {day.isoformat()} total "
                f"{_money(total, policy.currency)}, over the {_money(crossed, policy.currency)} "
                "limit none reaches alone"
            )
            found.append(_anomaly("split_purchase", "high", message, group))
    return found


def _separate_bills(group: Sequence[_Txn], documents: Mapping[str, frozenset[str]]) -> bool:
    """Each payment settles its own bill, no two print the same reference, and no two
    bills are numbered next to each other.

    Convention of the split-purchase check: the fraud is one order invoiced or paid in
    parts. Parts share the order's reference (``REF QF77``), or are invoiced on
    consecutive numbers (F-4599, F-4600) on one day; bills numbered far apart
    (F-4599, F-6223) were raised, and approved, one by one.
    """
    if not _separate_documents(group, documents):
        return False
    seen: set[str] = set()
    numbered: list[tuple[int, int]] = []
    for i, row in enumerate(group):
        if row.references & seen:
            return False
        seen |= row.references
        own = {int(run) for doc in documents[row.id] for run in re.findall(r"\d+", doc)}
        numbered += [(number, i) for number in own]
    numbered.sort()
    return all(b - a > _ADJACENT or i == j for (a, i), (b, j) in itertools.pairwise(numbered))


_ADJACENT = 3
"""Bill numbers this close are one order's parts, not separate purchases."""


def _weekend_or_holiday(
    claims: Sequence[_Txn], policy: ExpensePolicy, holidays: Mapping[date, str]
) -> list[Anomaly]:
    """Claims dated on a public holiday or (if the policy asks) a weekend.

    Only claims are checked: a café's bank and ledger legitimately move at weekends,
    whereas staff spending on a day off deserves a second look.
    """
    found: list[Anomaly] = []
    for row in claims:
        holiday = holidays.get(row.date)
        if holiday is not None:
            found.append(
                _anomaly(
                    "holiday_spend", "low", f"claim dated on a public holiday ({holiday})", [row]
                )
            )
        elif policy.anomaly.flag_weekend_claims and row.date.weekday() >= 5:
            found.append(
                _anomaly(
                    "weekend_spend", "low", f"claim dated on a {row.date.strftime('%A')}", [row]
                )
            )
    return found


def _new_vendors(
    period_rows: Sequence[_Txn], history: Sequence[_Txn], known: _VendorIndex, has_baseline: bool
) -> list[Anomaly]:
    """Payees in the period's ledger that neither the vendor master nor earlier entries know.

    Only the ledger is checked because that is where payees are named; bank-only rows
    (fees, returns) surface as unmatched lines in reconciliation instead. Without a
    baseline (no vendor list, no earlier history) every vendor would be "new",
    so the check stays silent rather than flooding the review.
    """
    if not has_baseline:
        return []
    seen_before = {row.vendor for row in history}
    first: dict[str, list[_Txn]] = defaultdict(list)
    for row in sorted(period_rows, key=lambda r: (r.date, r.source, r.id)):
        if (
            row.amount < 0
            and row.vendor
            and row.vendor not in seen_before
            and row.vendor not in known
        ):
            first[row.vendor].append(row)
    return [
        _anomaly(
            "new_vendor",
            "medium",
            f"first payment to '{vendor}' ({len(rows)} row(s) this period); "
            "vendor not in the vendor master",
            rows,
        )
        for vendor, rows in first.items()
    ]


def detect_anomalies(
    bank: Sequence[BankLine],
    ledger: Sequence[LedgerEntry],
    claims: Sequence[Claim],
    policy: ExpensePolicy,
    holidays: Mapping[date, str],
    *,
    known_vendors: Collection[str] = (),
    period_start: date | None = None,
    recon: ReconResult | None = None,
) -> list[Anomaly]:
    """Run every check and return anomalies, most severe first, in a stable order.

    ``holidays`` is usually ``policy.holiday_calendar(years)``. Ledger entries dated before
    ``period_start`` (default: the earliest bank date) count as history: they teach the
    vendor baseline but are not themselves flagged. ``known_vendors`` is the vendor master.
    ``recon``, the month's reconciliation, tells the duplicate check which entries the
    books reversed themselves and which document each booked payment settled.
    """
    vendors = _VendorIndex()
    known = _VendorIndex(known_vendors)
    start = period_start or min((line.date for line in bank), default=None)
    # Ledger first: its vendor names are the cleanest, so they become the canonical keys
    # that truncated bank descriptions are merged into.
    # Rows are taken in (date, id) order so canonical names, and hence messages, do not
    # depend on the order the caller passed them in.
    ledger_all = [_from_ledger(e, vendors) for e in sorted(ledger, key=lambda e: (e.date, e.id))]
    bank_rows = [_from_bank(b, vendors) for b in sorted(bank, key=lambda b: (b.date, b.id))]
    history = [row for row in ledger_all if start is not None and row.date < start]
    ledger_rows = [row for row in ledger_all if start is None or row.date >= start]
    claim_rows = [
        _from_claim(c, policy, vendors) for c in sorted(claims, key=lambda c: (c.date, c.id))
    ]

    found: list[Anomaly] = []
    window = policy.anomaly.duplicate_window_days
    cancelled: set[str] = set()
    documents: dict[str, frozenset[str]] = {}
    if recon is not None:
        cancelled = {i for pair in recon.offsetting for i in (pair.gl_id_a, pair.gl_id_b)}
        documents = documents_of(bank, ledger, recon)
    for rows in (bank_rows, ledger_rows, claim_rows):
        found.extend(_duplicates(rows, window, policy.currency, cancelled, documents))
    found.extend(_reused_receipts(claim_rows))
    # The ledger (with its history) is the vendor's record; checking the bank too would
    # report every outlier twice.
    found.extend(_unusual_amounts([*history, *ledger_rows], policy, start))
    found.extend(_unusual_amounts(claim_rows, policy))
    found.extend(_round_and_just_under(claim_rows, policy))
    found.extend(_split_purchases([*bank_rows, *claim_rows], policy, documents))
    found.extend(_weekend_or_holiday(claim_rows, policy, holidays))
    found.extend(_new_vendors(ledger_rows, history, known, bool(known_vendors) or bool(history)))

    unique = {a.id: a for a in found}
    return sorted(
        unique.values(), key=lambda a: (_SEVERITY_ORDER[a.severity], a.kind, a.evidence[0].id, a.id)
    )
