"""The review packet as items a person can finish, not one row per exception.

A hard month raises hundreds of exceptions, most of them about the same few problems.
Two rules turn them into items that each need one decision:

1. **Related exceptions about the same rows become one item.** A duplicated payment
   shows up as two duplicate flags, an unmatched row and an ambiguous candidate; they
   share row ids, so they are one problem and one item carrying all the evidence.
2. **Alike items are grouped per kind and counterparty.** Twelve unmatched service
   charges from the bank, or five outstanding cheques to one supplier, are decided
   together: one item whose members are listed, decidable with one decision naming the
   group id (members can still be decided one by one by their own ids).

Some findings are information, not a question: a vendor not seen before is shown on
the rows it concerns (``info``), never as an item of its own. So is a flag about one
row (an unusual amount for the vendor, a weekend claim) when that row is already settled
(booked against an agreeing counterpart, or cancelled by an offsetting entry) or is
already part of an item: the decision about the row is made once, where the row is, and
the flag is shown there. A booked match also links its bank line and ledger entry, so a
duplicate flagged on both sides of the same two payments is one item, not two.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from baton.tools.finance.matching.params import CHEQUE_TYPES
from baton.tools.finance.models import BankLine, LedgerEntry, ReconResult
from baton.tools.finance.normalize import (
    card_purchase,
    collected_by_payee,
    describe,
    fold,
    name_similarity,
)

INFO_KINDS = frozenset({"new_vendor", "model_booked"})
"""Exception kinds shown as information on their rows, never as items to decide."""

ROW_FLAGS = frozenset(
    {"unusual_amount", "round_amount", "weekend_spend", "holiday_spend", "just_under_threshold"}
)
"""Anomaly kinds about one row's own amount or date: information when the row is settled
or already in an item (see the module docstring), a question only on a row nobody else
asks about (a claim with no other finding)."""

GROUPABLE = frozenset(
    {
        "unmatched_bank",
        "unmatched_ledger",
        "amount_mismatch",
        "ambiguous_match",
        "unusual_amount",
        "weekend_or_holiday",
        "round_amount",
        "claim_paid_from_bank",
        "duplicate",
        "split_purchase",
    }
)
"""Kinds whose items of one counterparty are decided together."""

_SEVERITY = {"low": 0, "medium": 1, "high": 2}
_SLUG = re.compile(r"[^a-z0-9]+")


FEE_DIFFERENCES = "bank fees netted or charged apart"
"""Group of booked matches whose amounts differ by a fee: one decision posts them all."""


def difference_group(bank_units: int, ledger_units: int) -> str:
    """The group of a booked amount difference: fees together, transpositions per vendor.

    A fee the bank netted or charged apart is the same bookkeeping whoever the
    counterparty (post it to bank charges), so all of a month's fee differences are one
    decision. Two swapped digits are a typing error in one ledger entry, corrected the
    same way whoever the counterparty: all of them are a second group. Amounts are in
    the smallest currency unit.
    """
    a, b = str(abs(bank_units)), str(abs(ledger_units))
    swapped = (
        (bank_units < 0) == (ledger_units < 0)
        and len(a) == len(b)
        and sorted(a) == sorted(b)
        and sum(x != y for x, y in zip(a, b, strict=True)) == 2
        and any(a[i] == b[i + 1] and a[i + 1] == b[i] != a[i] for i in range(len(a) - 1))
    )
    return TRANSPOSITIONS if swapped else FEE_DIFFERENCES


BANK_CHARGES = "bank charges and interest not in the books"
_CHARGE_WORDS = frozenset(
    {"FEE", "FEES", "CHARGE", "CHARGES", "INTEREST", "FRAIS", "INTERET", "INTERETS"}
)
"""Words of a bank's charge or interest line, in English and French (read folded)."""


def is_bank_charge(text: str) -> bool:
    """Whether a bank line is the bank's own charge or interest (booked from the statement).

    Bank reconciliation convention: service charges, wire and returned-item fees and
    interest are not in the books until the statement arrives, and are posted together
    in one journal to bank charges (or interest), whoever the bank names on the line.
    """
    feat = describe(text)
    return feat.bank_originated or (
        not feat.cheque_no and bool(_CHARGE_WORDS & set(re.findall(r"[A-Z]+", fold(text))))
    )


