"""UK-style business current accounts and cash books for the reconciliation benchmark.

Written apart from the matching engine and the other generators, from how UK bank
exports (Lloyds, Barclays, HSBC, NatWest, Starling, Monzo) and Xero / Sage 50 /
QuickBooks UK cash books look, so that the benchmark measures generalisation rather than
the rules the engine was tuned on. Each seed picks one bank's description style and one
bookkeeping package's entry types and wording, so no single string pattern dominates.

Timing follows UK clearing: Faster Payments land the same day, BACS debits two working
days after submission, cheques clear in days to weeks, card spend posts a working day or
two after the purchase, and only working days (England and Wales bank holidays excluded)
carry bank-cleared items. Items that fall outside the period become the usual
reconciling items: unpresented cheques, outstanding lodgements, prior-period clearings.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from baton.tools.finance.models import MatchKind
from benchmarks.recon_truth import DraftBook, SynthDataset, assemble, swap_spots, swapped

TUNING_SEEDS = (1, 2, 3, 4, 5)
HELD_OUT_SEEDS = (6, 7, 8, 9, 10)
FRESH_SEEDS = (31, 32, 33, 34, 35)

CASES: tuple[str, ...] = (
    "fp_receipt_ref",
    "fp_receipt_mangled",
    "fp_receipt_two_invoices",
    "bgc_receipt",
    "supplier_fp",
    "bacs_run",
    "direct_debit",
    "standing_order",
    "card_spend",
    "cheque_paid",
    "unpresented_cheque",
    "cheque_deposit",
    "paying_in_slip",
    "outstanding_lodgement",
    "card_settlement_gross",
    "card_settlement_net",
    "bank_charge",
    "bank_charge_booked",
    "hmrc",
    "payroll_bureau",
    "payroll_bacs",
    "payroll_fp",
    "chaps",
    "transfer",
    "cheque_void_reissue",
    "wrong_amount_repaid",
    "ledger_duplicate_reversed",
    "returned_dd",
    "transposed_typo",
    "repeated_payment",
    "same_amount_same_day",
    "prior_period",
    "in_transit_at_end",
)

# England and Wales bank holidays, the days BACS, cheque clearing and CHAPS do not run.
_HOLIDAYS = frozenset(
    date(y, m, d)
    for y, m, d in (
        (2025, 1, 1), (2025, 4, 18), (2025, 4, 21), (2025, 5, 5), (2025, 5, 26),
        (2025, 8, 25), (2025, 12, 25), (2025, 12, 26),
        (2026, 1, 1), (2026, 4, 3), (2026, 4, 6), (2026, 5, 4), (2026, 5, 25),
        (2026, 8, 31), (2026, 12, 25), (2026, 12, 28),
        (2027, 1, 1), (2027, 3, 26), (2027, 3, 29), (2027, 5, 3), (2027, 5, 31),
        (2027, 8, 30), (2027, 12, 27), (2027, 12, 28),
        (2028, 1, 3), (2028, 4, 14), (2028, 4, 17), (2028, 5, 1), (2028, 5, 29),
        (2028, 8, 28), (2028, 12, 25), (2028, 12, 26),
    )
)  # fmt: skip

_BANKS = ("lloyds", "barclays", "hsbc", "natwest", "starling", "monzo")
_PACKAGES = ("xero", "sage", "qbo")
_ROLES = ("receipt", "payment", "spend", "receive", "transfer", "journal", "cheque")
_ENTRY_TYPES: dict[str, tuple[str, ...]] = {
    "xero": (
        "Payment",
        "Bill Payment",
        "Spend Money",
        "Receive Money",
        "Bank Transfer",
        "Manual Journal",
        "Spend Money",
    ),
    "sage": (
        "Customer Receipt",
        "Supplier Payment",
        "Bank Payment",
        "Bank Receipt",
        "Bank Transfer",
        "Journal",
        "Cheque",
    ),
    "qbo": (
        "Receive Payment",
        "Bill Payment",
        "Expense",
        "Deposit",
        "Transfer",
        "Journal Entry",
        "Cheque",
    ),
}

_SURNAMES = (
    "Hartley", "Pennington", "Ashworth", "Caldwell", "Brennan", "Whitfield", "Okafor",
    "Patel", "Nowak", "Fraser", "Lindqvist", "Moreau", "Thornton", "Kowalski", "Gallagher",
    "Rahman", "Sutcliffe", "Dunmore", "Abernethy", "Chaudhry", "Fielding", "Greaves",
    "Holloway", "Iqbal", "Jennings", "Kerr", "Lomax", "McAllister", "Nicholls", "Oduya",
    "Pryce", "Quinlan", "Rossi", "Stanton", "Trevelyan", "Underwood", "Vaughan", "Wilde",
    "Yates", "Zielinski", "Brook", "Carver", "Driscoll", "Ellery", "Farrow", "Garside",
)  # fmt: skip
_TRADES = (
    "Joinery", "Engineering", "Logistics", "Dental Practice", "Consulting", "Estates",
    "Catering", "Print", "Electrical", "Architects", "Motors", "Digital", "Plumbing",
    "Interiors", "Lettings", "Veterinary Group", "Fabrications", "Pharmacy", "Hire",
    "Scaffolding", "Design", "Roofing", "Landscapes", "Accountants", "Foods",
)  # fmt: skip
_SUFFIXES = ("Limited", "Ltd", "LLP", "plc", "& Sons Ltd", "& Co", "Ltd", "Limited", "")
_PEOPLE = (
    "J Smith", "A Khan", "S Jones", "M Williams", "R Taylor", "L Brown", "K Davies",
    "P Evans", "H Wilson", "D Thomas", "C Roberts", "E Walker", "N Hughes", "T Green",
    "F Lewis", "G Wood", "B Harris", "O Martin", "I Jackson", "V Clarke", "W Turner",
)  # fmt: skip

# (bank descriptor, ledger payee, low, high); low == high is a fixed fare or price.
_MERCHANTS: tuple[tuple[str, str, float, float], ...] = (
    ("AMZNMKTPLACE", "Amazon Marketplace", 4.0, 300.0),
    ("AMAZON.CO.UK*", "Amazon UK", 6.0, 200.0),
    ("TESCO STORES 2231", "Tesco", 3.0, 90.0),
    ("SAINSBURYS S/MKTS", "Sainsbury's", 4.0, 80.0),
    ("TFL TRAVEL CH", "Transport for London", 2.8, 2.8),
    ("TFL TRAVEL CH", "Transport for London", 8.9, 8.9),
    ("TRAINLINE.COM", "Trainline", 18.0, 260.0),
    ("SHELL WATFORD", "Shell fuel", 30.0, 110.0),
    ("BP FUEL 7765", "BP fuel", 25.0, 95.0),
    ("PRET A MANGER", "Pret a Manger", 3.5, 24.0),
    ("COSTA COFFEE 43012", "Costa", 2.95, 14.0),
    ("ADOBE *CREATIVE CLD", "Adobe", 19.97, 19.97),
    ("GOOGLE *WORKSPACE", "Google Workspace", 11.04, 11.04),
    ("MICROSOFT*365", "Microsoft 365", 9.8, 9.8),
    ("SCREWFIX DIRECT", "Screwfix", 6.0, 450.0),
    ("TOOLSTATION 0412", "Toolstation", 5.0, 300.0),
    ("ROYAL MAIL GROUP", "Royal Mail", 1.35, 60.0),
    ("UBER *TRIP", "Uber", 7.0, 48.0),
    ("ZOOM.US 888-799-9666", "Zoom", 15.99, 15.99),
    ("LINKEDIN P4183", "LinkedIn", 29.99, 29.99),
    ("B&Q 1334", "B&Q", 8.0, 240.0),
    ("VIKING DIRECT", "Viking office supplies", 12.0, 180.0),
    ("PREMIER INN", "Premier Inn", 59.0, 140.0),
    ("NCP LTD", "NCP car park", 6.5, 32.0),
    ("RINGGO", "RingGo parking", 1.9, 9.0),
    ("ARGOS LTD", "Argos", 9.99, 250.0),
    ("EASYJET", "easyJet", 45.0, 320.0),
    ("WICKES 0231", "Wickes", 9.0, 300.0),
)

_SUBSCRIPTIONS = frozenset(
    (
        "ADOBE *CREATIVE CLD",
        "GOOGLE *WORKSPACE",
        "MICROSOFT*365",
        "ZOOM.US 888-799-9666",
        "LINKEDIN P4183",
    )
)

# (bank name, ledger payee, category, low, high, fixed): direct debits of a small firm.
_DIRECT_DEBITS: tuple[tuple[str, str, str, float, float, bool], ...] = (
    ("BT GROUP PLC", "BT", "Telephone", 60.0, 240.0, False),
    ("BRITISH GAS", "British Gas", "Light & heat", 90.0, 600.0, False),
    ("OCTOPUS ENERGY", "Octopus Energy", "Light & heat", 80.0, 500.0, False),
    ("THAMES WATER", "Thames Water", "Water rates", 40.0, 180.0, False),
    ("VODAFONE LTD", "Vodafone", "Mobile phones", 45.0, 210.0, False),
    ("HISCOX UNDERWRITI", "Hiscox", "Insurance", 38.0, 210.0, True),
    ("AVIVA INSURANCE", "Aviva", "Insurance", 55.0, 400.0, True),
    ("LOMBARD NORTH CEN", "Lombard vehicle finance", "HP repayments", 320.0, 900.0, True),
    ("CLOSE BROTHERS", "Close Brothers", "Loan repayment", 250.0, 1400.0, True),
    ("XERO UK LTD", "Xero", "Software", 33.0, 78.0, True),
    ("WESTMINSTER CC", "Westminster City Council", "Business rates", 180.0, 1200.0, True),
    ("NEST PENSIONS", "NEST", "Pension contributions", 300.0, 2400.0, False),
    ("SIMPLYHEALTH", "Simplyhealth", "Staff welfare", 60.0, 300.0, True),
    ("BIFFA WASTE", "Biffa", "Waste collection", 45.0, 160.0, False),
)

# (provider bank text, ledger wording): card-takings settlements.
_PROCESSORS = (
    ("STRIPE PAYMENTS UK", "Stripe"),
    ("SUMUP PAYMENTS LTD", "SumUp"),
    ("WORLDPAY MERCHANT", "Worldpay"),
    ("PAYPAL PAYOUT", "PayPal"),
)


@dataclass(frozen=True)
class _Row:
    """A draft row; ``ref`` and ``entry_type`` stay empty on the bank side."""

    key: int
    day: date
    text: str
    amount: Decimal
    case: str
    ref: str = ""
    entry_type: str = ""


@dataclass(frozen=True)
class _Party:
    """A counterparty: its name in the books and how banks shorten it."""

    name: str
    bank: str
    account: str


def _is_working(d: date) -> bool:
    return d.weekday() < 5 and d not in _HOLIDAYS


def _on_or_after(d: date) -> date:
    """The first working day on or after ``d`` (when a bank posts a weekend item)."""
    while not _is_working(d):
        d += timedelta(days=1)
    return d


def _shift(d: date, n: int) -> date:
    """``d`` moved by ``n`` working days (negative goes back)."""
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        d += timedelta(days=step)
        while not _is_working(d):
            d += timedelta(days=step)
    return d


def _gbp(value: float | int | str) -> Decimal:
    """Pounds with pence, as every statement and cash book prints them."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _bank_name(name: str) -> str:
    """How a payment scheme carries a firm name: capitals, LIMITED shortened, 18 characters."""
    short = name.upper().replace("LIMITED", "LTD").replace(" & ", " AND ").replace("'", "")
    return short[:18].rstrip()


