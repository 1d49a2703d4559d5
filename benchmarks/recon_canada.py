"""Canadian small-business bank statements and books, with ground truth ("canada").

Written apart from the matching engine and the other generators, from how Canadian
business accounts export (RBC, TD, BMO, Scotiabank, CIBC, Desjardins, National Bank) and
how QuickBooks Online Canada (English or French), Sage 50 Canada (English or French),
Xero and Wave books read. Each seed picks one bank's description style and one
bookkeeping package's wording, entry types and reference habits, so no single string
pattern dominates; Desjardins and National Bank print French (``Virement Interac``,
``DÉPÔT``, ``PAIEMENT FACTURE``, ``FRAIS DE SERVICE``) and their seeds often keep French
books too.

What a busy Canadian month holds and this generator draws, each row labelled with its
case: Interac e-Transfers in and out (names truncated, numbered companies, per-transfer
fees), customer EFTs paying several invoices, deposit slips batching a week's cheques,
mobile cheque deposits, card settlements (Moneris, Clover, Monetico gross with monthly
fees; Square, Stripe, Helcim, Shopify net of fees; booked gross, net, or gross plus a
fee line), pre-authorized debits to utilities, telecoms, insurers and workers'
compensation boards, bill payments, payroll processors (Ceridian, ADP, Wagepoint,
Payworks, Nethris) debiting net pay before pay day, CRA and Revenu Québec remittances,
cheques with numbers in ``ref`` whatever the entry type, voided and reissued cheques,
loans split into principal and interest, own-account and USD transfers, service charges
and interest booked or not yet, and the hard cases: transpositions, a wrong payment
returned and re-sent, duplicates reversed by a journal, the same amount to the same
payee twice in a week, NSF returns and round amounts shared by several payees.

Timing follows Canadian clearing: bank items carry business days only (no weekends, no
national or provincial statutory holidays), e-Transfers land the same day, PADs on the
due date, card settlements one or two business days after the sales, cheques days to
weeks after issue. Rows outside the period are dropped, which leaves the usual
reconciling items: prior-period items clearing early, outstanding cheques and deposits
in transit at the end.

Every true link is one a careful reader could make from the data: an event is drawn
again when it would put two linked rows with the same date, amount and shown name (or
two numbered companies) side by side, since no one could tell which pairs with which.
"""

from __future__ import annotations

import math
import random
import string
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from baton.tools.finance.models import MatchKind
from benchmarks.recon_truth import DraftBook, SynthDataset, assemble, swap_spots, swapped