OPENING_RECEIPTS = "receipts clearing at the start of the statement, booked last period"
OPENING_PAYMENTS = "payments clearing at the start of the statement, booked last period"
CLOSING_PAYMENTS = "payments in the statement's last days, not yet in the books"
CARD_AND_PAD_DEBITS = "card purchases, pre-authorised debits and cash withdrawals not in the books"
_CASH_WITHDRAWAL = re.compile(
    r"\b(?:(?:ATM|ABM|CASH\s+MACHINE)\s+(?:CASH\s+)?WITHDRAWAL|RETRAIT\s+(?:AU\s+)?(?:GAB?|GUICHET))\b"
)
"""Cash taken from a machine with the business's card: ATM (US, UK), ABM (Canada), GA or
GAB (guichet automatique (bancaire), Quebec: Desjardins prints "Retrait au GA"). The
matcher counts it a move to the business's own petty cash; here it is card money out."""


def is_card_or_pad_debit(line: BankLine) -> bool:
    """Whether a bank line is money taken by card or under a standing authority.

    Bank reconciliation convention: what the bank paid out on the business's card or
    under a pre-authorised debit (a subscription, a fuel stop), and cash drawn from a
    machine with the card (a petty-cash top-up), that the books have not recorded is
    entered from the statement, like a bank charge: one journal of the statement's
    lines, each to its supplier's usual account (or petty cash). So they are one decision.
    A cheque or a transfer is never one of them: those the business sends itself.
    """
    feat = describe(line.description)
    text = fold(line.description)
    if line.amount >= 0 or feat.cheque_no:
        return False
    if _CASH_WITHDRAWAL.search(text):
        return True
    return not feat.own_transfer and (
        collected_by_payee(line.description) or card_purchase(line.description)
    )


RETURNED_ON_STATEMENT = "items the bank paid and took back (each pair cancels on the statement)"
CLOSING_RECEIPTS = "receipts in the statement's last days, not yet in the books"


def unmatched_bank_group(
    line: BankLine,
    period_start: date | None,
    period_end: date | None = None,
    returned: Collection[str] = (),
) -> str | None:
    """The group of an unmatched bank line: bank charges, items returned on the
    statement, card and pre-authorised debits (:func:`is_card_or_pad_debit`), or
    receipts at either edge of the period.

    The month's bank charges and interest are one item (see :func:`is_bank_charge`).
    A direct debit the bank returned unpaid, and its return, cancel on the statement
    (``returned``, see :func:`returned_on_statement`): whoever the creditor, nothing is
    booked for either, so all such pairs are one decision. Bank reconciliation
    convention: last period's deposits in transit clear in the first days of the next
    statement and are ticked off together against last month's list of reconciling
    items; a credit in the statement's first business days with no entry in these books
    is one of them until shown otherwise. Symmetrically, money received in the last days
    of the statement is usually recorded in the books when the next period is opened:
    those receipts are listed together, to be booked. Last period's payments in transit
    (a bill payment or card payment booked in its last days, see
    :data:`PAYMENTS_IN_TRANSIT`) post in this statement's first business days, the same
    window in which this period's own will post in the next: they are ticked off
    together against last month's list; in the last business days, what the bank paid
    out (a processor's or creditor's debit) is booked when the next period opens, like
    the receipts. A cheque may clear any day, so it is in neither group.
    """
    if is_bank_charge(line.description):
        return BANK_CHARGES
    if line.id in returned:
        return RETURNED_ON_STATEMENT
    if is_card_or_pad_debit(line):
        return CARD_AND_PAD_DEBITS
    if line.amount < 0 and not describe(line.description).cheque_no:
        if (
            period_start is not None
            and int(np.busday_count(period_start, line.date)) < _CLOSING_BUSINESS_DAYS
        ):
            return OPENING_PAYMENTS
        if (
            period_end is not None
            and int(np.busday_count(line.date, period_end)) < _CLOSING_BUSINESS_DAYS
        ):
            return CLOSING_PAYMENTS
    if line.amount > 0 and period_start is not None:
        if int(np.busday_count(period_start, line.date)) <= _OPENING_BUSINESS_DAYS:
            return OPENING_RECEIPTS
        if (
            period_end is not None
            and int(np.busday_count(line.date, period_end)) < _CLOSING_BUSINESS_DAYS
        ):
            return CLOSING_RECEIPTS
    return None


_SAME_NAME = 0.8
"""Name similarity from which two bank lines name the same counterparty (the matcher's
``strong_name``)."""