class _Month:
    """One generated period: the calendar, the style choices and the draft book."""

    def __init__(self, seed: int, n_bank: int, days: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.n_bank = n_bank
        self.start = date(2025 + rng.randint(0, 1), rng.randint(1, 12), 1)
        self.end = self.start + timedelta(days=days - 1)
        self.bank_style = rng.choice(_BANKS)
        self.package = rng.choice(_PACKAGES)
        self.types = dict(zip(_ROLES, _ENTRY_TYPES[self.package], strict=True))
        self.book: DraftBook[_Row, _Row] = DraftBook()
        self.inv_fmt = rng.choice(("INV-{:04d}", "SI-{:06d}", "INV{:05d}", "{:05d}"))
        self.invoice_no = rng.randint(1000, 8000)
        self.cheque_no = rng.randint(100100, 300000)
        self.slip_no = rng.randint(100, 900)
        self.run_no = rng.randint(10, 90)
        self.batch_refs = rng.random() < 0.7
        self.books_charges = rng.random() < 0.4
        self.sort_code = f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        scale = max(1, n_bank // 1000)
        self._stems: set[str] = set()
        self.customers = self._parties(min(40 * scale + 15, 600))
        self.suppliers = self._parties(min(25 * scale + 10, 400))
        self.employees = rng.sample(_PEOPLE, rng.randint(6, 14))
        self.salaries = {p: self.money(1400, 3800) for p in self.employees}
        self.seen: set[tuple[str, Decimal, date]] = set()
        self.used: set[tuple[str, date]] = set()
        self.mandate_day: dict[str, int] = {}
        self.mandate_ref: dict[str, str] = {}
        self.card_lag = rng.choice((0, 1, 1, 2))
        self.payday = rng.choice((25, 26, 27, 28))
        self.payroll_style = rng.random()
        self.saver = f"{self.sort_code} {rng.randint(10**7, 10**8 - 1)}"

    # -- small helpers ---------------------------------------------------------------

    def _parties(self, n: int) -> list[_Party]:
        """Firms with distinct name stems, so a shortened bank name still names one firm."""
        rng = self.rng
        out: list[_Party] = []
        while len(out) < n:
            stem = f"{rng.choice(_SURNAMES)} {rng.choice(_TRADES)}"
            suffix = rng.choice(_SUFFIXES)
            if stem in self._stems:
                continue
            self._stems.add(stem)
            name = f"{stem} {suffix}".strip()
            bank = _bank_name(stem if rng.random() < 0.15 else name)
            acct = f"{stem[:4].upper()}{rng.randint(1, 99):03d}"
            out.append(_Party(name, bank, acct))
        return out

    def money(self, low: float, high: float, whole: float = 0.1) -> Decimal:
        """A log-uniform amount in pounds; a share of them are whole pounds."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        if self.rng.random() < whole:
            return _gbp(max(1, round(value)))
        return _gbp(round(value, 2))

    def day(self, working: bool = True) -> date:
        """A day of the period; a working day (within the period) unless told otherwise."""
        d = self.start + timedelta(days=self.rng.randrange((self.end - self.start).days + 1))
        if not working:
            return d
        if _on_or_after(d) <= self.end:
            return _on_or_after(d)
        while not _is_working(d):
            d -= timedelta(days=1)
        return d

    def invoice(self) -> str:
        self.invoice_no += self.rng.randint(1, 3)
        return self.inv_fmt.format(self.invoice_no)

    def fresh(self, sig: str, amount: Decimal, day: date) -> bool:
        """Whether no earlier true row looks the same; a repeat could not be told apart."""
        if (sig, amount, day) in self.seen:
            return False
        self.seen.add((sig, amount, day))
        return True

    def hhmm(self) -> str:
        return f"{self.rng.randint(7, 22):02d}:{self.rng.randint(0, 59):02d}"

    # -- row builders ----------------------------------------------------------------

    def bank(self, day: date, text: str, amount: Decimal, case: str) -> _Row:
        row = _Row(self.book.key(), day, " ".join(text.split()), amount, case)
        self.book.bank.append(row)
        return row

    def gl(self, day: date, text: str, amount: Decimal, case: str, ref: str, role: str) -> _Row:
        row = _Row(self.book.key(), day, text, amount, case, ref, self.types[role])
        self.book.gl.append(row)
        return row

    def link(
        self,
        bank: tuple[date, str, Decimal],
        ledger: list[tuple[date, str, Decimal, str, str]],
        kind: MatchKind,
        case: str,
        late_case: str = "in_transit_at_end",
    ) -> int:
        """Add a true link, or the reconciling items it becomes at the period's edges.

        A bank line after the period end leaves its ledger rows outstanding; ledger rows
        booked before the start belong to last month's reconciliation, leaving the bank
        line as a prior-period item; ledger rows booked after the end leave it unbooked.
        Returns the bank lines added.
        """
        b_day, b_text, b_amount = bank
        if b_day > self.end:
            for g_day, text, amount, ref, role in ledger:
                if g_day <= self.end:
                    self.gl(g_day, text, amount, late_case, ref, role)
            return 0
        if any(g[0] < self.start for g in ledger):
            if b_day >= self.start:
                self.bank(b_day, b_text, b_amount, "prior_period")
                return 1
            return 0
        if any(g[0] > self.end for g in ledger):
            # Banked now, booked only next period: this month's bank-only item.
            self.bank(b_day, b_text, b_amount, "in_transit_at_end")
            return 1
        b = self.bank(b_day, b_text, b_amount, case)
        for g_day, text, amount, ref, role in ledger:
            g = self.gl(g_day, text, amount, case, ref, role)
            self.book.pairs.append((b.key, g.key, kind, case))
        return 1

    # -- bank description styles ------------------------------------------------------

    def btext(self, code: str, party: str, ref: str, day: date) -> str:
        """A bank description in this seed's bank style for a scheme ``code``.

        Codes: FPI, FPO, BGC, BACS, DD, SO, CARD, CHQ, DEP, TFR, CHAPS, CHG.
        """
        rng = self.rng
        style = self.bank_style
        stamp = day.strftime("%d%b").upper()
        if style == "lloyds":
            short = {"CARD": "DEB", "DEP": "CC", "CHG": "PAY", "BACS": "BP"}.get(code, code)
            extra = ""
            if code in ("FPI", "FPO"):
                extra = f"{rng.randint(100000, 999999)} {stamp} {self.hhmm()}"
            if code == "CARD":
                extra = f"CD {rng.randint(1000, 9999)}"
            return f"{short} {party} {ref} {extra}"
        if style == "barclays":
            tail = {
                "FPI": "FP",
                "FPO": "FT",
                "BGC": "BGC",
                "BACS": "BBP",
                "DD": "DDR",
                "SO": "STO",
                "CHQ": "",
                "DEP": "",
                "TFR": "TFR",
                "CHAPS": "CHAPS",
                "CHG": "",
            }
            if code == "CARD":
                return f"CARD PAYMENT TO {party} ON {day:%d/%m}"
            if code in ("CHQ", "DEP", "CHG"):
                return f"{party} {ref}"
            return f"{party} {ref} {tail[code]}"
        if style == "hsbc":
            short = {
                "FPI": "CR",
                "FPO": "BP",
                "BGC": "CR",
                "BACS": "BP",
                "DEP": "PAID IN AT",
                "CARD": rng.choice(("VIS", ")))")),
                "CHG": "",
            }.get(code, code)
            return f"{short} {party} {ref}"
        if style == "natwest":
            if code in ("FPI", "FPO"):
                return (
                    f"{party} , {ref} , FP {day:%d/%m/%y} {self.hhmm().replace(':', '')} , "
                    f"{rng.randint(10**17, 10**18 - 1)}"
                )
            if code == "CARD":
                return f"{rng.randint(1000, 9999)} {stamp}{day:%y} C , {party}"
            short = {"BACS": "BAC", "DD": "D/D", "SO": "S/O", "DEP": "", "CHG": ""}.get(code, code)
            return f"{short} {party} , {ref}" if ref else f"{short} {party}"
        words = {
            "FPI": "FASTER PAYMENT",
            "FPO": "FASTER PAYMENT",
            "BGC": "BANK CREDIT",
            "BACS": "BACS",
            "DD": "DIRECT DEBIT",
            "SO": "STANDING ORDER",
            "CARD": "CARD PAYMENT",
            "CHQ": "CHEQUE",
            "DEP": "DEPOSIT",
            "TFR": "TRANSFER",
            "CHAPS": "CHAPS",
            "CHG": "",
        }
        if style == "starling":
            parts = [party, ref, words[code]]
            return " / ".join(p for p in parts if p)
        title = party.title()
        parts = [title, words[code].capitalize(), ref]
        return " \u00b7 ".join(p for p in parts if p)

    def gtext(self, role: str, party: str, note: str = "") -> str:
        """A ledger description in this seed's bookkeeping package's wording."""
        if self.package == "xero":
            head = {"receipt": "Payment: ", "payment": "Payment: "}.get(role, "")
            return f"{head}{party}" + (f" - {note}" if note else "")
        if self.package == "sage":
            head = {
                "receipt": "Sales Receipt",
                "payment": "Purchase Payment",
                "journal": "JNL",
                "cheque": "Chq",
            }.get(role, "")
            return " ".join(p for p in (head, party, note) if p)
        return f"{party}" + (f" ({note})" if note else "")

    # -- cases ------------------------------------------------------------------------

    def fp_receipt(self) -> int:
        """A customer pays one invoice by Faster Payment, quoting it, or not, or mangled."""
        rng = self.rng
        cust = rng.choice(self.customers)
        inv = self.invoice()
        amount = self.money(60, 9000)
        b_day = self.day(working=self.bank_style in ("starling", "monzo"))
        if not self.fresh(cust.bank, amount, b_day):
            return 0
        digits = "".join(c for c in inv if c.isdigit()).lstrip("0")
        if rng.random() < 0.55:
            case, ref = "fp_receipt_ref", inv.replace("-", rng.choice(("", "-", " ")))
        else:
            case = "fp_receipt_mangled"
            ref = rng.choice(
                (
                    digits,
                    f"INV {digits}",
                    f"INVOICE{digits[-3:]}",
                    cust.account,
                    f"PO {rng.randint(10000, 99999)}",
                    "",
                    f"REMITTANCE {b_day:%b}".upper(),
                )
            )
        g_day = _on_or_after(b_day + timedelta(days=rng.choice((0, 0, 0, 1, 2, -1))))
        return self.link(
            (b_day, self.btext("FPI", cust.bank, ref, b_day), amount),
            [(g_day, self.gtext("receipt", cust.name), amount, inv, "receipt")],
            "one_to_one",
            case,
        )

    def fp_two_invoices(self) -> int:
        """One payment settles two or three invoices booked as separate receipts."""
        rng = self.rng
        cust = rng.choice(self.customers)
        invs = [self.invoice() for _ in range(rng.choice((2, 2, 2, 3)))]
        amounts = [self.money(80, 4000) for _ in invs]
        total = sum(amounts, Decimal(0))
        b_day = self.day()
        if not self.fresh(cust.bank, total, b_day):
            return 0
        ref = rng.choice(
            (f"{invs[0]} {invs[1]}", f"{invs[0]}+{invs[-1][-3:]}", f"INVS {invs[0]}", "")
        )
        return self.link(
            (b_day, self.btext(rng.choice(("FPI", "BGC")), cust.bank, ref, b_day), total),
            [
                (b_day, self.gtext("receipt", cust.name), a, inv, "receipt")
                for a, inv in zip(amounts, invs, strict=True)
            ],
            "batch",
            "fp_receipt_two_invoices",
        )

    def bgc_receipt(self) -> int:
        """A large customer's BACS remittance, one invoice, credited as BGC."""
        rng = self.rng
        cust = rng.choice(self.customers)
        inv = self.invoice()
        amount = self.money(400, 25000)
        b_day = self.day()
        if not self.fresh(cust.bank, amount, b_day):
            return 0
        ref = rng.choice((f"{cust.account} {rng.randint(100000, 999999)}", inv, "BACS"))
        g_day = _shift(b_day, -rng.choice((0, 0, 1)))
        return self.link(
            (b_day, self.btext("BGC", cust.bank, ref, b_day), amount),
            [(g_day, self.gtext("receipt", cust.name, "BACS"), amount, inv, "receipt")],
            "one_to_one",
            "bgc_receipt",
        )

    def supplier_fp(self, case: str = "supplier_fp") -> int:
        """A supplier bill paid by Faster Payment from online banking."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        bill = f"{rng.choice(('', 'INV', 'SINV'))}{rng.randint(1000, 999999)}"
        amount = -self.money(40, 6000)
        b_day = self.day()
        if not self.fresh(sup.bank, amount, b_day):
            return 0
        g_day = _shift(b_day, -rng.choice((0, 0, 0, 1)))
        return self.link(
            (b_day, self.btext("FPO", sup.bank, bill, b_day), amount),
            [(g_day, self.gtext("payment", sup.name), amount, bill, "payment")],
            "one_to_one",
            case,
        )

    def bacs_run(self) -> int:
        """A weekly BACS supplier run: one debit, each supplier paid separately in the books."""
        rng = self.rng
        n = rng.randint(3, 9)
        sups = rng.sample(self.suppliers, n)
        amounts = [-self.money(60, 5000) for _ in sups]
        b_day = self.day()
        submitted = _shift(b_day, -2)
        self.run_no += 1
        run = f"BACS{self.run_no:03d}" if self.batch_refs else ""
        ledger = []
        for sup, amount in zip(sups, amounts, strict=True):
            g_day = rng.choice((submitted, submitted, _shift(submitted, -1), b_day))
            ref = run or f"{rng.randint(1000, 99999)}"
            ledger.append((g_day, self.gtext("payment", sup.name, run), amount, ref, "payment"))
        label = rng.choice(("BACS PAYMENT RUN", "BULK PAYMENT", "BACS"))
        text = self.btext("BACS", label, run if rng.random() < 0.5 else "", b_day)
        return self.link(
            (b_day, f"{text} {submitted:%d%m%y}", sum(amounts, Decimal(0))),
            ledger,
            "batch",
            "bacs_run",
        )

    def direct_debit(self) -> int:
        """A mandate collects once a month on its own day; the bill is booked near it.

        One collection per mandate per month, as in life: two same-amount collections
        from one creditor days apart could not be told apart by anyone.
        """
        rng = self.rng
        bank, payee, category, low, high, fixed = rng.choice(_DIRECT_DEBITS)
        dom = self.mandate_day.setdefault(bank, rng.randint(1, 28))
        month = self.day().replace(day=dom)
        b_day = _on_or_after(month)
        if (bank, month) in self.used or not self.start <= b_day <= self.end:
            return 0
        self.used.add((bank, month))
        amount = -(_gbp(low) if fixed else self.money(low, high, whole=0.05))
        ref = self.mandate_ref.setdefault(
            bank,
            rng.choice((f"{rng.randint(10**8, 10**9)}", f"ACC {rng.randint(10**5, 10**6)}", "")),
        )
        g_day = _on_or_after(b_day + timedelta(days=rng.choice((0, 0, -1, -2, 1, 3))))
        return self.link(
            (b_day, self.btext("DD", bank, ref, b_day), amount),
            [(g_day, self.gtext("spend", payee, category), amount, "DD", "spend")],
            "one_to_one",
            "direct_debit",
        )

    def standing_order(self) -> int:
        """Rent paid monthly by standing order, always the same amount on the same date."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        amount = -_gbp(rng.choice((750, 1250, 1800, 2400, 3250, 950)))
        dom = rng.randint(1, 28)
        added = 0
        month = self.start
        while month <= self.end:
            b_day = _on_or_after(month.replace(day=dom))
            if self.start <= b_day <= self.end and self.fresh(sup.bank, amount, b_day):
                added += self.link(
                    (b_day, self.btext("SO", sup.bank, "RENT", b_day), amount),
                    [(b_day, self.gtext("spend", sup.name, "Rent"), amount, "SO", "spend")],
                    "one_to_one",
                    "standing_order",
                )
            month = (month.replace(day=28) + timedelta(days=5)).replace(day=1)
        return added

    def card_spend(self) -> int:
        """Company debit-card purchases, posted by the bank on this bank's usual lag.

        The lag is one per seed, so purchases post in the order they were made; a
        subscription bills once a month.
        """
        rng = self.rng
        desc, payee, low, high = rng.choice(_MERCHANTS)
        amount = -(_gbp(low) if low == high else self.money(low, high, whole=0.02))
        txn = self.day(working=False)
        if desc in _SUBSCRIPTIONS:
            if (desc, txn.replace(day=1)) in self.used:
                return 0
            self.used.add((desc, txn.replace(day=1)))
        b_day = _on_or_after(txn + timedelta(days=self.card_lag))
        if not self.fresh(desc, amount, b_day) or not self.fresh(payee, amount, txn):
            return 0
        return self.link(
            (b_day, self.btext("CARD", desc, "", txn), amount),
            [(txn, self.gtext("spend", payee), amount, "", "spend")],
            "one_to_one",
            "card_spend",
        )

    def cheque_paid(self) -> int:
        """A cheque written to a supplier, presented days or weeks later."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        self.cheque_no += 1
        no = str(self.cheque_no)
        amount = -self.money(25, 4000, whole=0.3)
        g_day = self.day()
        b_day = _shift(g_day, rng.choice((2, 3, 4, 5, 7, 10, 15, 22)))
        text = self.btext("CHQ", rng.choice(("CHQ", "CHEQUE", "")), no, b_day)
        return self.link(
            (b_day, text, amount),
            [(g_day, self.gtext("cheque", sup.name, f"chq {no}"), amount, no, "cheque")],
            "one_to_one",
            "cheque_paid",
            late_case="unpresented_cheque",
        )

    def cheque_deposit(self) -> int:
        """A single customer cheque paid in at the counter."""
        rng = self.rng
        cust = rng.choice(self.customers)
        inv = self.invoice()
        amount = self.money(50, 6000, whole=0.3)
        g_day = self.day()
        b_day = _shift(g_day, rng.choice((0, 1, 1, 2)))
        text = self.btext("DEP", "CHEQUE DEPOSIT", rng.choice(("", cust.bank[:10])), b_day)
        return self.link(
            (b_day, text, amount),
            [(g_day, self.gtext("receipt", cust.name, "cheque"), amount, inv, "receipt")],
            "one_to_one",
            "cheque_deposit",
            late_case="outstanding_lodgement",
        )

    def paying_in_slip(self) -> int:
        """One counter credit: cheques and cash booked over the preceding working week."""
        rng = self.rng
        b_day = self.day()
        self.slip_no += 1
        slip = f"{self.slip_no:06d}"
        ledger = []
        for _ in range(rng.randint(2, 7)):
            g_day = _shift(b_day, -rng.randint(0, 4))
            if rng.random() < 0.25:
                amount = self.money(20, 600, whole=0.6)
                text, ref, role = (
                    self.gtext("receive", "Cash sales", f"slip {slip}"),
                    slip,
                    "receive",
                )
            else:
                cust = rng.choice(self.customers)
                amount = self.money(40, 3000, whole=0.25)
                ref = slip if self.batch_refs else self.invoice()
                text, role = self.gtext("receipt", cust.name, "chq"), "receipt"
            ledger.append((g_day, text, amount, ref, role))
        total = sum((g[2] for g in ledger), Decimal(0))
        label = rng.choice(("COUNTER CREDIT", "CHEQUE DEPOSIT", "PAID IN"))
        return self.link(
            (b_day, self.btext("DEP", label, slip, b_day), total),
            ledger,
            "batch",
            "paying_in_slip",
            late_case="outstanding_lodgement",
        )

    def card_settlement(self) -> int:
        """A card processor pays out takings net of its fee; the books hold gross or net."""
        rng = self.rng
        bank_name, name = rng.choice(_PROCESSORS)
        gross = self.money(120, 3500, whole=0.0)
        count = rng.randint(3, 60)
        rate = Decimal(rng.choice(("0.0169", "0.0175", "0.015", "0.029")))
        fee = (gross * rate + Decimal("0.20") * min(count, 20)).quantize(Decimal("0.01"))
        fee = min(fee, gross * Decimal("0.034")).quantize(Decimal("0.01"))
        net = gross - fee
        b_day = self.day()
        sales_end = _shift(b_day, -rng.choice((1, 2, 3)))
        ref = rng.choice((f"PAYOUT {sales_end:%d%m}", f"ST-{rng.randint(10**6, 10**7)}", ""))
        if rng.random() < 0.6:
            note = f"card takings to {sales_end:%d/%m}"
            return self.link(
                (b_day, self.btext("BGC", bank_name, ref, b_day), net),
                [(sales_end, self.gtext("receive", name, note), gross, "", "receive")],
                "amount_mismatch",
                "card_settlement_gross",
            )
        return self.link(
            (b_day, self.btext("BGC", bank_name, ref, b_day), net),
            [(b_day, self.gtext("receive", name, "payout net of fees"), net, "", "receive")],
            "one_to_one",
            "card_settlement_net",
        )

    def bank_charge(self) -> int:
        """Monthly charges, interest, CHAPS and unpaid-item fees the bank takes itself."""
        rng = self.rng
        text, amount = rng.choice(
            (
                ("COMMISSION CHARGES", -self.money(6, 85)),
                ("ACCOUNT FEE", -Decimal(rng.choice(("6.50", "8.50", "10.00", "15.00")))),
                ("INTEREST PAID", self.money(0.3, 40)),
                ("UNPAID ITEM CHARGE", -_gbp("8.00")),
                ("OVERDRAFT INTEREST", -self.money(2, 60)),
                ("SERVICE CHARGES", -self.money(3, 40)),
            )
        )
        b_day = self.day()
        code = "CHG"
        if not self.books_charges:
            self.bank(b_day, self.btext(code, text, "", b_day), amount, "bank_charge")
            return 1
        role = "receive" if amount > 0 else "spend"
        return self.link(
            (b_day, self.btext(code, text, "", b_day), amount),
            [(b_day, self.gtext(role, "Bank", text.title()), amount, "", role)],
            "one_to_one",
            "bank_charge_booked",
        )

    def hmrc(self) -> int:
        """VAT by direct debit, PAYE/NIC by Faster Payment quoting the accounts office ref."""
        rng = self.rng
        b_day = self.day()
        if rng.random() < 0.5:
            amount = -self.money(800, 18000, whole=0.0)
            text = self.btext("DD", rng.choice(("HMRC VAT", "HMRC GOV.UK VAT")), "", b_day)
            ledger = (b_day, self.gtext("spend", "HMRC", "VAT return"), amount, "VAT", "spend")
        else:
            amount = -self.money(600, 12000, whole=0.0)
            aor = f"{rng.randint(100, 999)}PA{rng.randint(10**7, 10**8 - 1)}"
            name = rng.choice(("HMRC CUMBERNAULD", "HMRC SHIPLEY", "HMRC PAYE"))
            text = self.btext("FPO", name, aor, b_day)
            g_day = _shift(b_day, -rng.choice((0, 1)))
            ledger = (g_day, self.gtext("journal", "HMRC", "PAYE/NIC"), amount, aor, "journal")
        if not self.fresh("HMRC", amount, b_day):
            return 0
        return self.link((b_day, text, amount), [ledger], "one_to_one", "hmrc")

    def payroll(self) -> int:
        """Monthly net pay on payday: a bureau's debit, a BACS file, or a FP each.

        Payday falling on a weekend or bank holiday is brought forward, as UK employers do.
        """
        rng = self.rng
        month = self.day().replace(day=self.payday)
        b_day = month
        while not _is_working(b_day):
            b_day -= timedelta(days=1)
        if ("PAYROLL", month) in self.used or not self.start <= b_day <= self.end:
            return 0
        self.used.add(("PAYROLL", month))
        pays = [
            (p, self.salaries[p] + Decimal(rng.choice((0, 0, 0, rng.randint(20, 400)))))
            for p in self.employees
        ]
        total = -sum((a for _p, a in pays), Decimal(0))
        style = self.payroll_style
        if style < 0.35:
            name = rng.choice(("MOORCROFT PAYROLL", "PAYROLL BUREAU", "IRIS PAYROLL SERVI"))
            return self.link(
                (b_day, self.btext("BACS", name, "SALARIES", b_day), total),
                [(b_day, self.gtext("journal", "Wages", "net pay"), total, "PAYROLL", "journal")],
                "one_to_one",
                "payroll_bureau",
            )
        if style < 0.7:
            return self.link(
                (b_day, self.btext("BACS", "SALARIES", "", b_day), total),
                [
                    (b_day, self.gtext("spend", f"Net pay {p}"), -a, "WAGES", "spend")
                    for p, a in pays
                ],
                "batch",
                "payroll_bacs",
            )
        added = 0
        for p, a in pays:
            if self.fresh(p, -a, b_day):
                added += self.link(
                    (b_day, self.btext("FPO", p.upper(), "SALARY", b_day), -a),
                    [(b_day, self.gtext("spend", f"Net pay {p}"), -a, "WAGES", "spend")],
                    "one_to_one",
                    "payroll_fp",
                )
        return added

    def chaps(self) -> int:
        """A high-value same-day CHAPS payment, with the bank's CHAPS fee alongside."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        amount = -self.money(12000, 180000, whole=0.5)
        b_day = self.day()
        ref = rng.choice(("COMPLETION", "DEPOSIT", f"PO{rng.randint(1000, 9999)}"))
        added = self.link(
            (b_day, self.btext("CHAPS", sup.bank, ref, b_day), amount),
            [(b_day, self.gtext("payment", sup.name, "CHAPS"), amount, ref, "payment")],
            "one_to_one",
            "chaps",
        )
        if added:
            fee = -Decimal(rng.choice(("17.00", "20.00", "25.00", "30.00")))
            self.bank(b_day, self.btext("CHG", "CHAPS FEE", "", b_day), fee, "bank_charge")
        return 2 * added

    def transfer(self) -> int:
        """A transfer to or from the firm's own deposit account."""
        rng = self.rng
        amount = _gbp(rng.choice((1, -1)) * rng.choice((1000, 2500, 5000, 10000, 20000)))
        b_day = self.day()
        if not self.fresh("TFR", amount, b_day):
            return 0
        acct = self.saver
        way = "FROM" if amount > 0 else "TO"
        return self.link(
            (b_day, self.btext("TFR", f"{way} BUSINESS SAVER", acct, b_day), amount),
            [(b_day, self.gtext("transfer", "Business Saver account"), amount, "TFR", "transfer")],
            "one_to_one",
            "transfer",
        )

    def cheque_void_reissue(self) -> int:
        """A cheque spoiled, voided by a reversing entry, and reissued with the next number."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        amount = -self.money(50, 3000, whole=0.3)
        g_day = self.day()
        if g_day > _shift(self.end, -4):
            return 0
        old, new = str(self.cheque_no + 1), str(self.cheque_no + 2)
        self.cheque_no += 2
        first = self.gl(
            g_day, self.gtext("cheque", sup.name), amount, "cheque_void_reissue", old, "cheque"
        )
        void_day = _shift(g_day, rng.randint(1, 3))
        void = self.gl(
            void_day,
            self.gtext("journal", sup.name, f"void chq {old}"),
            -amount,
            "cheque_void_reissue",
            old,
            "journal",
        )
        self.book.offsets.append((first.key, void.key, "cheque_void_reissue"))
        b_day = _shift(void_day, rng.randint(2, 8))
        return self.link(
            (b_day, self.btext("CHQ", "CHQ", new, b_day), amount),
            [
                (
                    void_day,
                    self.gtext("cheque", sup.name, f"reissue of {old}"),
                    amount,
                    new,
                    "cheque",
                )
            ],
            "one_to_one",
            "cheque_void_reissue",
            late_case="unpresented_cheque",
        )

    def wrong_amount_repaid(self) -> int:
        """A supplier overpaid, the overpayment refunded in full, then the right sum paid."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        right = -self.money(200, 5000, whole=0.0)
        spots = swap_spots(-right)
        wrong = -swapped(-right, rng.choice(spots)) if spots else right - Decimal(100)
        d1 = self.day()
        d2 = _shift(d1, rng.randint(1, 4))
        d3 = _shift(d2, rng.randint(0, 2))
        bill = f"{rng.randint(1000, 99999)}"
        steps = (
            (d1, "FPO", wrong, "payment"),
            (d2, "FPI", -wrong, "receive"),
            (d3, "FPO", right, "payment"),
        )
        added = 0
        for day, code, amount, role in steps:
            note = "refund of overpayment" if code == "FPI" else bill
            bank_ref = f"REFUND {bill}" if code == "FPI" else bill
            if self.fresh(sup.bank, amount, day):
                added += self.link(
                    (day, self.btext(code, sup.bank, bank_ref, day), amount),
                    [(day, self.gtext(role, sup.name, note), amount, bill, role)],
                    "one_to_one",
                    "wrong_amount_repaid",
                )
        return added

    def ledger_duplicate(self) -> int:
        """A bill payment keyed twice; the duplicate reversed by a journal."""
        rng = self.rng
        before = len(self.book.gl)
        added = self.supplier_fp("ledger_duplicate_reversed")
        if not added or len(self.book.gl) == before:
            return added
        orig = self.book.gl[-1]
        # Keyed again on a later day (a re-imported remittance), so the first entry is
        # the one the bank paid and the later one is the duplicate the journal names.
        dup_day = _shift(orig.day, rng.randint(1, 3))
        rev_day = _shift(dup_day, rng.randint(0, 4))
        if rev_day > self.end:
            return added
        dup = self.gl(dup_day, orig.text, orig.amount, orig.case, orig.ref, "payment")
        rev = self.gl(
            rev_day,
            self.gtext("journal", f"Reverse duplicate of {dup_day:%d/%m/%y}", orig.ref),
            -orig.amount,
            orig.case,
            orig.ref,
            "journal",
        )
        self.book.offsets.append((dup.key, rev.key, orig.case))
        return added

    def returned_dd(self) -> int:
        """A direct debit the bank returned unpaid the next day; the books never saw it."""
        rng = self.rng
        bank, *_rest = rng.choice(_DIRECT_DEBITS)
        amount = -self.money(30, 800)
        b_day = self.day()
        back = _shift(b_day, 1)
        if back > self.end:
            return 0
        self.bank(b_day, self.btext("DD", bank, "", b_day), amount, "returned_dd")
        self.bank(back, self.btext("DD", f"{bank} RETURNED", "", back), -amount, "returned_dd")
        return 2

    def transposed(self) -> int:
        """A supplier payment or receipt keyed with two digits swapped."""
        rng = self.rng
        income = rng.random() < 0.5
        party = rng.choice(self.customers if income else self.suppliers)
        amount = self.money(100, 9000, whole=0.0) * (1 if income else -1)
        spots = swap_spots(abs(amount))
        if not spots:
            return 0
        keyed = swapped(abs(amount), rng.choice(spots)) * (1 if income else -1)
        b_day = self.day()
        role = "receipt" if income else "payment"
        ref = self.invoice() if income else f"{rng.randint(1000, 99999)}"
        return self.link(
            (b_day, self.btext("FPI" if income else "FPO", party.bank, ref, b_day), amount),
            [(b_day, self.gtext(role, party.name), keyed, ref, role)],
            "amount_mismatch",
            "transposed_typo",
        )

    def repeated_payment(self) -> int:
        """A contractor paid the same sum several times in the period, weekly."""
        rng = self.rng
        sup = rng.choice(self.suppliers)
        amount = -_gbp(rng.choice((120, 240, 180, 95, 360, 450)))
        first = self.start + timedelta(days=rng.randint(0, 6))
        added = 0
        d = first
        while d <= self.end:
            b_day = _on_or_after(d)
            if b_day <= self.end and self.fresh(sup.bank, amount, b_day):
                added += self.link(
                    (b_day, self.btext("FPO", sup.bank, "WEEKLY", b_day), amount),
                    [
                        (
                            b_day,
                            self.gtext("payment", sup.name, "weekly service"),
                            amount,
                            "WK",
                            "payment",
                        )
                    ],
                    "one_to_one",
                    "repeated_payment",
                )
            d += timedelta(days=7)
        return added

    def same_amount_same_day(self) -> int:
        """Two or three suppliers paid the identical round sum on the same day."""
        rng = self.rng
        amount = -_gbp(rng.choice((100, 150, 250, 500, 1000)))
        b_day = self.day()
        added = 0
        for sup in rng.sample(self.suppliers, rng.randint(2, 3)):
            if self.fresh(sup.bank, amount, b_day):
                ref = f"{rng.randint(1000, 99999)}"
                added += self.link(
                    (b_day, self.btext("FPO", sup.bank, ref, b_day), amount),
                    [(b_day, self.gtext("payment", sup.name), amount, ref, "payment")],
                    "one_to_one",
                    "same_amount_same_day",
                )
        return added

    def prior_period(self) -> int:
        """Last month's cheques and lodgements clearing in the first days of this one."""
        rng = self.rng
        b_day = _shift(_on_or_after(self.start), rng.randint(0, 4))
        if rng.random() < 0.6:
            no = str(self.cheque_no - rng.randint(5, 60))
            amount = -self.money(30, 2500, whole=0.3)
            self.bank(b_day, self.btext("CHQ", "CHQ", no, b_day), amount, "prior_period")
        else:
            amount = self.money(50, 4000)
            self.bank(
                b_day,
                self.btext("DEP", "COUNTER CREDIT", f"{self.slip_no - 3:06d}", b_day),
                amount,
                "prior_period",
            )
        return 1


_WEIGHTS: tuple[tuple[Callable[[_Month], int], float], ...] = (
    (_Month.fp_receipt, 20.0),
    (_Month.fp_two_invoices, 3.0),
    (_Month.bgc_receipt, 5.0),
    (_Month.supplier_fp, 12.0),
    (_Month.bacs_run, 1.2),
    (_Month.direct_debit, 6.0),
    (_Month.standing_order, 0.15),
    (_Month.card_spend, 24.0),
    (_Month.cheque_paid, 3.0),
    (_Month.cheque_deposit, 2.0),
    (_Month.paying_in_slip, 1.2),
    (_Month.card_settlement, 4.0),
    (_Month.bank_charge, 1.2),
    (_Month.hmrc, 0.6),
    (_Month.payroll, 2.0),
    (_Month.chaps, 0.3),
    (_Month.transfer, 1.0),
    (_Month.cheque_void_reissue, 0.4),
    (_Month.wrong_amount_repaid, 0.4),
    (_Month.ledger_duplicate, 0.4),
    (_Month.returned_dd, 0.3),
    (_Month.transposed, 0.8),
    (_Month.repeated_payment, 0.15),
    (_Month.same_amount_same_day, 0.5),
    (_Month.prior_period, 0.6),
)


def generate(n_bank: int, seed: int, *, days: int | None = None) -> SynthDataset:
    """A UK-style period of about ``n_bank`` bank lines with its ground truth.

    ``days`` defaults to a month per thousand lines, the pace of a busy small firm.
    """
    month = _Month(seed, n_bank, days if days is not None else max(28, n_bank // 33))
    makers = [m for m, _w in _WEIGHTS]
    weights = [w for _m, w in _WEIGHTS]
    while len(month.book.bank) < n_bank:
        month.rng.choices(makers, weights)[0](month)
    book = month.book
    order = {r.key: month.rng.random() for r in (*book.bank, *book.gl)}
    bank = sorted(book.bank, key=lambda r: (r.day, order[r.key]))
    gl = sorted(book.gl, key=lambda r: (r.day, order[r.key]))
    prefix = month.rng.choice((("BL", "GL"), ("S", "J"), ("TX", "CB")))
    return assemble(
        bank,
        gl,
        book.pairs,
        book.offsets,
        id_formats=(prefix[0] + "{:05d}", prefix[1] + "{:05d}"),
        period=(month.start, month.end),
        seed=seed,
    )
