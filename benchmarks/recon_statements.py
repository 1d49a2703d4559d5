"""A second, independent generator of bank statements and ledgers, with ground truth.

Written from how US business statements and small-business ledgers look, not from
``recon_synth``: a matcher tuned on one generator must also hold on this one, or it
learned a generator rather than reconciliation. Each dataset draws one bank's
description style (Chase-like ``ORIG CO NAME:``, Bank-of-America-like ``DES: ... ID:
... INDN:``, Wells-like ``ACH PMT``, or terse ``ACH DEBIT NAME``) and one bookkeeper's
habits (memo style, which entry types are used, whether cheque numbers go in ``ref``).

What real months contain and this generator injects, each labelled with its case:

- customer cheques received over a working week and deposited together on one slip
  (``DEPOSIT``, ``BRANCH DEPOSIT 4 ITEMS``, ``REMOTE DEPOSIT CAPTURE``);
- fees on either side: a processor or bank nets a fee from a receipt (ledger gross,
  bank net), the bank shows the gross receipt and charges the fee on its own line while
  the books took the net, an outgoing wire debited with its fee, or the books including
  the expected fee in the payment;
- cheques whose number sits in ``ref`` whatever the entry type (``Bill payment``,
  ``Payment``), the same vendor paid twice by cheque, voided cheques reissued with a
  memo that says "voided" and "replaces";
- payroll through a processor (``ADP WAGE PAY``, ``GUSTO NET``, ``PAYCHEX PAYROLL``)
  booked as "Net pay" and "Payroll taxes";
- a wrong payment returned and paid again correctly (all three legs at the bank), or a
  booking error corrected in the books only;
- transposed digits, NSF returns, weekly repeats of the same amount, same amounts on the
  same day, prior-period cheques, bank charges and interest, outstanding cheques and
  deposits in transit.

Seeds 1-3 are the tuning seeds; 11-15 are held out (see BENCHMARKS.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from baton.tools.finance.models import MatchKind
from benchmarks.recon_truth import DraftBook, SynthDataset, assemble, swap_spots, swapped

TUNING_SEEDS = (1, 2, 3)
HELD_OUT_SEEDS = (11, 12, 13, 14, 15)
EXTRA_TUNING_SEEDS = (21, 22, 23, 24, 25, 26, 27, 28, 29, 30)
"""Looked at while writing rules, like TUNING_SEEDS (more examples of each case)."""
FRESH_SEEDS = (31, 32, 33, 34, 35)
"""A second held-out set, run once at the end of the issue-15 recall pass."""
CENT = Decimal("0.01")

CASES: tuple[str, ...] = (
    "ach_payment",
    "card_purchase",
    "customer_ach",
    "customer_wire",
    "cheque_paid",
    "cheque_same_vendor",
    "batch_deposit",
    "fee_ledger_gross",
    "fee_bank_gross",
    "fee_wire_out",
    "fee_in_payment",
    "void_reissue",
    "wrong_payment",
    "booking_error",
    "transposed",
    "payroll",
    "weekly_repeat",
    "same_day_same_amount",
    "nsf_return",
    "prior_period",
    "bank_charge",
    "outstanding_cheque",
    "deposit_in_transit",
)

_WEIGHTS: dict[str, float] = {
    "ach_payment": 0.16,
    "card_purchase": 0.30,
    "customer_ach": 0.10,
    "customer_wire": 0.03,
    "cheque_paid": 0.07,
    "cheque_same_vendor": 0.012,
    "batch_deposit": 0.03,
    "fee_ledger_gross": 0.012,
    "fee_bank_gross": 0.01,
    "fee_wire_out": 0.01,
    "fee_in_payment": 0.008,
    "void_reissue": 0.01,
    "wrong_payment": 0.01,
    "booking_error": 0.006,
    "transposed": 0.012,
    "payroll": 0.01,
    "weekly_repeat": 0.01,
    "same_day_same_amount": 0.015,
    "nsf_return": 0.006,
    "prior_period": 0.012,
    "bank_charge": 0.015,
    "outstanding_cheque": 0.015,
    "deposit_in_transit": 0.008,
}

_FIRST = (
    "Alder",
    "Beacon",
    "Bluestem",
    "Cobalt",
    "Driftwood",
    "Elm Street",
    "Fairview",
    "Foxglove",
    "Hartwell",
    "Highland",
    "Juniper",
    "Keystone",
    "Larkspur",
    "Meridian",
    "Northgate",
    "Orchard",
    "Pinecrest",
    "Quarry",
    "Ridgeline",
    "Saltmarsh",
    "Tamarack",
    "Union Square",
    "Valley",
    "Westbrook",
    "Willow",
    "Yellowfin",
    "Brightwater",
    "Copperline",
    "Dunmore",
    "Eastlake",
    "Greystone",
    "Hollis",
    "Ironwood",
    "Kingsley",
    "Lighthouse",
    "Marlowe",
)
_SECOND = (
    "Plumbing",
    "Dental",
    "Logistics",
    "Printing",
    "Electric",
    "Landscaping",
    "Bakery",
    "Consulting",
    "Janitorial",
    "Staffing",
    "Roofing",
    "Insurance Agency",
    "Veterinary",
    "Hardware",
    "Textiles",
    "Audio Visual",
    "Catering",
    "Engineering",
    "Freight",
    "Office Supply",
    "Security",
    "Packaging",
    "Signs",
    "Courier",
    "Architects",
    "Optical",
)
_TOWNS = (
    "Ashford",
    "Bellmont",
    "Carver",
    "Delmar",
    "Easton",
    "Fremont",
    "Glenwood",
    "Harlan",
    "Irvington",
    "Jasper",
    "Kenmore",
    "Lyndon",
    "Milford",
    "Newport",
    "Oakdale",
    "Preston",
)
_SUFFIX = ("Inc", "LLC", "Co", "Corp", "Ltd", "", "", "Group", "& Sons", "Partners")
_SURNAMES = ("Nguyen", "Patel", "Okafor", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Reyes")
_MERCHANTS = (
    ("Costco", "COSTCO WHSE #{n4}"),
    ("Home Depot", "THE HOME DEPOT {n4}"),
    ("Shell", "SHELL OIL {n8}"),
    ("Exxon", "EXXONMOBIL {n8}"),
    ("Amazon", "AMAZON.COM*{a6}"),
    ("Staples", "STAPLES {n5}"),
    ("FedEx", "FEDEX {n9}"),
    ("Adobe", "ADOBE *ACROPRO SUBS"),
    ("Google Workspace", "GOOGLE *WORKSPACE"),
    ("Zoom", "ZOOM.US 888-799-9666"),
    ("Delta Air Lines", "DELTA AIR {n10}"),
    ("Hertz", "HERTZ RENT-A-CAR {n6}"),
    ("Lowe's", "LOWES #{n5}"),
    ("Walgreens", "WALGREENS #{n5}"),
    ("Chevron", "CHEVRON {n7}"),
    ("Uber", "UBER   TRIP"),
    ("Panera Bread", "PANERA BREAD #{n6}"),
    ("Grainger", "GRAINGER {n9}"),
)
_CITIES = (("DENVER", "CO"), ("AUSTIN", "TX"), ("TAMPA", "FL"), ("BOISE", "ID"), ("RENO", "NV"))
_PAYROLL = (
    ("ADP", "ADP WAGE PAY", "ADP TAX"),
    ("Gusto", "GUSTO NET", "GUSTO TAX"),
    ("Paychex", "PAYCHEX PAYROLL", "PAYCHEX TPS TAXES"),
)


@dataclass
class _Party:
    name: str
    """As the books name it."""
    bank_name: str
    """As the counterparty's bank or processor sends it: upper case, often cut."""