def returned_on_statement(lines: Sequence[BankLine], days: int = 10) -> set[str]:
    """Ids of bank lines that cancel another line of the statement: a payment and its
    return (``DD BT GROUP PLC`` and ``DD BT GROUP PLC RETURNED``).

    The return says so (returned, unpaid, reversal...), carries the opposite amount, names
    the same counterparty and follows the payment within ``days``. Each line pairs once,
    with the nearest earlier candidate. Linear: lines are bucketed by amount.
    """
    by_amount: dict[Decimal, list[BankLine]] = defaultdict(list)
    for line in lines:
        by_amount[line.amount].append(line)
    paired: set[str] = set()
    for line in sorted(lines, key=lambda b: (b.date, b.id)):
        feat = describe(line.description)
        if not feat.reversal or line.id in paired:
            continue
        for original in sorted(by_amount.get(-line.amount, []), key=lambda b: b.date, reverse=True):
            if original.id in paired or not 0 <= (line.date - original.date).days <= days:
                continue
            before = describe(original.description)
            if before.reversal or (name_similarity(feat, before) or 0.0) < _SAME_NAME:
                continue
            paired.update((line.id, original.id))
            break
    return paired


TRANSPOSITIONS = "ledger amounts with two digits swapped"
"""Booked matches whose ledger amount is the bank's with two digits swapped: each is a
typing error fixed the same way (correct the entry to the bank's amount), so one
decision covers them whoever the counterparty."""


OUTSTANDING_CHEQUES = "cheques written, not yet presented"
DEPOSITS_IN_TRANSIT = "receipts booked at the period end, not yet on the statement"
PAYMENTS_IN_TRANSIT = "payments booked at the period end, not yet on the statement"
_CLOSING_BUSINESS_DAYS = 2
"""Business days before the period's end in which a card payment or transfer booked in
the books may not have posted yet (cards post a working day or two later), and in which
money received may not have been booked yet."""
_OPENING_BUSINESS_DAYS = 3
"""Business days after the statement's first line in which last period's deposits in
transit clear (a deposit posts within a few business days of being made)."""
PRIOR_PERIOD = "entries dated before this statement, not on it"
UNDOCUMENTED_PAYMENTS = (
    "payments booked with no bill, cheque or reference number, not on this statement"
    " (paid from another account?)"
)
_IN_TRANSIT_BUSINESS_DAYS = 5
"""Business days before the period's end in which a booked receipt may not have
reached the bank yet: cheques received are deposited on the business's deposit days,
up to a working week after they were booked (the batch-deposit convention)."""


def open_item_group(
    entry: LedgerEntry, period_end: date | None, period_start: date | None = None
) -> str | None:
    """The group of an unmatched ledger entry that is an ordinary reconciling item.

    Bank reconciliation convention: cheques the business wrote that the payee has not
    presented yet, and receipts booked in the last days of the period that the bank
    posts in the next, are listed on every reconciliation and carried forward. They
    are decided together (one item each), whoever the counterparty; any other unmatched
    entry stays with its counterparty, except a payment booked before the statement
    begins (an earlier period's item, carried forward), a payroll entry (net pay, source
    deductions, the processor's charge), grouped by pay date: a pay run is one journal,
    or a purchase booked with no document (:data:`UNDOCUMENTED_PAYMENTS`).
    A cheque is recognised by its entry type, a cheque number in the memo, or an
    all-digit ``ref`` on money out.
    """
    if entry.amount < 0:
        kind = fold(entry.entry_type).strip().lower()
        ref = entry.ref.strip()
        if kind in CHEQUE_TYPES or describe(entry.description).cheque_no or ref.isdigit():
            return OUTSTANDING_CHEQUES
        if period_end is not None and (
            entry.date >= period_end
            or int(np.busday_count(entry.date, period_end)) < _CLOSING_BUSINESS_DAYS
        ):
            return PAYMENTS_IN_TRANSIT
        # Booked before the statement begins and not on it: a reconciling item of an
        # earlier period, carried forward (or cleared on an earlier statement).
        if period_start is not None and entry.date < period_start:
            return PRIOR_PERIOD
        # One pay run: its net pays and source deductions are one journal, funded by
        # the processor's debits; whether it reached the bank is one question.
        feat = describe(entry.description)
        if feat.payroll:
            return f"payroll of {entry.date.isoformat()}, not on the statement"
        # A payment the books record with no document at all (no bill, invoice or
        # cheque number, no reference: "Postage, Canadian Tire") is a purchase paid at
        # a till or online. Not on this statement, it was paid by a company card or
        # from petty cash and coded to the bank account: one question for all of them
        # (which account paid?), answered by moving each to that account.
        if not (ref.strip("-") or feat.numbers or feat.own_transfer or feat.loan):
            return UNDOCUMENTED_PAYMENTS
        return None
    if period_end is not None and (
        entry.date >= period_end
        or int(np.busday_count(entry.date, period_end)) <= _IN_TRANSIT_BUSINESS_DAYS
    ):
        return DEPOSITS_IN_TRANSIT
    return None


