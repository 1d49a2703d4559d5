"""A third, independently written generator of hard reconciliation months ("ledgerbook").

The first two generators were tuned alongside the engine, so a score on them says little
about months the engine has never seen. This one was written without reading them or the
engine, from how real business bank statements (US and UK banks) and accounting-system
exports (QuickBooks Online, Xero, Sage) look: 16-character ACH company names, 22-character
card descriptors, Chase/BofA/Wells style addenda, cheque books numbered in issue order,
deposits of a week's takings, processor payouts net of fees, payroll debits before pay day.

Each seed picks one accounting system and one country (their wording and holidays), so a
month reads like one real export. Every true link is one a careful accountant could make
from the data alone: a name, a number, an invoice or a unique amount near the right date.
"""

from __future__ import annotations

import random
import string
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
    "vendor_ach",
    "card_purchase",
    "wire_out",
    "customer_ach",
    "customer_wire",
    "remote_deposit",
    "batch_deposit",
    "processor_payout",
    "processor_payout_split",
    "fee_bank_net",
    "fee_bank_gross",
    "cheque",
    "cheque_same_vendor",
    "void_reissue",
    "voided_cheque",
    "wrong_payment_reversed",
    "duplicate_reversed",
    "transposed",
    "payroll",
    "weekly_repeat",
    "same_amount_day",
    "transfer",
    "card_bill",
    "tax_payment",
    "nsf_return",
    "bank_charge",
    "interest",
    "prior_period",
    "outstanding_cheque",
    "deposit_in_transit",
)

CENT = Decimal("0.01")


@dataclass
class Bank:
    """A bank row before it has an id (satisfies ``recon_truth.BankDraft``)."""

    key: int
    day: date
    text: str
    amount: Decimal
    case: str


@dataclass
class Gl(Bank):
    """A ledger row before it has an id (satisfies ``recon_truth.LedgerDraft``)."""

    ref: str
    entry_type: str


# Abstract entry kinds and what each accounting system calls them in its bank register.
ENTRY_TYPES: dict[str, dict[str, str]] = {
    "qbo": {
        "bill_payment": "Bill Payment",
        "cheque": "Check",
        "expense": "Expense",
        "receipt": "Payment",
        "deposit": "Deposit",
        "sales": "Sales Receipt",
        "journal": "Journal Entry",
        "transfer": "Transfer",
        "payroll": "Paycheck",
        "payroll_tax": "Liability Payment",
        "card_bill": "Credit Card Payment",
        "tax": "Sales Tax Payment",
    },
    "xero": {
        "bill_payment": "Payable Payment",
        "cheque": "Spend Money",
        "expense": "Spend Money",
        "receipt": "Receivable Payment",
        "deposit": "Receive Money",
        "sales": "Receive Money",
        "journal": "Manual Journal",
        "transfer": "Bank Transfer",
        "payroll": "Pay Run",
        "payroll_tax": "Spend Money",
        "card_bill": "Bank Transfer",
        "tax": "Spend Money",
    },
    "sage": {
        "bill_payment": "Supplier Payment",
        "cheque": "Bank Payment",
        "expense": "Bank Payment",
        "receipt": "Customer Receipt",
        "deposit": "Bank Receipt",
        "sales": "Bank Receipt",
        "journal": "Journal",
        "transfer": "Bank Transfer",
        "payroll": "Journal",
        "payroll_tax": "Bank Payment",
        "card_bill": "Bank Payment",
        "tax": "Bank Payment",
    },
}

PLACES = (
    "Summit",
    "Harbor",
    "Northgate",
    "Pinnacle",
    "Cedar",
    "Redwood",
    "Keystone",
    "Granite",
    "Lakeside",
    "Meridian",
    "Atlas",
    "Beacon",
    "Bluewater",
    "Ironwood",
    "Silver Creek",
    "Oakmont",
    "Riverbend",
    "Highland",
    "Crescent",
    "Prairie",
    "Westfield",
    "Eastbrook",
    "Sterling",
    "Falcon",
    "Copperline",
    "Maple Leaf",
    "Heritage",
    "Evergreen",
    "Liberty",
    "Horizon",
    "Stonebridge",
    "Fairview",
    "Kingsway",
    "Brightline",
    "Tri-County",
    "Coastal",
    "Frontier",
    "Patriot",
    "Rockford",
    "Willow",
    "Alder",
    "Juniper",
    "Magnolia",
    "Sycamore",
    "Hamilton",
    "Whitaker",
    "O'Neill",
    "McAllister",
    "Delgado",
    "Nakamura",
)
TRADES = (
    "Office Supply",
    "Logistics",
    "Plumbing & Heating",
    "Janitorial Services",
    "Electric",
    "Printing",
    "Packaging",
    "Freight Lines",
    "IT Solutions",
    "Landscaping",
    "Insurance Agency",
    "Staffing",
    "Industrial Supply",
    "Property Management",
    "Engineering",
    "Security Systems",
    "Waste Services",
    "Consulting Group",
    "Marketing",
    "Legal Services",
    "Accounting Services",
    "Equipment Rental",
    "Building Materials",
    "Fleet Services",
    "Water Co",
    "Telecom",
    "Hardware",
    "Distribution",
    "Technologies",
    "Laboratories",
    "Dental Group",
    "Medical Associates",
    "Construction",
    "Foods",
    "Bakery",
    "Auto Parts",
    "Graphics",
    "Media",
    "Analytics",
    "Outfitters",
)
US_SUFFIX = ("Inc.", "LLC", "Co.", "Corp.", "Inc", "", "Company", "Holdings LLC")
UK_SUFFIX = ("Ltd", "Limited", "Ltd.", "", "plc", "& Sons Ltd", "LLP")
PEOPLE = (
    "Maria Gonzalez",
    "James O'Connor",
    "Priya Patel",
    "Tom Becker",
    "Aisha Khan",
    "Daniel Kim",
    "Sarah Whitfield",
    "Luis Ortega",
    "Emma Clarke",
    "Noah Fischer",
    "Grace Liu",
    "Oliver Hughes",
    "Fatima Haddad",
    "Ben Carter",
    "Chloe Martin",
)

ABBREV = {
    "COMPANY": "CO",
    "CORPORATION": "CORP",
    "SERVICES": "SVCS",
    "SERVICE": "SVC",
    "INDUSTRIAL": "INDL",
    "SUPPLY": "SUPP",
    "MANAGEMENT": "MGMT",
    "PROPERTY": "PROP",
    "ENGINEERING": "ENGR",
    "ASSOCIATES": "ASSOC",
    "DISTRIBUTION": "DISTRIB",
    "TECHNOLOGIES": "TECH",
    "LABORATORIES": "LABS",
    "CONSTRUCTION": "CONSTR",
    "EQUIPMENT": "EQUIP",
    "INSURANCE": "INS",
    "MARKETING": "MKTG",
    "SYSTEMS": "SYS",
    "SOLUTIONS": "SOLNS",
    "LIMITED": "LTD",
    "CONSULTING": "CONSLT",
    "MEDICAL": "MED",
    "BUILDING": "BLDG",
    "MATERIALS": "MATLS",
    "LOGISTICS": "LOGISTCS",
}