TUNING_SEEDS = (1, 2, 3, 4, 5)
HELD_OUT_SEEDS = (6, 7, 8, 9, 10)
FRESH_SEEDS = (31, 32, 33, 34, 35)
CASES: tuple[str, ...] = (
    "etransfer_in",
    "etransfer_in_two_invoices",
    "etransfer_out",
    "etransfer_fee",
    "eft_receipt",
    "deposit_slip",
    "cheque_deposit",
    "deposit_in_transit",
    "card_settlement_exact",
    "card_weekend_batch",
    "card_settlement_net",
    "card_settlement_split",
    "card_books_net",
    "merchant_fee",
    "debit_purchase",
    "pad",
    "bill_payment",
    "payroll",
    "payroll_remittance",
    "sales_tax",
    "cheque_paid",
    "outstanding_cheque",
    "void_reissue",
    "card_payment",
    "loan_payment",
    "transfer",
    "usd_transfer",
    "bank_charge",
    "interest",
    "transposed",
    "wrong_payment_reversed",
    "duplicate_reversed",
    "same_payee_twice",
    "nsf_return",
    "round_amount_shared",
    "prior_period",
    "unrecorded",
    "not_at_bank",
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
_CHQ = "\x00CHQ\x00"
"""Placeholder for a cheque number, filled once every cheque's issue date is known."""


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _BankStyle:
    key: str
    french: bool
    upper: bool
    accents: bool
    width: int
    id_fmt: str
    etr_fee: Decimal
    cheque: str
    card: str
    card_books: str
    lender: str
    t: Mapping[str, tuple[str, ...]]


_RBC = _BankStyle(
    "rbc",
    french=False,
    upper=True,
    accents=False,
    width=22,
    id_fmt="RBC-{:05d}",
    etr_fee=Decimal("1.50"),
    cheque="Cheque - {num}",
    card="RBC VISA BUSINESS",
    card_books="RBC Visa Business",
    lender="RBC Royal Bank",
    t={
        "etr_in": ("e-Transfer - Autodeposit {name}", "e-Transfer received {name} {code}"),
        "etr_out": ("e-Transfer sent {name} {code}",),
        "etr_fee": ("INTERAC e-Transfer fee",),
        "etr_cancel": ("e-Transfer cancelled {name} {code}",),
        "eft_in": ("Deposit {name}", "Direct deposit {name}"),
        "pad": ("Business PAD {name}", "Misc Payment {name}"),
        "billpay": ("Online Banking payment - {n4} {name}",),
        "dep_branch": ("Deposit", "Branch deposit - {n} items"),
        "dep_atm": ("ATM deposit - {n4}",),
        "dep_mobile": ("Mobile cheque deposit - {n4}",),
        "merch_in": ("Merchant deposit {name}", "Deposit {name}"),
        "merch_fee": ("Business PAD {name} FEES",),
        "payroll": ("Misc Payment {name} PAYROLL", "Business PAD {name}"),
        "payroll_tax": ("Misc Payment {name} TAX",),
        "payroll_fee": ("Misc Payment {name} FEE",),
        "gov": ("Online Banking payment - {n4} {name}", "Federal payment {name}"),
        "svc_fee": ("Monthly fee",),
        "item_fee": ("Electronic transaction fee", "Cash handling fee", "Deposit item fee"),
        "int_in": ("Interest",),
        "int_od": ("Overdraft interest",),
        "card_pay": ("Online Banking payment - {n4} {name}",),
        "loan": ("Loan payment {acct}", "Business PAD {name}"),
        "tfr_to": ("Online Banking transfer - {n4} TFR-TO {acct}",),
        "tfr_from": ("Online Banking transfer - {n4} TFR-FR {acct}",),
        "usd_in": ("Online Banking foreign exchange - {n4} TFR-FR USD {acct}",),
        "usd_out": ("Online Banking foreign exchange - {n4} TFR-TO USD {acct}",),
        "nsf_return": ("Item returned NSF", "Returned cheque - NSF"),
        "nsf_fee": ("NSF item fee", "Returned item fee"),
        "debit": ("Interac purchase - {n4} {name}",),
        "pay_return": ("Payment returned {name}", "Bill payment reversal {name}"),
        "misc_credit": ("Federal payment {name}", "Deposit {name}"),
        "atm_wd": ("ATM withdrawal - {n4}",),
    },
)
_TD = _BankStyle(
    "td",
    french=False,
    upper=True,
    accents=False,
    width=18,
    id_fmt="TD{:06d}",
    etr_fee=Decimal("1.50"),
    cheque="CHQ#{num:05d}-{ten}",
    card="TD VISA",
    card_books="TD Business Visa",
    lender="TD Canada Trust",
    t={
        "etr_in": ("E-TRANSFER ***{c3} {name}", "E-TFR AUTODEP {name}"),
        "etr_out": ("SEND E-TFR ***{c3} {name}",),
        "etr_fee": ("SEND E-TFR FEE",),
        "etr_cancel": ("E-TFR CANCEL ***{c3} {name}",),
        "eft_in": ("{name} MSP", "EFT CREDIT {name}"),
        "pad": ("{name} PAD", "{name} MSP"),
        "billpay": ("{name} BPY",),
        "dep_branch": ("DEPOSIT", "BR DEPOSIT {n} ITEMS"),
        "dep_atm": ("GC {n4}-DEPOSIT",),
        "dep_mobile": ("TD MOBILE DEPOSIT",),
        "merch_in": ("{name} MSP/DIV", "{name} DEP"),
        "merch_fee": ("{name} FEE PAD",),
        "payroll": ("{name} PAY", "{name} PAYROLL"),
        "payroll_tax": ("{name} TAX",),
        "payroll_fee": ("{name} FEE",),
        "gov": ("{name} BPY",),
        "svc_fee": ("MONTHLY ACCOUNT FEE", "ACCT FEE"),
        "item_fee": ("CASH DEP FEE", "DEP ITEM FEE", "PAPER STMT FEE"),
        "int_in": ("INTEREST CREDIT",),
        "int_od": ("OVERDRAFT INTEREST",),
        "card_pay": ("{name} BPY",),
        "loan": ("LOAN PAYMENT {acct}", "{name} LOAN PMT"),
        "tfr_to": ("TFR-TO {acct}",),
        "tfr_from": ("TFR-FR {acct}",),
        "usd_in": ("FX TFR-FR US$ {acct}",),
        "usd_out": ("FX TFR-TO US$ {acct}",),
        "nsf_return": ("NSF ITEM RETURNED", "RTN CHQ NSF"),
        "nsf_fee": ("NSF SERVICE CHARGE", "RTN ITEM FEE"),
        "debit": ("IDP PURCHASE - {n4} {name}",),
        "pay_return": ("RETURNED PAYMENT {name}",),
        "misc_credit": ("{name} MSP",),
        "atm_wd": ("GC {n4}-WITHDRAW",),
    },
)
_BMO = _BankStyle(
    "bmo",
    french=False,
    upper=True,
    accents=False,
    width=24,
    id_fmt="BMO{:05d}",
    etr_fee=Decimal("1.50"),
    cheque="[CK]CHQ {num:06d}",
    card="BMO MASTERCARD",
    card_books="BMO Mastercard",
    lender="BMO Bank of Montreal",
    t={
        "etr_in": ("[DN]INTERAC E-TRF RECEIVED {name}", "[DN]E-TRANSFER AUTODEPOSIT {name}"),
        "etr_out": ("[SO]INTERAC E-TRF SENT {name}",),
        "etr_fee": ("[SC]INTERAC E-TRF FEE",),
        "etr_cancel": ("[DN]INTERAC E-TRF CANCELLED {name}",),
        "eft_in": ("[DN]{name} DIRECT DEP", "[DN]{name}"),
        "pad": ("[DN]{name} PRE-AUTH", "[DN]{name} PAD"),
        "billpay": ("[BP]BILL PAYMENT {name}",),
        "dep_branch": ("[DS]DEPOSIT", "[DS]BRANCH DEPOSIT"),
        "dep_atm": ("[DS]ABM DEPOSIT {n4}",),
        "dep_mobile": ("[DS]MOBILE CHEQUE DEPOSIT",),
        "merch_in": ("[DN]{name} MERCH DEP",),
        "merch_fee": ("[DN]{name} MERCH FEE",),
        "payroll": ("[DN]{name} PAYROLL",),
        "payroll_tax": ("[DN]{name} TAX REMIT",),
        "payroll_fee": ("[DN]{name} SVC FEE",),
        "gov": ("[BP]BILL PAYMENT {name}", "[DN]{name}"),
        "svc_fee": ("[SC]PLAN FEE", "[SC]SERVICE CHARGE"),
        "item_fee": ("[SC]ITEM FEE", "[SC]CASH HANDLING FEE"),
        "int_in": ("[IN]INTEREST",),
        "int_od": ("[IN]OVERDRAFT INTEREST",),
        "card_pay": ("[BP]BILL PAYMENT {name}",),
        "loan": ("[LN]LOAN PAYMENT {acct}", "[DN]{name} LOAN"),
        "tfr_to": ("[TF]TRANSFER TO {acct}",),
        "tfr_from": ("[TF]TRANSFER FROM {acct}",),
        "usd_in": ("[TF]FX TRANSFER FROM USD {acct}",),
        "usd_out": ("[TF]FX TRANSFER TO USD {acct}",),
        "nsf_return": ("[RT]RETURNED ITEM NSF",),
        "nsf_fee": ("[SC]NSF FEE", "[SC]RETURNED ITEM FEE"),
        "debit": ("[PR]{name}", "[PR]INTERAC {name}"),
        "pay_return": ("[RT]RETURNED PAYMENT {name}",),
        "misc_credit": ("[DN]{name}",),
        "atm_wd": ("[CW]ABM WITHDRAWAL {n4}",),
    },
)
_SCOTIA = _BankStyle(
    "scotiabank",
    french=False,
    upper=True,
    accents=False,
    width=25,
    id_fmt="BNS-{:06d}",
    etr_fee=Decimal("1.50"),
    cheque="CHQ {num:06d}",
    card="SCOTIA VISA",
    card_books="Scotia Visa",
    lender="Scotiabank",
    t={
        "etr_in": ("INTERAC E-TRANSFER AUTODEPOSIT {name}", "E-TRANSFER RECEIVED {name}"),
        "etr_out": ("E-TRANSFER SENT {name}", "MB-E-TRANSFER {name}"),
        "etr_fee": ("E-TRANSFER FEE",),
        "etr_cancel": ("E-TRANSFER CANCELLED {name}",),
        "eft_in": ("DIRECT DEPOSIT {name}", "MISC PAYMENT {name}"),
        "pad": ("MISC PAYMENT {name}", "BUSINESS PAD {name}", "PREAUTHORIZED DEBIT {name}"),
        "billpay": ("MB-BILL PAYMENT {name}", "BILL PAYMENT {name}"),
        "dep_branch": ("DEPOSIT", "BRANCH DEPOSIT {n} ITEMS"),
        "dep_atm": ("ABM DEPOSIT",),
        "dep_mobile": ("MOBILE DEPOSIT",),
        "merch_in": ("MERCHANT DEPOSIT CREDIT {name}",),
        "merch_fee": ("MERCHANT FEE {name}",),
        "payroll": ("PAYROLL {name}", "MISC PAYMENT {name}"),
        "payroll_tax": ("MISC PAYMENT {name} TAX",),
        "payroll_fee": ("MISC PAYMENT {name} FEE",),
        "gov": ("MB-BILL PAYMENT {name}",),
        "svc_fee": ("SERVICE CHARGE", "MONTHLY FEE"),
        "item_fee": ("OVERDRAWN HANDLING CHGS", "DEPOSIT ITEM FEE", "CASH DEPOSIT FEE"),
        "int_in": ("INTEREST",),
        "int_od": ("OVERDRAFT INTEREST",),
        "card_pay": ("MB-CREDIT CARD/LOC PAY. {name}",),
        "loan": ("LOAN PAYMENT {acct}", "BUSINESS PAD {name}"),
        "tfr_to": ("MB-TRANSFER TO {acct}",),
        "tfr_from": ("MB-TRANSFER FROM {acct}",),
        "usd_in": ("MB-FX TRANSFER FROM US$ {acct}",),
        "usd_out": ("MB-FX TRANSFER TO US$ {acct}",),
        "nsf_return": ("RETURNED NSF CHEQUE",),
        "nsf_fee": ("NSF SERVICE CHARGE", "RETURNED ITEM CHARGE"),
        "debit": ("POS PURCHASE {name}", "INTERAC PURCHASE {name}"),
        "pay_return": ("PAYMENT RETURNED {name}",),
        "misc_credit": ("MISC PAYMENT {name}",),
        "atm_wd": ("ABM WITHDRAWAL",),
    },
)
_CIBC = _BankStyle(
    "cibc",
    french=False,
    upper=True,
    accents=False,
    width=20,
    id_fmt="CIBC{:06d}",
    etr_fee=Decimal("1.00"),
    cheque="CHEQUE {num}",
    card="CIBC VISA",
    card_books="CIBC Visa",
    lender="CIBC",
    t={
        "etr_in": ("E-TRANSFER {id12} {name}", "INTERAC E-TRANSFER AUTODEPOSIT {id12} {name}"),
        "etr_out": ("E-TRANSFER {id12} {name}",),
        "etr_fee": ("E-TRANSFER FEE", "SERVICE CHARGE E-TRANSFER"),
        "etr_cancel": ("E-TRANSFER CANCEL {id12} {name}",),
        "eft_in": (
            "ELECTRONIC FUNDS TRANSFER DEPOSIT {name}",
            "ELECTRONIC FUNDS TRANSFER PAY {name}",
        ),
        "pad": ("PREAUTHORIZED DEBIT {name}",),
        "billpay": ("INTERNET BILL PAY {id6} {name}",),
        "dep_branch": ("BRANCH TRANSACTION DEPOSIT",),
        "dep_atm": ("INSTANT TELLER DEPOSIT {n4}",),
        "dep_mobile": ("MOBILE CHEQUE DEPOSIT",),
        "merch_in": ("ELECTRONIC FUNDS TRANSFER DEPOSIT {name}",),
        "merch_fee": ("PREAUTHORIZED DEBIT {name} FEES",),
        "payroll": ("PREAUTHORIZED DEBIT {name} PAYROLL",),
        "payroll_tax": ("PREAUTHORIZED DEBIT {name} TAX",),
        "payroll_fee": ("PREAUTHORIZED DEBIT {name} FEE",),
        "gov": ("INTERNET BILL PAY {id6} {name}",),
        "svc_fee": ("SERVICE CHARGE", "ACCOUNT FEE"),
        "item_fee": ("BRANCH TRANSACTION FEE", "NETWORK TRANSACTION FEE", "DEPOSIT ITEM FEE"),
        "int_in": ("INTEREST",),
        "int_od": ("OVERDRAFT INTEREST",),
        "card_pay": ("INTERNET BILL PAY {id6} {name}",),
        "loan": ("LOAN PAYMENT {acct}", "PREAUTHORIZED DEBIT {name}"),
        "tfr_to": ("INTERNET TRANSFER {id12} TO {acct}",),
        "tfr_from": ("INTERNET TRANSFER {id12} FROM {acct}",),
        "usd_in": ("INTERNET TRANSFER FX {id12} FROM USD {acct}",),
        "usd_out": ("INTERNET TRANSFER FX {id12} TO USD {acct}",),
        "nsf_return": ("RETURNED ITEM NSF",),
        "nsf_fee": ("NSF CHARGE", "RETURNED ITEM CHARGE"),
        "debit": ("POINT OF SALE - INTERAC RETAIL PURCHASE {id12} {name}",),
        "pay_return": ("RETURNED PAYMENT {name}",),
        "misc_credit": ("ELECTRONIC FUNDS TRANSFER DEPOSIT {name}",),
        "atm_wd": ("INSTANT TELLER WITHDRAWAL {n4}",),
    },
)
_DESJARDINS = _BankStyle(
    "desjardins",
    french=True,
    upper=False,
    accents=True,
    width=26,
    id_fmt="DJ{:06d}",
    etr_fee=Decimal("1.00"),
    cheque="Chèque no {num}",
    card="VISA DESJARDINS",
    card_books="Visa Desjardins",
    lender="Caisse Desjardins",
    t={
        "etr_in": ("Virement Interac de {name}", "Virement Interac reçu - {name}"),
        "etr_out": ("Virement Interac à {name}", "Virement Interac envoyé - {name}"),
        "etr_fee": ("Frais Virement Interac",),
        "etr_cancel": ("Virement Interac annulé - {name}",),
        "eft_in": ("Dépôt direct {name}",),
        "pad": ("Débit préautorisé {name}", "Paiement préautorisé /{name}"),
        "billpay": ("Paiement facture - AccèsD Internet /{name}",),
        "dep_branch": ("Dépôt au comptoir", "Dépôt {n} effets"),
        "dep_atm": ("Dépôt au GA",),
        "dep_mobile": ("Dépôt mobile de chèque",),
        "merch_in": ("Dépôt direct {name}",),
        "merch_fee": ("Débit préautorisé {name} frais",),
        "payroll": ("Débit préautorisé {name} paie",),
        "payroll_tax": ("Débit préautorisé {name} DAS",),
        "payroll_fee": ("Débit préautorisé {name} frais",),
        "gov": ("Paiement facture - AccèsD Internet /{name}",),
        "svc_fee": ("Frais de service", "Frais mensuels fixes"),
        "item_fee": ("Frais d'effets déposés", "Frais de manutention d'espèces"),
        "int_in": ("Intérêts",),
        "int_od": ("Intérêts sur découvert",),
        "card_pay": ("Paiement facture - AccèsD Internet /{name}",),
        "loan": ("Remboursement prêt {acct}", "Débit préautorisé {name}"),
        "tfr_to": ("Virement à {acct}",),
        "tfr_from": ("Virement de {acct}",),
        "usd_in": ("Virement de compte USD {acct}",),
        "usd_out": ("Virement à compte USD {acct}",),
        "nsf_return": ("Effet retourné - provision insuffisante",),
        "nsf_fee": ("Frais effet sans provision", "Frais effet retourné"),
        "debit": ("Achat Interac {name}", "Paiement direct {name}"),
        "pay_return": ("Retour de paiement {name}",),
        "misc_credit": ("Dépôt direct {name}",),
        "atm_wd": ("Retrait au GA",),
    },
)
_NATIONAL = _BankStyle(
    "national",
    french=True,
    upper=True,
    accents=True,
    width=20,
    id_fmt="BNC{:06d}",
    etr_fee=Decimal("1.50"),
    cheque="CHÈQUE {num:06d}",
    card="MASTERCARD BNC",
    card_books="Mastercard BNC",
    lender="Banque Nationale",
    t={
        "etr_in": ("VIREMENT INTERAC REÇU {name}", "DÉPÔT VIREMENT INTERAC {name}"),
        "etr_out": ("VIREMENT INTERAC ENVOYÉ {name}",),
        "etr_fee": ("FRAIS VIREMENT INTERAC",),
        "etr_cancel": ("VIREMENT INTERAC ANNULÉ {name}",),
        "eft_in": ("DÉPÔT DIRECT {name}",),
        "pad": ("DÉBIT PRÉAUTORISÉ {name}", "PRÉLÈVEMENT {name}"),
        "billpay": ("PAIEMENT FACTURE {name}",),
        "dep_branch": ("DÉPÔT SUCCURSALE", "DÉPÔT {n} CHÈQUES"),
        "dep_atm": ("DÉPÔT GUICHET",),
        "dep_mobile": ("DÉPÔT MOBILE",),
        "merch_in": ("DÉPÔT MARCHAND {name}",),
        "merch_fee": ("FRAIS MARCHAND {name}",),
        "payroll": ("PAIE {name}",),
        "payroll_tax": ("DAS {name}",),
        "payroll_fee": ("FRAIS {name}",),
        "gov": ("PAIEMENT FACTURE {name}",),
        "svc_fee": ("FRAIS DE SERVICE", "FRAIS MENSUELS"),
        "item_fee": ("FRAIS D'EFFETS", "FRAIS DÉPÔT ESPÈCES"),
        "int_in": ("INTÉRÊTS",),
        "int_od": ("INTÉRÊTS DÉCOUVERT",),
        "card_pay": ("PAIEMENT FACTURE {name}",),
        "loan": ("REMBOURSEMENT PRÊT {acct}",),
        "tfr_to": ("VIREMENT À {acct}",),
        "tfr_from": ("VIREMENT DE {acct}",),
        "usd_in": ("VIREMENT DEVISES USD {acct}",),
        "usd_out": ("VIREMENT DEVISES VERS USD {acct}",),
        "nsf_return": ("CHÈQUE RETOURNÉ SANS PROVISION",),
        "nsf_fee": ("FRAIS CHÈQUE SANS PROVISION", "FRAIS EFFET RETOURNÉ"),
        "debit": ("ACHAT INTERAC {name}", "PAIEMENT DIRECT {name}"),
        "pay_return": ("RETOUR PAIEMENT {name}",),
        "misc_credit": ("DÉPÔT DIRECT {name}",),
        "atm_wd": ("RETRAIT GUICHET",),
    },
)
_BANKS: dict[str, _BankStyle] = {
    b.key: b for b in (_RBC, _TD, _BMO, _SCOTIA, _CIBC, _DESJARDINS, _NATIONAL)
}
_BANK_ORDER = ("rbc", "td", "bmo", "scotiabank", "cibc", "desjardins", "national")


@dataclass(frozen=True)
class _Package:
    key: str
    lang: str
    types: Mapping[str, str]
    layout: str
    inv: str
    receipt_ref: str
    bill_ref: bool
    feed: float
    book_fees: float
    undeposited: float
    id_fmt: str


_QBO_EN = {
    "receipt": "Payment",
    "deposit": "Deposit",
    "sales": "Sales Receipt",
    "expense": "Expense",
    "bill": "Bill Payment",
    "cheque": "Cheque",
    "cheque_bill": "Bill Payment (Cheque)",
    "journal": "Journal Entry",
    "transfer": "Transfer",
    "payroll": "Paycheque",
    "card": "Credit Card Payment",
    "tax": "Sales Tax Payment",
}
_QBO_FR = {
    "receipt": "Paiement",
    "deposit": "Dépôt",
    "sales": "Reçu de vente",
    "expense": "Dépense",
    "bill": "Paiement de facture",
    "cheque": "Chèque",
    "cheque_bill": "Paiement de facture (chèque)",
    "journal": "Écriture de journal",
    "transfer": "Virement",
    "payroll": "Chèque de paie",
    "card": "Paiement de carte de crédit",
    "tax": "Paiement de taxes",
}
_SAGE_EN = {
    "receipt": "Receipts",
    "deposit": "Deposit Slip",
    "sales": "Sales",
    "expense": "Payments",
    "bill": "Payments",
    "cheque": "Payments",
    "cheque_bill": "Payments",
    "journal": "General Journal",
    "transfer": "Transfer Funds",
    "payroll": "Payroll",
    "card": "Credit Card Payments",
    "tax": "General Journal",
}
_SAGE_FR = {
    "receipt": "Encaissements",
    "deposit": "Bordereau de dépôt",
    "sales": "Ventes",
    "expense": "Paiements",
    "bill": "Paiements",
    "cheque": "Paiements",
    "cheque_bill": "Paiements",
    "journal": "Journal général",
    "transfer": "Transfert de fonds",
    "payroll": "Paie",
    "card": "Paiements carte de crédit",
    "tax": "Journal général",
}
_XERO = {
    "receipt": "Receivable Payment",
    "deposit": "Receive Money",
    "sales": "Receive Money",
    "expense": "Spend Money",
    "bill": "Payable Payment",
    "cheque": "Spend Money",
    "cheque_bill": "Payable Payment",
    "journal": "Manual Journal",
    "transfer": "Bank Transfer",
    "payroll": "Manual Journal",
    "card": "Bank Transfer",
    "tax": "Spend Money",
}
_WAVE = {
    "receipt": "Invoice Payment",
    "deposit": "Deposit",
    "sales": "Income",
    "expense": "Expense",
    "bill": "Bill Payment",
    "cheque": "Expense",
    "cheque_bill": "Bill Payment",
    "journal": "Journal Entry",
    "transfer": "Transfer",
    "payroll": "Payroll",
    "card": "Transfer",
    "tax": "Expense",
}
_PACKAGES: dict[str, _Package] = {
    p.key: p
    for p in (
        _Package(
            "quickbooks", "en", _QBO_EN, "qbo", "{}", "cheque", False, 0.15, 0.45, 0.3, "QB{:05d}"
        ),
        _Package(
            "quickbooks_fr", "fr", _QBO_FR, "qbo", "{}", "cheque", False, 0.1, 0.4, 0.3, "QB{:05d}"
        ),
        _Package(
            "sage50", "en", _SAGE_EN, "sage", "{}", "invoice", True, 0.0, 0.3, 0.15, "J{:06d}"
        ),
        _Package(
            "sage50_fr", "fr", _SAGE_FR, "sage", "{}", "invoice", True, 0.0, 0.3, 0.15, "J{:06d}"
        ),
        _Package(
            "xero", "en", _XERO, "xero", "INV-{:04d}", "invoice", True, 0.3, 0.6, 0.2, "XR-{:05d}"
        ),
        _Package("wave", "en", _WAVE, "wave", "{}", "none", False, 0.55, 0.7, 0.1, "W{:06d}"),
    )
}

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "inv": "Inv {}",
        "invs": "Invoices {}",
        "bill": "Bill {}",
        "net": "Net pay",
        "payrun": "Payroll {}",
        "das": "Source deductions {}",
        "das_rq": "Source deductions RQ {}",
        "cpp": "CPP",
        "ei": "EI",
        "itax": "Income tax",
        "gst": "GST/HST return {}",
        "qst": "QST return {}",
        "principal": "Loan principal",
        "interest": "Loan interest",
        "lease": "Lease payment",
        "lease_tax": "Sales tax on lease",
        "svc": "Bank service charges",
        "int_in": "Interest income",
        "int_od": "Overdraft interest",
        "tfr_to": "Transfer to {}",
        "tfr_from": "Transfer from {}",
        "sales": "Daily sales {}",
        "merch_fee": "Merchant fees",
        "net_of_fees": "net of fees",
        "proc_fee": "Payroll processing fee",
        "void": "VOID - cheque {}",
        "dup": "Reverse duplicate entry {}",
        "deposit": "Deposit",
        "nsf": "NSF cheque returned",
        "nsf_fee": "Returned item fee",
        "cc": "Card payment",
        "petty": "Petty cash",
        "usd_in": "From USD account {}",
        "usd_out": "To USD account {}",
        "fx": "US$ {} @ {}",
        "wrong_rev": "Returned payment - reversal",
        "cash_sales": "Cash sales",
        "retainer": "Deposit on order",
        "savings": "Savings",
        "loc": "Line of credit",
    },
    "fr": {
        "inv": "Fact. {}",
        "invs": "Factures {}",
        "bill": "Facture {}",
        "net": "Salaire net",
        "payrun": "Paie {}",
        "das": "Remise DAS {}",
        "das_rq": "Remise DAS RQ {}",
        "cpp": "RRQ",
        "ei": "AE",
        "itax": "Impôt",
        "gst": "Déclaration TPS/TVH {}",
        "qst": "Déclaration TVQ {}",
        "principal": "Capital du prêt",
        "interest": "Intérêts sur prêt",
        "lease": "Location",
        "lease_tax": "Taxes sur location",
        "svc": "Frais bancaires",
        "int_in": "Revenus d'intérêts",
        "int_od": "Intérêts sur découvert",
        "tfr_to": "Virement vers {}",
        "tfr_from": "Virement de {}",
        "sales": "Ventes du {}",
        "merch_fee": "Frais de traitement",
        "net_of_fees": "net des frais",
        "proc_fee": "Frais de service de paie",
        "void": "ANNULÉ - chèque {}",
        "dup": "Annulation écriture en double {}",
        "deposit": "Dépôt",
        "nsf": "Chèque retourné sans provision",
        "nsf_fee": "Frais effet retourné",
        "cc": "Paiement carte",
        "petty": "Petite caisse",
        "usd_in": "Du compte USD {}",
        "usd_out": "Vers le compte USD {}",
        "fx": "{} $ US @ {}",
        "wrong_rev": "Paiement retourné - contrepassation",
        "cash_sales": "Ventes au comptant",
        "retainer": "Acompte sur commande",
        "savings": "Épargne",
        "loc": "Marge de crédit",
    },
}
_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}
_CATEGORIES = {
    "en": ("Office supplies", "Fuel", "Meals", "Shop supplies", "Postage", "Repairs", "Cleaning"),
    "fr": (
        "Fournitures de bureau",
        "Carburant",
        "Repas",
        "Fournitures d'atelier",
        "Frais de poste",
        "Réparations",
        "Produits d'entretien",
    ),
}