@dataclass
class _Row:
    key: int
    day: date
    text: str
    amount: Decimal
    ref: str
    entry_type: str
    case: str


class _Month(DraftBook[_Row, _Row]):
    """One business's statement and books, built event by event; ids come at the end."""

    def __init__(self, seed: int, n_bank: int, days: int) -> None:
        super().__init__()
        self.rng = random.Random(f"statements-{seed}")
        rng = self.rng
        self.start = date(rng.choice((2024, 2025, 2026)), rng.randint(1, 12), 1)
        self.end = self.start + timedelta(days=days - 1)
        self.n_bank = n_bank
        self.cheque = rng.randint(2000, 9000)
        self.invoice = rng.randint(1000, 9000)
        self.style = rng.choice(("chase", "bofa", "wells", "terse"))
        self.memo = rng.choice(("dash", "plain", "payto"))
        self.ref_cheques = rng.random() < 0.8  # cheque numbers go in ref
        self.pay_type = rng.choice(("Bill payment", "Payment", "Expense", ""))
        self.cheque_type = rng.choice(("Check", "Bill payment", "Payment", "Expense"))
        self.receipt_type = rng.choice(("Receive payment", "Deposit", "Payment", ""))
        self.deposit_style = rng.choice(("DEPOSIT", "BRANCH DEPOSIT", "REMOTE DEPOSIT CAPTURE"))
        self.print_items = rng.random() < 0.5
        weekdays = rng.choice(((0, 1, 2, 3, 4), (0, 2, 4), (1, 4), (4,)))
        self.deposit_days = [
            d
            for d in (self.start + timedelta(days=i) for i in range(days))
            if d.weekday() in weekdays
        ]
        self.deposits_made: set[date] = set()
        self.payroll = rng.choice(_PAYROLL)
        used: set[str] = set()
        self.vendors = [self._party(used) for _ in range(max(30, n_bank // 25))]
        self.customers = [self._party(used, person=rng.random() < 0.3) for _ in range(80)]
        self.customers += [self._party(used) for _ in range(max(40, n_bank // 20))]
        self.merchants = [
            _Party(name, self._fill(desc)) for name, desc in _MERCHANTS for _ in range(1)
        ]

    # ----- primitives ------------------------------------------------------------------
    def _fill(self, pattern: str) -> str:
        rng = self.rng
        out = pattern
        for n in (4, 5, 6, 7, 8, 9, 10):
            out = out.replace(f"{{n{n}}}", "".join(rng.choice("0123456789") for _ in range(n)))
        alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        return out.replace("{a6}", "".join(rng.choice(alnum) for _ in range(6)))

    def _party(self, used: set[str], *, person: bool = False) -> _Party:
        rng = self.rng
        for attempt in range(10_000):
            if person:
                name = f"{rng.choice(_SURNAMES)} {rng.choice(_SECOND)}"
            else:
                name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
            if attempt >= 20:  # a large month: firms also differ by their town
                name = f"{rng.choice(_FIRST)} {rng.choice(_TOWNS)} {rng.choice(_SECOND)}"
            if name not in used:
                used.add(name)
                break
        suffix = rng.choice(_SUFFIX)
        full = f"{name} {suffix}".strip()
        bank = full.upper().replace("&", "AND").replace("'", "")
        if rng.random() < 0.6:
            bank = bank[: rng.randint(16, 22)].rstrip()
        return _Party(full, bank)

    def bank_row(self, day: date, text: str, amount: Decimal, case: str) -> int:
        k = self.key()
        self.bank.append(_Row(k, self.post(day), " ".join(text.split()), amount, "", "", case))
        return k

    def gl_row(
        self, day: date, text: str, amount: Decimal, case: str, ref: str = "", kind: str = ""
    ) -> int:
        k = self.key()
        self.gl.append(_Row(k, day, text, amount, ref, kind, case))
        return k

    def pair(self, b: int, g: int, case: str, kind: MatchKind = "one_to_one") -> None:
        self.pairs.append((b, g, kind, case))

    @staticmethod
    def post(day: date) -> date:
        """Banks post on business days: a weekend item lands on Monday."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def bdays(self, day: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        while n:
            day += timedelta(days=step)
            if day.weekday() < 5:
                n -= step
        return day

    def some_day(self, tail: int = 0) -> date:
        return self.start + timedelta(days=self.rng.randint(0, (self.end - self.start).days - tail))

    def work_day(self, tail: int = 0) -> date:
        day = self.some_day(tail)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return max(day, self.start)

    def clearing(self, day: date, low: int, high: int) -> date:
        lag = self.rng.randint(low, high)
        if self.rng.random() < 0.05:
            lag += self.rng.randint(1, 4)
        return self.bdays(day, lag)

    def amount(self, median: float, spread: float = 0.9, round_share: float = 0.1) -> Decimal:
        value = max(1.0, self.rng.lognormvariate(0, spread) * median)
        if self.rng.random() < round_share:
            step = 50 if value > 500 else 5
            return Decimal(max(step, round(value / step) * step))
        return Decimal(str(round(value, 2))).quantize(CENT)

    def next_cheque(self) -> str:
        self.cheque += 1
        return str(self.cheque)

    def next_invoice(self) -> str:
        self.invoice += 1
        return f"INV-{self.invoice}"

    # ----- how this bank prints things ---------------------------------------------------
    def ach_text(self, party: _Party, *, out: bool, day: date) -> str:
        rng = self.rng
        what = "PAYMENT" if out else rng.choice(("PAYMENT", "AP PMT", "VENDOR PAY"))
        trace = "".join(rng.choice("0123456789") for _ in range(15))
        if self.style == "chase":
            return (
                f"ORIG CO NAME:{party.bank_name} ORIG ID:{trace[:10]} DESC DATE:{day:%y%m%d}"
                f" CO ENTRY DESCR:{what} SEC:CCD TRACE#:{trace}"
            )
        if self.style == "bofa":
            return (
                f"{party.bank_name} DES:{what} ID:{trace[:9]} INDN:BATON WORKS"
                f" CO ID:{trace[9:]} CCD"
            )
        if self.style == "wells":
            return f"{party.bank_name} {what} {day:%m%d%y} {trace[:8]}"
        return f"ACH {'DEBIT' if out else 'CREDIT'} {party.bank_name}"

    def card_text(self, merchant: _Party, day: date) -> str:
        rng = self.rng
        city, state = rng.choice(_CITIES)
        card = rng.choice(("1234", "5512", "0087"))
        if self.style == "chase":
            return f"CARD PURCHASE {day:%m/%d} {merchant.bank_name} {city} {state} CARD {card}"
        if self.style == "bofa":
            return f"CHECKCARD {day:%m%d} {merchant.bank_name} {city} {state}"
        if self.style == "wells":
            return (
                f"PURCHASE AUTHORIZED ON {day:%m/%d} {merchant.bank_name} {city} {state}"
                f" S{rng.randint(10**8, 10**9)} CARD {card}"
            )
        return f"POS DEBIT {merchant.bank_name} {city} {state}"

    def cheque_text(self, number: str) -> str:
        return self.rng.choice(
            (
                f"CHECK {number}",
                f"CHECK # {number}",
                f"CHECK PAID #{number}",
                f"CHK {number.zfill(8)}",
            )
        )

    def wire_in_text(self, party: _Party) -> str:
        if self.style in ("chase", "terse"):
            return f"FEDWIRE CREDIT VIA: FIRST REPUBLIC B/O: {party.bank_name} REF: CHASE NYC"
        return f"WIRE TYPE:WIRE IN DATE:{self.rng.randint(100000, 999999)} ORIG:{party.bank_name}"

    def wire_out_text(self, party: _Party) -> str:
        return f"WIRE TYPE:WIRE OUT BNF:{party.bank_name} ID:{self.rng.randint(10**9, 10**10)}"

    # ----- how this bookkeeper writes things ---------------------------------------------
    def pay_text(self, party: _Party, ref: str = "") -> str:
        if self.memo == "dash":
            return f"{party.name} - {ref or 'supplies'}"
        if self.memo == "payto":
            return f"Payment to {party.name}"
        return party.name

    def receipt_text(self, party: _Party, ref: str = "") -> str:
        if self.memo == "dash":
            return f"{party.name} - payment {ref}".strip()
        return f"Payment from {party.name}" if self.memo == "payto" else party.name

    def cheque_entry(
        self, day: date, party: _Party, amount: Decimal, number: str, case: str, text: str = ""
    ) -> int:
        """A cheque booked as the bookkeeper's software does: number in ref, any type."""
        ref = number if self.ref_cheques else ""
        memo = text or self.pay_text(party)
        if not self.ref_cheques:
            memo = f"{memo} chk {number}"
        return self.gl_row(day, memo, -amount, case, ref, self.cheque_type)


# ----- events ----------------------------------------------------------------------------


def _ach_payment(m: _Month, case: str = "ach_payment") -> tuple[int, int]:
    party = m.rng.choice(m.vendors)
    day = m.work_day()
    amount = m.amount(900, round_share=0.25)
    inv = m.next_invoice()
    g = m.gl_row(day, m.pay_text(party, inv), -amount, case, inv, m.pay_type)
    b = m.bank_row(m.clearing(day, 0, 2), m.ach_text(party, out=True, day=day), -amount, case)
    m.pair(b, g, case)
    return b, g


def _card(m: _Month) -> None:
    merchant = m.rng.choice(m.merchants)
    day = m.some_day()
    amount = m.amount(60)
    g = m.gl_row(
        day,
        f"{merchant.name} - {m.rng.choice(('fuel', 'supplies', 'travel', 'software'))}",
        -amount,
        "card_purchase",
        "",
        m.pay_type,
    )
    b = m.bank_row(m.clearing(day, 1, 3), m.card_text(merchant, day), -amount, "card_purchase")
    m.pair(b, g, "card_purchase")


def _customer_receipt(m: _Month, case: str, cap: int, round_share: float) -> None:
    """A customer pays an invoice by ACH or wire; it clears the same or the next day."""
    party = m.rng.choice(m.customers)
    day = m.work_day()
    amount = m.amount(cap, round_share=round_share)
    inv = m.next_invoice()
    g = m.gl_row(day, m.receipt_text(party, inv), amount, case, inv, m.receipt_type)
    cleared = m.clearing(day, 0, 1)
    text = (
        m.ach_text(party, out=False, day=day) if case == "customer_ach" else m.wire_in_text(party)
    )
    b = m.bank_row(cleared, text, amount, case)
    m.pair(b, g, case)


def _customer_ach(m: _Month) -> None:
    _customer_receipt(m, "customer_ach", 1500, 0.3)


def _customer_wire(m: _Month) -> None:
    _customer_receipt(m, "customer_wire", 8000, 0.4)


def _cheque_paid(
    m: _Month, case: str = "cheque_paid", party: _Party | None = None, amount: Decimal | None = None
) -> None:
    party = party or m.rng.choice(m.vendors)
    day = m.work_day(tail=5)
    amount = amount or m.amount(1200, round_share=0.3)
    number = m.next_cheque()
    g = m.cheque_entry(day, party, amount, number, case)
    b = m.bank_row(m.clearing(day, 3, 12), m.cheque_text(number), -amount, case)
    m.pair(b, g, case)


def _cheque_same_vendor(m: _Month) -> None:
    """The same vendor paid twice by cheque, often the same amount (rent, retainers)."""
    party = m.rng.choice(m.vendors)
    amount = m.amount(1500, round_share=0.6)
    _cheque_paid(m, "cheque_same_vendor", party, amount)
    _cheque_paid(m, "cheque_same_vendor", party, amount if m.rng.random() < 0.7 else None)


def _batch_deposit(m: _Month) -> None:
    """Cheques received since the last deposit day, taken to the bank on one slip.

    The business deposits on fixed weekdays (daily, Mon/Wed/Fri, Tue/Fri or Fridays
    only), so a slip holds cheques dated up to a working week before it, and now and
    then one that missed the previous slip. Each deposit day is used once.
    """
    free = [d for d in m.deposit_days if d not in m.deposits_made]
    if not free:
        _customer_ach(m)
        return
    deposit = m.rng.choice(free)
    m.deposits_made.add(deposit)
    previous = max((d for d in m.deposit_days if d < deposit), default=m.bdays(deposit, -5))
    span = [
        d
        for d in (previous + timedelta(days=i) for i in range(1, (deposit - previous).days + 1))
        if d.weekday() < 5
    ]
    n = m.rng.randint(2, 7)
    keys = []
    total = Decimal(0)
    for i in range(n):
        party = m.rng.choice(m.customers)
        day = m.rng.choice(span)
        if i == 0 and m.rng.random() < 0.1:
            day = m.bdays(previous, -m.rng.randint(0, 1))  # missed the previous slip
        amount = m.amount(700, round_share=0.35)
        total += amount
        number = str(m.rng.randint(100, 9999))
        memo = m.receipt_text(party)
        if m.rng.random() < 0.4:
            memo += f" ck {number}"
        ref = number if m.rng.random() < 0.3 else ""
        keys.append(m.gl_row(day, memo, amount, "batch_deposit", ref, m.receipt_type))
    text = m.deposit_style + (f" {n} ITEMS" if m.print_items else "")
    if m.deposit_style == "REMOTE DEPOSIT CAPTURE":
        text += f" REF {m.rng.randint(10**6, 10**7)}"
    b = m.bank_row(deposit, text, total, "batch_deposit")
    for g in keys:
        m.pair(b, g, "batch_deposit", "batch")


def _fee(tolerance: Decimal, amount: Decimal, rng: random.Random, wire: bool) -> Decimal:
    if wire:
        return Decimal(rng.choice(("15.00", "20.00", "25.00", "30.00", "35.00", "45.00")))
    return (amount * Decimal(str(rng.uniform(0.019, 0.031)))).quantize(CENT) + Decimal("0.30")


def _fee_ledger_gross(m: _Month) -> None:
    """A processor or the bank nets its fee: the books carry the invoice, the bank less."""
    party = m.rng.choice(m.customers)
    day = m.work_day()
    amount = m.amount(2500)
    wire = m.rng.random() < 0.5
    fee = _fee(Decimal(0), amount, m.rng, wire)
    inv = m.next_invoice()
    g = m.gl_row(day, m.receipt_text(party, inv), amount, "fee_ledger_gross", inv, m.receipt_type)
    text = m.wire_in_text(party) if wire else m.ach_text(party, out=False, day=day)
    b = m.bank_row(m.clearing(day, 0, 2), text, amount - fee, "fee_ledger_gross")
    m.pair(b, g, "fee_ledger_gross", "amount_mismatch")


def _fee_bank_gross(m: _Month) -> None:
    """The bank credits the whole wire and charges its fee on a line of its own; the
    bookkeeper booked the net the remittance advice promised."""
    party = m.rng.choice(m.customers)
    day = m.work_day()
    amount = m.amount(6000, round_share=0.4)
    fee = Decimal(m.rng.choice(("15.00", "16.00", "20.00", "25.00")))
    inv = m.next_invoice()
    g = m.gl_row(
        day, m.receipt_text(party, inv), amount - fee, "fee_bank_gross", inv, m.receipt_type
    )
    posted = m.clearing(day, 0, 2)
    b = m.bank_row(posted, m.wire_in_text(party), amount, "fee_bank_gross")
    m.bank_row(posted, "INCOMING WIRE FEE", -fee, "fee_bank_gross")
    m.pair(b, g, "fee_bank_gross", "amount_mismatch")


def _fee_wire_out(m: _Month) -> None:
    """An outgoing wire debited together with the bank's fee; the books carry the invoice."""
    party = m.rng.choice(m.vendors)
    day = m.work_day()
    amount = m.amount(5000, round_share=0.4)
    fee = Decimal(m.rng.choice(("25.00", "30.00", "35.00", "45.00")))
    inv = m.next_invoice()
    g = m.gl_row(day, m.pay_text(party, inv), -amount, "fee_wire_out", inv, m.pay_type)
    b = m.bank_row(m.clearing(day, 0, 1), m.wire_out_text(party), -(amount + fee), "fee_wire_out")
    m.pair(b, g, "fee_wire_out", "amount_mismatch")


def _fee_in_payment(m: _Month) -> None:
    """The bookkeeper booked the wire with its expected fee; the bank charges the fee
    separately, so the payment line shows less than the books."""
    party = m.rng.choice(m.vendors)
    day = m.work_day()
    amount = m.amount(4000, round_share=0.4)
    fee = Decimal(m.rng.choice(("25.00", "30.00", "35.00")))
    inv = m.next_invoice()
    g = m.gl_row(
        day,
        f"{m.pay_text(party, inv)} incl. wire fee",
        -(amount + fee),
        "fee_in_payment",
        inv,
        m.pay_type,
    )
    posted = m.clearing(day, 0, 1)
    b = m.bank_row(posted, m.wire_out_text(party), -amount, "fee_in_payment")
    m.bank_row(posted, "WIRE TRANS SVC CHARGE", -fee, "fee_in_payment")
    m.pair(b, g, "fee_in_payment", "amount_mismatch")


def _void_reissue(m: _Month) -> None:
    """A cheque lost or wrong: voided in the books and a new one written."""
    party = m.rng.choice(m.vendors)
    day = m.work_day(tail=10)
    amount = m.amount(1100, round_share=0.3)
    old = m.next_cheque()
    first = m.cheque_entry(day, party, amount, old, "void_reissue")
    void_day = m.bdays(day, m.rng.randint(2, 6))
    void = m.gl_row(
        void_day,
        f"VOID check {old} - {party.name}",
        amount,
        "void_reissue",
        old if m.ref_cheques else "",
        m.rng.choice(("Void", "Journal", "Check")),
    )
    m.offsets.append((first, void, "void_reissue"))
    new = m.next_cheque()
    memo = m.rng.choice(
        (
            f"{party.name} - replaces voided check {old}",
            f"Reissue of check {old} (voided) - {party.name}",
            f"{party.name} replacement for chk {old}, voided",
        )
    )
    reissue = m.gl_row(void_day, memo, -amount, "void_reissue", new, m.cheque_type)
    b = m.bank_row(m.clearing(void_day, 3, 10), m.cheque_text(new), -amount, "void_reissue")
    m.pair(b, reissue, "void_reissue")


def _wrong_payment(m: _Month) -> None:
    """Paid the wrong amount by ACH; the bank returned it; the right amount was paid."""
    party = m.rng.choice(m.vendors)
    day = m.work_day(tail=8)
    right = m.amount(2000, round_share=0.3)
    wrong = (
        right * Decimal(m.rng.choice(("10", "0.1", "2")))
        if m.rng.random() < 0.4
        else right + Decimal(m.rng.choice(("100", "900", "1000")))
    )
    wrong = wrong.quantize(CENT)
    inv = m.next_invoice()
    g1 = m.gl_row(day, m.pay_text(party, inv), -wrong, "wrong_payment", inv, m.pay_type)
    b1 = m.bank_row(
        m.clearing(day, 0, 1), m.ach_text(party, out=True, day=day), -wrong, "wrong_payment"
    )
    back = m.bdays(day, m.rng.randint(2, 4))
    g2 = m.gl_row(
        back,
        m.rng.choice(
            (
                f"Reversal of payment to {party.name}",
                f"{party.name} - payment returned",
                f"Reverse {inv} wrong amount",
            )
        ),
        wrong,
        "wrong_payment",
        inv if m.rng.random() < 0.6 else "",
        m.rng.choice(("Journal", "Reversal", m.receipt_type)),
    )
    b2 = m.bank_row(
        back,
        m.rng.choice(
            (
                f"ACH RETURN {party.bank_name}",
                f"REVERSAL {party.bank_name}",
                f"{party.bank_name} RETURN R{m.rng.randint(1, 29):02d}",
            )
        ),
        wrong,
        "wrong_payment",
    )
    again = m.bdays(back, m.rng.randint(0, 2))
    g3 = m.gl_row(again, m.pay_text(party, inv), -right, "wrong_payment", inv, m.pay_type)
    b3 = m.bank_row(
        m.clearing(again, 0, 1), m.ach_text(party, out=True, day=again), -right, "wrong_payment"
    )
    for b, g in ((b1, g1), (b2, g2), (b3, g3)):
        m.pair(b, g, "wrong_payment")


def _booking_error(m: _Month) -> None:
    """A payment booked twice in error; the duplicate reversed in the books only."""
    _b, g = _ach_payment(m, "booking_error")
    row = next(r for r in m.gl if r.key == g)
    dup = m.gl_row(row.day, row.text, row.amount, "booking_error", row.ref, row.entry_type)
    fix = m.gl_row(
        m.bdays(row.day, m.rng.randint(1, 5)),
        f"Reverse duplicate entry - {row.text}",
        -row.amount,
        "booking_error",
        row.ref,
        "Journal",
    )
    m.offsets.append((dup, fix, "booking_error"))


def _transposed(m: _Month) -> None:
    """The bookkeeper swapped two adjacent digits; the bank amount is right."""
    while True:
        amount = m.amount(900)
        spots = swap_spots(amount)
        if spots:
            break
    booked = swapped(amount, m.rng.choice(spots))
    out = m.rng.random() < 0.6
    party = m.rng.choice(m.vendors if out else m.customers)
    day = m.work_day()
    inv = m.next_invoice()
    sign = -1 if out else 1
    text = m.pay_text(party, inv) if out else m.receipt_text(party, inv)
    g = m.gl_row(day, text, sign * booked, "transposed", inv, m.pay_type if out else m.receipt_type)
    b = m.bank_row(
        m.clearing(day, 0, 2), m.ach_text(party, out=out, day=day), sign * amount, "transposed"
    )
    m.pair(b, g, "transposed", "amount_mismatch")


def _payroll(m: _Month) -> None:
    """A pay run through a processor: net pay and taxes debited, booked as journals."""
    _name, wage, tax = m.payroll
    day = m.work_day(tail=3)
    net = m.amount(14000, spread=0.3)
    taxes = (net * Decimal(str(m.rng.uniform(0.28, 0.4)))).quantize(CENT)
    ending = day - timedelta(days=m.rng.randint(2, 5))
    trace = m.rng.randint(10**5, 10**6)
    for text, gl_text, amount in (
        (f"{wage} {trace}", f"Net pay - period ending {ending:%m/%d}", net),
        (f"{tax} {trace}", f"Payroll taxes - period ending {ending:%m/%d}", taxes),
    ):
        g = m.gl_row(day, gl_text, -amount, "payroll", "", "Journal")
        b = m.bank_row(m.bdays(day, m.rng.randint(0, 1)), text, -amount, "payroll")
        m.pair(b, g, "payroll")


def _weekly_repeat(m: _Month) -> None:
    """The same vendor and amount every week (cleaning, deliveries)."""
    party = m.rng.choice(m.vendors)
    amount = m.amount(350, round_share=0.7)
    day = m.work_day(tail=22)
    for week in range(m.rng.randint(3, 4)):
        d = day + timedelta(days=7 * week)
        if d > m.end:
            break
        g = m.gl_row(d, m.pay_text(party), -amount, "weekly_repeat", "", m.pay_type)
        b = m.bank_row(
            m.clearing(d, 0, 1), m.ach_text(party, out=True, day=d), -amount, "weekly_repeat"
        )
        m.pair(b, g, "weekly_repeat")


def _same_day(m: _Month) -> None:
    """Two vendors paid the same round amount on the same day."""
    amount = m.amount(800, round_share=1.0)
    day = m.work_day()
    first, second = m.rng.sample(m.vendors, 2)
    for party in (first, second):
        g = m.gl_row(day, m.pay_text(party), -amount, "same_day_same_amount", "", m.pay_type)
        b = m.bank_row(
            m.clearing(day, 0, 1),
            m.ach_text(party, out=True, day=day),
            -amount,
            "same_day_same_amount",
        )
        m.pair(b, g, "same_day_same_amount")


def _nsf(m: _Month) -> None:
    """A customer's cheque deposited, then returned unpaid."""
    party = m.rng.choice(m.customers)
    day = m.work_day(tail=6)
    amount = m.amount(900, round_share=0.3)
    g1 = m.gl_row(day, m.receipt_text(party), amount, "nsf_return", "", m.receipt_type)
    b1 = m.bank_row(
        m.bdays(day, 1),
        f"{m.deposit_style} 1 ITEMS" if m.print_items else m.deposit_style,
        amount,
        "nsf_return",
    )
    back = m.bdays(day, m.rng.randint(3, 6))
    b2 = m.bank_row(
        back,
        m.rng.choice(("RETURNED ITEM", "DEPOSITED ITEM RETURNED NSF", "RETURN DEPOSIT ITEM")),
        -amount,
        "nsf_return",
    )
    g2 = m.gl_row(
        m.bdays(back, m.rng.randint(0, 2)),
        f"NSF - {party.name}",
        -amount,
        "nsf_return",
        "",
        "Journal",
    )
    m.pair(b1, g1, "nsf_return")
    m.pair(b2, g2, "nsf_return")
    m.bank_row(back, "RETURNED ITEM FEE", Decimal("-12.00"), "nsf_return")


def _prior_period(m: _Month) -> None:
    """A cheque written last month that clears this month."""
    party = m.rng.choice(m.vendors)
    day = m.start - timedelta(days=m.rng.randint(3, 25))
    amount = m.amount(700, round_share=0.3)
    number = str(m.cheque - m.rng.randint(20, 200))
    g = m.cheque_entry(day, party, amount, number, "prior_period")
    b = m.bank_row(
        m.start + timedelta(days=m.rng.randint(0, 8)),
        m.cheque_text(number),
        -amount,
        "prior_period",
    )
    m.pair(b, g, "prior_period")


def _bank_charge(m: _Month) -> None:
    day = m.work_day()
    if m.rng.random() < 0.5:
        m.bank_row(
            day,
            m.rng.choice(("MONTHLY SERVICE FEE", "ACCOUNT ANALYSIS FEE", "ACH ORIGINATION FEE")),
            -m.amount(25, 0.5),
            "bank_charge",
        )
    else:
        b = m.bank_row(day, "INTEREST PAYMENT", m.amount(8, 0.6), "bank_charge")
        if m.rng.random() < 0.4:
            row = next(r for r in m.bank if r.key == b)
            g = m.gl_row(
                row.day, "Interest income - bank", row.amount, "bank_charge", "", "Deposit"
            )
            m.pair(b, g, "bank_charge")


def _outstanding(m: _Month) -> None:
    party = m.rng.choice(m.vendors)
    day = m.end - timedelta(days=m.rng.randint(0, 6))
    m.cheque_entry(
        day, party, m.amount(900, round_share=0.3), m.next_cheque(), "outstanding_cheque"
    )


def _in_transit(m: _Month) -> None:
    party = m.rng.choice(m.customers)
    day = m.end - timedelta(days=m.rng.randint(0, 1))
    m.gl_row(
        day,
        m.receipt_text(party),
        m.amount(1200, round_share=0.3),
        "deposit_in_transit",
        "",
        m.receipt_type,
    )


_EVENTS = {
    "ach_payment": _ach_payment,
    "card_purchase": _card,
    "customer_ach": _customer_ach,
    "customer_wire": _customer_wire,
    "cheque_paid": _cheque_paid,
    "cheque_same_vendor": _cheque_same_vendor,
    "batch_deposit": _batch_deposit,
    "fee_ledger_gross": _fee_ledger_gross,
    "fee_bank_gross": _fee_bank_gross,
    "fee_wire_out": _fee_wire_out,
    "fee_in_payment": _fee_in_payment,
    "void_reissue": _void_reissue,
    "wrong_payment": _wrong_payment,
    "booking_error": _booking_error,
    "transposed": _transposed,
    "payroll": _payroll,
    "weekly_repeat": _weekly_repeat,
    "same_day_same_amount": _same_day,
    "nsf_return": _nsf,
    "prior_period": _prior_period,
    "bank_charge": _bank_charge,
    "outstanding_cheque": _outstanding,
    "deposit_in_transit": _in_transit,
}


def generate(n_bank: int, seed: int, *, days: int | None = None) -> SynthDataset:
    """About ``n_bank`` bank lines over ``days`` (default: ~32 lines a day)."""
    if n_bank < 1:
        raise ValueError("n_bank must be positive")
    m = _Month(seed, n_bank, days or max(31, round(n_bank / 32)))
    names = list(_WEIGHTS)
    weights = [_WEIGHTS[c] for c in names]
    while len(m.bank) < n_bank:
        _EVENTS[m.rng.choices(names, weights)[0]](m)  # type: ignore[operator]
    return _finish(m, seed)


def _finish(m: _Month, seed: int) -> SynthDataset:
    rng = m.rng
    # A ledger is numbered in entry order; a statement's same-day order is the bank's.
    return assemble(
        sorted(m.bank, key=lambda r: (r.day, rng.random())),
        sorted(m.gl, key=lambda r: (r.day, r.key)),
        m.pairs,
        m.offsets,
        id_formats=("TX{:06d}", "JE-{:06d}"),
        period=(m.start, m.end),
        seed=seed,
    )