# (ledger name, bank descriptor templates); {n5} is five digits, {a8} eight letters/digits.
US_BRANDS = (
    ("Amazon", ("AMAZON.COM*{a9} AMZN.COM/BILL WA", "AMZN Mktp US*{a9}")),
    ("The Home Depot", ("THE HOME DEPOT #{n4}", "HOMEDEPOT.COM {n9}")),
    ("Staples", ("STAPLES {n5}", "STAPLES DIRECT 800-3333330")),
    ("Shell", ("SHELL OIL {n11}",)),
    ("Costco Wholesale", ("COSTCO WHSE #{n4}",)),
    ("Office Depot", ("OFFICE DEPOT #{n4}", "OFFICEMAX/DEPOT {n4}")),
    ("Adobe Creative Cloud", ("ADOBE *CREATIVE CLOUD", "ADOBE *ADOBE")),
    ("Microsoft 365", ("MSFT * E0{n8}", "MICROSOFT#G{n9}")),
    ("Google Workspace", ("GOOGLE *GSUITE_{a6}", "GOOGLE *Workspace_{a6}")),
    ("Zoom Video", ("ZOOM.US 888-799-9666",)),
    ("Uber", ("UBER *TRIP", "UBER *EATS")),
    ("Delta Air Lines", ("DELTA AIR {n13}",)),
    ("FedEx", ("FEDEX {n9}",)),
    ("UPS", ("UPS*{n10}", "THE UPS STORE {n4}")),
    ("USPS", ("USPS PO {n10}",)),
    ("Dropbox", ("DROPBOX*{a8}",)),
    ("Slack", ("SLACK T{a8}",)),
    ("QuickBooks subscription", ("INTUIT *QBooks Online",)),
    ("Lowe's", ("LOWES #{n5}*",)),
    ("Chevron", ("CHEVRON {n7}",)),
    ("Starbucks", ("STARBUCKS STORE {n5}",)),
    ("Marriott", ("MARRIOTT {n5}",)),
    ("Grainger", ("GRAINGER {n9}",)),
    ("Uline", ("ULINE *SHIP SUPPLIES",)),
    ("LinkedIn", ("LINKEDIN {n10}",)),
    ("Verizon Wireless", ("VZWRLSS*APOCC VISB",)),
)
UK_BRANDS = (
    ("Tesco", ("TESCO STORES {n4}",)),
    ("Sainsbury's", ("SAINSBURYS S/MKTS",)),
    ("Amazon", ("AMAZON.CO.UK*{a9}", "AMZNMktplace")),
    ("Trainline", ("TRAINLINE.COM",)),
    ("Transport for London", ("TFL TRAVEL CH",)),
    ("Screwfix", ("SCREWFIX DIRECT",)),
    ("Costa Coffee", ("COSTA COFFEE {n5}",)),
    ("Pret", ("PRET A MANGER",)),
    ("Royal Mail", ("ROYAL MAIL GROUP LTD",)),
    ("Viking", ("VIKING DIRECT",)),
    ("Shell", ("SHELL {n4}",)),
    ("Premier Inn", ("PREMIER INN {n5}",)),
    ("Microsoft 365", ("MICROSOFT*{a8}",)),
    ("Google Workspace", ("GOOGLE*GSUITE {a6}",)),
    ("Adobe", ("ADOBE *CREATIVE CLOUD",)),
    ("Toolstation", ("TOOLSTATION {n4}",)),
    ("Wickes", ("WICKES {n4}",)),
    ("Uber", ("UBER *TRIP",)),
)
US_CITIES = (
    ("SEATTLE", "WA"),
    ("AUSTIN", "TX"),
    ("DENVER", "CO"),
    ("ATLANTA", "GA"),
    ("CHICAGO", "IL"),
    ("COLUMBUS", "OH"),
    ("PHOENIX", "AZ"),
    ("RALEIGH", "NC"),
    ("BOISE", "ID"),
    ("TAMPA", "FL"),
    ("PORTLAND", "OR"),
    ("NASHVILLE", "TN"),
)
UK_TOWNS = ("LONDON", "LEEDS", "BRISTOL", "MANCHESTER", "READING", "YORK", "CARDIFF", "LEICESTER")
CARD_MEMOS = (
    "Office supplies",
    "Fuel",
    "Team lunch",
    "Software subscription",
    "Shipping",
    "Travel",
    "Repairs & maintenance",
    "Postage",
    "Meals",
    "Supplies",
)