# ------------------------------------------------------------------ names and parties

_BIZ_EN = (
    "Northern Pines Construction Ltd.",
    "Maple Leaf Dental Clinic",
    "O'Brien Renovations",
    "Harbourfront Property Management",
    "Rocky Mountain Outfitters",
    "Lakeshore Veterinary Hospital",
    "Prairie Sky Logistics",
    "Great Lakes Plumbing & Heating",
    "Kensington Market Grocers",
    "Okanagan Valley Winery",
    "Bluenose Marine Supply",
    "Red River Auto Body",
    "Trillium Family Medicine",
    "Cedar & Stone Landscaping",
    "Georgian Bay Cottage Rentals",
    "Yorkville Design Studio",
    "Westdale Pharmacy",
    "Hamilton Steel Fabricators",
    "Queen West Coffee Co.",
    "Fraser River Fisheries",
    "St. Lawrence Catering",
    "Muskoka Timber Frames",
    "Polar Bear Cleaning Services",
    "Beaver Creek Electrical",
    "Sunnyside Daycare Centre",
    "True North Fitness",
    "Garrison Creek Bakery",
    "Dundas Street Optometry",
    "Annapolis Orchards",
    "Chinook Roofing Inc.",
    "Lions Gate Printing",
    "Mackenzie & Ross LLP",
)
_BIZ_FR = (
    "Boulangerie Saint-Jérôme",
    "L'Érable Café",
    "Dépanneur Côté",
    "Gagnon & Fils Inc.",
    "Tremblay Électrique",
    "Pâtisserie Ève",
    "Les Entreprises Bélanger",
    "Clinique Dentaire Rivière-du-Loup",
    "Garage Lévesque",
    "Fromagerie L'Île-d'Orléans",
    "Quincaillerie Gauthier",
    "Érablière Au Sucre d'Or",
    "Traiteur Chez Hélène",
    "Plomberie Côté-Nord",
    "Imprimerie Laurentienne",
    "Résidence Les Jardins d'Émilie",
    "Cabane à Sucre L'Ancêtre",
    "Services Ménagers Bédard",
    "Atelier d'Ébénisterie Roy",
    "Centre Dentaire Beaubien",
    "Épicerie Fine Saint-Roch",
    "Toitures Québécoises Ltée",
)
_PEOPLE_EN = (
    "Sarah O'Connor",
    "Liam MacDonald",
    "Priya Sharma",
    "Wei Zhang",
    "Mohammed Ali",
    "Raj Patel",
    "Ngozi Okafor",
    "Kevin Nguyen",
    "Emily Wong",
    "Jessica Tremblay",
    "Daniel Kowalski",
    "Hannah Friesen",
    "Aiden McKenzie",
    "Olivia Chen",
    "Noah Singh",
    "Fatima Hassan",
    "Jacob Thompson",
    "Ava Martin",
    "Ethan Roy",
    "Grace Lee",
    "Connor O'Neill",
    "Amira Haddad",
    "Lucas Petrov",
    "Meera Iyer",
    "Tyler Blackwood",
    "Brianna Campbell",
)
_PEOPLE_FR = (
    "Marie-Ève Lévesque",
    "Jean-François Côté",
    "Chloé Bouchard",
    "Émilie Gagnon",
    "Mathieu Bélanger",
    "François Pelletier",
    "Geneviève Ouellet",
    "Stéphane Leblanc",
    "Josée Bergeron",
    "Sébastien Gauthier",
    "Hélène Fortin",
    "Benoît Lachance",
    "Anne-Marie Dubé",
    "Maxime Poirier",
    "Noémie Cloutier",
    "Jérôme D'Amours",
    "Véronique Thériault",
    "Rémi Paquette",
)
_SUPPLIERS = (
    "Sysco Canada",
    "Gordon Food Service",
    "Uline Canada",
    "Grand & Toy",
    "Wajax Industrial",
    "Home Hardware Building Centre",
    "Kent Building Supplies",
    "Richelieu Hardware",
    "Würth Canada",
    "Acklands-Grainger",
    "Bunzl Canada",
    "Cintas Canada",
    "Brookfield Properties",
    "Distribution Alimentaire Ménard",
    "Nettoyage Étoile",
    "Transport Bourassa",
    "Lumber King Supply",
    "Pacific Packaging Ltd.",
    "Atlantic Office Solutions",
    "Prairie Agri Parts",
    "Metro Linen Service",
    "Coastal Refrigeration",
)
_EFT_PAYERS = (
    ("*", "Loblaw Companies Ltd", "LOBLAW COS LTD"),
    ("*", "Sobeys Capital Inc", "SOBEYS CAPITAL"),
    ("*", "Canadian National Railway", "CN RAIL AP"),
    ("*", "Canadian Tire Corporation", "CDN TIRE CORP AP"),
    ("*", "Purolator Inc.", "PUROLATOR INC"),
    ("*", "Public Services and Procurement Canada", "PWGSC-TPSGC"),
    ("*", "Bell Canada", "BELL CANADA AP"),
    ("ON", "City of Ottawa", "CITY OF OTTAWA AP"),
    ("ON", "Ontario Health", "ONTARIO HEALTH"),
    ("ON", "Toronto District School Board", "TDSB ACCTS PAY"),
    ("QC", "Ville de Montréal", "VILLE DE MONTRÉAL"),
    ("QC", "Gouvernement du Québec", "GOUV. DU QUÉBEC"),
    ("QC", "Université Laval", "UNIVERSITÉ LAVAL"),
    ("QC", "Metro Richelieu Inc.", "METRO RICHELIEU"),
    ("QC", "Mouvement Desjardins", "MOUVEMENT DESJARDINS"),
    ("AB", "Alberta Health Services", "ALBERTA HEALTH SERV"),
    ("AB", "City of Calgary", "CITY OF CALGARY"),
    ("BC", "University of British Columbia", "UBC ACCTS PAYABLE"),
    ("BC", "City of Vancouver", "CITY OF VANCOUVER"),
    ("NS", "Nova Scotia Health", "NS HEALTH AUTH"),
    ("NS", "Halifax Regional Municipality", "HRM ACCTS PAYABLE"),
    ("MB", "Province of Manitoba", "PROV OF MANITOBA"),
    ("MB", "City of Winnipeg", "CITY OF WINNIPEG"),
)
_MERCHANTS = (
    ("Costco Wholesale", "COSTCO WHOLESALE W{s}"),
    ("Canadian Tire", "CANADIAN TIRE #{s}"),
    ("Home Depot", "HOME DEPOT #{s}"),
    ("Staples", "STAPLES STORE #{s}"),
    ("Tim Hortons", "TIM HORTONS #{s}"),
    ("Petro-Canada", "PETRO-CANADA {s}"),
    ("Esso", "ESSO CIRCLE K {s}"),
    ("Shell", "SHELL C{s}"),
    ("Loblaws", "LOBLAWS {s}"),
    ("Metro", "METRO {s}"),
    ("Sobeys", "SOBEYS #{s}"),
    ("Walmart", "WAL-MART #{s}"),
    ("Rona", "RONA {s}"),
    ("Bureau en Gros", "BUREAU EN GROS {s}"),
    ("Pharmaprix", "PHARMAPRIX #{s}"),
    ("Shoppers Drug Mart", "SHOPPERS DRUG MART #{s}"),
    ("Jean Coutu", "JEAN COUTU {s}"),
    ("Dollarama", "DOLLARAMA # {s}"),
    ("Canada Post", "CANADA POST {s}"),
    ("Purolator", "PUROLATOR {s}"),
    ("Princess Auto", "PRINCESS AUTO {s}"),
    ("Lowe's", "LOWE'S #{s}"),
)
_SAAS = (
    ("Google Workspace", "GOOGLE*WORKSPACE"),
    ("Microsoft 365", "MSFT*MICROSOFT 365"),
    ("Zoom", "ZOOM.US"),
    ("Adobe", "ADOBE SYSTEMS"),
    ("Shopify", "SHOPIFY* SUBSCRIPTION"),
    ("Intuit Canada", "INTUIT CANADA"),
)


@dataclass(frozen=True)
class _Province:
    tax: Decimal
    utilities: tuple[tuple[str, str], ...]
    telecom: tuple[tuple[str, str], ...]
    wcb: tuple[str, str]
    number_co: str


