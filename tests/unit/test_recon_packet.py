"""The review packet as items: related exceptions merged, alike ones grouped, info on rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from baton.graphs.expense_reconciliation.review import DecisionsEdit
from baton.tools.finance.decisions import apply_decisions
from baton.tools.finance.models import BankLine, ReconResult
from baton.tools.finance.packet import expand_decisions, group_exceptions


def row(id_: str, kind: str, refs: list[str], texts: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "kind": kind,
        "severity": extra.pop("severity", "medium"),
        "amount": extra.pop("amount", "-10.00"),
        "detail": f"{kind} {' '.join(refs)}",
        "refs": refs,
        "evidence": [
            {"source": "bank" if r.startswith("B") else "ledger", "id": r, "text": t}
            for r, t in zip(refs, texts, strict=True)
        ],
        "suggested_action": "accept or reject",
        **extra,
    }


def test_related_exceptions_about_the_same_rows_are_one_item() -> None:
    # One duplicated payment: two duplicate flags, an unmatched line, an ambiguous match.
    rows = [
        row("ANOM-dup-1", "duplicate", ["B1", "B2"], ["NB-3312 ACME", "NB-3312 ACME"]),
        row("ANOM-dup-2", "duplicate", ["G1", "G2"], ["Acme NB-3312", "Acme NB-3312"]),
        row("EXC-bank-B2", "unmatched_bank", ["B2"], ["NB-3312 ACME"]),
        row("EXC-cand-B1", "ambiguous_match", ["B1", "G1", "G2"], ["x", "y", "z"]),
        row("EXC-bank-B9", "unmatched_bank", ["B9"], ["ZEPHYR LABS"]),
    ]
    items = group_exceptions(rows)
    assert len(items) == 2
    merged = items[0]
    assert merged["kind"] == "related"
    assert [m["id"] for m in merged["members"]] == [r["id"] for r in rows[:4]]
    assert {e["id"] for e in merged["evidence"]} == {"B1", "B2", "G1", "G2"}
    assert merged["severity"] == "medium"
    assert items[1]["id"] == "EXC-bank-B9"  # a lone exception keeps its id


def test_new_vendor_is_information_on_its_row_not_an_item() -> None:
    rows = [
        row("EXC-gl-G7", "unmatched_ledger", ["G7"], ["Kestrel Tools - drill"]),
        row("ANOM-new-G7", "new_vendor", ["G7"], ["Kestrel Tools - drill"]),
        row("ANOM-new-G8", "new_vendor", ["G8"], ["Linden Paper"]),
    ]
    items = group_exceptions(rows)
    assert [i["id"] for i in items] == ["EXC-gl-G7"]
    assert items[0]["info"] == ["new_vendor G7"]


def test_alike_items_group_per_kind_and_counterparty_and_a_decision_names_the_group() -> None:
    rows = [
        row(f"EXC-bank-B{n}", "unmatched_bank", [f"B{n}"], ["MONTHLY SERVICE FEE"])
        for n in range(1, 4)
    ] + [row("EXC-bank-B7", "unmatched_bank", ["B7"], ["ACH DEBIT ORCHARD CATERING"])]
    items = group_exceptions(rows)
    assert len(items) == 2
    group = next(i for i in items if len(i["members"]) == 3)
    assert group["id"].startswith("GRP-unmatched_bank-")
    expanded, problems = expand_decisions(items, [{"id": group["id"], "action": "accept"}])
    assert problems == []
    assert [d["id"] for d in expanded] == ["EXC-bank-B1", "EXC-bank-B2", "EXC-bank-B3"]
    recon = ReconResult(
        matches=[],
        offsetting=[],
        unmatched_bank=["B1", "B2", "B3", "B7"],
        unmatched_gl=[],
        candidates=[],
    )
    amounts = {b: Decimal("-10.00") for b in ("B1", "B2", "B3", "B7")}
    _, outcomes = apply_decisions(
        recon, rows, [{"id": group["id"], "action": "accept"}], amounts, {}, "ana"
    )
    assert set(outcomes) == {"EXC-bank-B1", "EXC-bank-B2", "EXC-bank-B3"}


def test_match_to_on_a_group_must_name_one_exception() -> None:
    rows = [
        row(f"EXC-bank-B{n}", "unmatched_bank", [f"B{n}"], ["MONTHLY SERVICE FEE"])
        for n in range(1, 3)
    ]
    items = group_exceptions(rows)
    _, problems = expand_decisions(
        items, [{"id": items[0]["id"], "action": "match_to", "gl_ids": ["G1"]}]
    )
    assert len(problems) == 1 and "member's id" in problems[0]


def test_decisions_file_takes_a_whole_hard_month() -> None:
    edit = DecisionsEdit.model_validate(
        {"decisions": [{"id": f"EXC-bank-B{n}", "action": "accept"} for n in range(12_000)]}
    )
    assert len(edit.decisions) == 12_000


def test_inbox_rows_are_the_packets_items_and_new_vendors_are_information() -> None:
    from baton.graphs.expense_reconciliation.inbox import expense_rows, info_rows

    rows = [
        row(f"EXC-bank-B{n}", "unmatched_bank", [f"B{n}"], ["MONTHLY SERVICE FEE"])
        for n in range(1, 3)
    ] + [
        row("EXC-gl-G9", "unmatched_ledger", ["G9"], ["Orchard Catering"]),
        row("ANOM-new_vendor-1", "new_vendor", ["B5"], ["NEW PLACE LTD"]),
    ]
    items = group_exceptions(rows)
    packet = {"exceptions": rows, "items": items}
    shown = expense_rows(packet)
    assert [r["id"] for r in shown] == [i["id"] for i in items]
    assert len(shown) == 2  # the two service fees are one group
    group = next(r for r in shown if len(r["members"]) == 2)
    # match_to names one exception's rows: a group of two bank lines cannot take it.
    assert group["match_field"] is None
    single = next(r for r in shown if r["id"] == "EXC-gl-G9")
    assert single["match_field"] == "bank_ids"
    assert [r["id"] for r in info_rows(packet)] == ["ANOM-new_vendor-1"]
    # A packet from before items existed is still shown, row per exception.
    assert len(expense_rows({"exceptions": rows})) == 4


def test_booked_fee_differences_are_one_decision_and_transpositions_another() -> None:
    from baton.tools.finance.packet import FEE_DIFFERENCES, TRANSPOSITIONS, difference_group

    assert difference_group(-123400, -124300) == TRANSPOSITIONS  # 1,234.00 booked as 1,243.00
    assert difference_group(95040, 98000) == FEE_DIFFERENCES  # 29.60 netted
    assert difference_group(-23090, -18590) == FEE_DIFFERENCES  # a 45.00 wire fee
    rows = [
        row("EXC-diff-B1", "amount_mismatch", ["B1", "G1"], ["STRIPE TRANSFER", "Stripe"]),
        row("EXC-diff-B2", "amount_mismatch", ["B2", "G2"], ["WIRE OUT SALTMARSH", "Saltmarsh"]),
        row("EXC-diff-B3", "amount_mismatch", ["B3", "G3"], ["ACH KINGSLEY SIGNS", "Kingsley"]),
    ]
    for r in rows[:2]:
        r["group"] = FEE_DIFFERENCES
    items = group_exceptions(rows)
    assert len(items) == 2
    fees = next(i for i in items if len(i["members"]) == 2)
    assert fees["id"] == "GRP-amount_mismatch-bank-fees-netted-or-charged-apart"
    assert FEE_DIFFERENCES in fees["detail"]


def test_outstanding_cheques_and_deposits_in_transit_are_one_item_each() -> None:
    from datetime import date

    from baton.tools.finance.models import LedgerEntry
    from baton.tools.finance.packet import (
        DEPOSITS_IN_TRANSIT,
        OUTSTANDING_CHEQUES,
        PAYMENTS_IN_TRANSIT,
        open_item_group,
    )

    def entry(day: int, text: str, amount: str, ref: str = "", kind: str = "") -> LedgerEntry:
        return LedgerEntry(
            id="G",
            date=date(2026, 10, day),
            description=text,
            amount=Decimal(amount),
            ref=ref,
            entry_type=kind,
        )

    end = date(2026, 10, 31)
    assert open_item_group(entry(20, "Leeds Window Cleaning", "-95.00", "", "Check"), end) == (
        OUTSTANDING_CHEQUES
    )
    assert open_item_group(entry(20, "Valley Dental chk 6301", "-10.00"), end) == (
        OUTSTANDING_CHEQUES
    )
    assert open_item_group(entry(22, "Quarry Signs", "-190.00", "6282", "Bill payment"), end)
    assert open_item_group(entry(30, "SumUp takings 30 Oct", "893.50", "SU-1030"), end) == (
        DEPOSITS_IN_TRANSIT
    )
    # Booked Mon 26 Oct, five business days before Sat 31 Oct: still in transit; a
    # receipt of Fri 23 Oct (six) should have reached the bank by then.
    assert open_item_group(entry(26, "Cheque from Orchard", "410.00", "R-1"), end) == (
        DEPOSITS_IN_TRANSIT
    )
    assert open_item_group(entry(23, "Cheque from Orchard", "410.00", "R-2"), end) is None
    # A receipt weeks before the end is not an ordinary open item.
    assert open_item_group(entry(10, "SumUp takings 10 Oct", "893.50", "SU-1010"), end) is None
    # A card payment booked on the last working days posts at the bank a day or two
    # later: in transit, like the receipts. Ten days before the end it is not.
    assert open_item_group(entry(31, "Tesco - milk", "-25.76", "CARD-1031-TES"), end) == (
        PAYMENTS_IN_TRANSIT
    )
    assert open_item_group(entry(30, "Tesco - milk", "-25.76", "CARD-1030-TES"), end) == (
        PAYMENTS_IN_TRANSIT
    )
    assert open_item_group(entry(21, "Tesco - milk", "-25.76", "CARD-1021-TES"), end) is None


def test_payments_booked_with_no_document_are_one_item() -> None:
    """Purchases coded to the bank with no bill, cheque or reference number and not on
    the statement were paid by card or cash: one question, whoever the merchant."""
    from datetime import date

    from baton.tools.finance.models import LedgerEntry
    from baton.tools.finance.packet import UNDOCUMENTED_PAYMENTS, open_item_group

    def entry(text: str, ref: str = "") -> LedgerEntry:
        return LedgerEntry(
            id="G", date=date(2026, 10, 12), description=text, amount=Decimal("-95.84"), ref=ref
        )

    end, start = date(2026, 10, 31), date(2026, 10, 1)
    for text in ("Postage, Canadian Tire", "Canada Post - Fuel", "Cleaning Costco Wholesale"):
        assert open_item_group(entry(text), end, start) == UNDOCUMENTED_PAYMENTS, text
    # A bill, an invoice or a reference is a document: the payment stays with its payee.
    assert open_item_group(entry("Bill F-9204, Home Hardware"), end, start) is None
    assert open_item_group(entry("Home Hardware", "F-9204"), end, start) is None
    # Moving money between our own accounts or repaying a loan is no purchase.
    assert open_item_group(entry("Transfer to Savings"), end, start) is None


def settled_recon(*pairs: tuple[str, str]) -> ReconResult:
    from baton.tools.finance.models import Match

    return ReconResult(
        matches=[
            Match(bank_id=b, gl_id=g, kind="one_to_one", confidence=1.0, reason="same amount")
            for b, g in pairs
        ],
        offsetting=[],
        unmatched_bank=[],
        unmatched_gl=[],
        candidates=[],
    )


def test_a_row_flag_on_a_settled_row_is_information_and_a_lone_claim_flag_is_asked() -> None:
    rows = [
        # 1: the ledger entry is booked to an agreeing bank line: nothing to decide.
        row("ANOM-unusual-1", "unusual_amount", ["G1"], ["Kestrel Tools 9,400.00"]),
        # 2: the entry is unmatched: one item (the unmatched row) carries the flag.
        row("EXC-gl-G2", "unmatched_ledger", ["G2"], ["Linden Paper"]),
        row("ANOM-unusual-2", "unusual_amount", ["G2"], ["Linden Paper"]),
        # 3: a claim nobody else asks about: the flag is the question.
        row("ANOM-unusual-3", "unusual_amount", ["C-1"], ["Owen Dakota Grill 400.00"]),
    ]
    items = group_exceptions(rows, settled_recon(("B1", "G1")))
    assert [i["id"] for i in items] == ["EXC-gl-G2", "ANOM-unusual-3"]
    assert items[0]["info"] == ["unusual_amount: unusual_amount G2"]
    # Without the reconciliation nothing is settled: the first flag is asked as before.
    assert "ANOM-unusual-1" in {i["id"] for i in group_exceptions(rows)}
    # Every exception is still decidable by its own id, and the item decides its members.
    recon = settled_recon(("B1", "G1")).model_copy(update={"unmatched_gl": ["G2"]})
    _, outcomes = apply_decisions(
        recon, rows, [{"id": "ANOM-unusual-1", "action": "accept"}], {}, {"G2": Decimal(1)}, "a"
    )
    assert set(outcomes) == {"ANOM-unusual-1"}


def test_a_duplicate_flagged_on_both_sides_of_booked_pairs_is_one_item() -> None:
    rows = [
        row("ANOM-dup-bank", "duplicate", ["B1", "B2"], ["ACH ORCHARD", "ACH ORCHARD"]),
        row("ANOM-dup-gl", "duplicate", ["G1", "G2"], ["Orchard", "Orchard"]),
    ]
    items = group_exceptions(rows, settled_recon(("B1", "G1"), ("B2", "G2")))
    assert len(items) == 1 and {m["id"] for m in items[0]["members"]} == {
        "ANOM-dup-bank",
        "ANOM-dup-gl",
    }
    assert items[0]["id"] == "REL-ANOM-dup-bank"  # merged through the booked pairs
    assert group_exceptions(rows)[0]["id"].startswith("GRP-")  # otherwise only by name


def test_last_periods_receipts_and_earlier_entries_are_one_item_each() -> None:
    from baton.tools.finance.models import LedgerEntry
    from baton.tools.finance.packet import (
        CLOSING_PAYMENTS,
        OPENING_PAYMENTS,
        OPENING_RECEIPTS,
        PRIOR_PERIOD,
        open_item_group,
        unmatched_bank_group,
    )

    start, end = date(2026, 10, 1), date(2026, 10, 30)  # Thursday 1 October

    def credit(day: int, amount: str = "410.00") -> BankLine:
        return BankLine(
            id="B",
            date=date(2026, 10, day),
            description="ACH CREDIT ORCHARD",
            amount=Decimal(amount),
        )

    # Thu 1 to Tue 6 October is three business days: last period's deposits clearing.
    assert unmatched_bank_group(credit(6), start) == OPENING_RECEIPTS
    assert unmatched_bank_group(credit(7), start) is None
    # Money out in the first business day is last period's payment in transit; later
    # it is a question of its own, and a cheque may clear any day.
    assert unmatched_bank_group(credit(2, "-410.00"), start) == OPENING_PAYMENTS
    assert unmatched_bank_group(credit(5, "-410.00"), start) is None
    cheque = credit(2, "-410.00").model_copy(update={"description": "CHEQUE 1753"})
    assert unmatched_bank_group(cheque, start) is None
    # Symmetrically, a debit in the statement's last business day is booked next period.
    assert unmatched_bank_group(credit(30, "-410.00"), start, end) == CLOSING_PAYMENTS
    assert unmatched_bank_group(credit(28, "-410.00"), start, end) is None
    last_cheque = cheque.model_copy(update={"date": date(2026, 10, 30)})
    assert unmatched_bank_group(last_cheque, start, end) is None
    payment = LedgerEntry(
        id="G",
        date=date(2026, 9, 25),
        description="Payment to Willow Dental",
        amount=Decimal("-120.00"),
        ref="B-4471",
    )
    assert open_item_group(payment, end, start) == PRIOR_PERIOD
    assert open_item_group(payment.model_copy(update={"date": start}), end, start) is None
    # A pay run's net pays and source deductions are one item per pay date.
    pay_run = [
        payment.model_copy(update={"date": start, "description": text})
        for text in (
            "Marie-Ève Lévesque - Net pay",
            "Daniel Kowalski - Net pay",
            "ADP Canada - Source deductions 2026-10-01 EI",
        )
    ]
    groups = {open_item_group(e, end, start) for e in pay_run}
    assert len(groups) == 1 and None not in groups
    later = pay_run[0].model_copy(update={"date": date(2026, 10, 15)})
    assert open_item_group(later, end, start) not in groups


def test_bank_charges_are_one_item_and_equal_charges_are_no_duplicate() -> None:
    from baton.tools.finance.packet import BANK_CHARGES, is_bank_charge, unmatched_bank_group

    assert is_bank_charge("WIRE TRANS SVC CHARGE") and is_bank_charge("INTEREST PAYMENT")
    # French, accented: overdraft interest (Intérêts découvert) is the bank's too.
    assert is_bank_charge("INTÉRÊTS DÉCOUVERT") and is_bank_charge("Intérêts sur découvert")
    assert not is_bank_charge("CHECK 1050") and not is_bank_charge("ACH DEBIT ORCHARD CATERING")
    texts = ["INCOMING WIRE FEE", "INCOMING WIRE FEE", "MONTHLY SERVICE FEE", "RETURNED ITEM FEE"]
    rows = [
        row(
            f"EXC-bank-B{n}",
            "unmatched_bank",
            [f"B{n}"],
            [t],
            group=unmatched_bank_group(
                BankLine(id=f"B{n}", date=date(2026, 10, 20), description=t, amount=Decimal("-15")),
                date(2026, 10, 1),
            ),
        )
        for n, t in enumerate(texts, 1)
    ] + [
        row("ANOM-dup-fee", "duplicate", ["B1", "B2"], texts[:2]),
        row("EXC-bank-B9", "unmatched_bank", ["B9"], ["ACH DEBIT ORCHARD"], group=None),
    ]
    items = group_exceptions(rows)
    assert len(items) == 2
    charges = next(i for i in items if len(i["members"]) == 4)
    assert BANK_CHARGES in charges["detail"]
    assert any("duplicate" in text for text in charges["info"])
    # A duplicate of two supplier payments is still a question.
    supplier = [
        row("EXC-bank-B1", "unmatched_bank", ["B1"], ["ACH ORCHARD"]),
        row("ANOM-dup", "duplicate", ["B1", "B2"], ["ACH ORCHARD", "ACH ORCHARD"]),
    ]
    assert {m["id"] for m in group_exceptions(supplier)[0]["members"]} == {
        "EXC-bank-B1",
        "ANOM-dup",
    }
    # The books' entries of equal bank charges are no duplicate either; equal fees of
    # a consultant or a lawyer still are.
    booked_charges = [
        {
            **row("ANOM-dup-gl", "duplicate", ["G1", "G2"], ["x", "y"]),
            "evidence": [
                {"source": "ledger", "id": g, "text": f"2023-02-0{d} Bank service charges -25.00"}
                for g, d in (("G1", 3), ("G2", 6))
            ],
        },
    ]
    assert group_exceptions(booked_charges) == []
    lawyer = [
        {
            **row("ANOM-dup-gl", "duplicate", ["G1", "G2"], ["x", "y"]),
            "evidence": [
                {"source": "ledger", "id": g, "text": f"2023-02-0{d} Legal fees Smith LLP -250.00"}
                for g, d in (("G1", 3), ("G2", 6))
            ],
        },
    ]
    assert [i["id"] for i in group_exceptions(lawyer)] == ["ANOM-dup-gl"]


def test_returned_debits_and_receipts_at_the_period_edges_are_one_item_each() -> None:
    from datetime import date

    from baton.tools.finance.models import BankLine
    from baton.tools.finance.packet import (
        CARD_AND_PAD_DEBITS,
        CLOSING_RECEIPTS,
        OPENING_RECEIPTS,
        RETURNED_ON_STATEMENT,
        returned_on_statement,
        unmatched_bank_group,
    )

    def line(id_: str, day: int, text: str, amount: str) -> BankLine:
        return BankLine(id=id_, date=date(2025, 10, day), description=text, amount=Decimal(amount))

    lines = [
        line("B1", 9, "DD BIFFA WASTE", "-180.00"),
        line("B2", 10, "DD BIFFA WASTE RETURNED", "180.00"),
        line("B3", 10, "DD BT GROUP PLC", "-405.13"),
        line("B4", 13, "DD BT GROUP PLC RETURNED", "405.13"),
        # Same amount, another creditor: not the return of B5.
        line("B5", 14, "DD OCTOPUS ENERGY", "-126.67"),
        line("B6", 16, "DD LOMBARD NORTH RETURNED", "126.67"),
        # A return before its payment is no return of it.
        line("B7", 15, "DD SKY DIGITAL RETURNED", "50.00"),
        line("B8", 17, "DD SKY DIGITAL", "-50.00"),
    ]
    returned = returned_on_statement(lines)
    assert returned == {"B1", "B2", "B3", "B4"}
    start, end = date(2025, 10, 1), date(2025, 10, 30)
    assert unmatched_bank_group(lines[0], start, end, returned) == RETURNED_ON_STATEMENT
    # Not returned: an unrecorded direct debit, in the card and pre-authorised group.
    assert unmatched_bank_group(lines[4], start, end, returned) == CARD_AND_PAD_DEBITS
    # Money received in the statement's first days was booked last period; in its last
    # days, it will be booked next period. In between it is a question of its own.
    first = line("R1", 2, "FPI ROSSI INTERIORS 5434", "328.01")
    last = line("R2", 30, "FPI ROSSI INTERIORS 5434", "328.01")
    middle = line("R3", 20, "FPI ROSSI INTERIORS 5434", "328.01")
    assert unmatched_bank_group(first, start, end) == OPENING_RECEIPTS
    assert unmatched_bank_group(last, start, end) == CLOSING_RECEIPTS
    assert unmatched_bank_group(middle, start, end) is None


def test_a_deposit_that_names_nobody_is_grouped_by_its_own_name_not_its_candidates() -> None:
    # Two branch deposits, each with other customers' receipts proposed: the item is
    # about the deposit, which names nobody, so both sit in the no-name group. A named
    # line keeps its own counterparty even when its candidate is called something else.
    rows = [
        row(
            "EXC-cand-B1",
            "ambiguous_match",
            ["B1", "G1", "G2"],
            ["BRANCH TRANSACTION DEPOSIT", "Inv 7036 Polar Bear Cleaning", "Inv 7040 Grace Lee"],
        ),
        row(
            "EXC-cand-B2",
            "ambiguous_match",
            ["B2", "G3"],
            ["INSTANT TELLER DEPOSIT 4842", "Inv 7377 Aiden McKenzie"],
        ),
        row(
            "EXC-cand-B3",
            "ambiguous_match",
            ["B3", "G4"],
            ["INTERNET BILL PAY 214555 AMEX BANK OF CANADA", "Card payment American Express"],
        ),
        row(
            "EXC-cand-B4",
            "ambiguous_match",
            ["B4", "G5"],
            ["E-TRANSFER 8838 GRACE LEE", "Inv 7041 Grace Lee"],
        ),
    ]
    items = group_exceptions(rows)
    assert [i["id"] for i in items] == [
        "GRP-ambiguous_match-no-name",
        "EXC-cand-B3",
        "EXC-cand-B4",
    ]
    assert [m["id"] for m in items[0]["members"]] == ["EXC-cand-B1", "EXC-cand-B2"]
    # Evidence text opens with the row's date; a bank's bracketed type code after it
    # ("[DS]" deposit, "[CK]" cheque) is no name either.
    dated = [
        row(
            "EXC-cand-B5",
            "ambiguous_match",
            ["B5", "G6"],
            ["2023-10-10 [DS]DEPOSIT 2210.15", "2023-10-09 Inv 88 Grace Lee 2210.15"],
        ),
        row(
            "EXC-cand-B6",
            "ambiguous_match",
            ["B6", "G7"],
            ["2023-10-11 [CK]CHEQUE 1183 -410.00", "2023-10-02 Bill 7 Bunzl -410.00"],
        ),
    ]
    assert [i["id"] for i in group_exceptions(dated)] == ["GRP-ambiguous_match-no-name"]


def test_card_purchases_and_pre_authorised_debits_not_in_the_books_are_one_item() -> None:
    from baton.tools.finance.packet import CARD_AND_PAD_DEBITS, unmatched_bank_group

    def line(text: str, amount: str = "-26.72") -> BankLine:
        return BankLine(id="B", date=date(2023, 6, 14), description=text, amount=Decimal(amount))

    start, end = date(2023, 6, 1), date(2023, 6, 30)
    for text in (
        "PREAUTHORIZED DEBIT ZOOMUS",
        "POINT OF SALE - INTERAC RETAIL PURCHASE 702453869864 LOWE'S #6315",
        "DD BRITISH GAS",
        "CARD PAYMENT TO TESCO STORES 2231",
        "ADT CANADA PAD",
        "[DN]ADOBE SYSTEMS PRE-AUTH",
        "ADOBE SYSTEMS MSP",
        "IDP PURCHASE - 4970 CANADA POST 874",
        "Misc Payment MSFT*MICROSOFT 365",
        "ATM withdrawal - 0141",
        "[CW]ABM WITHDRAWAL 9850",
        "Retrait au GA",
        "Paiement préautorisé /MSFT*MICROSOFT 365",
    ):
        assert unmatched_bank_group(line(text), start, end) == CARD_AND_PAD_DEBITS, text
    # Money the business sends itself, or money in, is a question of its own.
    for text, amount in (
        ("CHEQUE 1753", "-500.00"),
        ("INTERNET BILL PAY 524962 CINTAS CANADA", "-1409.98"),
        ("E-TRANSFER 459278473821 NOAH SINGH", "-750.00"),
        ("INTERNET TRANSFER 553569059532 TO ****504", "-7500.00"),
        ("WURTH CANADA BPY", "-619.11"),
        ("POS REFUND LOWE'S", "16.14"),
    ):
        assert unmatched_bank_group(line(text, amount), start, end) is None, text