class Calendar:
    """Business days of one country, with the public holidays a bank keeps closed."""

    def __init__(self, uk: bool, first: date, last: date) -> None:
        self.holidays: set[date] = set()
        for year in range(first.year - 1, last.year + 2):
            self.holidays |= _uk_holidays(year) if uk else _us_holidays(year)

    def is_open(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def roll(self, day: date) -> date:
        """The first business day on or after ``day`` (a weekend purchase posts Monday)."""
        while not self.is_open(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, n: int) -> date:
        """``n`` business days after ``day`` (before, when negative), from a business day."""
        step = 1 if n >= 0 else -1
        day = self.roll(day) if n >= 0 else day
        for _ in range(abs(n)):
            day += timedelta(days=step)
            while not self.is_open(day):
                day += timedelta(days=step)
        return day


def _nth(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month; n = -1 is the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    return day + timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


def _us_holidays(y: int) -> set[date]:
    """Federal Reserve holidays (a Saturday holiday is not moved for banks, but kept simple)."""
    fixed = [date(y, 1, 1), date(y, 6, 19), date(y, 7, 4), date(y, 11, 11), date(y, 12, 25)]
    return {_observed(d) for d in fixed} | {
        _nth(y, 1, 0, 3),
        _nth(y, 2, 0, 3),
        _nth(y, 5, 0, -1),
        _nth(y, 9, 0, 1),
        _nth(y, 10, 0, 2),
        _nth(y, 11, 3, 4),
    }


def _easter(y: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    return date(y, month, (h + m - 7 * n + 114) % 31 + 1)


def _uk_holidays(y: int) -> set[date]:
    """England and Wales bank holidays."""
    easter = _easter(y)
    xmas, boxing = date(y, 12, 25), date(y, 12, 26)
    if xmas.weekday() >= 5:
        xmas, boxing = xmas + timedelta(days=2), boxing + timedelta(days=2)
    elif boxing.weekday() == 5:
        boxing += timedelta(days=2)
    new_year = date(y, 1, 1)
    while new_year.weekday() >= 5:
        new_year += timedelta(days=1)
    return {
        new_year,
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _nth(y, 5, 0, 1),
        _nth(y, 5, 0, -1),
        _nth(y, 8, 0, -1),
        xmas,
        boxing,
    }


@dataclass
class Party:
    """A vendor or customer: the name the bookkeeper types and what banks print."""

    name: str
    bank_name: str
    company_id: str
    brand: tuple[str, ...] = ()


class Month:
    """Draws one month's events into a :class:`DraftBook`; one method per kind of event."""

    def __init__(self, n_bank: int, seed: int, days: int | None) -> None:
        self.rng = rng = random.Random(seed)
        self.n_bank = n_bank
        # Even seeds are UK businesses, so that every five-seed set has both countries.
        self.uk = seed % 2 == 0
        self.system = rng.choice(("xero", "sage", "qbo") if self.uk else ("qbo", "qbo", "xero"))
        self.types = ENTRY_TYPES[self.system]
        self.eft = "BACS" if self.uk else "ACH"
        self.short_date, self.long_date = (
            ("%d/%m", "%d/%m/%Y") if self.uk else ("%m/%d", "%m/%d/%Y")
        )
        self.start = date(2025, rng.randrange(1, 13), 1)
        month_days = (self.start.replace(day=28) + timedelta(days=4)).replace(day=1) - self.start
        self.days = days if days is not None else max(month_days.days, round(n_bank / 33))
        self.end = self.start + timedelta(days=self.days - 1)
        self.cal = Calendar(self.uk, self.start, self.end)
        self.open_days = [
            self.start + timedelta(days=i)
            for i in range(self.days)
            if self.cal.is_open(self.start + timedelta(days=i))
        ]
        self.book: DraftBook[Bank, Gl] = DraftBook()
        self.company = rng.choice(PLACES).upper() + rng.choice((" HOLDINGS", " TRADING", " LLC"))
        self.card4 = f"{rng.randrange(1000, 10000)}"
        self.acct4 = f"{rng.randrange(1000, 10000)}"
        scale = max(1, n_bank // 40)
        self.vendors = [self._party(False) for _ in range(scale * 2 + 20)]
        self.customers = [self._party(True) for _ in range(scale * 2 + 20)]
        self.brands = [
            Party(name, name.upper(), "", templates)
            for name, templates in (UK_BRANDS if self.uk else US_BRANDS)
        ]
        self.invoice = rng.randrange(1000, 20000)
        self.journal = rng.randrange(100, 900)
        self.cheques: list[date] = []
        """Issue dates of our cheques by slot; numbers are given in issue order at the end."""
        self.prior_cheques = 0
        self._room: dict[int, list[date]] = {}

    # ----- small helpers -------------------------------------------------------------

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def _alnum(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    def _party(self, customer: bool) -> Party:
        rng = self.rng
        if customer and rng.random() < 0.15:
            name = rng.choice(PEOPLE)
        else:
            suffix = rng.choice(UK_SUFFIX if self.uk else US_SUFFIX)
            name = f"{rng.choice(PLACES)} {rng.choice(TRADES)} {suffix}".strip()
        words = name.upper().replace(",", "").replace(".", "").replace("'", "").split()
        if rng.random() < 0.6:
            words = [ABBREV.get(w, w) for w in words]
        if rng.random() < 0.5 and words[-1] in {"INC", "LLC", "CO", "CORP", "LTD", "PLC"}:
            words = words[:-1]
        bank_name = " ".join(words)
        if rng.random() < 0.15:
            bank_name = bank_name.replace(" ", "")
        return Party(name, bank_name, "1" + self._digits(9))

    def _human(self, party: Party) -> str:
        """How a bookkeeper writes a payee: often shortened, sometimes lower-cased."""
        name, roll = party.name, self.rng.random()
        for suffix in (" Inc.", " LLC", " Co.", " Corp.", " Inc", " Ltd", " Limited", " Ltd."):
            if roll < 0.3 and name.endswith(suffix):
                return name[: -len(suffix)]
        return name.lower() if roll > 0.95 else name

    def money(self, lo: float, hi: float, round_to: int = 0) -> Decimal:
        """Log-uniform amount; ``round_to`` > 0 gives a whole multiple of it."""
        value = lo * (hi / lo) ** self.rng.random()
        if round_to:
            return Decimal(max(round_to, round(value / round_to) * round_to)).quantize(CENT)
        return Decimal(str(value)).quantize(CENT)

    def day(self, latest_lag: int = 0) -> date:
        """A business day of the period leaving room for ``latest_lag`` posting days."""
        if latest_lag not in self._room:
            self._room[latest_lag] = [
                d for d in self.open_days if self.cal.add(d, latest_lag) <= self.end
            ] or self.open_days[:1]
        return self.rng.choice(self._room[latest_lag])

    def lag(self, weights: tuple[int, ...] = (2, 5, 3, 1)) -> int:
        """Business days from the ledger date to the bank posting date (0-3 by default)."""
        return self.rng.choices(range(len(weights)), weights)[0]

    def bank(self, day: date, text: str, amount: Decimal, case: str) -> int:
        row = Bank(self.book.key(), self.cal.roll(day), text, amount.quantize(CENT), case)
        self.book.bank.append(row)
        return row.key

    def gl(self, day: date, text: str, amount: Decimal, ref: str, kind: str, case: str) -> int:
        entry_type = self.types.get(kind, kind)
        row = Gl(self.book.key(), day, text, amount.quantize(CENT), case, ref, entry_type)
        self.book.gl.append(row)
        return row.key

    def pair(self, b: int, g: int, case: str, kind: MatchKind = "one_to_one") -> None:
        self.book.pairs.append((b, g, kind, case))

    def next_invoice(self) -> str:
        self.invoice += self.rng.randrange(1, 4)
        return str(self.invoice)

    def next_journal(self) -> str:
        self.journal += 1
        return f"JE-{self.journal:04d}" if self.rng.random() < 0.6 else str(self.journal)

    def cheque_slot(self, issued: date) -> str:
        self.cheques.append(issued)
        return f"{{c{len(self.cheques) - 1}}}"

    # ----- descriptions --------------------------------------------------------------

    def ach_out_text(self, v: Party, day: date) -> str:
        rng, co = self.rng, v.bank_name[:16]
        if self.uk:
            ref = rng.choice((self._alnum(8), f"INV{self._digits(5)}", "PAYMENT", ""))
            return rng.choice(
                (
                    f"FASTER PAYMENT TO {v.bank_name[:18]} {ref}",
                    f"BACS {v.bank_name[:18]} {ref}",
                    f"DD {v.bank_name[:18]} {self._digits(6)}",
                    f"{v.bank_name[:18]} FPO {ref}",
                    f"DIRECT DEBIT {v.bank_name[:18]}",
                )
            ).strip()
        desc = rng.choice(("PAYMENT", "ACH PMT", "BILL PAY", "EPAY", "DRAFT", "CORP PMT"))
        ymd = day.strftime("%y%m%d")
        return rng.choice(
            (
                f"ACH DEBIT {co} {desc} PPD ID: {v.company_id}",
                f"ORIG CO NAME:{co} ORIG ID:{v.company_id} DESC DATE:{ymd} CO ENTRY"
                f" DESCR:{desc} SEC:CCD TRACE#:{self._digits(15)} EED:{ymd} IND ID:"
                f"{self._digits(8)} IND NAME:{self.company}",
                f"{co} DES:{desc} ID:{self._alnum(9)} INDN:{self.company} CO ID:{v.company_id} CCD",
                f"{co} {desc} {ymd} {self._digits(9)} {self.company[:15]}",
                f"Online Payment {self._digits(10)} To {v.name[:20]} {day:%m/%d}",
                f"ELECTRONIC WITHDRAWAL {co}",
            )
        )

    def ach_in_text(self, c: Party, invoice: str | None) -> str:
        rng, co = self.rng, c.bank_name[:16]
        inv = f"INV {invoice}" if invoice else ""
        if self.uk:
            return rng.choice(
                (
                    f"FASTER PAYMENT RECEIVED FROM {c.bank_name[:18]}"
                    f" REF {invoice or self._alnum(8)}",
                    f"BGC {c.bank_name[:18]} {inv}",
                    f"BACS CREDIT {c.bank_name[:18]} {inv}",
                    f"{c.bank_name[:18]} FP {invoice or ''}",
                )
            ).strip()
        addenda = f"RMR*IV*{invoice}**" if invoice and rng.random() < 0.4 else inv
        return rng.choice(
            (
                f"ACH CREDIT {co} PAYMENTS {addenda}",
                f"ORIG CO NAME:{co} ORIG ID:{c.company_id} CO ENTRY DESCR:PAYABLES SEC:CCD"
                f" TRACE#:{self._digits(15)} IND NAME:{self.company} {addenda}",
                f"{co} DES:VENDOR PMT ID:{self._alnum(10)} INDN:{self.company} CO ID:"
                f"{c.company_id} CCD {addenda}",
                f"DEPOSIT ACH {co} TYPE: AP PMT ID: {c.company_id} {addenda}",
                f"ACH DEPOSIT {co} {addenda}",
            )
        ).strip()

    def card_text(self, brand: Party, day: date) -> str:
        rng = self.rng
        template = rng.choice(brand.brand)
        fill = {f"n{i}": self._digits(i) for i in range(4, 14)}
        fill |= {f"a{i}": self._alnum(i) for i in range(6, 10)}
        desc = template.format(**fill)[:22]
        if self.uk:
            town = rng.choice(UK_TOWNS)
            return rng.choice(
                (
                    f"CARD PAYMENT TO {desc} ON {day:%d-%m-%Y}",
                    f"POS {self.card4} {day:%d%b%y} {desc} {town} GB".upper(),
                    f"{desc} {town}",
                    f"VIS {desc} {town}",
                )
            )
        city, st = rng.choice(US_CITIES)
        return rng.choice(
            (
                f"POS PURCHASE {desc} {city} {st} CARD {self.card4}",
                f"DEBIT CARD PURCHASE - {desc} {day:%m/%d} {city} {st}",
                f"CHECKCARD {day:%m%d} {desc} {city} {st} {self._digits(23)}",
                f"PURCHASE AUTHORIZED ON {day:%m/%d} {desc} {city} {st} S{self._digits(15)}"
                f" CARD {self.card4}",
                f"{desc} {city} {st}",
            )
        )

    def cheque_text(self, slot: str) -> str:
        if self.uk:
            # UK feeds put "CHQ" in a type column, so the description is often the number alone.
            return self.rng.choice((f"CHQ {slot}", f"CHEQUE {slot}", slot, f"{slot} CHQ"))
        return self.rng.choice(
            (
                f"CHECK {slot}",
                f"CHK#{slot}",
                f"Check Paid #{slot}",
                f"CHECK # {slot}",
                f"CHECK #{slot}",
            )
        )

    def wire_in_text(self, c: Party, invoice: str | None, day: date) -> str:
        obi = f"INV {invoice}" if invoice else "PAYMENT"
        name = c.name.upper()[:35]
        return self.rng.choice(
            (
                f"WIRE TRANSFER IN FED REF#{day:%Y%m%d}{self._alnum(8)} ORG={name} OBI={obi}",
                f"INCOMING WIRE {self._digits(10)} FROM {name} {obi}",
                f"WIRE IN {day:%y%m%d} {name} REF {self._alnum(12)}",
                f"CHAPS CREDIT {name} {obi}" if self.uk else f"FEDWIRE CREDIT VIA {name}",
            )
        )

    def receipt_text(self, c: Party, invoice: str | None) -> str:
        name = self._human(c)
        if invoice is None:
            return self.rng.choice((name, f"Payment - {name}", f"{name} - on account"))
        return self.rng.choice(
            (f"{name} - Inv {invoice}", f"Payment for invoice #{invoice}", f"{name} INV-{invoice}")
        )

    def named_receipt(self, c: Party, invoice: str) -> str:
        """A receipt that names the payer: a fee-sized difference needs more than the amount."""
        return self.rng.choice(
            (f"{self._human(c)} - Inv {invoice}", f"{self._human(c)} INV-{invoice}")
        )

    # ----- events: each returns how many bank lines it drew --------------------------

    def vendor_ach(self) -> int:
        v, lag = self.rng.choice(self.vendors), self.lag()
        g_day = self.day(lag)
        amount = -self.money(40, 18_000)
        ref = self.rng.choice(
            ("BACS", "FP", "", f"{self._alnum(2)}-{self._digits(4)}", "DD")
            if self.uk
            else ("ACH", "EFT", "", f"{self._alnum(2)}-{self._digits(4)}", "ACH")
        )
        memo = self.rng.choice(("", f" - Inv {self._digits(5)}", " - monthly service", ""))
        g = self.gl(g_day, self._human(v) + memo, amount, ref, "bill_payment", "vendor_ach")
        b_day = self.cal.add(g_day, lag)
        self.pair(
            self.bank(b_day, self.ach_out_text(v, b_day), amount, "vendor_ach"), g, "vendor_ach"
        )
        return 1

    def card_purchase(self) -> int:
        brand, lag = self.rng.choice(self.brands), self.lag((0, 5, 4, 2))
        g_day = self.day(lag) - timedelta(days=self.rng.choice((0, 0, 0, 1, 2)))
        g_day = max(g_day, self.start)
        amount = -self.money(3, 1_800)
        memo = self.rng.choice(CARD_MEMOS)
        text = self.rng.choice((f"{brand.name} - {memo}", brand.name, f"{memo} ({brand.name})"))
        ref = self.rng.choice(("", "Debit card", f"x{self.card4}", "CARD"))
        g = self.gl(g_day, text, amount, ref, "expense", "card_purchase")
        b_day = self.cal.add(g_day, lag)
        self.pair(
            self.bank(b_day, self.card_text(brand, g_day), amount, "card_purchase"),
            g,
            "card_purchase",
        )
        return 1

    def wire_out(self) -> int:
        v = self.rng.choice(self.vendors)
        g_day = self.day(1)
        amount = -self.money(2_000, 95_000)
        g = self.gl(g_day, f"{self._human(v)} - wire", amount, "WIRE", "bill_payment", "wire_out")
        b_day = self.cal.add(g_day, self.lag((5, 2)))
        text = self.rng.choice(
            (
                f"WIRE TRANSFER OUT {self._digits(8)} BNF={v.name.upper()[:35]}",
                f"OUTGOING WIRE {b_day:%m%d} {v.bank_name} REF {self._alnum(10)}",
                f"CHAPS PAYMENT {v.bank_name[:18]}" if self.uk else f"WIRE OUT TO {v.bank_name}",
            )
        )
        self.pair(self.bank(b_day, text, amount, "wire_out"), g, "wire_out")
        fee = Decimal(self.rng.choice((25, 30, 35, 45)) if not self.uk else 17)
        self.bank(
            b_day,
            self.rng.choice(("WIRE TRANSFER FEE", "OUTGOING WIRE FEE", "WIRE FEE")),
            -fee,
            "bank_charge",
        )
        return 2

    def customer_receipt(self) -> int:
        c, roll = self.rng.choice(self.customers), self.rng.random()
        invoice = self.next_invoice() if self.rng.random() < 0.6 else None
        lags: tuple[int, ...]
        if roll < 0.65:
            case, amount, lags = "customer_ach", self.money(80, 40_000), (3, 4, 1)
        elif roll < 0.85:
            case, amount, lags = "customer_wire", self.money(1_500, 150_000), (5, 2)
        else:
            case, amount, lags = "remote_deposit", self.money(60, 12_000), (5, 3)
        lag = self.lag(lags)
        g_day = self.day(lag)
        b_day = self.cal.add(g_day, lag)
        if self.rng.random() < 0.15:  # booked when the bookkeeper saw the credit arrive
            g_day, b_day = b_day, g_day
        if case == "remote_deposit":
            ref = self._digits(4)
            text = self.rng.choice(
                (
                    "REMOTE DEPOSIT",
                    f"MOBILE DEPOSIT : REF NUMBER :{self._digits(9)}",
                    f"DEPOSIT ID NUMBER {self._digits(6)}",
                    "REMOTE DEPOSIT CAPTURE",
                )
            )
            if self.uk:
                text = self.rng.choice(("CHEQUE DEPOSIT", "PAID IN AT BRANCH", "CHQ IN"))
        else:
            ref = f"INV-{invoice}" if invoice else self.rng.choice(("", "EFT", case[9:].upper()))
            text = (
                self.ach_in_text(c, invoice)
                if case == "customer_ach"
                else self.wire_in_text(c, invoice, b_day)
            )
        kind = "receipt" if invoice or self.rng.random() < 0.5 else "deposit"
        g = self.gl(g_day, self.receipt_text(c, invoice), amount, ref, kind, case)
        b = self.bank(b_day, text, amount, case)
        self.pair(b, g, case)
        if case == "customer_wire" and self.rng.random() < 0.5:
            fee = Decimal(self.rng.choice((10, 12, 15, 18)))
            self.bank(
                b_day,
                self.rng.choice(("INCOMING WIRE FEE", "WIRE IN FEE", "INCOMING WIRE CHARGE")),
                -fee,
                "bank_charge",
            )
            return 2
        return 1

    def _payout_text(self, name: str, day: date) -> str:
        if name == "Stripe":
            return self.rng.choice(
                (
                    f"STRIPE TRANSFER ST-{self._alnum(12)} {self.company}",
                    "STRIPE PAYMENTS UK STRIPE"
                    if self.uk
                    else f"ORIG CO NAME:STRIPE ORIG ID:{self._digits(10)}"
                    " CO ENTRY DESCR:TRANSFER SEC:CCD",
                    f"STRIPE {self._alnum(10)}"
                    if self.uk
                    else f"STRIPE DES:TRANSFER ID:ST-{self._alnum(12)}",
                )
            )
        if name == "Square":
            return self.rng.choice(
                (
                    f"SQUARE INC DES:{day:%y%m%d}P2 ID:T3{self._alnum(10)}",
                    f"SQ {day:%y%m%d} {self._alnum(10)}",
                    "SQUARE INC",
                )
            )
        return self.rng.choice(
            (
                f"PAYPAL TRANSFER {self._digits(11)}",
                "PAYPAL DES:TRANSFER",
                f"PAYPAL PPWDL{self._alnum(11)}",
            )
        )

    def fee_bank_net(self) -> int:
        """The bank is short by a fee the ledger never saw: a wire in net of charges."""
        c = self.rng.choice(self.customers)
        invoice = self.next_invoice()
        g_day = self.day(1)
        gross = self.money(800, 60_000)
        fee = Decimal(self.rng.choice((10, 15, 18, 20, 25, 30, 35)))
        b_day = self.cal.add(g_day, self.rng.choice((0, 1)))
        b = self.bank(b_day, self.wire_in_text(c, invoice, b_day), gross - fee, "fee_bank_net")
        g = self.gl(
            g_day,
            self.named_receipt(c, invoice),
            gross,
            f"INV-{invoice}",
            "receipt",
            "fee_bank_net",
        )
        self.pair(b, g, "fee_bank_net", "amount_mismatch")
        return 1

    def fee_bank_gross(self) -> int:
        """The ledger booked a net figure the bank does not show: fees expected or included."""
        fee = Decimal(self.rng.choice((15, 20, 25, 30, 35, 40, 45)))
        g_day = self.day(1)
        b_day = self.cal.add(g_day, self.rng.choice((0, 1, 1)))
        if self.rng.random() < 0.5:  # money in: ledger net of a fee that was never charged
            c, invoice = self.rng.choice(self.customers), self.next_invoice()
            gross = self.money(600, 40_000)
            b = self.bank(b_day, self.wire_in_text(c, invoice, b_day), gross, "fee_bank_gross")
            text = f"{self.named_receipt(c, invoice)} (net of ${fee} wire fee)".replace(
                "$", "£" if self.uk else "$"
            )
            g = self.gl(g_day, text, gross - fee, f"INV-{invoice}", "receipt", "fee_bank_gross")
        else:  # money out: the bank debits principal plus its fee in one line
            v = self.rng.choice(self.vendors)
            gross = self.money(600, 40_000)
            text = self.rng.choice(
                (
                    f"INTL WIRE OUT {v.name.upper()[:30]} INCL FEES",
                    f"FX WIRE {self._digits(8)} BNF {v.bank_name}",
                    f"INTERNATIONAL PAYMENT {v.bank_name[:18]} {self._alnum(8)}",
                )
            )
            b = self.bank(b_day, text, -(gross + fee), "fee_bank_gross")
            g = self.gl(
                g_day,
                f"{self._human(v)} - intl wire",
                -gross,
                "WIRE",
                "bill_payment",
                "fee_bank_gross",
            )
        self.pair(b, g, "fee_bank_gross", "amount_mismatch")
        return 1

    def _cheque_ledger(
        self, v: Party, g_day: date, amount: Decimal, case: str, memo: str = ""
    ) -> tuple[int, str]:
        slot = self.cheque_slot(g_day)
        kind = self.rng.choice(("cheque", "cheque", "bill_payment", "expense"))
        text = self._human(v) + (
            memo or self.rng.choice(("", f" - Inv {self._digits(5)}", " - rent", " - services"))
        )
        return self.gl(g_day, text, amount, slot, kind, case), slot

    def cheque(self, twice: bool = False) -> int:
        v = self.rng.choice(self.vendors)
        case = "cheque_same_vendor" if twice else "cheque"
        amount = -self.money(30, 12_000)
        lines = 0
        for i in range(2 if twice else 1):
            lag = min(self.rng.choice((2, 3, 4, 5, 7, 10, 15, 20)), len(self.open_days) - 1)
            g_day = self.day(lag)
            if i == 1 and self.rng.random() < 0.5:
                amount = -self.money(30, 12_000)
            g, slot = self._cheque_ledger(v, g_day, amount, case)
            b_day = self.cal.add(g_day, lag)
            self.pair(self.bank(b_day, self.cheque_text(slot), amount, case), g, case)
            lines += 1
        return lines

    def void_reissue(self) -> int:
        v = self.rng.choice(self.vendors)
        amount = -self.money(80, 9_000)
        first = self.day(12)
        g0, slot0 = self._cheque_ledger(v, first, amount, "void_reissue")
        void_day = self.cal.add(first, self.rng.randrange(3, 8))
        word = "cheque" if self.uk else "check"
        if self.rng.random() < 0.2:
            v_text = self.rng.choice(
                (f"VOID: chk {slot0}", f"Void {word} {slot0} - issued in error")
            )
            g1 = self.gl(
                void_day,
                v_text,
                -amount,
                slot0,
                self.rng.choice(("cheque", "journal")),
                "voided_cheque",
            )
            self.book.offsets.append((g0, g1, "voided_cheque"))
            return 0
        v_text = self.rng.choice(
            (
                f"VOID: chk {slot0}",
                f"voided - replaces lost {word}",
                f"{self._human(v)} - void {word} #{slot0}",
            )
        )
        ref = self.rng.choice((slot0, f"VOID-{slot0}", "" if slot0 in v_text else slot0))
        g1 = self.gl(
            void_day, v_text, -amount, ref, self.rng.choice(("cheque", "journal")), "void_reissue"
        )
        self.book.offsets.append((g0, g1, "void_reissue"))
        memo = self.rng.choice(
            (
                f" - replaces {slot0}",
                f" - reissue of chk {slot0}",
                f" - replacement for lost {word} #{slot0}",
            )
        )
        g2, slot2 = self._cheque_ledger(v, void_day, amount, "void_reissue", memo)
        b_day = self.cal.add(void_day, self.rng.randrange(2, 6))
        if b_day > self.end:
            return 0
        self.pair(
            self.bank(b_day, self.cheque_text(slot2), amount, "void_reissue"), g2, "void_reissue"
        )
        return 1

    def wrong_payment(self) -> int:
        """Wrong amount out, its return, then the right amount (ledger books all three or one)."""
        case, v = "wrong_payment_reversed", self.rng.choice(self.vendors)
        right = -self.money(200, 15_000)
        wrong = right * 10 if self.rng.random() < 0.4 else -self.money(200, 15_000)
        d0 = self.day(8)
        d1 = self.cal.add(d0, self.rng.randrange(1, 4))
        d2 = self.cal.add(d1, self.rng.randrange(0, 3))
        b0 = self.bank(d0, self.ach_out_text(v, d0), wrong, case)
        back = self.rng.choice(
            (
                f"ACH RETURN {v.bank_name[:16]} R{self.rng.choice(('01', '03', '04', '10'))}",
                f"REVERSAL {v.bank_name[:16]}",
                f"RETURNED PAYMENT {v.bank_name[:18]}",
                f"ACH DEBIT REVERSAL {v.bank_name[:16]}",
            )
        )
        b1 = self.bank(d1, back, -wrong, case)
        b2 = self.bank(d2, self.ach_out_text(v, d2), right, case)
        ref = self.rng.choice((self.eft, "EFT", f"BP{self._digits(4)}"))
        g2 = self.gl(d2, f"{self._human(v)} - corrected payment", right, ref, "bill_payment", case)
        self.pair(b2, g2, case)
        if self.rng.random() < 0.6:
            g0 = self.gl(d0, self._human(v), wrong, ref, "bill_payment", case)
            g1 = self.gl(
                d1,
                f"Reversal - incorrect payment to {self._human(v)}",
                -wrong,
                ref,
                self.rng.choice(("journal", "deposit")),
                case,
            )
            self.pair(b0, g0, case)
            self.pair(b1, g1, case)
        return 3

    def duplicate_reversed(self) -> int:
        """A bill payment entered twice; a journal reverses the duplicate by its number."""
        case, v = "duplicate_reversed", self.rng.choice(self.vendors)
        amount, lag = -self.money(100, 8_000), self.lag()
        g_day = self.day(max(lag, 4))
        n = self.rng.randrange(1000, 9000)
        keep = self.gl(g_day, self._human(v), amount, f"BP-{n}", "bill_payment", case)
        dup = self.gl(g_day, self._human(v), amount, f"BP-{n + 1}", "bill_payment", case)
        rev_day = self.cal.add(g_day, self.rng.randrange(1, 5))
        rev = self.gl(
            rev_day,
            self.rng.choice(
                (f"Reverse duplicate entry BP-{n + 1}", f"Reversal of BP-{n + 1} (entered twice)")
            ),
            -amount,
            self.next_journal(),
            "journal",
            case,
        )
        self.book.offsets.append((dup, rev, case))
        b_day = self.cal.add(g_day, lag)
        self.pair(self.bank(b_day, self.ach_out_text(v, b_day), amount, case), keep, case)
        return 1

    def transposed(self) -> int:
        v, case = self.rng.choice(self.vendors), "transposed"
        amount = -self.money(100, 20_000)
        while not swap_spots(-amount):
            amount = -self.money(100, 20_000)
        typo = -swapped(-amount, self.rng.choice(swap_spots(-amount))).quantize(CENT)
        if self.rng.random() < 0.5:
            lag = self.rng.choice((2, 3, 5, 8))
            g_day = self.day(lag)
            g, slot = self._cheque_ledger(v, g_day, typo, case)
            text = self.cheque_text(slot)
        else:
            lag = self.lag()
            g_day = self.day(lag)
            g = self.gl(
                g_day, self._human(v), typo, self.rng.choice((self.eft, "")), "bill_payment", case
            )
            text = self.ach_out_text(v, self.cal.add(g_day, lag))
        self.pair(
            self.bank(self.cal.add(g_day, lag), text, amount, case),
            g,
            "transposed",
            "amount_mismatch",
        )
        return 1

    def same_amount_day(self) -> int:
        case = "same_amount_day"
        amount = -Decimal(self.rng.choice((250, 500, 750, 1000, 1200, 1500, 2000, 2500)))
        g_day, lag = self.day(2), self.rng.choice((0, 1, 1, 2))
        for v in self.rng.sample(self.vendors, 2):
            g = self.gl(
                g_day,
                self._human(v),
                amount,
                self.rng.choice((self.eft, "", "EFT")),
                "bill_payment",
                case,
            )
            b_day = self.cal.add(g_day, lag)
            self.pair(self.bank(b_day, self.ach_out_text(v, b_day), amount, case), g, case)
        return 2

    def transfer(self) -> int:
        case, lag = "transfer", self.rng.choice((0, 0, 1))
        g_day = self.day(lag)
        amount = self.money(500, 50_000, 100) * self.rng.choice((1, -1))
        to = self.rng.choice(("Savings", "Money Market", "Payroll account", "Reserve account"))
        other = self._digits(4)
        if amount < 0:
            text = self.rng.choice(
                (
                    f"ONLINE TRANSFER TO SAV XXXXXX{other} REF #IB0{self._alnum(7)}",
                    f"TRANSFER TO CHK {other} CONFIRMATION# {self._digits(10)}",
                    f"BOOK TRANSFER DEBIT A/C: {self._digits(8)}{other}",
                    f"TFR TO {other} {to.upper()}",
                )
            )
            g_text = f"Transfer to {to}"
        else:
            text = self.rng.choice(
                (
                    f"ONLINE TRANSFER FROM SAV XXXXXX{other} REF #IB0{self._alnum(7)}",
                    f"TRANSFER FROM CHK {other} CONFIRMATION# {self._digits(10)}",
                    f"TFR FROM {other} {to.upper()}",
                )
            )
            g_text = f"Transfer from {to}"
        if self.uk:
            sort_code = f"{self._digits(2)}-{self._digits(2)}-{self._digits(2)}"
            way = "TO" if amount < 0 else "FROM"
            text = self.rng.choice(
                (
                    f"INTERNET TRANSFER {way} {sort_code} {self._digits(4)}{other}",
                    f"TFR {way} {to.upper()} {other}",
                    f"TRANSFER {way} DEPOSIT A/C {other}",
                )
            )
        g = self.gl(g_day, g_text, amount, "", "transfer", case)
        self.pair(self.bank(self.cal.add(g_day, lag), text, amount, case), g, case)
        return 1

    def card_bill(self) -> int:
        case, lag = "card_bill", self.rng.choice((0, 1, 1, 2))
        g_day = self.day(lag)
        issuer, text = self.rng.choice(
            (
                ("American Express", "AMEX EPAYMENT ACH PMT"),
                ("Chase Card", "CHASE CREDIT CRD AUTOPAY"),
                ("Capital One", "CAPITAL ONE MOBILE PMT"),
                ("Barclaycard", "BARCLAYCARD DD"),
                ("Brex", "BREX INC DES:BREX CARD"),
            )
        )
        amount = -self.money(300, 30_000)
        g_text = self.rng.choice(
            (f"Pay {issuer}", f"{issuer} - statement payment", f"{issuer} x{self._digits(4)}")
        )
        g = self.gl(g_day, g_text, amount, "", "card_bill", case)
        self.pair(
            self.bank(self.cal.add(g_day, lag), f"{text} {self._alnum(8)}", amount, case), g, case
        )
        return 1

    def tax_payment(self) -> int:
        case, lag = "tax_payment", self.rng.choice((0, 1, 2))
        g_day = self.day(lag)
        amount = -self.money(200, 25_000)
        if self.uk:
            text, g_text = self.rng.choice(
                (
                    ("HMRC VAT", "VAT return payment"),
                    ("HMRC PAYE", "PAYE/NIC payment"),
                    ("HMRC CUMBERNAULD", "Corporation tax"),
                )
            )
        else:
            text, g_text = self.rng.choice(
                (
                    ("IRS USATAXPYMT 2700" + self._digits(11), "Federal tax deposit 941"),
                    ("CA DEPT TAX FEE CDTFA EFT PMT", "Sales tax payment"),
                    ("TX COMPTROLLER TAX PAYMENT", "Sales tax payment"),
                    ("NYS DTF SALES TAX PAYMNT", "NYS sales tax"),
                )
            )
        g = self.gl(g_day, g_text, amount, self.rng.choice(("", "EFTPS", "TAX")), "tax", case)
        self.pair(self.bank(self.cal.add(g_day, lag), text, amount, case), g, case)
        return 1

    def nsf_return(self) -> int:
        """A customer's cheque is deposited, then returned unpaid with a fee: bank only."""
        c, case = self.rng.choice(self.customers), "nsf_return"
        amount, d0 = self.money(100, 6_000), self.day(6)
        g = self.gl(
            d0,
            self.receipt_text(c, self.next_invoice()),
            amount,
            self._digits(4),
            "receipt",
            "remote_deposit",
        )
        b = self.bank(
            d0, "CHEQUE DEPOSIT" if self.uk else "REMOTE DEPOSIT", amount, "remote_deposit"
        )
        self.pair(b, g, "remote_deposit")
        d1 = self.cal.add(d0, self.rng.randrange(2, 6))
        self.bank(
            d1,
            self.rng.choice(("UNPAID CHEQUE", "RETURNED CHEQUE"))
            if self.uk
            else self.rng.choice(
                (
                    "RETURNED ITEM NSF",
                    "DEPOSITED ITEM RETURNED NSF",
                    f"RETURN ITEM CHARGEBACK {self._digits(6)}",
                )
            ),
            -amount,
            case,
        )
        self.bank(
            d1,
            "UNPAID ITEM CHARGE"
            if self.uk
            else self.rng.choice(
                ("RETURNED ITEM FEE", "NSF RETURN ITEM FEE", "DEP ITEM RETURNED FEE")
            ),
            -Decimal(self.rng.choice((12, 15, 19))),
            case,
        )
        return 3

    def bank_only(self) -> int:
        if self.rng.random() < 0.6:
            text = self.rng.choice(
                ("SERVICE CHARGES", "COMMISSION CHARGES", "ACCOUNT FEE")
                if self.uk
                else (
                    "MONTHLY SERVICE FEE",
                    "ACCOUNT ANALYSIS FEE",
                    "STOP PAYMENT FEE",
                    "OVERDRAFT ITEM FEE",
                    "CASH MGMT FEE",
                    "ACH MODULE FEE",
                )
            )
            self.bank(self.day(), text, -self.money(5, 250), "bank_charge")
        else:
            text = self.rng.choice(
                ("GROSS INTEREST", "INTEREST PAID")
                if self.uk
                else ("INTEREST PAYMENT", "INTEREST EARNED", "INTEREST CREDIT")
            )
            self.bank(self.day(), text, self.money(0.5, 400), "interest")
        return 1

    def prior_period(self) -> int:
        """Last month's cheques and payments clearing now: their ledger rows are not here."""
        b_day = self.rng.choice(self.open_days[:8])
        amount = -self.money(40, 9_000)
        if self.rng.random() < 0.6:
            self.prior_cheques += 1
            text = self.cheque_text(f"{{p{self.prior_cheques}}}")
        else:
            text = self.ach_out_text(self.rng.choice(self.vendors), b_day)
        self.bank(b_day, text, amount, "prior_period")
        return 1

    # ----- scheduled events ------------------------------------------------------------

    def deposits(self) -> None:
        """Cheques and cash takings go to the bank every few days, a week's worth at most.

        Each stream deposits everything booked since its previous deposit, as an office
        does, so a deposit's members are the stream's receipts between two deposits: an
        accountant can rebuild every slip from the ledger. What is booked after the last
        deposit of the period is in transit.
        """
        streams = max(2, round(self.n_bank / self.days / 16))
        tagged = streams > 2
        for s in range(streams):
            takings = s % 2 == 1
            where = f" - Store {s // 2 + 1}" if takings and tagged else ""
            where = f" - Lockbox {s // 2 + 1}" if not takings and tagged else where
            pending: list[int] = []
            total = Decimal(0)
            gap = self.rng.randrange(1, 5)
            for day in self.open_days:
                count = 1 if takings else self.rng.choice((0, 1, 1, 2, 2, 3))
                for _ in range(min(count, 10 - len(pending))):
                    amount, g = self._stream_receipt(day, takings, where)
                    pending.append(g)
                    total += amount
                gap -= 1
                if gap > 0 or not pending:
                    continue
                gap = self.rng.randrange(1, 5)
                b_day = self.cal.add(day, self.rng.choice((0, 0, 1)))
                if b_day > self.end:
                    break
                b = self.bank(b_day, self._deposit_text(takings), total, "batch_deposit")
                for g in pending:
                    self.pair(b, g, "batch_deposit", "batch" if len(pending) > 1 else "one_to_one")
                pending, total = [], Decimal(0)
            for row in self.book.gl:
                if row.key in pending:
                    row.case = "deposit_in_transit"

    def _stream_receipt(self, day: date, takings: bool, where: str) -> tuple[Decimal, int]:
        if takings:
            amount = self.money(120, 4_000)
            text = self.rng.choice(
                (
                    f"Cash sales {day.strftime(self.short_date)}{where}",
                    f"Daily takings{where}",
                    f"Till takings {day:%d %b}{where}",
                )
            )
            ref = self.rng.choice(("", f"Z{self._digits(4)}", "CASH"))
            return amount, self.gl(day, text, amount, ref, "sales", "batch_deposit")
        c = self.rng.choice(self.customers)
        invoice = self.next_invoice() if self.rng.random() < 0.6 else None
        amount = self.money(25, 8_000)
        ref = self._digits(self.rng.choice((4, 4, 5, 6)))  # the customer's cheque number
        text = self.receipt_text(c, invoice) + where
        kind = self.rng.choice(("receipt", "receipt", "deposit"))
        return amount, self.gl(day, text, amount, ref, kind, "batch_deposit")

    def _deposit_text(self, takings: bool) -> str:
        if self.uk:
            return self.rng.choice(
                ("COUNTER CREDIT", f"PAYING IN {self._digits(6)}", "CREDIT AT BRANCH")
                if not takings
                else ("CASH PAID IN", "COUNTER CREDIT", f"PAYING IN {self._digits(6)}")
            )
        if takings:
            return self.rng.choice(("CASH DEPOSIT", "BRANCH DEPOSIT", "DEPOSIT", "NIGHT DEPOSIT"))
        return self.rng.choice(
            (
                "DEPOSIT",
                "BRANCH DEPOSIT",
                f"DEPOSIT #{self._digits(5)}",
                "COUNTER DEPOSIT",
                "ATM CHECK DEPOSIT",
            )
        )

    def payouts(self) -> None:
        """Card sales settle through a processor two business days later, net of its fee.

        The ledger books each day's gross sales; some days the fee is booked beside it
        (the payout is then a batch of sales and fee), most days it is not (a fee-sized
        amount mismatch). One payout per processor per sale day, so dates pin them.
        """
        names = ("Stripe", "Square", "PayPal")
        count = min(3, max(1, round(self.n_bank / self.days / 33)))
        for name in self.rng.sample(names, count):
            rate = {
                "Stripe": Decimal("0.029"),
                "Square": Decimal("0.026"),
                "PayPal": Decimal("0.0349"),
            }[name]
            per = {"Stripe": Decimal("0.30"), "Square": Decimal("0.15"), "PayPal": Decimal("0.49")}[
                name
            ]
            if self.uk:
                rate /= 2
            split_share = self.rng.choice((0.0, 0.3, 0.6))
            for sale_day in self.open_days:
                b_day = self.cal.add(sale_day, 2)
                if b_day > self.end or self.rng.random() < 0.15:
                    continue
                gross = self.money(150, 9_000)
                tickets = max(1, int(gross / self.money(20, 120)))
                fee = (gross * rate + per * tickets).quantize(CENT)
                fee = min(fee, (Decimal(50) + gross * Decimal("0.035")).quantize(CENT) - CENT)
                split = self.rng.random() < split_share
                case = "processor_payout_split" if split else "processor_payout"
                b = self.bank(b_day, self._payout_text(name, b_day), gross - fee, case)
                label = self.rng.choice(
                    (
                        f"{name} sales {sale_day.strftime(self.short_date)}",
                        f"{name} deposit - sales {sale_day:%d %b}",
                        f"Sales via {name} {sale_day.strftime(self.long_date)}",
                    )
                )
                ref = self.rng.choice(("", name.upper(), f"{name[:2].upper()}{sale_day:%m%d}"))
                g = self.gl(sale_day, label, gross, ref, "sales", case)
                if not split:
                    self.pair(b, g, case, "amount_mismatch")
                    continue
                f = self.gl(
                    sale_day,
                    f"{name} fees {sale_day.strftime(self.short_date)}",
                    -fee,
                    ref,
                    self.rng.choice(("expense", "journal")),
                    case,
                )
                self.pair(b, g, case, "batch")
                self.pair(b, f, case, "batch")

    def payroll(self) -> None:
        """Processor debits net pay and taxes a day or two before pay day, every run."""
        rng, case = self.rng, "payroll"
        proc = rng.choice(
            ("Gusto", "ADP", "Paychex") if not self.uk else ("ADP", "Sage Payroll", "BrightPay")
        )
        runs = 1 + int(self.n_bank / self.days / 23)  # more staff groups in a busier month
        for r in range(runs):
            weekly = r % 2 == 1
            step = 7 if weekly else 14
            pay = self.start + timedelta(days=(4 - self.start.weekday()) % 7 + rng.randrange(step))
            net_base = self.money(8_000, 90_000)
            while pay <= self.end:
                pay_day = self.cal.roll(pay) if self.cal.is_open(pay) else self.cal.add(pay, -1)
                debit = self.cal.add(pay_day, -rng.choice((1, 2)))
                if debit >= self.start and pay_day <= self.end:
                    ending = pay - timedelta(days=rng.choice((5, 6)))
                    net = (net_base * Decimal(str(rng.uniform(0.93, 1.07)))).quantize(CENT)
                    tax = (net * Decimal(str(rng.uniform(0.3, 0.42)))).quantize(CENT)
                    for amount, what in ((-net, "net"), (-tax, "tax")):
                        text = self._payroll_text(proc, what, debit)
                        label = (
                            f"Net pay - period ending {ending.strftime(self.long_date)}",
                            f"Payroll - period ending {ending.strftime(self.long_date)}",
                            f"Payroll {pay_day.strftime(self.short_date)} net wages",
                        )
                        tlabel = (
                            f"Payroll taxes - period ending {ending.strftime(self.long_date)}",
                            f"{proc} tax impound {pay_day.strftime(self.short_date)}",
                        )
                        g_text = rng.choice(label if what == "net" else tlabel)
                        g = self.gl(
                            pay_day,
                            g_text,
                            amount,
                            rng.choice(("", proc.upper(), f"PR{pay_day:%m%d}")),
                            "payroll" if what == "net" else "payroll_tax",
                            case,
                        )
                        self.pair(self.bank(debit, text, amount, case), g, case)
                pay += timedelta(days=step)

    def _payroll_text(self, proc: str, what: str, day: date) -> str:
        ymd, cid = day.strftime("%y%m%d"), self._alnum(11)
        if proc == "Gusto":
            return self.rng.choice(
                (
                    f"GUSTO DES:{what.upper()} {ymd} ID:{cid} INDN:{self.company} CCD",
                    f"GUSTO {what.upper()} {ymd} {cid}",
                )
            )
        if proc == "ADP":
            return (
                f"ADP WAGE PAY DES:WAGE PAY ID:{cid}"
                if what == "net"
                else f"ADP Tax DES:ADP Tax ID:{cid}"
            )
        if proc == "Paychex":
            return "PAYCHEX INC. PAYROLL" if what == "net" else f"PAYCHEX TPS TAXES {cid}"
        return f"BACS {proc.upper()} {'SALARIES' if what == 'net' else 'HMRC'} {ymd}"

    def weekly(self) -> None:
        """The same vendor, the same amount, every week: only the dates tell them apart."""
        case = "weekly_repeat"
        for _ in range(max(2, round(self.n_bank / self.days / 11))):
            v = self.rng.choice(self.vendors)
            amount = -self.money(60, 2_500, self.rng.choice((0, 5, 25)))
            day = self.open_days[self.rng.randrange(min(5, len(self.open_days)))]
            lag = self.rng.choice((0, 1, 1, 2))
            ref = self.rng.choice((self.eft, "", "DD"))
            while self.cal.add(day, lag) <= self.end:
                g = self.gl(
                    day,
                    self._human(v) + self.rng.choice(("", " - weekly service")),
                    amount,
                    ref,
                    "bill_payment",
                    case,
                )
                b_day = self.cal.add(day, lag)
                self.pair(self.bank(b_day, self.ach_out_text(v, b_day), amount, case), g, case)
                day += timedelta(days=7)
                day = self.cal.roll(day)

    def ledger_only(self) -> None:
        """Outstanding cheques and deposits in transit at period end, a few stale cheques."""
        for _ in range(max(3, self.n_bank // 60)):
            v = self.rng.choice(self.vendors)
            late = self.rng.random() < 0.75
            day = self.rng.choice(self.open_days[-8:] if late else self.open_days[:-8])
            self._cheque_ledger(v, day, -self.money(40, 8_000), "outstanding_cheque")
        for _ in range(max(1, self.n_bank // 250)):
            c = self.rng.choice(self.customers)
            day = self.rng.choice(self.open_days[-2:])
            kind = self.rng.choice(("receipt", "deposit"))
            self.gl(
                day,
                self.receipt_text(c, self.next_invoice()),
                self.money(50, 9_000),
                self._digits(4),
                kind,
                "deposit_in_transit",
            )

    # ----- the month -------------------------------------------------------------------

    def draw(self) -> None:
        events: tuple[tuple[Callable[[], int], float], ...] = (
            (self.vendor_ach, 16),
            (self.card_purchase, 15),
            (self.wire_out, 1.2),
            (self.customer_receipt, 16),
            (self.fee_bank_net, 1.2),
            (self.fee_bank_gross, 1.2),
            (self.cheque, 9),
            (lambda: self.cheque(True), 1.2),
            (self.void_reissue, 0.8),
            (self.wrong_payment, 0.3),
            (self.duplicate_reversed, 0.6),
            (self.transposed, 1.2),
            (self.same_amount_day, 1),
            (self.transfer, 2),
            (self.card_bill, 1.2),
            (self.tax_payment, 0.8),
            (self.nsf_return, 0.25),
            (self.bank_only, 1.8),
            (self.prior_period, 1.5),
        )
        self.payroll()
        self.deposits()
        self.payouts()
        self.weekly()
        self.ledger_only()
        actions, weights = zip(*events, strict=True)
        while len(self.book.bank) < self.n_bank:
            self.rng.choices(actions, weights)[0]()

    def finish(self, seed: int) -> SynthDataset:
        """Number the cheques in issue order, then shuffle same-day rows and assemble."""
        book = self.book
        first = (
            self.rng.randrange(1001, 9000) if not self.uk else self.rng.randrange(100001, 300000)
        )
        order = sorted(range(len(self.cheques)), key=lambda i: (self.cheques[i], i))
        numbers = {f"c{i}": str(first + rank) for rank, i in enumerate(order)}
        numbers |= {
            f"p{i}": str(first - i - self.rng.randrange(0, 3))
            for i in range(1, self.prior_cheques + 1)
        }

        def fill(text: str) -> str:
            return text.format(**numbers) if "{" in text else text

        for row in book.bank:
            row.text = fill(row.text)
        for g in book.gl:
            g.text, g.ref = fill(g.text), fill(g.ref)
        bank = sorted(book.bank, key=lambda r: (r.day, self.rng.random()))
        gl = sorted(book.gl, key=lambda r: (r.day, self.rng.random()))
        return assemble(
            bank,
            gl,
            book.pairs,
            book.offsets,
            id_formats=("STMT{:06d}", "TXN-{:06d}"),
            period=(self.start, self.end),
            seed=seed,
        )


def generate(n_bank: int, seed: int, *, days: int | None = None) -> SynthDataset:
    """A hard month of about ``n_bank`` bank lines with ground truth, the same for a seed.

    ``days`` stretches or squeezes the period (default: a calendar month, or longer so
    that there are about 33 bank lines a day at large sizes).
    """
    month = Month(n_bank, seed, days)
    month.draw()
    return month.finish(seed)
