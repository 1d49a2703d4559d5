"""Synthetic bank statements and ledgers, with ground truth, for the reconciliation benchmark.

Real statements cannot be published, so the benchmark builds its own: a small business's
month (or, for large ``n``, several months) of card purchases, supplier payments by ACH,
wire and cheque, customer receipts and the bank's own fees, rendered the way banks print
them (upper case, processor prefixes such as ``SQ *`` or ``AMZN MKTP US*``, truncation at
15-22 characters, typos, store numbers, cities) and booked the way bookkeepers write
ledgers. Every difficult case of reconciliation is injected at random and each generated
item carries the case it belongs to, so that the benchmark can report per case.

The noise is drawn from the seed, not fixed, and vendor descriptors are chosen per
dataset; the matcher must not be tuned to one seed. ``GroundTruth.problems`` checks that
the truth is internally consistent (every id accounted for exactly once, amounts agree).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from baton.tools.finance.models import MatchKind
from benchmarks.recon_truth import DraftBook, SynthDataset, assemble, swap_spots, swapped

CENT = Decimal("0.01")

CASES: tuple[str, ...] = (
    "clean",
    "generic_deposit",
    "weekend_lag",
    "cryptic_desc",
    "truncated_desc",
    "ref_in_desc",
    "transposed",
    "fee_netted",
    "batch_deposit",
    "void_reissue",
    "wrong_payment_reversal",
    "nsf_return",
    "same_amount_diff_vendor",
    "same_amount_same_date",
    "prior_period",
    "bank_fee_interest",
    "outstanding_cheque",
    "deposit_in_transit",
    "accrual_reversal",
    "unrecorded_bank",
)

# Relative frequency of each generated event; a case's events may add several items.
_WEIGHTS: dict[str, float] = {
    "clean": 0.30,
    "generic_deposit": 0.04,
    "weekend_lag": 0.08,
    "cryptic_desc": 0.10,
    "truncated_desc": 0.10,
    "ref_in_desc": 0.08,
    "transposed": 0.012,
    "fee_netted": 0.02,
    "batch_deposit": 0.035,
    "void_reissue": 0.01,
    "wrong_payment_reversal": 0.012,
    "nsf_return": 0.01,
    "same_amount_diff_vendor": 0.02,
    "same_amount_same_date": 0.02,
    "prior_period": 0.015,
    "bank_fee_interest": 0.02,
    "outstanding_cheque": 0.015,
    "deposit_in_transit": 0.01,
    "accrual_reversal": 0.01,
    "unrecorded_bank": 0.01,
}

# Real brands with the descriptors card networks really print for them.
_BRANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Amazon", ("AMZN MKTP US*{alnum}", "AMAZON.COM*{alnum}", "AMZN Mktp US {alnum}")),
    ("Amazon Web Services", ("AMAZON WEB SERVICES", "AWS AMAZON WEB SERVICES")),
    ("Starbucks", ("STARBUCKS STORE {num5}", "STARBUCKS {num5} {city}")),
    ("Uber", ("UBER *TRIP", "UBER TRIP {alnum} HELP.UBER.COM", "UBER *EATS")),
    ("Lyft", ("LYFT *RIDE {dow} {num4}", "LYFT *RIDE")),
    ("Delta Air Lines", ("DELTA AIR {num10}", "DELTA AIR LINES ATLANTA")),
    ("United Airlines", ("UNITED {num10}", "UNITED AIRLINES HOUSTON")),
    ("Southwest Airlines", ("SOUTHWES {num10}", "SOUTHWEST AIRLINES")),
    ("Marriott", ("MARRIOTT {city}", "COURTYARD BY MARRIOTT {city}")),
    ("Hilton", ("HILTON HOTELS {city}", "HAMPTON INN {city}")),
    ("Shell", ("SHELL OIL {num8}", "SHELL SERVICE STATION")),
    ("Chevron", ("CHEVRON {num6}", "CHEVRON {num6} {city}")),
    ("FedEx", ("FEDEX {num9}", "FEDEX OFFICE {num4}")),
    ("The UPS Store", ("THE UPS STORE {num4}", "UPS STORE {num4}")),
    ("USPS", ("USPS PO {num10}", "USPS.COM CLICKNSHIP")),
    ("Staples", ("STAPLES {num7}", "STAPLES DIRECT")),
    ("Office Depot", ("OFFICE DEPOT #{num4}", "OFFICEDEPOT.COM")),
    ("Home Depot", ("THE HOME DEPOT #{num4}", "HOMEDEPOT.COM")),
    ("Costco Wholesale", ("COSTCO WHSE #{num4}", "COSTCO WHOLESALE {num4}")),
    ("Walmart", ("WAL-MART #{num4}", "WALMART.COM {alnum}")),
    ("Target", ("TARGET {num8}", "TARGET.COM")),
    ("Best Buy", ("BEST BUY {num8}", "BESTBUY.COM {num6}")),
    ("Adobe", ("ADOBE *CREATIVE CLOUD", "ADOBE ACROPRO SUBS")),
    ("Microsoft 365", ("MSFT *{alnum}", "MICROSOFT*365 BUSINESS")),
    ("Google Workspace", ("GOOGLE *GSUITE {lower}", "GOOGLE*WORKSPACE {lower}")),
    ("Zoom Video Communications", ("ZOOM.US 888-799-9666", "ZOOM VIDEO COMMUNICA")),
    ("Slack Technologies", ("SLACK T{alnum}", "SLACK TECHNOLOGIES")),
    ("Dropbox", ("DROPBOX*{alnum}", "DROPBOX.COM")),
    ("GitHub", ("GITHUB, INC.", "GITHUB.COM {alnum}")),
    ("Atlassian", ("ATLASSIAN", "ATLASSIAN.COM")),
    ("LinkedIn", ("LINKEDIN PRE {num9}", "LINKEDIN JOBS")),
    ("Facebook Ads", ("FACEBK *{alnum}", "FACEBK ADS {alnum}")),
    ("Apple", ("APPLE.COM/BILL", "APPLE STORE R{num3}")),
    ("DoorDash", ("DOORDASH*{local}", "DD *DOORDASH {local}")),
    ("Grainger", ("GRAINGER {num9}", "W.W. GRAINGER")),
    ("Uline", ("ULINE *SHIP SUPPLIES", "ULINE {num8}")),
    ("Verizon Wireless", ("VZWRLSS*APOCC VISB", "VERIZON WIRELESS PAYMENTS")),
    ("Comcast Business", ("COMCAST BUSINESS {num4}", "COMCAST CABLE COMM")),
)

_ADJ = (
    "Granite",
    "Summit",
    "Harbor",
    "Redwood",
    "Silver",
    "Blue",
    "Golden",
    "North",
    "Pacific",
    "Lakeside",
    "Maple",
    "Cedar",
    "Iron",
    "Bright",
    "Evergreen",
    "Atlas",
    "Pioneer",
    "Crescent",
    "Riverbend",
    "Oak",
    "Sterling",
    "Canyon",
    "Prairie",
    "Coastal",
    "Highland",
    "Union",
    "Metro",
    "Keystone",
    "Liberty",
    "Willow",
    "Falcon",
    "Horizon",
    "Meridian",
    "Juniper",
    "Copper",
)
_NOUN = (
    "Peak",
    "Creek",
    "Ridge",
    "Valley",
    "Point",
    "Bay",
    "Stone",
    "River",
    "Field",
    "Grove",
    "Hill",
    "Bridge",
    "Gate",
    "Harbor",
    "Mill",
    "Spring",
    "Lane",
    "Park",
    "Rock",
    "Wood",
)
_TRADE = (
    "Logistics",
    "Janitorial Services",
    "Legal Group",
    "Consulting",
    "Analytics",
    "Dental",
    "Print Shop",
    "Catering",
    "Engineering",
    "Staffing Solutions",
    "Plumbing & Heating",
    "Electric Supply",
    "Office Furniture",
    "Marketing Partners",
    "Software",
    "Accounting",
    "Landscaping",
    "Security Systems",
    "Courier Services",
    "Industrial Supply",
    "Design Studio",
    "Property Management",
    "Insurance Agency",
    "Medical Supplies",
    "Construction",
    "Florist",
    "Coffee Roasters",
    "Bakery",
    "Auto Repair",
    "Signs & Graphics",
    "IT Services",
    "Labs",
)
_SUFFIX = ("", "", "", "LLC", "Inc.", "Co.", "Corp.", "LLP", "Ltd.", "Group")
_CITIES = (
    ("SEATTLE", "WA"),
    ("PORTLAND", "OR"),
    ("OAKLAND", "CA"),
    ("SAN JOSE", "CA"),
    ("DENVER", "CO"),
    ("AUSTIN", "TX"),
    ("DALLAS", "TX"),
    ("CHICAGO", "IL"),
    ("BOSTON", "MA"),
    ("NEW YORK", "NY"),
    ("ATLANTA", "GA"),
    ("MIAMI", "FL"),
    ("PHOENIX", "AZ"),
    ("MINNEAPOLIS", "MN"),
    ("NASHVILLE", "TN"),
)
_CARD_MEMOS = (
    "office supplies",
    "client lunch",
    "team offsite",
    "travel",
    "fuel",
    "postage",
    "software",
    "subscription",
    "equipment",
    "shipping",
    "meals",
    "parking",
    "conference",
    "printing",
)
_PROCESSOR_STYLES = ("SQ *{name}", "TST* {name}", "PAYPAL *{compact}", "SP * {name}", "{name}")
_CARD_PREFIXES = (
    "",
    "",
    "",
    "POS PURCHASE ",
    "DEBIT CARD PURCHASE ",
    "CHECKCARD {mmdd} ",
    "PURCHASE AUTHORIZED ON {mmdd} ",
)


@dataclass
class _Party:
    """A counterparty with the name the ledger uses and the way the bank prints it."""

    name: str
    descriptor: str
    truncate_at: int | None
    kind: str


@dataclass
class _DraftBank:
    key: int
    day: date
    description: str
    amount: Decimal
    case: str

    @property
    def text(self) -> str:
        return self.description


@dataclass
class _DraftGL:
    key: int
    day: date
    description: str
    amount: Decimal
    ref: str
    entry_type: str
    case: str

    @property
    def text(self) -> str:
        return self.description


class _Builder(DraftBook[_DraftBank, _DraftGL]):
    """Accumulates drafts and truth links; ids are assigned at the end, after sorting by date."""

    def __init__(self, seed: int, n_bank: int, days: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        rng = self.rng
        year = rng.choice((2023, 2024, 2025))
        month = rng.randint(1, 12)
        self.start = date(year, month, 1)
        self.end = self.start + timedelta(days=days - 1)
        self.last_bday = self.end
        while self.last_bday.weekday() >= 5:
            self.last_bday -= timedelta(days=1)
        self.n_bank = n_bank
        self.cheque_no = rng.randint(1001, 8000)
        self.invoice_no = rng.randint(10000, 60000)
        self.je_no = rng.randint(100, 900)
        self.deposit_days = rng.choice(({0, 2, 4}, {1, 3}, {1, 4}, {0, 2, 3}, {0, 1, 2, 3, 4}))
        self.pending_cheques: dict[date, list[int]] = {}
        self.brands = [self._brand(name, styles) for name, styles in _BRANDS]
        used: set[str] = set()
        self.locals = [self._company(used, local=True) for _ in range(60)]
        self.suppliers = [self._company(used, local=False) for _ in range(max(40, n_bank // 25))]
        self.customers = [self._company(used, local=False) for _ in range(max(50, n_bank // 20))]

    # ----- parties -------------------------------------------------------------------
    def _brand(self, name: str, styles: tuple[str, ...]) -> _Party:
        return _Party(name, self.rng.choice(styles), None, "brand")

    def _company(self, used: set[str], *, local: bool) -> _Party:
        rng = self.rng
        while True:
            base = (
                f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
                if rng.random() < 0.6
                else rng.choice(_ADJ)
            )
            name = f"{base} {rng.choice(_TRADE)}"
            if name not in used:
                used.add(name)
                break
        suffix = rng.choice(_SUFFIX)
        full = f"{name} {suffix}".strip()
        descriptor = rng.choice(_PROCESSOR_STYLES) if local else "{name}"
        truncate = rng.randint(15, 22) if rng.random() < 0.7 else None
        # A few counterparties trade under initials or a name unrelated to the ledger's.
        if rng.random() < 0.03:
            initials = "".join(w[0] for w in name.split() if w[0].isalpha())
            descriptor = descriptor.replace("{name}", initials + " " + name.split()[-1].upper())
        return _Party(full, descriptor, truncate, "local" if local else "company")

    # ----- primitives ----------------------------------------------------------------
    def add_bank(self, day: date, description: str, amount: Decimal, case: str) -> int:
        k = self.key()
        self.bank.append(_DraftBank(k, day, " ".join(description.split()), amount, case))
        return k

    def add_gl(
        self, day: date, description: str, amount: Decimal, ref: str, entry_type: str, case: str
    ) -> int:
        k = self.key()
        self.gl.append(_DraftGL(k, day, description, amount, ref, entry_type, case))
        return k

    def pair(self, bank_key: int, gl_key: int, kind: MatchKind, case: str) -> None:
        self.pairs.append((bank_key, gl_key, kind, case))

    # ----- random helpers ------------------------------------------------------------
    def day_in_period(self, *, weekday: bool, margin_end: int = 0) -> date:
        span = (self.end - self.start).days - margin_end
        while True:
            d = self.start + timedelta(days=self.rng.randint(0, max(0, span)))
            if not weekday or d.weekday() < 5:
                return d

    @staticmethod
    def add_bdays(d: date, n: int) -> date:
        while d.weekday() >= 5:
            d += timedelta(days=1)
        while n > 0:
            d += timedelta(days=1)
            if d.weekday() < 5:
                n -= 1
        return d

    def lag(self, low: int, high: int, tail: int = 0) -> int:
        if tail and self.rng.random() < 0.04:
            return self.rng.randint(high + 1, high + tail)
        return self.rng.randint(low, high)

    def cleared(self, d: date, low: int, high: int, tail: int = 0) -> date | None:
        out = self.add_bdays(d, self.lag(low, high, tail))
        return out if out <= self.end else None

    def money(
        self, median: float, sigma: float, low: float, high: float, roundish: float
    ) -> Decimal:
        rng = self.rng
        value = min(high, max(low, rng.lognormvariate(0, sigma) * median))
        r = rng.random()
        if r < roundish * 0.4 and value > 200:
            return Decimal(round(value / 100) * 100).quantize(CENT)
        if r < roundish:
            return Decimal(round(value)).quantize(CENT)
        if r < roundish + 0.08:
            return (Decimal(int(value)) + Decimal(rng.choice(("0.99", "0.95", "0.50")))).quantize(
                CENT
            )
        return Decimal(str(round(value, 2))).quantize(CENT)

    def card_amount(self) -> Decimal:
        return self.money(45, 0.9, 1.5, 3000, 0.15)

    def payment_amount(self) -> Decimal:
        return self.money(900, 1.0, 40, 60000, 0.35)

    def receipt_amount(self) -> Decimal:
        return self.money(1200, 1.0, 50, 90000, 0.4)

    def alnum(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def typo(self, text: str, p: float) -> str:
        rng = self.rng
        if len(text) < 6 or rng.random() >= p:
            return text
        i = rng.randint(1, len(text) - 2)
        op = rng.random()
        if op < 0.35:
            return text[:i] + text[i + 1 :]
        if op < 0.7:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return text[:i] + rng.choice(string.ascii_uppercase) + text[i + 1 :]

    def bank_name(self, party: _Party, *, truncate: int | None = None, typo_p: float = 0.06) -> str:
        name = party.name.upper().replace(",", "").replace(".", "").replace("'", "")
        if self.rng.random() < 0.5:
            name = name.replace(" & ", " ")
        cut = truncate if truncate is not None else party.truncate_at
        if cut is not None:
            name = name[:cut].rstrip()
        return self.typo(name, typo_p)

    def card_descriptor(
        self, party: _Party, day: date, *, typo_p: float = 0.06, truncate: int | None = None
    ) -> str:
        rng = self.rng
        city, state = rng.choice(_CITIES)
        fill = {
            "alnum": self.alnum(rng.randint(4, 8)),
            "num3": self.digits(3),
            "num4": self.digits(4),
            "num5": self.digits(5),
            "num6": self.digits(6),
            "num7": self.digits(7),
            "num8": self.digits(8),
            "num9": self.digits(9),
            "num10": self.digits(10),
            "city": city,
            "dow": day.strftime("%a").upper(),
            "lower": self.alnum(6).lower(),
            "local": rng.choice(self.locals).name.upper()[:12],
        }
        if party.kind == "brand":
            text = party.descriptor.format(**fill)
        else:
            name = self.bank_name(party, truncate=truncate, typo_p=typo_p)
            compact = name.replace(" ", "")[: rng.randint(10, 15)]
            text = party.descriptor.format(name=name, compact=compact)
            if rng.random() < 0.4:
                text += f" {city}" + (f" {state}" if rng.random() < 0.7 else "")
        prefix = rng.choice(_CARD_PREFIXES).format(mmdd=day.strftime("%m%d"))
        return prefix + text

    def ledger_card_text(self, party: _Party) -> str:
        rng = self.rng
        memo = rng.choice(_CARD_MEMOS)
        style = rng.random()
        if style < 0.4:
            return party.name
        if style < 0.8:
            return f"{party.name} - {memo}"
        return f"{memo.capitalize()} ({party.name})"

    def invoice(self) -> str:
        self.invoice_no += self.rng.randint(1, 7)
        return self.rng.choice(("INV-{}", "INV{}", "{}", "BILL-{}")).format(self.invoice_no)

    def cheque(self) -> str:
        self.cheque_no += 1
        return str(self.cheque_no)

    def je(self) -> str:
        self.je_no += 1
        return f"JE-{self.je_no}"


# ----- events ---------------------------------------------------------------------------


def _card_purchase(
    bld: _Builder,
    case: str,
    *,
    party: _Party | None = None,
    amount: Decimal | None = None,
    day: date | None = None,
    weekend: bool = False,
    cryptic: bool = False,
    truncated: bool = False,
) -> None:
    rng = bld.rng
    if party is None:
        if cryptic:
            party = rng.choice(bld.brands) if rng.random() < 0.5 else rng.choice(bld.locals)
        elif truncated:
            party = rng.choice(
                [p for p in bld.locals + bld.suppliers if len(p.name) > 20] or bld.locals
            )
        else:
            party = rng.choice(bld.brands + bld.locals)
    amount = amount if amount is not None else bld.card_amount()
    for _attempt in range(20):
        d = day or bld.day_in_period(weekday=False, margin_end=6)
        if weekend:
            while d.weekday() not in (4, 5, 6):
                d += timedelta(days=1)
        posted = bld.cleared(d, 1, 3, tail=3)
        if posted is not None and (not weekend or posted.weekday() in (0, 1)):
            break
    else:
        posted = bld.last_bday
    if truncated:
        descriptor = bld.card_descriptor(party, d, typo_p=0.5, truncate=rng.randint(15, 20))
    else:
        descriptor = bld.card_descriptor(party, d)
    b = bld.add_bank(posted, descriptor, -amount, case)
    g = bld.add_gl(d, bld.ledger_card_text(party), -amount, "", "card", case)
    bld.pair(b, g, "one_to_one", case)


def _supplier_payment(
    bld: _Builder,
    case: str,
    *,
    party: _Party | None = None,
    amount: Decimal | None = None,
    day: date | None = None,
    show_ref: float = 0.3,
    style: str | None = None,
    truncate: int | None = None,
    typo_p: float = 0.06,
) -> tuple[int, int]:
    rng = bld.rng
    party = party or rng.choice(bld.suppliers)
    amount = amount if amount is not None else bld.payment_amount()
    inv = bld.invoice()
    d = day or bld.day_in_period(weekday=True, margin_end=4)
    posted = bld.cleared(d, 0, 2) or bld.last_bday
    name = bld.bank_name(party, truncate=truncate, typo_p=typo_p)
    ref_text = f" {inv.replace('-', '')}" if rng.random() < show_ref else ""
    style = style or rng.choice(
        (
            "ACH DEBIT {n}{r}",
            "ONLINE PAYMENT TO {n}{r}",
            "{n} ACH PMT{r}",
            "BILL PAY {n}{r}",
            "{n} DES:PAYMENT ID:{x}{r}",
        )
    )
    bank_text = style.format(n=name, r=ref_text, x=bld.digits(9))
    gl_text = rng.choice(("Payment to {p} {i}", "{p} - invoice {i}", "{p}", "{p} {i}")).format(
        p=party.name, i=inv
    )
    b = bld.add_bank(posted, bank_text, -amount, case)
    g = bld.add_gl(d, gl_text, -amount, inv, "ach", case)
    bld.pair(b, g, "one_to_one", case)
    return b, g


def _cheque_payment(
    bld: _Builder,
    case: str,
    *,
    party: _Party | None = None,
    amount: Decimal | None = None,
    day: date | None = None,
    clears: bool = True,
) -> int:
    rng = bld.rng
    party = party or rng.choice(bld.suppliers)
    amount = amount if amount is not None else bld.payment_amount()
    number = bld.cheque()
    d = day or bld.day_in_period(weekday=True, margin_end=12)
    g = bld.add_gl(
        d,
        rng.choice(("Check {c} - {p}", "{p} chk {c}", "{p}")).format(c=number, p=party.name),
        -amount,
        number,
        "check",
        case,
    )
    if clears:
        posted = bld.cleared(d, 2, 12, tail=10) or bld.last_bday
        text = rng.choice(("CHECK {c}", "CHECK # {c}", "CHK {c}", "CHECK PAID #{c}", "CHECK {c0}"))
        b = bld.add_bank(posted, text.format(c=number, c0=number.zfill(8)), -amount, case)
        bld.pair(b, g, "one_to_one", case)
    return g


def _customer_receipt(
    bld: _Builder,
    case: str,
    *,
    party: _Party | None = None,
    amount: Decimal | None = None,
    day: date | None = None,
    generic: bool = False,
    show_ref: float = 0.3,
) -> tuple[int, int]:
    rng = bld.rng
    party = party or rng.choice(bld.customers)
    amount = amount if amount is not None else bld.receipt_amount()
    inv = bld.invoice()
    d = day or bld.day_in_period(weekday=True, margin_end=3)
    posted = bld.cleared(d, 0, 2) or bld.last_bday
    if generic:
        text = rng.choice(
            ("DEPOSIT", "MOBILE DEPOSIT", "REMOTE DEPOSIT", "BRANCH DEPOSIT", "DEPOSIT ID {x}")
        )
        text = text.format(x=bld.digits(6))
    else:
        ref_text = f" {inv}" if rng.random() < show_ref else ""
        text = rng.choice(
            (
                "ACH CREDIT {n}{r}",
                "{n} DES:PAYMENTS ID:{x}{r}",
                "WIRE TRANSFER IN {n}{r}",
                "ONLINE TRANSFER FROM {n}{r}",
            )
        ).format(n=bld.bank_name(party), r=ref_text, x=bld.digits(8))
    gl_text = rng.choice(
        ("Receipt - {p} {i}", "{p} payment {i}", "Customer payment {p}", "{p}")
    ).format(p=party.name, i=inv)
    b = bld.add_bank(posted, text, amount, case)
    g = bld.add_gl(d, gl_text, amount, inv, "receipt", case)
    bld.pair(b, g, "one_to_one", case)
    return b, g


def _ev_clean(bld: _Builder) -> None:
    r = bld.rng.random()
    if r < 0.55:
        _card_purchase(bld, "clean")
    elif r < 0.8:
        _supplier_payment(bld, "clean", show_ref=0.0)
    else:
        _customer_receipt(bld, "clean", show_ref=0.0)


def _ev_ref_in_desc(bld: _Builder) -> None:
    r = bld.rng.random()
    if r < 0.55:
        _cheque_payment(bld, "ref_in_desc")
    elif r < 0.8:
        _supplier_payment(bld, "ref_in_desc", show_ref=1.0)
    else:
        _customer_receipt(bld, "ref_in_desc", show_ref=1.0)


def _ev_transposed(bld: _Builder) -> None:
    rng = bld.rng
    while True:
        amount = bld.payment_amount() if rng.random() < 0.6 else bld.card_amount()
        spots = swap_spots(amount)
        if spots:
            break
    wrong = swapped(amount, rng.choice(spots))
    case = "transposed"
    if rng.random() < 0.5:
        b, g = _supplier_payment(bld, case, amount=amount, show_ref=0.5)
        _gl(bld, g).amount = -wrong
    else:
        b, g = _customer_receipt(bld, case, amount=amount, show_ref=0.5)
        _gl(bld, g).amount = wrong
    bld.pairs[-1] = (b, g, "amount_mismatch", case)


def _gl(bld: _Builder, key: int) -> _DraftGL:
    for draft in reversed(bld.gl):
        if draft.key == key:
            return draft
    raise KeyError(key)


def _bank(bld: _Builder, key: int) -> _DraftBank:
    for draft in reversed(bld.bank):
        if draft.key == key:
            return draft
    raise KeyError(key)


def _ev_fee_netted(bld: _Builder) -> None:
    rng = bld.rng
    case = "fee_netted"
    if rng.random() < 0.5:
        b, g = _customer_receipt(bld, case, amount=bld.receipt_amount(), show_ref=0.4)
        draft = _bank(bld, b)
        if rng.random() < 0.6:
            fee = Decimal(rng.choice((10, 12, 15, 15, 20, 25, 30)))
            draft.description = draft.description.replace("ACH CREDIT", "WIRE TRANSFER IN")
        else:
            fee = (draft.amount * Decimal("0.029") + Decimal("0.30")).quantize(CENT)
        draft.amount -= fee
    else:
        amount = max(bld.payment_amount(), Decimal(rng.randint(300, 900)))
        b, g = _supplier_payment(
            bld, case, amount=amount, show_ref=0.4, style="WIRE TRANSFER OUT {n}{r}"
        )
        _bank(bld, b).amount -= Decimal(rng.choice((15, 20, 25, 30, 35, 45)))
    bld.pairs[-1] = (b, g, "amount_mismatch", case)


def _ev_cheque_received(bld: _Builder) -> None:
    """A customer's cheque is booked on receipt and waits for the next deposit day.

    Deposits follow the business's routine (e.g. Tuesdays and Fridays), so one deposit
    slip holds every cheque received since the previous one: batches form by
    themselves, of whatever size the flow of cheques gives.
    """
    rng = bld.rng
    party = rng.choice(bld.customers)
    inv = bld.invoice()
    d = bld.day_in_period(weekday=True)
    text = rng.choice(("Receipt - {p} {i}", "{p} chk {c}", "{p} payment {i}")).format(
        p=party.name, i=inv, c=bld.digits(4)
    )
    key = bld.add_gl(d, text, bld.receipt_amount(), inv, "receipt", "batch_deposit")
    deposit = d + timedelta(days=1 if rng.random() < 0.3 else 0)
    # A slip holds at most eight cheques; the rest wait for the next deposit day.
    while (
        deposit.weekday() not in bld.deposit_days or len(bld.pending_cheques.get(deposit, ())) >= 8
    ):
        deposit += timedelta(days=1)
    bld.pending_cheques.setdefault(deposit, []).append(key)


def _settlements(bld: _Builder) -> None:
    """Daily card sales booked in the ledger, paid out by the processor on business days.

    A Monday payout covers Friday to Sunday, so weekends produce batches of two or three
    ledger entries, and weekdays one-to-one matches.
    """
    rng = bld.rng
    processor = rng.choice(("Square", "Stripe"))
    label = processor if rng.random() < 0.9 else "Card"
    owed: list[int] = []
    day = bld.start - timedelta(days=3)
    while day <= bld.end:
        if day.weekday() < 5 and owed and day >= bld.start:
            total = sum((_gl(bld, k).amount for k in owed), Decimal(0))
            text = (
                "SQUARE INC DES:SQ{x} ID:{y}" if processor == "Square" else "STRIPE TRANSFER ST-{a}"
            )
            case = "batch_deposit" if len(owed) > 1 else "clean"
            b = bld.add_bank(
                day, text.format(x=bld.digits(6), y=bld.digits(7), a=bld.alnum(8)), total, case
            )
            for k in owed:
                _gl(bld, k).case = case
                bld.pair(b, k, "batch" if len(owed) > 1 else "one_to_one", case)
            owed = []
        sales = bld.money(700, 0.6, 40, 9000, 0.02)
        if day.weekday() >= 5:
            sales = (sales * Decimal("0.6")).quantize(CENT)
        text = rng.choice(("{p} sales {d}", "{p} sales batch {d}", "{p} daily sales {d}")).format(
            p=label, d=f"{day:%m/%d}"
        )
        owed.append(
            bld.add_gl(
                day, text, sales, f"{label[:2].upper()}-{day:%m%d}", "receipt", "batch_deposit"
            )
        )
        day += timedelta(days=1)
    for k in owed:
        _gl(bld, k).case = "deposit_in_transit"


def _deposit_cheques(bld: _Builder) -> None:
    """Turn the pending cheques into deposit lines; a slip after the period end is in transit."""
    rng = bld.rng
    for deposit, keys in sorted(bld.pending_cheques.items()):
        if deposit > bld.end:
            for k in keys:
                _gl(bld, k).case = "deposit_in_transit"
            continue
        posted = bld.cleared(deposit, 0, 1) or deposit
        total = sum((_gl(bld, k).amount for k in keys), Decimal(0))
        if len(keys) == 1:
            text = rng.choice(("DEPOSIT", "MOBILE DEPOSIT", "REMOTE DEPOSIT", "BRANCH DEPOSIT"))
            _gl(bld, keys[0]).case = "generic_deposit"
            b = bld.add_bank(posted, text, total, "generic_deposit")
            bld.pair(b, keys[0], "one_to_one", "generic_deposit")
            continue
        text = rng.choice(
            (
                "DEPOSIT",
                "BRANCH DEPOSIT",
                "REMOTE DEPOSIT {k} ITEMS",
                "MOBILE DEPOSIT",
                "DEPOSIT ID {y}",
            )
        )
        b = bld.add_bank(posted, text.format(k=len(keys), y=bld.digits(7)), total, "batch_deposit")
        for k in keys:
            bld.pair(b, k, "batch", "batch_deposit")


def _ev_void_reissue(bld: _Builder) -> None:
    rng = bld.rng
    case = "void_reissue"
    party = rng.choice(bld.suppliers)
    amount = bld.payment_amount()
    d1 = bld.day_in_period(weekday=True, margin_end=16)
    original = _cheque_payment(bld, case, party=party, amount=amount, day=d1, clears=False)
    number = _gl(bld, original).ref
    d2 = bld.add_bdays(d1, rng.randint(2, 8))
    void = bld.add_gl(
        d2,
        rng.choice(("VOID chk {c} - {p}", "Void check {c} {p}", "{p} check {c} voided")).format(
            c=number, p=party.name
        ),
        amount,
        number,
        "void",
        case,
    )
    bld.offsets.append((original, void, case))
    new_amount = (
        amount if rng.random() < 0.85 else (amount + Decimal(rng.randint(1, 90))).quantize(CENT)
    )
    if rng.random() < 0.7:
        _cheque_payment(bld, case, party=party, amount=new_amount, day=d2)
    else:
        _supplier_payment(bld, case, party=party, amount=new_amount, day=d2)


def _ev_wrong_payment(bld: _Builder) -> None:
    rng = bld.rng
    case = "wrong_payment_reversal"
    party = rng.choice(bld.suppliers)
    amount = bld.payment_amount()
    d = bld.day_in_period(weekday=True, margin_end=12)
    inv = bld.invoice()
    wrong_party = party if rng.random() < 0.5 else rng.choice(bld.suppliers)
    wrong_amount = (
        amount
        if wrong_party is not party
        else (amount * Decimal(rng.choice(("10", "0.1", "1.1", "2")))).quantize(CENT)
    )
    if wrong_amount == amount and wrong_party is party:
        wrong_amount += Decimal(100)
    wrong = bld.add_gl(d, f"Payment to {wrong_party.name} {inv}", -wrong_amount, inv, "ach", case)
    d_rev = bld.add_bdays(d, rng.randint(1, 5))
    paid_out = rng.random() < 0.4
    reversal = bld.add_gl(
        d_rev,
        rng.choice(
            ("Reversal - payment to {p} {i}", "Reverse wrong payment {p}", "REV {p} {i}")
        ).format(p=wrong_party.name, i=inv),
        wrong_amount,
        inv,
        "reversal",
        case,
    )
    if paid_out:
        sent = bld.cleared(d, 0, 1) or bld.last_bday
        b1 = bld.add_bank(sent, f"ACH DEBIT {bld.bank_name(wrong_party)}", -wrong_amount, case)
        back = bld.add_bdays(sent, rng.randint(2, 4))
        b2 = bld.add_bank(
            min(back, bld.last_bday),
            rng.choice(("ACH RETURN {n}", "RETURN OF ACH DEBIT {n}", "REVERSAL ACH {n}")).format(
                n=bld.bank_name(wrong_party)
            ),
            wrong_amount,
            case,
        )
        bld.pair(b1, wrong, "one_to_one", case)
        bld.pair(b2, reversal, "one_to_one", case)
    else:
        bld.offsets.append((wrong, reversal, case))
    _supplier_payment(bld, case, party=party, amount=amount, day=d_rev)


def _ev_nsf(bld: _Builder) -> None:
    rng = bld.rng
    case = "nsf_return"
    party = rng.choice(bld.customers)
    amount = bld.receipt_amount()
    d = bld.day_in_period(weekday=True, margin_end=10)
    ref = f"{bld.digits(4)}"
    receipt = bld.add_gl(d, f"Receipt - {party.name} chk {ref}", amount, ref, "receipt", case)
    if rng.random() < 0.25:
        # Returned before the bank ever credited it: neither line is on the statement.
        back = bld.add_bdays(d, rng.randint(1, 4))
        nsf = bld.add_gl(
            back, f"NSF returned check - {party.name} chk {ref}", -amount, ref, "nsf", case
        )
        bld.offsets.append((receipt, nsf, case))
        return
    posted = bld.cleared(d, 0, 1) or bld.last_bday
    dep = bld.add_bank(
        posted, rng.choice(("DEPOSIT", "MOBILE DEPOSIT", "REMOTE DEPOSIT")), amount, case
    )
    bld.pair(dep, receipt, "one_to_one", case)
    returned = min(bld.last_bday, bld.add_bdays(posted, rng.randint(2, 5)))
    ret = bld.add_bank(
        returned,
        rng.choice(("RETURNED ITEM NSF", "DEPOSITED ITEM RETURNED", "RETURN DEPOSITED ITEM NSF")),
        -amount,
        case,
    )
    nsf = bld.add_gl(
        returned, f"NSF - {party.name} check {ref} returned", -amount, ref, "nsf", case
    )
    bld.pair(ret, nsf, "one_to_one", case)
    fee = Decimal(rng.choice((10, 12, 15, 25)))
    fee_line = bld.add_bank(returned, "RETURNED ITEM FEE", -fee, case)
    if rng.random() < 0.3:
        booked = bld.add_gl(returned, "Bank fee - returned item", -fee, "", "fee", case)
        bld.pair(fee_line, booked, "one_to_one", case)


def _ev_same_amount(bld: _Builder, same_date: bool) -> None:
    rng = bld.rng
    case = "same_amount_same_date" if same_date else "same_amount_diff_vendor"
    amount = rng.choice(
        (
            bld.card_amount(),
            bld.payment_amount(),
            Decimal(rng.choice((25, 50, 100, 250, 500, 1000, 1500))),
        )
    )
    amount = amount.quantize(CENT)
    d = bld.day_in_period(weekday=True, margin_end=8)
    count = rng.choice((2, 2, 2, 3))
    kind = rng.choice(("card", "ach"))
    seen: set[str] = set()
    for _ in range(count):
        day = d if same_date else bld.add_bdays(d, rng.randint(0, 3))
        if kind == "card":
            pool = [p for p in bld.brands + bld.locals if p.name not in seen]
            party = rng.choice(pool)
            seen.add(party.name)
            _card_purchase(bld, case, party=party, amount=amount, day=day)
        else:
            pool = [p for p in bld.suppliers if p.name not in seen]
            party = rng.choice(pool)
            seen.add(party.name)
            _supplier_payment(bld, case, party=party, amount=amount, day=day)


def _ev_prior_period(bld: _Builder) -> None:
    rng = bld.rng
    case = "prior_period"
    r = rng.random()
    if r < 0.4:
        party = rng.choice(bld.suppliers)
        amount = bld.payment_amount()
        number = bld.cheque()
        d = bld.start - timedelta(days=rng.randint(10, 60))
        g = bld.add_gl(d, f"Check {number} - {party.name}", -amount, number, "check", case)
        posted = bld.add_bdays(bld.start, rng.randint(0, 8))
        b = bld.add_bank(
            posted,
            rng.choice(("CHECK {c}", "CHK {c}", "CHECK # {c}")).format(c=number),
            -amount,
            case,
        )
        bld.pair(b, g, "one_to_one", case)
    elif r < 0.7:
        party = rng.choice(bld.suppliers)
        d = bld.start - timedelta(days=rng.randint(1, 20))
        bld.add_gl(
            d, f"Payment to {party.name} {bld.invoice()}", -bld.payment_amount(), "", "ach", case
        )
    else:
        party = rng.choice(bld.customers)
        posted = bld.add_bdays(bld.start, rng.randint(0, 3))
        bld.add_bank(posted, f"ACH CREDIT {bld.bank_name(party)}", bld.receipt_amount(), case)


def _ev_bank_fee(bld: _Builder) -> None:
    rng = bld.rng
    case = "bank_fee_interest"
    d = bld.day_in_period(weekday=True)
    d = bld.add_bdays(d, 0)
    d = min(d, bld.last_bday)
    if rng.random() < 0.3:
        amount = Decimal(str(round(rng.uniform(0.05, 60), 2))).quantize(CENT)
        text = rng.choice(("INTEREST PAYMENT", "INTEREST EARNED", "INTEREST CREDIT"))
        gl_text = "Interest income"
    else:
        amount = -Decimal(
            rng.choice(
                (
                    "12.00",
                    "15.00",
                    "25.00",
                    "30.00",
                    "35.00",
                    "45.00",
                    str(round(rng.uniform(5, 90), 2)),
                )
            )
        )
        text = rng.choice(
            (
                "MONTHLY SERVICE FEE",
                "SERVICE CHARGE",
                "WIRE FEE",
                "OVERDRAFT FEE",
                "ACCOUNT ANALYSIS FEE",
                "STOP PAYMENT FEE",
            )
        )
        gl_text = rng.choice(("Bank charges", "Bank service charges", "Bank fees - {t}")).format(
            t=text.lower()
        )
    b = bld.add_bank(d, text, amount, case)
    if rng.random() < 0.25:
        g = bld.add_gl(d, gl_text, amount, "", "fee", case)
        bld.pair(b, g, "one_to_one", case)


def _ev_outstanding(bld: _Builder) -> None:
    rng = bld.rng
    d = bld.end - timedelta(days=rng.randint(0, 12))
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    _cheque_payment(bld, "outstanding_cheque", day=d, clears=False)


def _ev_in_transit(bld: _Builder) -> None:
    rng = bld.rng
    party = rng.choice(bld.customers)
    d = bld.end - timedelta(days=rng.randint(0, 1))
    inv = bld.invoice()
    bld.add_gl(
        d,
        f"Receipt - {party.name} {inv}",
        bld.receipt_amount(),
        inv,
        "receipt",
        "deposit_in_transit",
    )


def _ev_accrual(bld: _Builder) -> None:
    rng = bld.rng
    case = "accrual_reversal"
    party = rng.choice(bld.suppliers)
    amount = bld.payment_amount()
    je = bld.je()
    month = (bld.start - timedelta(days=1)).strftime("%b %Y")
    accrual = bld.add_gl(
        bld.start - timedelta(days=1), f"Accrued {party.name} {month}", -amount, je, "journal", case
    )
    reversal = bld.add_gl(
        bld.start, f"Reverse accrual {party.name} {month}", amount, je, "reversal", case
    )
    bld.offsets.append((accrual, reversal, case))
    if rng.random() < 0.5:
        _supplier_payment(
            bld, case, party=party, amount=amount, day=bld.day_in_period(weekday=True, margin_end=4)
        )


def _ev_unrecorded(bld: _Builder) -> None:
    rng = bld.rng
    party = rng.choice(bld.brands + bld.locals)
    d = bld.day_in_period(weekday=True)
    bld.add_bank(d, bld.card_descriptor(party, d), -bld.card_amount(), "unrecorded_bank")


def _event(bld: _Builder, case: str) -> None:
    if case == "clean":
        _ev_clean(bld)
    elif case == "generic_deposit":
        _customer_receipt(bld, case, generic=True)
    elif case == "weekend_lag":
        _card_purchase(bld, case, weekend=True)
    elif case == "cryptic_desc":
        _card_purchase(bld, case, cryptic=True)
    elif case == "truncated_desc":
        if bld.rng.random() < 0.6:
            _card_purchase(bld, case, truncated=True)
        else:
            party = bld.rng.choice([p for p in bld.suppliers if len(p.name) > 18] or bld.suppliers)
            _supplier_payment(bld, case, party=party, truncate=bld.rng.randint(15, 20), typo_p=0.5)
    elif case == "ref_in_desc":
        _ev_ref_in_desc(bld)
    elif case == "transposed":
        _ev_transposed(bld)
    elif case == "fee_netted":
        _ev_fee_netted(bld)
    elif case == "batch_deposit":
        _ev_cheque_received(bld)
    elif case == "void_reissue":
        _ev_void_reissue(bld)
    elif case == "wrong_payment_reversal":
        _ev_wrong_payment(bld)
    elif case == "nsf_return":
        _ev_nsf(bld)
    elif case in ("same_amount_diff_vendor", "same_amount_same_date"):
        _ev_same_amount(bld, case == "same_amount_same_date")
    elif case == "prior_period":
        _ev_prior_period(bld)
    elif case == "bank_fee_interest":
        _ev_bank_fee(bld)
    elif case == "outstanding_cheque":
        _ev_outstanding(bld)
    elif case == "deposit_in_transit":
        _ev_in_transit(bld)
    elif case == "accrual_reversal":
        _ev_accrual(bld)
    elif case == "unrecorded_bank":
        _ev_unrecorded(bld)
    else:  # pragma: no cover - guarded by CASES
        raise ValueError(case)


def default_days(n_bank: int) -> int:
    """Statement length at ~33 bank lines a day: a busy small business's month at 1,000 lines."""
    return max(31, round(n_bank / 33))