_PROVINCES: dict[str, _Province] = {
    "ON": _Province(
        Decimal("0.13"),
        (
            ("Enbridge Gas Inc.", "ENBRIDGE GAS"),
            ("Toronto Hydro", "TORONTO HYDRO"),
            ("Alectra Utilities", "ALECTRA UTILITIES"),
            ("Hydro One", "HYDRO ONE"),
        ),
        (("Bell Canada", "BELL CANADA"), ("Rogers", "ROGERS"), ("Cogeco", "COGECO")),
        ("WSIB", "WSIB"),
        "{} ONTARIO INC",
    ),
    "BC": _Province(
        Decimal("0.12"),
        (("BC Hydro", "BC HYDRO"), ("FortisBC", "FORTISBC GAS")),
        (("Telus", "TELUS"), ("Shaw Business", "SHAW CABLESYSTEMS"), ("Rogers", "ROGERS")),
        ("WorkSafeBC", "WORKSAFEBC"),
        "{} B.C. LTD",
    ),
    "AB": _Province(
        Decimal("0.05"),
        (("ENMAX", "ENMAX"), ("ATCO Gas", "ATCO GAS"), ("EPCOR", "EPCOR")),
        (("Telus", "TELUS"), ("Shaw Business", "SHAW CABLESYSTEMS")),
        ("WCB Alberta", "WCB-ALBERTA"),
        "{} ALBERTA LTD",
    ),
    "NS": _Province(
        Decimal("0.15"),
        (("Nova Scotia Power", "NS POWER"), ("Heritage Gas", "HERITAGE GAS")),
        (("Eastlink", "EASTLINK"), ("Bell Aliant", "BELL ALIANT")),
        ("WCB Nova Scotia", "WCB NOVA SCOTIA"),
        "{} NOVA SCOTIA LTD",
    ),
    "MB": _Province(
        Decimal("0.12"),
        (("Manitoba Hydro", "MANITOBA HYDRO"),),
        (("Bell MTS", "BELL MTS"), ("Rogers", "ROGERS")),
        ("WCB Manitoba", "WCB OF MANITOBA"),
        "{} MANITOBA LTD",
    ),
    "QC": _Province(
        Decimal("0.14975"),
        (("Hydro-Québec", "HYDRO-QUÉBEC"), ("Énergir", "ÉNERGIR")),
        (("Vidéotron", "VIDÉOTRON"), ("Bell Canada", "BELL CANADA"), ("Fizz", "FIZZ")),
        ("CNESST", "CNESST"),
        "{} QUÉBEC INC",
    ),
}
_INSURERS = (
    ("Intact Insurance", "INTACT INS"),
    ("Aviva Canada", "AVIVA CANADA"),
    ("The Co-operators", "CO-OPERATORS GEN INS"),
    ("Desjardins Assurances", "DESJARDINS ASSURANCES"),
    ("Sun Life Financial", "SUN LIFE GRP BEN"),
    ("Manulife", "MANULIFE GRP BEN"),
    ("Canada Life", "CANADA LIFE"),
    ("Beneva", "BENEVA"),
)
_LEASES = (
    ("RCAP Leasing", "RCAP LEASING"),
    ("Xerox Canada", "XEROX CANADA LTD"),
    ("Canon Canada", "CANON CANADA"),
    ("GFL Environmental", "GFL ENVIRONMENTAL"),
    ("ADT Security", "ADT CANADA"),
    ("Cintas Canada", "CINTAS CANADA"),
)
_PAYROLL_EN = (
    ("Ceridian", "CERIDIAN CANADA", 2),
    ("Dayforce", "DAYFORCE", 2),
    ("ADP Canada", "ADP CANADA", 2),
    ("Wagepoint", "WAGEPOINT", 3),
    ("Payworks", "PAYWORKS", 2),
    ("QuickBooks Payroll", "INTUIT PAYROLL", 1),
)
_PAYROLL_QC = (
    ("Nethris", "NETHRIS", 2),
    ("Employeur D", "EMPLOYEUR D", 2),
    ("Desjardins Paie", "DESJARDINS PAIE", 2),
    ("ADP Canada", "ADP CANADA", 2),
    ("Ceridian", "CERIDIAN CANADA", 2),
)
# (books name, bank name, gross?, fee rate, fee per transaction)
_PROC_GROSS = (
    ("Moneris", "MONERIS", True, Decimal("0.021"), ZERO),
    ("Clover", "GLOBAL PAYMENTS", True, Decimal("0.023"), ZERO),
    ("TD Merchant Solutions", "TD MERCHANT SVCS", True, Decimal("0.022"), ZERO),
    ("Chase Merchant Services", "CHASE PAYMENTECH", True, Decimal("0.022"), ZERO),
)
_PROC_NET = (
    ("Square", "SQUARE CANADA", False, Decimal("0.0265"), ZERO),
    ("Stripe", "STRIPE", False, Decimal("0.029"), Decimal("0.30")),
    ("Helcim", "HELCIM INC", False, Decimal("0.019"), Decimal("0.08")),
    ("Shopify Payments", "SHOPIFY PAYMENTS", False, Decimal("0.026"), Decimal("0.30")),
)
_PROC_QC = ("Monetico", "MONETICO", True, Decimal("0.02"), ZERO)