def settled_rows(recon: ReconResult | None) -> dict[str, str]:
    """Rows the reconciliation settled, each mapped to the key of what settled it.

    A bank line and the ledger entries booked to it with agreeing amounts (one to one or
    as a batch) share the bank line's id; two ledger entries that cancel share one key.
    Amount differences are not settled: they are items of their own.
    """
    if recon is None:
        return {}
    keys: dict[str, str] = {}
    for m in recon.matches:
        if m.kind != "amount_mismatch":
            keys[m.bank_id] = keys[m.gl_id] = m.bank_id
    for pair in recon.offsetting:
        keys[pair.gl_id_a] = keys[pair.gl_id_b] = pair.gl_id_a
    return keys


def _charges_only(row: Mapping[str, Any]) -> bool:
    """A flag whose rows are all bank charges (on the statement, or the books' entries
    of them): banks charge one identical fee per wire or returned item, so equal charges
    are the norm, not a duplicate payment; every unbooked one is already in the
    bank-charges item or an unmatched entry, where this flag is shown."""
    rows = row.get("evidence", []) or []
    return bool(rows) and all(
        is_bank_charge(text := str(ev.get("text", "")))
        and (
            ev.get("source") == "bank"
            or (ev.get("source") == "ledger" and _books_bank_charge(text))
        )
        for ev in rows
    )


def _books_bank_charge(text: str) -> bool:
    """A ledger text that books a charge of the bank ("Bank service charges", "Frais
    bancaires"), not any fee (a consultant's, a lawyer's)."""
    return re.search(r"\bBANK|\bBANCAIRE", fold(text)) is not None


def _counterparty(row: Mapping[str, Any]) -> str:
    """The counterparty of an item: the name its first evidence row, the row the item is
    about, gives. The rows after it are candidates or context: a ``BRANCH DEPOSIT`` that
    names nobody is about nobody, not about the first receipt proposed for it, so it is
    grouped with the other rows naming no counterparty."""
    for ev in (row.get("evidence", []) or [])[:1]:
        return describe(_LEADING_DATE.sub("", str(ev.get("text", "")))).name
    return ""


_LEADING_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s+")
"""An evidence row's text starts with its date, which is not part of the description
(and would hide a bank's bracketed type code, ``[DS]``, that opens it)."""