def generate(n_bank: int, seed: int, *, days: int | None = None) -> SynthDataset:
    """Generate about ``n_bank`` bank lines (a few more when the last event adds several).

    ``days`` sets the statement length; by default it grows with ``n_bank`` so that the
    density of same-amount coincidences stays that of a real business. Pass a fixed
    value to stress the matcher with a denser statement.
    """
    if n_bank < 1:
        raise ValueError("n_bank must be positive")
    bld = _Builder(seed, n_bank, days or default_days(n_bank))
    names = list(_WEIGHTS)
    weights = [_WEIGHTS[c] for c in names]
    if bld.rng.random() < 0.6:
        _settlements(bld)
    while len(bld.bank) + sum(1 for d in bld.pending_cheques if d <= bld.end) < n_bank:
        _event(bld, bld.rng.choices(names, weights)[0])
    _deposit_cheques(bld)
    return _finish(bld, seed)


def _finish(bld: _Builder, seed: int) -> SynthDataset:
    rng = bld.rng
    return assemble(
        sorted(bld.bank, key=lambda d: (d.day, rng.random())),
        sorted(bld.gl, key=lambda d: (d.day, rng.random())),
        bld.pairs,
        bld.offsets,
        id_formats=("B{:06d}", "G{:06d}"),
        period=(bld.start, bld.end),
        seed=seed,
    )