def style_of(seed: int) -> tuple[str, str]:
    """The (bank, bookkeeping package) a seed renders its month in."""
    bank = _BANK_ORDER[(seed * 3) % len(_BANK_ORDER)]
    options: tuple[str, ...]
    if _BANKS[bank].french:
        options = ("quickbooks_fr", "sage50_fr", "quickbooks_fr", "xero", "quickbooks")
    else:
        options = ("quickbooks", "sage50", "xero", "wave")
    if _BANKS[bank].french:
        return bank, options[(seed // 2) % len(options)]
    return bank, options[(seed * 7 + seed // 4) % len(options)]


# ----------------------------------------------------------------------- calendar


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta((weekday - first.weekday()) % 7 + 7 * (n - 1))


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _observed(d: date) -> date:
    return d + timedelta(days={5: 2, 6: 1}.get(d.weekday(), 0))


def _holidays(year: int, province: str) -> set[date]:
    """Days the bank does not clear: national statutory holidays plus the province's."""
    victoria = date(year, 5, 24)
    while victoria.weekday() != 0:
        victoria -= timedelta(days=1)
    days = {
        _observed(date(year, 1, 1)),
        _easter(year) - timedelta(days=2),
        victoria,
        _observed(date(year, 7, 1)),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 10, 0, 2),
    }
    christmas = date(year, 12, 25)
    if christmas.weekday() == 5:
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:
        days |= {date(year, 12, 26), date(year, 12, 27)}
    elif christmas.weekday() == 4:
        days |= {christmas, date(year, 12, 28)}
    else:
        days |= {christmas, date(year, 12, 26)}
    if province == "QC":
        fete = date(year, 6, 24)
        days.add(fete + timedelta(days=1) if fete.weekday() == 6 else fete)
    else:
        days.add(_nth_weekday(year, 8, 0, 1))
        days.add(_nth_weekday(year, 2, 0, 3))
    if province in ("BC", "AB", "NS", "MB") and date(year, 11, 11).weekday() < 5:
        days.add(date(year, 11, 11))
    return days


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


_ALNUM = string.ascii_letters + string.digits


class _Fill(dict[str, object]):
    """Template fields; the random ones (reference codes, terminal ids) drawn on demand."""

    def __init__(self, rng: random.Random, fixed: Mapping[str, object]) -> None:
        super().__init__(fixed)
        self._rng = rng

    def __missing__(self, key: str) -> object:
        r = self._rng
        value: object
        if key == "code":
            value = "CA" + "".join(r.choice(_ALNUM) for _ in range(r.randint(4, 6)))
        elif key == "c3":
            value = "".join(r.choice(_ALNUM) for _ in range(3))
        elif key == "n4":
            value = f"{r.randrange(10_000):04d}"
        elif key == "id6":
            value = f"{r.randrange(10**6):06d}"
        elif key == "id12":
            value = f"{r.randrange(10**12):012d}"
        elif key == "ten":
            value = f"{r.randrange(10**10):010d}"
        elif key == "n":
            value = str(r.randint(2, 9))
        else:
            raise KeyError(key)
        self[key] = value
        return value


# ------------------------------------------------------------------------- drafts


@dataclass(slots=True)
class _BRow:
    key: int
    day: date
    text: str
    amount: Decimal
    case: str
    face: str
    cheque: int = 0


@dataclass(slots=True)
class _GRow:
    key: int
    day: date
    text: str
    amount: Decimal
    case: str
    face: str
    ref: str = ""
    entry_type: str = ""
    cheque: int = 0
    party: str = ""


@dataclass
class _Event:
    """The rows and links of one business event, committed together or not at all."""

    bank: list[_BRow] = field(default_factory=list)
    gl: list[_GRow] = field(default_factory=list)
    links: list[tuple[int, int, MatchKind]] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    cheques: list[tuple[date, int]] = field(default_factory=list)

    def link(self, b: _BRow, g: _GRow, kind: MatchKind = "one_to_one") -> None:
        self.links.append((b.key, g.key, kind))


@dataclass(frozen=True)
class _Party:
    name: str
    bank: str = ""
    person: bool = False


@dataclass
class _Processor:
    name: str
    bank: str
    gross: bool
    rate: Decimal
    per_txn: Decimal
    lag: int
    combine: bool
    daily: float
    ticket: float
    open_days: frozenset[int]


@dataclass
class _Employee:
    name: str
    net: int
    hourly: bool


Builder = Callable[[], "_Event | None"]


# -------------------------------------------------------------------------- month


class _Month:
    """One business's month (or longer): its habits, calendar and the events drawn."""

    def __init__(self, seed: int, days: int) -> None:
        self.rng = rng = random.Random(f"recon_canada/{seed}")
        self.seed = seed
        bank_key, pkg_key = style_of(seed)
        self.bs = _BANKS[bank_key]
        self.pkg = _PACKAGES[pkg_key]
        self.w = _WORDS[self.pkg.lang]
        self.prov = "QC" if self.bs.french else rng.choice(("ON", "ON", "BC", "AB", "NS", "MB"))
        self.pv = _PROVINCES[self.prov]
        year = rng.choice((2023, 2024, 2025))
        month = rng.choice((1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12))
        self.start = date(year, month, 1)
        self.end = self.start + timedelta(days=days - 1)
        self.hol: set[date] = set()
        for y in range(year - 1, self.end.year + 2):
            self.hol |= _holidays(y, self.prov)
        self.book: DraftBook[_BRow, _GRow] = DraftBook()
        self.sigs: dict[tuple[str, date, Decimal, str], bool] = {}
        self.n_bank = 0
        self.slots: list[tuple[date, int]] = []
        self.slot_rows: dict[int, list[_BRow | _GRow]] = defaultdict(list)
        self._slot = 0
        self.next_inv = rng.randint(1000, 8800)
        self.next_bill = rng.randint(100, 9000)
        self.first_cheque = rng.randint(120, 4800)
        self._bd_cache: dict[date, bool] = {}
        self._profile()

    # -- habits of the business, drawn once per seed

    def _profile(self) -> None:
        rng, pv = self.rng, self.pv
        local_biz = _BIZ_FR if self.prov == "QC" else _BIZ_EN
        other_biz = _BIZ_EN if self.prov == "QC" else _BIZ_FR
        local_people = _PEOPLE_FR if self.prov == "QC" else _PEOPLE_EN
        other_people = _PEOPLE_EN if self.prov == "QC" else _PEOPLE_FR
        biz = list(local_biz) + rng.sample(other_biz, 6)
        people = list(local_people) + rng.sample(other_people, 6)
        rng.shuffle(biz)
        rng.shuffle(people)
        self.customers = [_Party(n) for n in biz[:20]] + [
            _Party(n, person=True) for n in people[:16]
        ]
        self.contractors = [_Party(n, person=True) for n in people[16:]] + [
            _Party(n) for n in biz[20:]
        ]
        self.suppliers = [_Party(n) for n in rng.sample(_SUPPLIERS, 14)]
        payers = [(a, b) for where, a, b in _EFT_PAYERS if where in ("*", self.prov)]
        self.eft_payers = [_Party(a, b) for a, b in rng.sample(payers, 6)]
        self.merchants = [
            (_Party(a, b), str(rng.randint(100, 9999))) for a, b in rng.sample(_MERCHANTS, 12)
        ]
        self.drop_apostrophe = not self.bs.accents and rng.random() < 0.6
        self.fold_books = self.pkg.lang == "en" and not self.bs.french and rng.random() < 0.3
        self.etr_fee_share = rng.choice((0.0, 0.25, 0.5, 0.8)) if self.bs.key != "bmo" else 0.4
        # pre-authorized debits: (party, day of month, base cents, spread)
        utilities, telecom, wcb = pv.utilities, pv.telecom, pv.wcb
        pads: list[tuple[_Party, int, int, float]] = []
        for a, b in rng.sample(utilities, min(2, len(utilities))):
            pads.append((_Party(a, b), rng.randint(3, 27), rng.randint(18_000, 140_000), 0.3))
        for a, b in rng.sample(telecom, min(2, len(telecom))):
            pads.append((_Party(a, b), rng.randint(1, 28), rng.randint(9_000, 60_000), 0.05))
        for a, b in rng.sample(_INSURERS, 2):
            pads.append((_Party(a, b), rng.randint(1, 28), rng.randint(15_000, 300_000), 0.0))
        pads.append(
            (_Party(wcb[0], wcb[1]), rng.choice((15, 20, 28)), rng.randint(20_000, 150_000), 0.2)
        )
        for a, b in rng.sample(_LEASES, 2):
            pads.append((_Party(a, b), rng.randint(1, 28), rng.randint(12_000, 90_000), 0.0))
        self.pads = pads
        # payroll
        procs = _PAYROLL_QC if self.prov == "QC" else _PAYROLL_EN
        self.payroll = rng.choice(procs)
        self.pay_freq = rng.choice(("biweekly", "biweekly", "semimonthly", "weekly"))
        self.pay_anchor = self.start - timedelta(
            days=(self.start.weekday() - 4) % 7 + rng.choice((0, 7))
        )
        staff = rng.sample(people, rng.randint(4, 12))
        self.staff = [
            _Employee(n, rng.randint(110_000, 380_000), rng.random() < 0.5) for n in staff
        ]
        if self.pay_freq == "weekly":
            self.staff = [_Employee(e.name, e.net // 2, e.hourly) for e in self.staff]
        self.proc_remits = rng.random() < 0.5
        self.payroll_batch = rng.random() < 0.7
        # merchant processors
        gross = list(_PROC_GROSS) + ([_PROC_QC, _PROC_QC] if self.prov == "QC" else [])
        chosen: list[tuple[str, str, bool, Decimal, Decimal]] = []
        roll = rng.random()
        if roll < 0.55:
            chosen = [rng.choice(gross), rng.choice(_PROC_NET)]
        elif roll < 0.8:
            chosen = [rng.choice(gross)]
        else:
            chosen = [rng.choice(_PROC_NET)]
        weekend_open = frozenset(range(7)) if rng.random() < 0.6 else frozenset(range(6))
        self.processors = [
            _Processor(
                name=n,
                bank=b,
                gross=g,
                rate=rate,
                per_txn=per,
                lag=1 if g else rng.choice((1, 2)),
                combine=g and rng.random() < 0.75,
                daily=rng.uniform(400, 3500),
                ticket=rng.uniform(18 if g else 35, 90),
                open_days=weekend_open if g else frozenset(range(7)),
            )
            for n, b, g, rate, per in chosen
        ]
        self.card_book = rng.choice(("gross", "gross", "split", "net"))
        # loans, cards, accounts
        self.loans = [
            (
                _Party("", "PRÊT ENTREPRISE" if self.bs.french else "BUSINESS LOAN"),
                rng.randint(1, 28),
                rng.randint(40_000, 600_000),
                rng.uniform(0.055, 0.095),
            )
        ]
        if rng.random() < 0.5:
            self.loans.append(
                (_Party("BDC", "BDC"), rng.randint(1, 28), rng.randint(30_000, 250_000), 0.09)
            )
        self.cards = [(_Party(self.bs.card_books, self.bs.card), rng.randint(1, 28))]
        if rng.random() < 0.6:
            self.cards.append(
                (_Party("American Express", "AMEX BANK OF CANADA"), rng.randint(1, 28))
            )
        transit = f"{rng.randrange(100_000):05d}"
        self.accounts = {
            "savings": f"{transit}-****{rng.randrange(1000):03d}",
            "loc": f"****{rng.randrange(10_000):04d}",
            "usd": f"****{rng.randrange(10_000):04d}",
        }
        self.loan_acct = f"{rng.randrange(10**7):07d}-{rng.randint(1, 9):03d}"
        self.usd_rate = rng.uniform(1.30, 1.41)
        self.monthly_fee = rng.randint(2_500, 12_500)
        self.interest_credit = rng.random() < 0.6

    # -- calendar

    def is_bd(self, d: date) -> bool:
        known = self._bd_cache.get(d)
        if known is None:
            known = self._bd_cache[d] = d.weekday() < 5 and d not in self.hol
        return known

    def on_or_after(self, d: date) -> date:
        while not self.is_bd(d):
            d += timedelta(days=1)
        return d

    def on_or_before(self, d: date) -> date:
        while not self.is_bd(d):
            d -= timedelta(days=1)
        return d

    def add_bd(self, d: date, n: int) -> date:
        step = timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            d += step
            while not self.is_bd(d):
                d += step
        return d

    def some_day(self, before: int = 0, after: int = 0) -> date:
        """A day in (or near) the period, mostly a weekday."""
        d = self.start + timedelta(days=self.rng.randrange(-before, self.days + after))
        if d.weekday() >= 5 and self.rng.random() < 0.7:
            d += timedelta(days=7 - d.weekday())
        return d

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    # -- text

    def shown(self, name: str, width: int | None = None) -> str:
        text = name if self.bs.accents else _fold(name)
        if self.bs.upper:
            text = text.upper()
        if self.drop_apostrophe:
            text = text.replace("'", "")
        text = text.replace(".", "") if self.bs.upper else text
        return text[: width or self.bs.width].rstrip(" -,&")

    def alias(self, party: _Party, amount: Decimal) -> str:
        """The name a customer's e-Transfer or EFT shows, before the bank's truncation."""
        if party.bank:
            return party.bank
        if party.person and self.rng.random() < 0.15:
            first, _, last = party.name.partition(" ")
            return f"{first[0]} {last}"
        if not party.person and self.rng.random() < 0.06 and amount % 50 != 0:
            own = random.Random(f"{self.seed}/{party.name}")
            return self.pv.number_co.format(f"{own.randint(1000, 9999)}-{own.randint(1000, 9999)}")
        return party.name

    def render(self, kind: str, name: str = "", **fixed: object) -> str:
        template = self.rng.choice(self.bs.t[kind])
        text = template.format_map(_Fill(self.rng, {"name": name, "acct": "", **fixed}))
        return " ".join(text.split())

    def books_name(self, name: str) -> str:
        return _fold(name) if self.fold_books else name

    def describe(self, party: str, memo: str) -> str:
        party = self.books_name(party)
        layout = self.pkg.layout
        if not party:
            return memo
        if not memo:
            return party
        if layout == "qbo":
            return f"{party} - {memo}"
        if layout == "sage":
            return f"{memo}, {party}"
        if layout == "xero":
            return f"{party}: {memo}"
        return f"{memo} {party}"

    def inv_no(self) -> str:
        self.next_inv += 1
        return self.pkg.inv.format(self.next_inv)

    def bill_no(self) -> str:
        self.next_bill += self.rng.randint(1, 40)
        return f"{self.rng.choice(('', 'B', 'F-', 'INV'))}{self.next_bill}"

    def day_word(self, d: date) -> str:
        if self.pkg.lang == "fr":
            return f"{d.day} {_MONTHS['fr'][d.month - 1]}"
        return d.isoformat()

    def month_word(self, d: date) -> str:
        return f"{_MONTHS[self.pkg.lang][d.month - 1]} {d.year}"

    # -- amounts

    def lognormal(self, median: float, sigma: float, cap: float = 60_000.0) -> Decimal:
        value = min(cap, self.rng.lognormvariate(math.log(median), sigma))
        return _cents(max(101, int(value * 100)))

    def invoice_amount(self, cap: float = 25_000.0, price_list: float = 0.25) -> Decimal:
        """An invoice total with sales tax; some are list prices, so totals repeat."""
        tax = self.pv.tax
        if self.rng.random() < price_list:
            base = Decimal(self.rng.choice((120, 150, 200, 250, 350, 400, 500, 750, 1000, 1200)))
        else:
            base = self.lognormal(650, 0.9, cap / 1.2)
        return (base * (1 + tax)).quantize(CENT)

    def split(self, total: Decimal, k: int) -> list[Decimal]:
        cents = int(total * 100)
        cuts = sorted(self.rng.sample(range(100, cents - 100), k - 1)) if cents > 200 * k else []
        if len(cuts) != k - 1:
            return [total]
        edges = [0, *cuts, cents]
        return [_cents(edges[i + 1] - edges[i]) for i in range(k)]

    # -- rows

    def b(
        self,
        ev: _Event,
        day: date,
        kind: str,
        amount: Decimal,
        case: str,
        name: str = "",
        face: str = "",
        **fixed: object,
    ) -> _BRow:
        text = self.render(kind, name, **fixed)
        amount = amount.quantize(CENT)
        row = _BRow(
            self.book.key(), self.on_or_after(day), text, amount, case, face or f"{kind}|{name}"
        )
        ev.bank.append(row)
        return row

    def g(
        self,
        ev: _Event,
        day: date,
        role: str,
        amount: Decimal,
        case: str,
        party: str = "",
        memo: str = "",
        ref: str = "",
        feed: str = "",
        face: str = "",
    ) -> _GRow:
        """A books entry; ``feed`` is the bank's text, copied when the package imports it."""
        amount = amount.quantize(CENT)
        copied = feed and self.rng.random() < self.pkg.feed
        text = feed if copied else self.describe(party, memo)
        row = _GRow(
            self.book.key(),
            day,
            text,
            amount,
            case,
            face or f"{role}|{party}|{memo}",
            ref,
            self.pkg.types[role],
            party=party,
        )
        ev.gl.append(row)
        return row

    def cheque_slot(self, ev: _Event, issued: date) -> int:
        self._slot += 1
        ev.cheques.append((issued, self._slot))
        return self._slot

    def bank_cheque(self, ev: _Event, day: date, amount: Decimal, case: str, slot: int) -> _BRow:
        amount = amount.quantize(CENT)
        row = _BRow(self.book.key(), self.on_or_after(day), _CHQ, amount, case, f"chq{slot}", slot)
        ev.bank.append(row)
        return row

    def books_cheque(
        self,
        ev: _Event,
        day: date,
        amount: Decimal,
        case: str,
        party: str,
        slot: int,
        bill: bool,
        bill_no: str = "",
    ) -> _GRow:
        memo = self.w["bill"].format(bill_no or self.bill_no()) if bill else ""
        if self.pkg.layout == "sage" and self.rng.random() < 0.5:
            memo = f"Chq {_CHQ}" if not memo else f"{memo}, chq {_CHQ}"
        row = self.g(ev, day, "cheque_bill" if bill else "cheque", amount, case, party, memo)
        row.ref, row.cheque, row.face = _CHQ, slot, f"chq{slot}"
        return row

    def receipt(
        self,
        ev: _Event,
        day: date,
        amount: Decimal,
        case: str,
        party: _Party,
        feed: str = "",
        cheque_no: str = "",
        inv: str = "",
    ) -> _GRow:
        inv = inv or self.inv_no()
        ref = {"cheque": cheque_no, "invoice": inv, "none": ""}[self.pkg.receipt_ref]
        if self.pkg.receipt_ref == "invoice" and cheque_no and self.pkg.layout == "sage":
            ref = cheque_no
        return self.g(
            ev, day, "receipt", amount, case, party.name, self.w["inv"].format(inv), ref, feed
        )

    # -- committing

    def commit(self, ev: _Event) -> bool:
        """Keep the event's rows inside the period and its links; False on an ambiguity."""
        start, end = self.start, self.end
        bank_all = {r.key: r for r in ev.bank}
        gl_all = {r.key: r for r in ev.gl}
        bank_in = {k for k, r in bank_all.items() if start <= r.day <= end}
        gl_in = {k for k, r in gl_all.items() if start <= r.day <= end}
        pairs: list[tuple[int, int, MatchKind]] = []
        batches: dict[int, list[int]] = defaultdict(list)
        for bk, gk, kind in ev.links:
            if kind == "batch":
                batches[bk].append(gk)
            elif bk in bank_in and gk in gl_in:
                pairs.append((bk, gk, kind))
            else:
                self._orphan(bank_all[bk], [gl_all[gk]], bank_in, gl_in)
        for bk, members in batches.items():
            if bk in bank_in and all(gk in gl_in for gk in members):
                pairs.extend((bk, gk, "batch") for gk in members)
            else:
                self._orphan(bank_all[bk], [gl_all[gk] for gk in members], bank_in, gl_in)
        offsets = [(a, c) for a, c in ev.offsets if a in gl_in and c in gl_in]
        linked = {bk for bk, _g, _k in pairs} | {gk for _b, gk, _k in pairs}
        linked |= {k for pair in offsets for k in pair}
        fresh: dict[tuple[str, date, Decimal, str], bool] = {}
        rows: list[tuple[str, _BRow | _GRow]] = [("b", bank_all[k]) for k in bank_in]
        rows += [("g", gl_all[k]) for k in gl_in]
        for side, row in rows:
            sig = (side, row.day, row.amount, row.face)
            mine = row.key in linked
            for seen in (self.sigs, fresh):
                if sig in seen and (seen[sig] or mine):
                    return False
            fresh[sig] = mine
        self.sigs.update(fresh)
        self.book.bank.extend(r for r in ev.bank if r.key in bank_in)
        self.book.gl.extend(r for r in ev.gl if r.key in gl_in)
        self.book.pairs.extend((bk, gk, kind, bank_all[bk].case) for bk, gk, kind in pairs)
        self.book.offsets.extend((a, c, gl_all[a].case) for a, c in offsets)
        self.n_bank += len(bank_in)
        for issued, slot in ev.cheques:
            self.slots.append((issued, slot))
        for r in ev.bank:
            if r.cheque:
                self.slot_rows[r.cheque].append(r)
        for r2 in ev.gl:
            if r2.cheque:
                self.slot_rows[r2.cheque].append(r2)
        return True

    def _orphan(self, b: _BRow, members: list[_GRow], bank_in: set[int], gl_in: set[int]) -> None:
        """Relabel what a period cut leaves alone: prior-period and outstanding items."""
        if b.key in bank_in and any(g.day < self.start for g in members):
            b.case = "prior_period"
        if b.key not in bank_in and b.day > self.end:
            for g in members:
                if g.key in gl_in:
                    if g.cheque:
                        g.case = "outstanding_cheque"
                    elif g.amount > 0:
                        g.case = "deposit_in_transit"

    def run(self, builder: Builder, tries: int = 6) -> None:
        for _ in range(tries):
            ev = builder()
            if ev is not None and self.commit(ev):
                return

    # ------------------------------------------------------------- events: receipts

    def customer(self) -> _Party:
        return self.rng.choice(self.customers)

    def ev_etransfer_in(
        self,
        case: str = "etransfer_in",
        n_inv: int = 1,
        party: _Party | None = None,
        amount: Decimal | None = None,
        sent: date | None = None,
    ) -> _Event:
        ev = _Event()
        rng = self.rng
        cust = party or self.customer()
        parts = [self.invoice_amount(4_000, 0.0) for _ in range(n_inv)] if n_inv > 1 else []
        amt = amount or (sum(parts, ZERO) if parts else self.invoice_amount(cap=9_500))
        sent = sent or self.some_day()
        alias = self.alias(cust, amt)
        shown = self.shown(alias)
        # Numbered companies all look alike to a reader: at most one per day and amount.
        face = "numbered" if alias[0].isdigit() else shown
        b = self.b(ev, sent, "etr_in", amt, case, shown, face=face)
        day = sent if rng.random() < 0.6 else b.day
        if n_inv == 1:
            ev.link(b, self.receipt(ev, day, amt, case, cust, feed=b.text))
        else:
            for part in parts:
                ev.link(b, self.receipt(ev, day, part, case, cust), "batch")
        return ev

    def ev_eft_receipt(self) -> _Event:
        ev = _Event()
        payer = self.rng.choice(self.eft_payers)
        k = self.rng.choice((1, 1, 1, 2, 3, 4))
        parts = [self.invoice_amount(18_000, 0.25 if k == 1 else 0.0) for _ in range(k)]
        total = sum(parts, ZERO)
        shown = self.shown(payer.bank, self.bs.width + 4)
        b = self.b(ev, self.some_day(), "eft_in", total, "eft_receipt", shown, face=shown)
        day = b.day - timedelta(days=self.rng.choice((0, 0, 0, 1, 2, 3)))
        for part in parts:
            g = self.receipt(ev, day, part, "eft_receipt", payer, feed=b.text if k == 1 else "")
            ev.link(b, g, "one_to_one" if k == 1 else "batch")
        return ev

    def ev_deposit_slip(self, prior: bool = False) -> _Event:
        ev = _Event()
        rng = self.rng
        if prior:
            day = self.add_bd(self.on_or_after(self.start), rng.choice((0, 0, 1)))
        else:
            day = self.on_or_after(self.some_day(after=3))
        k = rng.choice((2, 2, 3, 3, 4, 4, 5, 6, 7, 8))
        items: list[tuple[date, Decimal, _Party, str]] = []
        for _ in range(k):
            received = self.add_bd(day, -rng.randint(0, 5)) - timedelta(
                days=rng.choice((0, 0, 0, 1))
            )
            if rng.random() < 0.12:
                items.append(
                    (received, self.lognormal(300, 0.7, 3_000), _Party(self.w["cash_sales"]), "")
                )
            else:
                amt = self.invoice_amount(12_000, 0.0)
                items.append((received, amt, self.customer(), str(rng.randint(100, 99_999))))
        first_bd = self.on_or_after(self.start)
        if prior:
            items = [
                (min(d, self.start - timedelta(days=rng.randint(1, 4))), a, p, c)
                for d, a, p, c in items
            ]
        elif any(d < self.start for d, *_ in items) and day >= self.start:
            if day == first_bd and rng.random() < 0.5:
                items = [(min(d, self.start - timedelta(days=1)), a, p, c) for d, a, p, c in items]
            else:
                items = [(max(d, self.start), a, p, c) for d, a, p, c in items]
        total = sum((a for _d, a, _p, _c in items), ZERO)
        kind = rng.choice(("dep_branch", "dep_branch", "dep_atm"))
        b = self.b(ev, day, kind, total, "deposit_slip", n=len(items))
        if rng.random() < self.pkg.undeposited:
            slip = f"DEP-{rng.randint(100, 999)}"
            g = self.g(
                ev,
                max(d for d, *_ in items),
                "deposit",
                total,
                "deposit_slip",
                "",
                self.w["deposit"],
                slip,
            )
            ev.link(b, g)
            return ev
        for received, amt, party, chq in items:
            if chq:
                g = self.receipt(ev, received, amt, "deposit_slip", party, cheque_no=chq)
            else:
                g = self.g(ev, received, "sales", amt, "deposit_slip", "", party.name)
            ev.link(b, g, "batch" if len(items) > 1 else "one_to_one")
        return ev

    def ev_cheque_deposit(self) -> _Event:
        ev = _Event()
        received = self.some_day()
        day = self.on_or_after(received + timedelta(days=self.rng.choice((0, 0, 1, 2, 3))))
        amt = self.invoice_amount(cap=15_000)
        kind = self.rng.choice(("dep_mobile", "dep_mobile", "dep_atm", "dep_branch"))
        b = self.b(ev, day, kind, amt, "cheque_deposit", n=1)
        chq = str(self.rng.randint(100, 99_999))
        ev.link(
            b, self.receipt(ev, received, amt, "cheque_deposit", self.customer(), cheque_no=chq)
        )
        return ev

    # ------------------------------------------------------------- events: payments

    def ev_etransfer_out(
        self,
        case: str = "etransfer_out",
        party: _Party | None = None,
        amount: Decimal | None = None,
        sent: date | None = None,
    ) -> _Event:
        ev = _Event()
        rng = self.rng
        payee = party or rng.choice(self.contractors)
        if amount is None:
            amount = -(
                Decimal(rng.choice((150, 200, 300, 400, 600, 800, 1250)))
                if rng.random() < 0.25
                else self.lognormal(550, 0.8, 9_000)
            )
        sent = sent or self.some_day()
        shown = self.shown(payee.name)
        b = self.b(ev, sent, "etr_out", amount, case, shown, face=shown)
        bill = not payee.person and rng.random() < 0.6
        memo = self.w["bill"].format(self.bill_no()) if bill else ""
        ref = memo.split()[-1] if bill and self.pkg.bill_ref else ""
        day = sent if rng.random() < 0.7 else b.day
        ev.link(
            b,
            self.g(
                ev, day, "bill" if bill else "expense", amount, case, payee.name, memo, ref, b.text
            ),
        )
        if rng.random() < self.etr_fee_share:
            self.b(ev, b.day, "etr_fee", -self.bs.etr_fee, "etransfer_fee")
        return ev

    def ev_debit_purchase(self) -> _Event:
        ev = _Event()
        rng = self.rng
        merchant, store = rng.choice(self.merchants)
        bought = self.start + timedelta(days=rng.randrange(self.days))
        amt = -self.lognormal(55, 0.9, 1_500)
        shown = self.shown(merchant.bank.format(s=store), 24)
        b = self.b(ev, bought, "debit", amt, "debit_purchase", shown, face=shown)
        memo = rng.choice(_CATEGORIES[self.pkg.lang])
        ev.link(
            b, self.g(ev, bought, "expense", amt, "debit_purchase", merchant.name, memo, "", b.text)
        )
        return ev

    def ev_bill_payment(
        self,
        case: str = "bill_payment",
        amount: Decimal | None = None,
        paid: date | None = None,
        vendor: _Party | None = None,
    ) -> _Event:
        ev = _Event()
        vendor = vendor or self.rng.choice(self.suppliers)
        amt = amount if amount is not None else -self.lognormal(900, 0.9, 30_000)
        paid = paid or self.some_day()
        posted = self.add_bd(paid, 1) if self.rng.random() < 0.25 else paid
        shown = self.shown(vendor.name)
        b = self.b(ev, posted, "billpay", amt, case, shown, face=shown)
        bill = self.bill_no()
        ref = bill if self.pkg.bill_ref else ""
        g = self.g(
            ev, paid, "bill", amt, case, vendor.name, self.w["bill"].format(bill), ref, b.text
        )
        ev.link(b, g)
        return ev

    def pad_event(
        self, party: _Party, due: date, amount: Decimal, case: str = "pad", role: str = "expense"
    ) -> _Event:
        ev = _Event()
        shown = self.shown(party.bank, self.bs.width + 2)
        b = self.b(ev, due, "pad", amount, case, shown, face=shown)
        day = due if self.rng.random() < 0.6 else b.day
        memo = self.month_word(due) if self.rng.random() < 0.5 else ""
        ev.link(b, self.g(ev, day, role, amount, case, party.name, memo, "", b.text))
        return ev

    def ev_pad(self) -> _Event:
        party, _dom, base, _spread = self.rng.choice(self.pads)
        amt = -_cents(int(base * self.rng.uniform(0.3, 1.2)))
        return self.pad_event(party, self.some_day(), amt)

    def ev_cheque(
        self,
        case: str = "cheque_paid",
        party: _Party | None = None,
        amount: Decimal | None = None,
        issued: date | None = None,
    ) -> _Event:
        ev = _Event()
        rng = self.rng
        payee = party or rng.choice(self.suppliers + self.contractors[:4])
        if amount is None:
            amount = -(
                Decimal(rng.choice((500, 1000, 1500, 2500, 3000)))
                if rng.random() < 0.12
                else self.lognormal(1_400, 0.9, 40_000)
            )
        issued = issued or self.some_day(before=7)
        slot = self.cheque_slot(ev, issued)
        lag = rng.choice((2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 11, 14, 18, 25))
        b = self.bank_cheque(ev, self.add_bd(self.on_or_after(issued), lag), amount, case, slot)
        g = self.books_cheque(ev, issued, amount, case, payee.name, slot, bill=rng.random() < 0.6)
        ev.link(b, g)
        return ev

    def ev_void_reissue(self) -> _Event | None:
        ev = _Event()
        rng = self.rng
        payee = rng.choice(self.suppliers)
        amt = -self.lognormal(1_600, 0.8, 20_000)
        issued = self.start + timedelta(days=rng.randrange(max(1, self.days - 4)))
        voided = min(self.end, issued + timedelta(days=rng.randint(1, 8)))
        case = "void_reissue"
        first = self.cheque_slot(ev, issued)
        bill = self.bill_no()
        orig = self.books_cheque(ev, issued, amt, case, payee.name, first, True, bill)
        memo = self.w["void"].format(_CHQ)
        rev = self.g(ev, voided, "journal", -amt, case, payee.name, memo, _CHQ)
        rev.cheque, rev.face = first, f"void{first}"
        ev.offsets.append((orig.key, rev.key))
        second = self.cheque_slot(ev, voided)
        repl = self.books_cheque(ev, voided, amt, case, payee.name, second, True, bill)
        lag = rng.choice((2, 3, 4, 5, 7, 9, 12))
        b = self.bank_cheque(ev, self.add_bd(self.on_or_after(voided), lag), amt, case, second)
        ev.link(b, repl)
        return ev

    # ------------------------------------------------- events: transfers and cards

    def ev_transfer(self) -> _Event:
        ev = _Event()
        rng = self.rng
        which = rng.choice(("savings", "savings", "loc"))
        acct = self.accounts[which]
        out = rng.random() < 0.5
        amt = Decimal(rng.choice((1000, 2000, 2500, 5000, 7500, 10_000, 15_000, 20_000)))
        if rng.random() < 0.35:
            amt = self.lognormal(4_000, 0.6, 40_000)
        amt = -amt if out else amt
        day = self.on_or_after(self.some_day())
        label = f"{self.w[which]} ****{acct.rsplit('*', 1)[-1]}"
        if rng.random() < 0.12:
            amt = -Decimal(rng.choice((100, 200, 300, 400, 500)))
            b = self.b(ev, day, "atm_wd", amt, "transfer")
            ev.link(b, self.g(ev, day, "transfer", amt, "transfer", "", self.w["petty"]))
            return ev
        b = self.b(
            ev, day, "tfr_to" if out else "tfr_from", amt, "transfer", acct=acct, face=f"tfr|{acct}"
        )
        memo = self.w["tfr_to" if out else "tfr_from"].format(label)
        ev.link(b, self.g(ev, day, "transfer", amt, "transfer", "", memo, face=f"tfr|{acct}"))
        return ev

    def ev_usd_transfer(self) -> _Event:
        ev = _Event()
        rng = self.rng
        usd = self.lognormal(3_000, 0.8, 50_000)
        rate = Decimal(str(round(self.usd_rate + rng.uniform(-0.02, 0.02), 4)))
        out = rng.random() < 0.3
        bank_rate = rate * (Decimal("1.012") if out else Decimal("0.988"))
        cad = (usd * bank_rate).quantize(CENT)
        amt = -cad if out else cad
        day = self.on_or_after(self.some_day())
        acct = self.accounts["usd"]
        b = self.b(
            ev,
            day,
            "usd_out" if out else "usd_in",
            amt,
            "usd_transfer",
            acct=acct,
            face=f"usd|{acct}",
        )
        memo = self.w["usd_out" if out else "usd_in"].format(acct[-4:])
        if rng.random() < 0.45:
            booked = (usd * rate).quantize(CENT)
            booked = -booked if out else booked
            memo = f"{memo} ({self.w['fx'].format(usd, rate)})"
            g = self.g(ev, day, "transfer", booked, "usd_transfer", "", memo, face=f"usd|{acct}")
            ev.link(b, g, "amount_mismatch" if booked != amt else "one_to_one")
        else:
            ev.link(
                b, self.g(ev, day, "transfer", amt, "usd_transfer", "", memo, face=f"usd|{acct}")
            )
        return ev

    def card_payment_event(self, party: _Party, due: date, amount: Decimal) -> _Event:
        ev = _Event()
        shown = self.shown(party.bank, 24)
        b = self.b(ev, due, "card_pay", amount, "card_payment", shown, face=shown)
        day = b.day - timedelta(days=self.rng.choice((0, 0, 0, 1, 2)))
        memo = self.w["cc"]
        ev.link(b, self.g(ev, day, "card", amount, "card_payment", party.name, memo, "", b.text))
        return ev

    def ev_card_payment(self) -> _Event:
        party, _dom = self.rng.choice(self.cards)
        return self.card_payment_event(party, self.some_day(), -self.lognormal(1_500, 0.8, 30_000))

    # --------------------------------------------------------- events: bank's own

    def fee_event(self, day: date, kind: str, amount: Decimal, case: str) -> _Event:
        ev = _Event()
        b = self.b(ev, day, kind, amount, case)
        if self.rng.random() < self.pkg.book_fees:
            memo = self.w["int_in" if kind == "int_in" else "int_od" if kind == "int_od" else "svc"]
            role = "journal" if self.rng.random() < 0.4 else "expense"
            ev.link(b, self.g(ev, b.day, role, amount, case, "", memo, "", b.text))
        return ev

    def ev_bank_charge(self) -> _Event:
        amt = -Decimal(self.rng.choice(("2.50", "5.00", "7.50", "12.00", "15.00", "25.00", "3.25")))
        return self.fee_event(self.some_day(), "item_fee", amt, "bank_charge")

    # ------------------------------------------------------------- hard cases

    def ev_transposed(self) -> _Event | None:
        how = self.rng.choice(("bill", "cheque", "etr_in", "etr_out", "cheque"))
        if how == "bill":
            ev = self.ev_bill_payment("transposed")
        elif how == "cheque":
            ev = self.ev_cheque("transposed", issued=self.some_day())
        elif how == "etr_in":
            ev = self.ev_etransfer_in("transposed")
        else:
            ev = self.ev_etransfer_out("transposed")
        bk, gk, _kind = ev.links[0]
        g = next(r for r in ev.gl if r.key == gk)
        spots = swap_spots(abs(g.amount))
        if not spots:
            return None
        wrong = swapped(abs(g.amount), self.rng.choice(spots)).quantize(CENT)
        g.amount = -wrong if g.amount < 0 else wrong
        ev.links[0] = (bk, gk, "amount_mismatch")
        return ev

    def ev_wrong_payment(self) -> _Event:
        ev = _Event()
        rng = self.rng
        case = "wrong_payment_reversed"
        payee = rng.choice(self.contractors)
        right = -self.lognormal(900, 0.7, 8_000)
        first = self.on_or_after(self.some_day())
        back = self.add_bd(first, rng.randint(1, 3))
        again = self.add_bd(back, rng.choice((0, 0, 1, 2)))
        if rng.random() < 0.5:
            wrong_payee = rng.choice([c for c in self.contractors if c != payee])
            wrong_amt = right
        else:
            wrong_payee = payee
            wrong_amt = (
                right * 10 if rng.random() < 0.4 else right - self.lognormal(200, 0.6, 2_000)
            )
        ws, rs = self.shown(wrong_payee.name), self.shown(payee.name)
        b1 = self.b(ev, first, "etr_out", wrong_amt, case, ws, face=ws)
        b2 = self.b(ev, back, "etr_cancel", -wrong_amt, case, ws, face=f"cancel|{ws}")
        b3 = self.b(ev, again, "etr_out", right, case, rs, face=rs)
        if rng.random() < 0.55:
            ev.link(b3, self.g(ev, first, "expense", right, case, payee.name, "", ""))
            return ev
        g1 = self.g(ev, first, "expense", wrong_amt, case, wrong_payee.name, "", "")
        g2 = self.g(ev, back, "journal", -wrong_amt, case, wrong_payee.name, self.w["wrong_rev"])
        g3 = self.g(ev, again, "expense", right, case, payee.name, "", "")
        ev.link(b1, g1)
        ev.link(b2, g2)
        ev.link(b3, g3)
        return ev

    def ev_duplicate(self) -> _Event | None:
        case = "duplicate_reversed"
        how = self.rng.choice(("bill", "etr_in", "etr_out", "pad"))
        if how == "bill":
            ev = self.ev_bill_payment(case)
        elif how == "etr_in":
            ev = self.ev_etransfer_in(case)
        elif how == "etr_out":
            ev = self.ev_etransfer_out(case)
        else:
            party = self.rng.choice(self.pads)[0]
            ev = self.pad_event(party, self.some_day(), -self.lognormal(300, 0.7), case)
        _bk, gk, _kind = ev.links[0]
        orig = next(r for r in ev.gl if r.key == gk)
        dup_day = orig.day + timedelta(days=self.rng.randint(1, 6))
        rev_day = min(self.end, dup_day + timedelta(days=self.rng.randint(0, 10)))
        if dup_day > self.end or orig.day < self.start:
            return None
        dup = _GRow(
            self.book.key(),
            dup_day,
            orig.text,
            orig.amount,
            case,
            orig.face,
            orig.ref,
            orig.entry_type,
            party=orig.party,
        )
        ev.gl.append(dup)
        memo = self.w["dup"].format(orig.ref or self.day_word(orig.day))
        rev = self.g(ev, rev_day, "journal", -orig.amount, case, orig.party, memo, orig.ref)
        ev.offsets.append((dup.key, rev.key))
        return ev

    def ev_same_payee_twice(self) -> _Event:
        rng = self.rng
        case = "same_payee_twice"
        first = self.on_or_after(self.some_day())
        second = self.add_bd(first, rng.randint(2, 4))
        how = rng.choice(("etr_out", "etr_in", "cheque", "billpay"))
        if how == "etr_in":
            cust = self.customer()
            amt = self.invoice_amount(cap=6_000)
            ev = self.ev_etransfer_in(case, party=cust, amount=amt, sent=first)
            ev2 = self.ev_etransfer_in(case, party=cust, amount=amt, sent=second)
        elif how == "cheque":
            payee = rng.choice(self.suppliers)
            amt = -self.lognormal(1_200, 0.7)
            ev = self.ev_cheque(case, payee, amt, first)
            ev2 = self.ev_cheque(case, payee, amt, second)
        elif how == "billpay":
            amt = -self.lognormal(700, 0.7)
            vendor = rng.choice(self.suppliers)
            ev = self.ev_bill_payment(case, amt, first, vendor)
            ev2 = self.ev_bill_payment(case, amt, second, vendor)
        else:
            payee = rng.choice(self.contractors)
            amt = -Decimal(rng.choice((250, 400, 500, 750, 1_000, 1_250)))
            ev = self.ev_etransfer_out(case, payee, amt, first)
            ev2 = self.ev_etransfer_out(case, payee, amt, second)
        return self.merge(ev, ev2)

    def merge(self, *events: _Event) -> _Event:
        out = _Event()
        for ev in events:
            out.bank += ev.bank
            out.gl += ev.gl
            out.links += ev.links
            out.offsets += ev.offsets
            out.cheques += ev.cheques
        return out

    def ev_nsf(self) -> _Event:
        ev = _Event()
        rng = self.rng
        case = "nsf_return"
        cust = self.customer()
        amt = self.invoice_amount(cap=8_000)
        received = self.some_day()
        day = self.on_or_after(received + timedelta(days=rng.choice((0, 1, 2))))
        b1 = self.b(ev, day, rng.choice(("dep_mobile", "dep_branch")), amt, case, n=1)
        chq = str(rng.randint(100, 99_999))
        ev.link(b1, self.receipt(ev, received, amt, case, cust, cheque_no=chq))
        back = self.add_bd(day, rng.randint(2, 6))
        b2 = self.b(ev, back, "nsf_return", -amt, case)
        fee = -Decimal(rng.choice(("7.50", "10.00", "15.00", "45.00", "48.00")))
        b3 = self.b(ev, back, "nsf_fee", fee, case)
        if rng.random() < 0.7:
            booked = back + timedelta(days=rng.choice((0, 0, 1, 3)))
            g = self.g(
                ev,
                booked,
                "journal",
                -amt,
                case,
                cust.name,
                self.w["nsf"],
                chq if self.pkg.receipt_ref != "none" else "",
            )
            ev.link(b2, g)
            if rng.random() < 0.5:
                ev.link(
                    b3, self.g(ev, booked, "expense", fee, case, "", self.w["nsf_fee"], "", b3.text)
                )
        return ev

    def ev_round_shared(self) -> _Event:
        rng = self.rng
        case = "round_amount_shared"
        amount = Decimal(rng.choice((250, 300, 500, 500, 750, 1_000, 1_500, 2_000)))
        week = self.on_or_after(self.some_day())
        k = rng.randint(2, 4)
        how = rng.choice(("etr_out", "etr_in", "cheque"))
        events: list[_Event] = []
        pool = (
            self.contractors
            if how == "etr_out"
            else self.customers
            if how == "etr_in"
            else self.suppliers
        )
        for party in rng.sample(pool, k):
            day = self.add_bd(week, rng.choice((0, 0, 1, 2, 3)))
            if how == "etr_out":
                events.append(self.ev_etransfer_out(case, party, -amount, day))
            elif how == "etr_in":
                events.append(self.ev_etransfer_in(case, party=party, amount=amount, sent=day))
            else:
                events.append(self.ev_cheque(case, party, -amount, day))
        return self.merge(*events)

    def ev_prior_period(self) -> _Event:
        """Last month's items that clear in the first days: books had them last month."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return self.ev_cheque(issued=self.start - timedelta(days=rng.randint(2, 12)))
        if roll < 0.75:
            return self.ev_deposit_slip(prior=True)
        ev = _Event()
        vendor = rng.choice(self.suppliers)
        amt = -self.lognormal(800, 0.8)
        shown = self.shown(vendor.name)
        b = self.b(ev, self.start, "billpay", amt, "prior_period", shown, face=shown)
        ev.link(
            b, self.g(ev, self.start - timedelta(days=1), "bill", amt, "prior_period", vendor.name)
        )
        return ev

    def ev_unrecorded(self) -> _Event:
        ev = _Event()
        rng = self.rng
        case = "unrecorded"
        roll = rng.random()
        day = self.some_day()
        if roll < 0.35:
            _name, bank = rng.choice(_SAAS)
            shown = self.shown(bank, 24)
            self.b(ev, day, "pad", -self.lognormal(40, 0.8, 600), case, shown, face=shown)
        elif roll < 0.6:
            cust = self.customer()
            self.b(
                ev,
                day,
                "etr_in",
                self.invoice_amount(cap=5_000),
                case,
                self.shown(self.alias(cust, ZERO)),
            )
        elif roll < 0.75:
            gov = "GOVT CANADA" if not self.bs.french else "GOUV. DU CANADA"
            self.b(ev, day, "misc_credit", self.lognormal(600, 0.9, 9_000), case, self.shown(gov))
        elif roll < 0.9:
            self.b(ev, day, "atm_wd", -Decimal(rng.choice((60, 100, 200, 300))), case)
        else:
            merchant, store = rng.choice(self.merchants)
            self.b(
                ev,
                day,
                "debit",
                -self.lognormal(45, 0.8),
                case,
                self.shown(merchant.bank.format(s=store), 24),
            )
        return ev

    def ev_not_at_bank(self) -> _Event:
        ev = _Event()
        rng = self.rng
        case = "not_at_bank"
        day = self.start + timedelta(days=rng.randrange(self.days))
        if rng.random() < 0.6:
            merchant, _store = rng.choice(self.merchants)
            memo = rng.choice(_CATEGORIES[self.pkg.lang])
            self.g(ev, day, "expense", -self.lognormal(120, 0.9), case, merchant.name, memo)
        else:
            self.receipt(ev, day, self.invoice_amount(cap=6_000), case, self.customer())
        return ev

    # -------------------------------------------------------- scheduled events

    def months(self) -> list[date]:
        first = date(self.start.year, self.start.month, 1)
        first = (first - timedelta(days=1)).replace(day=1)
        out: list[date] = []
        while first <= self.end + timedelta(days=31):
            out.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return out

    def schedule(self) -> None:
        rng = self.rng
        for month in self.months():
            for party, dom, base, spread in self.pads:
                amt = -_cents(int(base * rng.uniform(1 - spread, 1 + spread)))
                due = month.replace(day=min(dom, 28))
                self.run(partial(self.pad_event, party, due, amt))
            for party, dom, principal, rate in self.loans:
                self.run(partial(self.loan_event, party, month, dom, principal, rate))
            for party, dom in self.cards:
                due = month.replace(day=min(dom, 28))
                amt = -self.lognormal(4_000, 0.6, 40_000)
                self.run(partial(self.card_payment_event, party, due, amt))
            # Statement cycles close at month end, the last one at the period's end.
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            last_bd = self.on_or_before(
                min(month_end, self.end) if month <= self.end else month_end
            )
            fee = -_cents(self.monthly_fee)
            self.run(partial(self.fee_event, last_bd, "svc_fee", fee, "bank_charge"))
            interest = (
                self.lognormal(12, 1.0, 400)
                if self.interest_credit
                else -self.lognormal(30, 0.8, 500)
            )
            kind = "int_in" if self.interest_credit else "int_od"
            self.run(partial(self.fee_event, last_bd, kind, interest, "interest"))
            for proc in self.processors:
                if proc.gross:
                    day = self.add_bd(self.on_or_after(month), rng.randint(1, 4))
                    fee = -_cents(
                        int(proc.daily * 30 * float(proc.rate) * rng.uniform(0.8, 1.2) * 100)
                    )
                    self.run(partial(self.merchant_fee_event, proc, day, fee))
            self.run(partial(self.sales_tax_event, month))
            if not self.proc_remits:
                self.run(partial(self.remittance_event, month, "das"))
                if self.prov == "QC":
                    self.run(partial(self.remittance_event, month, "das_rq"))
        for pay_day in self.pay_days():
            self.run(partial(self.payroll_event, pay_day))
        for proc in self.processors:
            self.settlements(proc)

    def loan_event(
        self, party: _Party, month: date, dom: int, principal: int, rate: float
    ) -> _Event:
        ev = _Event()
        rng = self.rng
        due = month.replace(day=min(dom, 28))
        elapsed = (month.year - self.start.year) * 12 + month.month - self.start.month + 24
        balance = principal * (1 - elapsed / 120)
        interest = _cents(int(balance * rate / 12 * 100))
        payment = _cents(int(principal * 100 * (rate / 12) / (1 - (1 + rate / 12) ** -120)))
        part = payment - interest
        shown = self.shown(party.bank)
        case = "loan_payment"
        b = self.b(
            ev, due, "loan", -payment, case, shown, face=f"loan|{shown}", acct=self.loan_acct
        )
        day = due if rng.random() < 0.5 else b.day
        lender = party.name or self.bs.lender
        if rng.random() < 0.8:
            g1 = self.g(ev, day, "journal", -part, case, lender, self.w["principal"])
            g2 = self.g(ev, day, "journal", -interest, case, lender, self.w["interest"])
            ev.link(b, g1, "batch")
            ev.link(b, g2, "batch")
        else:
            ev.link(b, self.g(ev, day, "expense", -payment, case, lender, self.w["principal"]))
        return ev

    def merchant_fee_event(self, proc: _Processor, day: date, amount: Decimal) -> _Event:
        ev = _Event()
        shown = self.shown(proc.bank)
        b = self.b(ev, day, "merch_fee", amount, "merchant_fee", shown, face=f"mfee|{shown}")
        if self.rng.random() < max(0.5, self.pkg.book_fees):
            memo = self.w["merch_fee"]
            ev.link(
                b, self.g(ev, b.day, "expense", amount, "merchant_fee", proc.name, memo, "", b.text)
            )
        return ev

    def sales_tax_event(self, month: date) -> _Event:
        ev = _Event()
        rng = self.rng
        nxt = (month + timedelta(days=32)).replace(day=1)
        due = self.on_or_before((nxt + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        paid = self.add_bd(due, -rng.randint(0, 6))
        gst = self.lognormal(3_500, 0.6, 40_000)
        reported = self.month_word(month)
        case = "sales_tax"
        if self.prov == "QC":
            qst = (gst * Decimal("1.995")).quantize(CENT)
            name = "REVENU QUÉBEC TPS-TVQ"
            shown = self.shown(name, 26)
            b = self.b(ev, paid, "gov", -(gst + qst), case, shown, face=shown)
            if rng.random() < 0.7:
                ev.link(
                    b,
                    self.g(
                        ev, paid, "tax", -gst, case, "Revenu Québec", self.w["gst"].format(reported)
                    ),
                    "batch",
                )
                ev.link(
                    b,
                    self.g(
                        ev, paid, "tax", -qst, case, "Revenu Québec", self.w["qst"].format(reported)
                    ),
                    "batch",
                )
            else:
                memo = f"TPS/TVQ {reported}"
                ev.link(b, self.g(ev, paid, "tax", -(gst + qst), case, "Revenu Québec", memo))
            return ev
        name = rng.choice(("CRA GST/HST", "GST-HST PAYMENT", "CANADA GST/HST"))
        shown = self.shown(name, 26)
        b = self.b(ev, paid, "gov", -gst, case, shown, face=shown)
        who = "Receiver General for Canada" if rng.random() < 0.6 else "Canada Revenue Agency"
        ev.link(b, self.g(ev, paid, "tax", -gst, case, who, self.w["gst"].format(reported)))
        return ev

    def remittance_event(self, month: date, which: str) -> _Event:
        ev = _Event()
        rng = self.rng
        due = self.on_or_before(((month + timedelta(days=32)).replace(day=1)).replace(day=15))
        paid = self.add_bd(due, -rng.randint(0, 3))
        total_net = sum(e.net for e in self.staff) * (2.17 if self.pay_freq != "weekly" else 4.33)
        amt = _cents(int(total_net * rng.uniform(0.3, 0.42)))
        case = "payroll_remittance"
        if which == "das_rq":
            name, who = "REVENU QUÉBEC DAS", "Revenu Québec"
        elif self.prov == "QC":
            name, who = "ARC RETENUES SOURCE", "Receveur général du Canada"
        else:
            name = rng.choice(("CRA PD7A", "GOVT CANADA PD7A", "RECEIVER GENERAL PD7A"))
            who = "Receiver General for Canada"
        shown = self.shown(name, 26)
        b = self.b(ev, paid, "gov", -amt, case, shown, face=shown)
        memo = self.w[which].format(self.month_word(month))
        if rng.random() < 0.4:
            parts = self.split(amt, 3)
            labels = (self.w["cpp"], self.w["ei"], self.w["itax"])
            for part, label in zip(parts, labels, strict=False):
                g = self.g(ev, paid, "journal", -part, case, who, f"{memo} {label}")
                ev.link(b, g, "batch" if len(parts) > 1 else "one_to_one")
        else:
            ev.link(b, self.g(ev, paid, "journal", -amt, case, who, memo))
        return ev

    def pay_days(self) -> list[date]:
        lo, hi = self.start - timedelta(days=20), self.end + timedelta(days=20)
        out: list[date] = []
        if self.pay_freq == "semimonthly":
            for month in [*self.months(), (self.end + timedelta(days=32)).replace(day=1)]:
                last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                out += [month.replace(day=15), last]
        else:
            step = 7 if self.pay_freq == "weekly" else 14
            d = self.pay_anchor - timedelta(days=step * 6)
            while d <= hi:
                out.append(d)
                d += timedelta(days=step)
        return [self.on_or_before(d) for d in out if lo <= d <= hi]

    def payroll_event(self, pay_day: date) -> _Event:
        ev = _Event()
        rng = self.rng
        name, bank_name, lead = self.payroll
        debit_day = self.add_bd(pay_day, -lead)
        nets = [
            _cents(int(e.net * (rng.uniform(0.8, 1.2) if e.hourly else 1.0))) for e in self.staff
        ]
        total = sum(nets, ZERO)
        shown = self.shown(bank_name)
        period = self.day_word(pay_day)
        b = self.b(ev, debit_day, "payroll", -total, "payroll", shown, face=f"pay|{shown}")
        if self.payroll_batch:
            for emp, net in zip(self.staff, nets, strict=True):
                memo = self.w["net"]
                ev.link(b, self.g(ev, pay_day, "payroll", -net, "payroll", emp.name, memo), "batch")
        else:
            memo = f"{self.w['payrun'].format(period)} - {self.w['net']}"
            ev.link(b, self.g(ev, pay_day, "journal", -total, "payroll", name, memo))
        if self.proc_remits:
            case = "payroll_remittance"
            tax = _cents(int(int(total * 100) * rng.uniform(0.3, 0.42)))
            bt = self.b(ev, debit_day, "payroll_tax", -tax, case, shown, face=f"paytax|{shown}")
            memo = self.w["das"].format(period)
            if rng.random() < 0.35:
                for part, label in zip(self.split(tax, 3), ("cpp", "ei", "itax"), strict=False):
                    ev.link(
                        bt,
                        self.g(
                            ev, pay_day, "journal", -part, case, name, f"{memo} {self.w[label]}"
                        ),
                        "batch",
                    )
            else:
                ev.link(bt, self.g(ev, pay_day, "journal", -tax, case, name, memo))
        if rng.random() < 0.6:
            fee = _cents(int((2000 + 250 * len(self.staff)) * 1.13 * rng.uniform(0.95, 1.05)))
            bf = self.b(
                ev, debit_day, "payroll_fee", -fee, "payroll", shown, face=f"payfee|{shown}"
            )
            if rng.random() < max(0.5, self.pkg.book_fees):
                ev.link(
                    bf,
                    self.g(
                        ev,
                        debit_day,
                        "expense",
                        -fee,
                        "payroll",
                        name,
                        self.w["proc_fee"],
                        "",
                        bf.text,
                    ),
                )
        return ev

    def settlements(self, proc: _Processor) -> None:
        groups: dict[date, list[date]] = defaultdict(list)
        d = self.start - timedelta(days=8)
        while d <= self.end:
            if d.weekday() in proc.open_days and d not in self.hol:
                groups[self.add_bd(d, proc.lag)].append(d)
            d += timedelta(days=1)
        for deposit, sales_days in groups.items():
            before = [s for s in sales_days if s < self.start]
            after = [s for s in sales_days if s >= self.start]
            runs = [before, after] if before and after else [sales_days]
            if not proc.combine:
                runs = [[s] for s in sales_days]
            for run in runs:
                self.run(partial(self.settlement_event, proc, deposit, tuple(run)))

    def settlement_event(
        self, proc: _Processor, deposit: date, sales_days: tuple[date, ...]
    ) -> _Event:
        ev = _Event()
        rng = self.rng
        shown = self.shown(proc.bank)
        days: list[tuple[date, Decimal, Decimal]] = []
        for s in sales_days:
            weekend = 1.4 if s.weekday() >= 5 else 1.0
            gross = self.lognormal(proc.daily * weekend, 0.45, 20_000)
            txns = max(1, int(float(gross) / proc.ticket))
            fee = (gross * proc.rate + proc.per_txn * txns).quantize(CENT)
            days.append((s, gross, fee if not proc.gross else ZERO))
        total = sum((g - f for _s, g, f in days), ZERO)
        if proc.gross:
            case = "card_weekend_batch" if len(days) > 1 else "card_settlement_exact"
            if len(days) == 1 and rng.random() < 0.12:
                case = "card_books_net"
        else:
            case = {"gross": "card_settlement_net", "split": "card_settlement_split"}.get(
                self.card_book if rng.random() < 0.8 else rng.choice(("gross", "split", "net")),
                "card_settlement_exact",
            )
            if case == "card_settlement_net" and (
                len(days) > 1 or any(f > Decimal(50) + g * Decimal("0.035") for _s, g, f in days)
            ):
                case = "card_settlement_split"
        b = self.b(ev, deposit, "merch_in", total, case, shown, face=f"merch|{shown}")
        ref = f"{rng.randint(1, 999):03d}" if self.pkg.layout == "sage" else ""
        if case == "card_settlement_exact" and not proc.gross:
            s = days[0][0]
            g = self.g(
                ev,
                b.day,
                "deposit",
                total,
                case,
                proc.name,
                self.w["sales"].format(self.day_word(s)),
                ref,
                b.text,
            )
            ev.link(b, g)
            return ev
        if case == "card_books_net":
            # The books took the processor's daily discount; the bank paid gross and the
            # fees come as one debit next month.
            s, gross, _fee = days[0]
            net = gross - (gross * proc.rate).quantize(CENT)
            memo = f"{self.w['sales'].format(self.day_word(s))} ({self.w['net_of_fees']})"
            ev.link(b, self.g(ev, s, "sales", net, case, proc.name, memo, ref), "amount_mismatch")
            return ev
        for s, gross, fee in days:
            memo = self.w["sales"].format(self.day_word(s))
            g = self.g(ev, s, "sales", gross, case, proc.name, memo, ref)
            if case == "card_settlement_net":
                ev.link(b, g, "amount_mismatch")
            elif case == "card_settlement_split":
                ev.link(b, g, "batch")
                f = self.g(ev, s, "sales", -fee, case, proc.name, self.w["merch_fee"], ref)
                ev.link(b, f, "batch")
            else:
                ev.link(b, g, "batch" if len(days) > 1 else "one_to_one")
        return ev

    # ------------------------------------------------------------- the month

    _RANDOM: tuple[tuple[str, int], ...] = (
        ("etransfer_in", 170),
        ("etransfer_in_two_invoices", 20),
        ("etransfer_out", 75),
        ("eft_receipt", 45),
        ("deposit_slip", 40),
        ("cheque_deposit", 25),
        ("debit_purchase", 70),
        ("bill_payment", 55),
        ("pad", 15),
        ("cheque_paid", 80),
        ("void_reissue", 3),
        ("card_payment", 5),
        ("transfer", 15),
        ("usd_transfer", 8),
        ("bank_charge", 10),
        ("transposed", 14),
        ("wrong_payment_reversed", 3),
        ("duplicate_reversed", 6),
        ("same_payee_twice", 6),
        ("nsf_return", 3),
        ("round_amount_shared", 6),
        ("prior_period", 5),
        ("unrecorded", 14),
        ("not_at_bank", 8),
    )

    def builders(self) -> dict[str, Builder]:
        return {
            "etransfer_in": self.ev_etransfer_in,
            "etransfer_in_two_invoices": lambda: self.ev_etransfer_in(
                "etransfer_in_two_invoices", n_inv=self.rng.choice((2, 2, 3))
            ),
            "etransfer_out": self.ev_etransfer_out,
            "eft_receipt": self.ev_eft_receipt,
            "deposit_slip": self.ev_deposit_slip,
            "cheque_deposit": self.ev_cheque_deposit,
            "debit_purchase": self.ev_debit_purchase,
            "bill_payment": self.ev_bill_payment,
            "pad": self.ev_pad,
            "cheque_paid": self.ev_cheque,
            "void_reissue": self.ev_void_reissue,
            "card_payment": self.ev_card_payment,
            "transfer": self.ev_transfer,
            "usd_transfer": self.ev_usd_transfer,
            "bank_charge": self.ev_bank_charge,
            "transposed": self.ev_transposed,
            "wrong_payment_reversed": self.ev_wrong_payment,
            "duplicate_reversed": self.ev_duplicate,
            "same_payee_twice": self.ev_same_payee_twice,
            "nsf_return": self.ev_nsf,
            "round_amount_shared": self.ev_round_shared,
            "prior_period": self.ev_prior_period,
            "unrecorded": self.ev_unrecorded,
            "not_at_bank": self.ev_not_at_bank,
        }

    def fill(self, n_bank: int) -> None:
        table = self.builders()
        names = [n for n, _w in self._RANDOM]
        weights = [w for _n, w in self._RANDOM]
        stalls = 0
        while self.n_bank < n_bank and stalls < 1_000:
            before = self.n_bank
            self.run(table[self.rng.choices(names, weights)[0]])
            stalls = stalls + 1 if self.n_bank == before else 0

    def number_cheques(self) -> None:
        """Cheque books run in issue order; fill the numbers into every row that shows one."""
        for offset, (_issued, slot) in enumerate(sorted(self.slots)):
            num = self.first_cheque + offset
            for row in self.slot_rows.get(slot, []):
                if isinstance(row, _BRow):
                    row.text = self.bs.cheque.format_map(_Fill(self.rng, {"num": num}))
                else:
                    row.text = row.text.replace(_CHQ, str(num))
                    row.ref = row.ref.replace(_CHQ, str(num))

    def dataset(self) -> SynthDataset:
        self.number_cheques()
        rng = self.rng
        bank = sorted(self.book.bank, key=lambda r: (r.day, rng.random()))
        gl = sorted(self.book.gl, key=lambda r: (r.day, rng.random()))
        return assemble(
            bank,
            gl,
            self.book.pairs,
            self.book.offsets,
            id_formats=(self.bs.id_fmt, self.pkg.id_fmt),
            period=(self.start, self.end),
            seed=self.seed,
        )


def generate(n_bank: int, seed: int, *, days: int | None = None) -> SynthDataset:
    """A Canadian month of about ``n_bank`` bank lines with its ground truth, fixed per seed.

    ``days`` defaults to about a month per thousand lines, the pace of a busy small firm.
    """
    if n_bank < 1:
        raise ValueError("n_bank must be positive")
    month = _Month(seed, days or max(28, n_bank // 33))
    month.schedule()
    month.fill(n_bank)
    return month.dataset()