def _components(rows: Sequence[Mapping[str, Any]], alias: Mapping[str, str]) -> list[list[int]]:
    """Indices of rows connected through a shared row id, in packet order.

    ``alias`` names rows that are one record for this purpose (a booked pair).
    """
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, row in enumerate(rows):
        for ref in row.get("refs", []) or []:
            ref = alias.get(ref, ref)
            if ref in owner:
                a, b = find(owner[ref]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[ref] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _union(values: Iterable[Iterable[Any]]) -> list[Any]:
    return list(dict.fromkeys(v for vs in values for v in vs))


def _merge(
    item_id: str, kind: str, members: Sequence[Mapping[str, Any]], detail: str, action: str
) -> dict[str, Any]:
    amounts = {str(m.get("amount")) for m in members if m.get("amount") not in (None, "")}
    evidence: dict[tuple[str, str], Mapping[str, str]] = {}
    for m in members:
        for ev in m.get("evidence", []) or []:
            evidence.setdefault((str(ev.get("source")), str(ev.get("id"))), ev)
    return {
        "id": item_id,
        "kind": kind,
        "severity": max((m["severity"] for m in members), key=lambda s: _SEVERITY.get(s, 0)),
        "amount": members[0].get("amount") if len(amounts) == 1 else None,
        "detail": detail,
        "refs": _union(m.get("refs", []) or [] for m in members),
        "evidence": [dict(ev) for ev in evidence.values()],
        "suggested_action": action,
        "source": members[0].get("source", ""),
        "members": [
            {"id": m["id"], "kind": m["kind"], "detail": str(m.get("detail", ""))[:300]}
            for m in members
        ],
        "info": _union(m.get("info", []) or [] for m in members),
    }


def group_exceptions(
    rows: Sequence[Mapping[str, Any]], recon: ReconResult | None = None
) -> list[dict[str, Any]]:
    """The packet's items: related exceptions merged, alike ones grouped, info attached.

    Every exception that is not information belongs to exactly one item; an item with
    one member keeps that exception's id and shape, so ids already in use stay valid.
    ``recon`` (the engine's result the exceptions came from) says which rows are settled.
    """
    settled = settled_rows(recon)
    asked = {
        ref
        for r in rows
        if r["kind"] not in INFO_KINDS and r["kind"] not in ROW_FLAGS
        for ref in r.get("refs", []) or []
    }
    info_rows: list[Mapping[str, Any]] = []
    kept: list[Mapping[str, Any]] = []
    for r in rows:
        refs = r.get("refs", []) or []
        flag = r["kind"] in ROW_FLAGS or (r["kind"] == "duplicate" and _charges_only(r))
        if r["kind"] in INFO_KINDS or (
            flag and refs and all(x in settled or x in asked for x in refs)
        ):
            info_rows.append(r)
        else:
            kept.append(r)
    rows = kept
    info_by_ref: dict[str, list[str]] = defaultdict(list)
    for r in info_rows:
        text = str(r.get("detail", ""))
        if r["kind"] in ROW_FLAGS:
            text = f"{r['kind']}: {text}"
        for ref in r.get("refs", []) or []:
            info_by_ref[ref].append(text)
    items: list[dict[str, Any]] = []
    for component in _components(rows, settled):
        members = [rows[i] for i in component]
        if len(members) == 1:
            item = dict(members[0])
            item["members"] = [{"id": item["id"], "kind": item["kind"]}]
        else:
            kinds = list(dict.fromkeys(m["kind"] for m in members))
            detail = f"{len(members)} related exceptions about the same rows: " + "; ".join(
                f"{m['kind']} ({m['id']})" for m in members
            )
            item = _merge(
                f"REL-{members[0]['id']}",
                kinds[0] if len(kinds) == 1 else "related",
                members,
                detail,
                "decide the members together: accept or reject applies to each; or decide"
                " a member by its own id (match_to needs the member's id)",
            )
        item["info"] = _union(
            [item.get("info", []) or [], *(info_by_ref.get(ref, []) for ref in item["refs"])]
        )
        items.append(item)
    return _group_alike(items)


def _group_alike(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per groupable kind and counterparty when several share them."""
    keyed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if item["kind"] in GROUPABLE and len(item["members"]) == 1:
            keyed[(item["kind"], str(item.get("group") or _counterparty(item)))].append(i)
    grouped: dict[int, dict[str, Any]] = {}
    absorbed: set[int] = set()
    for (kind, name), idx in keyed.items():
        if len(idx) < 2:
            continue
        members = [items[i] for i in idx]
        slug = _SLUG.sub("-", name.lower()).strip("-") or "no-name"
        who = name or "rows naming no counterparty"
        grouped[idx[0]] = _merge(
            f"GRP-{kind}-{slug}",
            kind,
            members,
            f"{len(members)} {kind} items for {who}",
            str(members[0].get("suggested_action", ""))
            + " (a decision naming this group applies to every member)",
        )
        absorbed.update(idx)
    return [
        grouped.get(i, item) for i, item in enumerate(items) if i in grouped or i not in absorbed
    ]


def expand_decisions(
    items: Sequence[Mapping[str, Any]], decisions: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Decisions naming a group or merged item, as one decision per member exception.

    ``accept``, ``reject`` and ``note`` apply to every member. ``match_to`` names rows
    of one exception, so on an item it applies only when exactly one member can take
    it; otherwise the reviewer must name that member's own id. Returns the expanded
    decisions and the problems found (one line each, naming the item).
    """
    by_id = {str(item["id"]): item for item in items}
    expanded: list[dict[str, Any]] = []
    problems: list[str] = []
    for decision in decisions:
        item = by_id.get(str(decision["id"]))
        if item is None or len(item.get("members", [])) <= 1:
            expanded.append(dict(decision))
            continue
        members = item["members"]
        if decision["action"] == "match_to":
            matchable = [
                m
                for m in members
                if m["kind"] in ("unmatched_bank", "unmatched_ledger", "ambiguous_match")
            ]
            if len(matchable) != 1:
                problems.append(
                    f"{decision['id']}: match_to names rows of one exception; use a member's id"
                    f" ({', '.join(m['id'] for m in members)})"
                )
                continue
            expanded.append({**decision, "id": matchable[0]["id"]})
            continue
        expanded.extend({**decision, "id": m["id"]} for m in members)
    return expanded, problems
