"""Turn bank and ledger descriptions into comparable counterparty names and references.

Bank descriptions are written by card networks and payment processors, not by people:
``SQ *BLUE BOTTLE COFFE 0412 OAKLAND CA``, ``AMZN MKTP US*2K4L81``, ``CHECK 1043``.
Ledger descriptions are written by bookkeepers: ``Blue Bottle Coffee - team offsite``.
Fuzzy matching the raw strings mostly measures the noise, so both sides are first reduced
to the counterparty name (processor prefixes, transaction-type words, store numbers,
locations and legal suffixes removed; a few well-known abbreviations expanded), and the
numbers that can carry a reference (cheque and invoice numbers) are kept aside.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from rapidfuzz import fuzz

# Processors whose prefix hides the real merchant, which follows the ``*``.
_PROCESSORS = frozenset(
    {
        "SQ",
        "SQU",
        "TST",
        "PP",
        "PAYPAL",
        "SP",
        "PY",
        "BT",
        "IC",
        "WPY",
        "CKE",
        "PAR",
        "FS",
        "IN",
        "SPO",
        "DD",
    }
)
_PROCESSOR_PREFIX = re.compile(r"(?<![A-Z0-9])(" + "|".join(sorted(_PROCESSORS)) + r")\s?\*\s*")

# Bank transaction-type phrases that say how money moved, not who it went to.
_TXN_PHRASES = re.compile(
    r"\b(?:POS\s+(?:PURCHASE|DEBIT|CREDIT|REFUND)|DEBIT\s+CARD\s+(?:PURCHASE|REFUND)|"
    r"CHECKCARD|CHECK\s*CARD|VISA\s+DDA\s+PUR|PURCHASE\s+AUTHORI[SZ]ED\s+ON|RECURRING\s+PAYMENT|"
    r"PREAUTHORI[SZ]ED|ACH\s+(?:DEBIT|CREDIT|PMT|PAYMENT|DEPOSIT|WITHDRAWAL|TRANSFER)|"
    r"ONLINE\s+(?:PAYMENT|TRANSFER|BANKING)(?:\s+(?:TO|FROM))?|BILL\s*PAY(?:MENT)?|"
    r"WIRE\s+TRANSFER(?:\s+(?:IN|OUT|TO|FROM))?|(?:INCOMING|OUTGOING)\s+WIRE|WIRE\s+(?:IN|OUT|TO|FROM)|ELECTRONIC\s+(?:PAYMENT|DEPOSIT)|"
    r"EXTERNAL\s+(?:DEBIT|CREDIT)|WEB\s+PMTS?|CO\s+ID|WEB\s+ID|PPD\s+ID|CCD\s+ID|"
    r"REMOTE\s+DEPOSIT|MOBILE\s+DEPOSIT|BRANCH\s+DEPOSIT|DIRECT\s+(?:DEBIT|DEPOSIT)|"
    r"CARD\s+(?:PURCHASE|PAYMENT)|PURCHASE\s+RETURN|ORIG\s+CO\s+NAME|DES|INDN|TRACE|"
    # UK statements' wording of the payment type (the code is separate, see _TYPE_CODE).
    r"FASTER\s+PAYMENTS?|BANK\s+(?:GIRO\s+)?CREDIT|STANDING\s+ORDER|COUNTER\s+CREDIT|"
    r"BULK\s+PAYMENT|BACS|CHAPS|"
    # Wire and electronic-transfer wording; BNF (beneficiary) introduces the payee.
    r"FEDWIRE(?:\s+(?:CREDIT|DEBIT))?|(?:FX|INTL|INTERNATIONAL)\s+WIRE(?:\s+(?:OUT|IN))?|"
    r"ELECTRONIC\s+WITHDRAWAL|BNF|INCL\s+FEES|(?:INTERNATIONAL|INTL)\s+(?:PAYMENT|TRANSFER)|"
    # Deposits of cash and cheques say how they were paid in, never by whom.
    r"NIGHT\s+(?:DEPOSIT|SAFE)|CASH\s+(?:DEPOSIT|PAID\s+IN|LODGEMENT)|PAYING\s+IN|PAID\s+IN|"
    r"LODGEMENT|CREDIT\s+AT\s+BRANCH|"
    # Accounting software's names for its transaction types, copied into memos
    # (QuickBooks "Sales Receipt", "Receive Payment"; Sage "Customer Receipt").
    r"SALES\s+RECEIPT|RECEIVE\s+PAYMENT|(?:CUSTOMER|SUPPLIER)\s+(?:RECEIPT|PAYMENT)|"
    # Canadian exports (RBC "MISC PAYMENT", TD "E-TRANSFER", ABM for cash machine, PAD
    # for pre-authorized debit) and the French of Desjardins and National Bank, read
    # with the accents folded off (DEPOT DIRECT, PAIEMENT FACTURE, VIREMENT INTERAC).
    r"MISC\s+(?:PAYMENT|DEPOSIT)|EFT\s+(?:CREDIT|DEBIT)|"
    r"ELECTRONIC\s+FUNDS?\s+TRANSFER(?:\s+(?:DEPOSIT|CREDIT|DEBIT|PAYMENT|PAY))?|MSP|DIRECT\s+DEP|INTERAC(?:\s+PURCHASE)?|"
    r"(?:SEND\s+)?E-?(?:TRANSFER|TFR|TRF)(?:\s+(?:RECEIVED|SENT|AUTODEPOSIT))?|AUTODEP(?:OSIT)?|"
    # CIBC's mobile-banking prefix ("MB-BILL PAYMENT", "MB-TRANSFER").
    r"MB(?=-\s*(?:BILL|TRANSFER|E-?TRANSFER|PAYMENT))|"
    r"PRE-?AUTHORI[SZ]ED(?:\s+DEBIT)?|DEBIT\s+PREAUTORISE|VISA\s+DEBIT|BUSINESS\s+PAD|"
    r"ACC(?:OUN)?TS\s+PAY(?:ABLE)?|MERCHANT\s+(?:DEPOSIT|DEP|SETTLEMENT)(?:\s+CREDIT)?|"
    r"DEPOT\s+MARCHAND|(?:INSTANT\s+)?TELLER\s+(?:DEPOSIT|WITHDRAWAL)|BRANCH\s+TRANSACTION|"
    r"^\s*BR\s+DEPOSIT|INTERNET\s+(?:TRANSFER|BANKING|BILL\s*PAY(?:MENT)?)|"
    r"^\s*DEPOT(?:\s+(?:DIRECT|AU\s+(?:GUICHET|GAB?|COMPTOIR)|GAB|MOBILE(?:\s+DE\s+CHEQUES?)?|"
    r"SUCCURSALE|DE\s+CHEQUES?))?|"
    # Desjardins prints its online-banking channel before the payee of a bill payment
    # ("Paiement facture - AccesD Internet /Hydro-Quebec"): the channel names no one.
    r"ACCESD(?:\s+(?:INTERNET|AFFAIRES|MOBILE))?|"
    # TD's Green Machine (its cash machine) prints GC and the machine's number.
    r"^\s*GC\s+\d{3,4}-|"
    r"DEPOT\s+(?:DIRECT|AU\s+GUICHET|GAB|MOBILE)|PAIEMENT(?:\s+(?:FACTURE|PREAUTORISE|DIRECT))?|"
    r"VIREMENT(?:\s+INTERAC)?(?:\s+(?:RECU|ENVOYE|DE|A))?|RETRAIT(?:\s+(?:AU\s+)?(?:GUICHET|GAB?))?|ACHAT(?:\s+DIRECT)?|"
    r"PRELEVEMENT(?:\s+AUTOMATIQUE)?|"
    # The books split a loan repayment into its parts under the lender's name ("Loan
    # principal BDC", "Loan interest, BDC"): the parts are wording, the lender the name.
    r"LOAN\s+(?:PRINCIPAL|INTEREST|REPAYMENT)|(?:PRINCIPAL|INTEREST)\s+ON\s+LOAN)\b"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that occur on both sides but say nothing about the counterparty.
_STOPWORDS = _words(
    """
    A AN AND AT BY FOR FROM OF ON THE TO VIA WITH
    INC INCORPORATED LLC LLP LTD LIMITED CO COMPANY CORP CORPORATION PLC GMBH LP PC PLLC
    ACH DEBIT CREDIT PMT PMTS PAYMENT PAYMENTS PAID PURCHASE POS CARD DEPOSIT DEP
    TRANSFER XFER WIRE ONLINE WEB ID PPD CCD CTX TEL REF REFERENCE NO NUM NUMBER
    INVOICE INV RECEIPT RCPT CUSTOMER VENDOR BILL BILLS MEMO ORDER PO
    CHECK CHK CHEQUE CHQ ITEMS ITEM US USA IN OUT COM WWW HTTP HTTPS DEPOSITED DEPOSITS
    SETTLEMENT SETTLMT PAYOUT PAYOUTS BATCH REMOTE MOBILE BRANCH ATM CAPTURE COUNTER
    FACT FACTURE ENCAISSEMENT ENCAISSEMENTS RECU LTEE INC ABM CHEQUES CHECKS GUICHET
    EFFET EFFETS RETOUR
    """
)

# French articles and prepositions ("Les Entreprises Bouchard", "Gouv. du Canada") say
# nothing about the counterparty, but a brand may be one with them ("LA FITNESS", "SUR LA
# TABLE"): they are kept when one other word would be left, and alone name no one.
_ARTICLES = _words("AU AUX DE DU DES LA LE LES ET EN PAR POUR SUR")

# US states and territories: banks append them after the merchant's city.
_STATES = _words(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR
    """
)

# Abbreviations that card networks and banks use for common words and large merchants.
_ABBREVIATIONS: dict[str, str] = {
    "AMZN": "AMAZON",
    "AMEX": "AMERICAN EXPRESS",
    "MKTP": "MARKETPLACE",
    "MKTPL": "MARKETPLACE",
    "MKTPLACE": "MARKETPLACE",
    "WHSE": "WHOLESALE",
    "WHLSE": "WHOLESALE",
    "INTL": "INTERNATIONAL",
    "SVC": "SERVICE",
    "SVCS": "SERVICES",
    "SRVCS": "SERVICES",
    "MGMT": "MANAGEMENT",
    "MGT": "MANAGEMENT",
    "ASSOC": "ASSOCIATES",
    "BROS": "BROTHERS",
    "DEPT": "DEPARTMENT",
    "MSFT": "MICROSOFT",
    "FACEBK": "FACEBOOK",
    "GOOG": "GOOGLE",
    "SOLNS": "SOLUTIONS",
    "TECHNOL": "TECHNOLOGIES",
    "INS": "INSURANCE",
    "ELEC": "ELECTRIC",
    "UTIL": "UTILITIES",
    "INDUS": "INDUSTRIAL",
    "MFG": "MANUFACTURING",
    "DIST": "DISTRIBUTION",
    "LABS": "LABORATORIES",
    "INDL": "INDUSTRIAL",
    "SUPP": "SUPPLY",
    "SUPPL": "SUPPLY",
    "SPLY": "SUPPLY",
    "EQUIP": "EQUIPMENT",
    "EQPT": "EQUIPMENT",
    "CONSTR": "CONSTRUCTION",
    "ENGR": "ENGINEERING",
    "ENGRG": "ENGINEERING",
    "HLTH": "HEALTH",
    "MAINT": "MAINTENANCE",
    "TRANSP": "TRANSPORT",
}

# The number may follow after a column separator ("Cheque · Cheque · 160575").
_CHEQUE = re.compile(
    r"\b(?:CHECK|CHK|CHEQUE|CHQ|CK)[\s·|,/:-]*(?:PAID\s*)?(?:(?:CHEQUE|CHQ)[\s·|,/:-]*)?"
    r"(?:N[O°]\.?\s*|#\s*)?(\d{3,10})\b"
)
# UK statements print a cheque as its serial number, with the type code after it or in a
# column of its own ("217219 CHQ", "224391 / CHEQUE", or just "217221"): six digits and
# nothing else.
_SERIAL_CHEQUE = re.compile(
    r"^\s*(\d{6})(?:[\s·|,/:-]+(?:CHQ|CHEQUE))?\s*$|^\s*(\d{3,10})[\s·|,/:-]+(?:CHQ|CHEQUE)\b"
)
# International payments go by SWIFT, the same wire by another name on the statement.
_WIRE = re.compile(r"\b(?:FED)?WIRE\b|\b(?:INTERNATIONAL|INTL)\s+(?:PAYMENT|TRANSFER)\b|\bSWIFT\b")
_CHEQUE_WORD = re.compile(r"\b(?:CHECK|CHK|CHEQUE|CHQ)\b")
_REVERSAL = re.compile(
    r"\b(?:VOID\w*|REVERS\w*|REV|NSF|RETURN\w*|RET|RTN|CANCEL\w*|CHARGEBACK|REFUND\w*|UNPAID|BOUNCED"
    # French (accents folded off): "Chèque retourné sans provision", "Effet impayé",
    # "Virement Interac annulé", "contrepassation" (a reversing entry).
    r"|RETOURNE\w*|IMPAYE\w*|ANNUL\w*|CONTREPASS\w*|SANS\s+PROVISION|PROVISION\s+INSUFFISANTE)\b"
)
# How a correcting journal describes itself ("Reverse duplicate entry", "posted in
# error") and the period a recurring bill is for ("June 2023 Cintas"): the bookkeeper's
# wording around the counterparty, never part of its name.
_MONTH_NAMES = (
    r"(?:JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|"
    r"SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?|JANVIER|FEVRIER|MARS|AVRIL|"
    r"MAI|JUIN|JUILLET|AOUT|SEPTEMBRE|OCTOBRE|NOVEMBRE|DECEMBRE)"
)
_BOOKKEEPING_WORDS = re.compile(
    r"\b(?:(?:DUPLICATE|DOUBLE)\s+(?:ENTRY|POSTING|PAYMENT|BOOKING)|"
    r"(?:ECRITURE\s+)?EN\s+DOUBLE|DOUBLON|"
    r"(?:ENTRY\s+)?(?:ENTERED|POSTED|BOOKED)\s+IN\s+ERROR|CORRECTING\s+ENTRY|"
    # A date in words: "June 2023", "3 avril", "12 March".
    rf"{_MONTH_NAMES}\s+(?:19|20)\d{{2}}|\d{{1,2}}(?:ER)?\s+{_MONTH_NAMES})\b"
)
_BOOK_ONLY = re.compile(
    r"\b(?:(?:DUPLICATE|DOUBLE)\s+(?:ENTRY|POSTING|BOOKING)|ECRITURE\s+EN\s+DOUBLE|"
    r"(?:ENTERED|POSTED|BOOKED)\s+IN\s+ERROR|CORRECTING\s+ENTRY)\b"
)
# A tax return is a filing, not money coming back: "GST/HST return August 2023" pays
# the period's tax, where "Payment returned" reverses a payment.
_TAX_RETURN = re.compile(
    r"\b(?:TAX|GST|HST|QST|PST|VAT|TPS|TVQ|TVH|SALES\s+TAX|PAYROLL)\s+RETURNS?\b"
)
_BANK_ORIGINATED = re.compile(
    r"\b(?:SERVICE\s+(?:CHARGE|FEE)|MAINTENANCE\s+FEE|MONTHLY\s+(?:SERVICE\s+)?FEE|ACCOUNT\s+FEE|"
    r"WIRE\s+FEE|OVERDRAFT|OD\s+FEE|NSF\s+FEE|ITEM\s+FEE|RETURNED\s+ITEM\s+FEE|STOP\s+PAYMENT\s+FEE|"
    r"INTEREST\s+(?:PAID|EARNED|PAYMENT|CREDIT|CHARGE)|ANALYSIS\s+(?:FEE|CHARGE)|BANK\s+(?:FEE|CHARGE))"
)
# A bank prints its own charge as a few words naming the service and ending in the
# charge ("NETWORK TRANSACTION FEE", "CASH HANDLING FEE", "OVERDRAWN HANDLING CHGS") or,
# in French, starting with it ("Frais de manutention d'espèces"); a payment to anyone else
# carries a payment type and a payee. Only a whole short line of that shape counts.
_CHARGE_LINE = re.compile(
    r"^\s*(?:(?:[A-Z][A-Z&'./-]*\s+){1,3}(?:FEES?|CHARGES?|CHGS?)|"
    r"FRAIS(?:\s+[A-Z'-]+){1,4})\s*$"
)
_BANK_WORDS = re.compile(
    r"\b(?:BANK\w*|BANCAIRES?|FRAIS|FEES?|CHARGES?|CHGS?|INTEREST|SERVICE|OVERDRAFT|MAINTENANCE)\b"
)
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_DIGIT_RUN = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class DescriptionFeatures:
    """What the matcher needs from one description, computed once per distinct text."""

    name: str
    """Counterparty name: upper-case words with noise removed; empty when uninformative."""
    segments: tuple[str, ...]
    """``name`` and the names of the text's parts (``Acme - toner`` gives ``ACME``), so a
    bookkeeper's memo does not dilute the counterparty."""
    compact: str
    """The whole description upper-cased with every non-alphanumeric character removed."""
    numbers: frozenset[str]
    """Digit runs of four or more significant digits, leading zeros stripped."""
    cheque_no: str | None
    """The cheque number if the text names one (``CHECK 1043``, ``CHK #1043``)."""
    mentions_cheque: bool
    reversal: bool
    """The text says the money came back or was cancelled (void, reversal, NSF, return)."""
    bank_originated: bool
    """The bank itself raised the item (fees, interest) rather than a counterparty."""
    mentions_bank: bool
    """The text talks about bank charges or interest (a ledger entry booking such an item)."""
    family: str = ""
    """The parent brand of a sub-brand the text names (``HAMPTON INN`` gives ``HILTON``)."""
    tax_authority: str = ""
    """The tax authority the text pays, by one name whatever it is called (see
    :data:`_TAX_AUTHORITIES`)."""
    payroll: bool = False
    """The text is about payroll: a payroll processor's debit, or wages booked in the books."""
    payroll_processor: bool = False
    """The text names a payroll processor (``ADP``, ``GUSTO``), not a person paid directly."""
    wire: bool = False
    """The text reports a wire transfer (``WIRE OUT``, ``FEDWIRE``, ``WIRE TYPE:``)."""
    card_sales: bool = False
    """The text books card sales settled by a processor ("Card sales 07/04")."""
    own_transfer: bool = False
    """The text moves money between the business's own accounts ("ONLINE TRANSFER FROM
    SAV XXXXXX7763", "Transfer to Savings")."""
    loan: bool = False
    """The text is about a loan's repayment: the bank's debit (``LOAN PAYMENT``,
    ``REMBOURSEMENT PRÊT``) or the books' principal and interest parts."""
    net_of_fees: bool = False
    """The books say they recorded an amount net of the processor's fees ("Daily sales
    (net of fees)", "Ventes nettes de frais")."""
    account_tail: str | None = None
    """The last digits of a masked account number the text prints (``****066``): the same
    account on both sides of a transfer, or another one."""
    direct_debit: bool = False
    """The bank line is a direct debit ("DD BRITISH GAS", "... / DIRECT DEBIT"): the
    creditor took it, so the books may record it days after the bank did."""
    slip_no: str | None = None
    """The paying-in slip number an entry's text books it under (``slip 000224``)."""
    counter_deposit: bool = False
    """The bank line is a deposit of cash and cheques paid in at a counter or scanned
    (``COUNTER CREDIT 000561``, ``REMOTE DEPOSIT``): no electronic receipt is on it."""
    full_amount: bool = False
    """The bank line reports a domestic credit transfer (Faster Payment, standing order,
    SEPA), which moves the full amount: no bank fee comes off it on the way."""
    processor: bool = False
    """The text is a payment platform's (``STRIPE``, ``SQ 251009``): on a bank credit, a
    payout of sales less the platform's fees."""
    card_date: tuple[int, int] | None = None
    """(month, day) of the purchase a card line prints (``CHECKCARD 0804``,
    ``PURCHASE AUTHORIZED ON 02/25``): the day the books record, unlike the posting date."""
    book_only: bool = False
    """The text corrects the books themselves: a duplicate entry or an entry posted in
    error ("Reverse duplicate entry 4145", "écriture en double"). No money moved, so no
    bank line is its counterpart; a duplicate *payment* refunded by a supplier is not one."""


# Sub-brands that card networks print instead of the parent brand a bookkeeper books
# (a Hilton stay clears as HAMPTON INN). Public brand portfolios; extend as needed.
_BRAND_FAMILIES: dict[str, str] = {
    "HAMPTON INN": "HILTON",
    "DOUBLETREE": "HILTON",
    "EMBASSY SUITES": "HILTON",
    "HOMEWOOD SUITES": "HILTON",
    "HOME2 SUITES": "HILTON",
    "WALDORF ASTORIA": "HILTON",
    "CONRAD": "HILTON",
    "CURIO COLLECTION": "HILTON",
    "COURTYARD": "MARRIOTT",
    "FAIRFIELD INN": "MARRIOTT",
    "RESIDENCE INN": "MARRIOTT",
    "SPRINGHILL SUITES": "MARRIOTT",
    "TOWNEPLACE SUITES": "MARRIOTT",
    "SHERATON": "MARRIOTT",
    "WESTIN": "MARRIOTT",
    "RITZ CARLTON": "MARRIOTT",
    "ALOFT": "MARRIOTT",
    "HOLIDAY INN": "IHG",
    "CROWNE PLAZA": "IHG",
    "CANDLEWOOD SUITES": "IHG",
    "STAYBRIDGE SUITES": "IHG",
    "HYATT REGENCY": "HYATT",
    "HYATT PLACE": "HYATT",
    "HYATT HOUSE": "HYATT",
    "SUPER 8": "WYNDHAM",
    "DAYS INN": "WYNDHAM",
    "LA QUINTA": "WYNDHAM",
    "WHOLEFDS": "WHOLE FOODS",
    "SAMS CLUB": "WALMART",
    "SAM S CLUB": "WALMART",
    "OLD NAVY": "GAP",
    "BANANA REPUBLIC": "GAP",
    "TACO BELL": "YUM BRANDS",
    "EXPEDIA": "EXPEDIA",
    "HOTELS COM": "EXPEDIA",
}
# Payment platforms whose payouts name only the platform, then a payout reference
# (``STRIPE TRANSFER ST-FZCHMPFK``): the platform is the counterparty.
_PLATFORMS = frozenset(
    {
        "STRIPE",
        "SQUARE",
        "PAYPAL",
        "SHOPIFY",
        "ADYEN",
        "BRAINTREE",
        "CLOVER",
        "TOAST",
        "ETSY",
        "SUMUP",
        "WORLDPAY",
        "ZETTLE",
        "IZETTLE",
        "DOJO",
        "TAKEPAYMENTS",
        "ELAVON",
        "GOCARDLESS",
        "MOLLIE",
        # Canadian acquirers and payment facilitators.
        "MONERIS",
        "HELCIM",
        "NUVEI",
        "PAYFACTO",
        "PAYMENTECH",
    }
)
# The short names processors print on statements for their own payouts (Square's
# ``SQ 251009 ...``, PayPal's ``PYPL PAYIN``), as their full names in the books.
_PLATFORM_SHORT = {"SQ": "SQUARE", "PYPL": "PAYPAL", "STRP": "STRIPE"}

# Payroll convention: an employer that pays through a payroll processor sees the
# processor's name on the statement (``ADP WAGE PAY``, ``GUSTO NET``, ``PAYCHEX``),
# never its employees', while the books record what was paid ("Net pay", "Wages",
# "Payroll taxes"). Both sides then name payroll, only in different words. The
# processors are the public US payroll providers; extend as needed.
_PAYROLL_PROCESSOR = re.compile(
    r"\b(?:ADP|GUSTO|PAYCHEX|PAYLOCITY|PAYCOR|RIPPLING|TRINET|JUSTWORKS|INSPERITY|CERIDIAN"
    r"|DAYFORCE|ZENEFITS|(?:SAGE|XERO|IRIS|QB|QUICKBOOKS|INTUIT)\s+PAYROLL|PAYROLL\s+BUREAU"
    r"|BRIGHTPAY|MOORE\s?PAY|PAYFIT|WAGEPOINT|PAYWORKS|NETHRIS|POWERPAY|EMPLOYEUR\s+D|DESJARDINS\s+PAIE)\b"
)
# Card-sales convention: a merchant books the day's card takings as "Card sales" (or
# "Card daily sales", "Merchant settlement") without naming the processor, while the
# statement shows the processor's payout (``SQUARE INC``, ``STRIPE TRANSFER``).
_CARD_SALES = re.compile(
    r"\b(?:CARD|CREDIT\s+CARD|MERCHANT)\s+(?:DAILY\s+)?(?:SALES|TAKINGS|SETTLEMENTS?)\b"
)
_PAYROLL_WORDS = re.compile(
    r"\b(?:PAYROLL|NET\s+PAY|NET\s+WAGES|WAGES|SALARIES|SALARY|PAYROLL\s+TAX(?:ES)?|"
    r"SALAIRES?(?:\s+NETS?)?|PAIE)\b"
)

_FAMILY = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _BRAND_FAMILIES), key=len, reverse=True)) + r")\b"
)

_SEGMENT_SPLIT = re.compile(r"\s+-\s+|[()\[\]:;/|]")


_DIRECT_DEBIT = re.compile(r"^\s*D/?D\s|\bDIRECT\s+DEBIT\b|\sDDR\s*$")
_CARD_PURCHASE = re.compile(
    r"^\s*(?:DEB|POS|VIS|CPT)\s|\b(?:POINT\s+OF\s+SALE|POS|CARD\s+(?:PURCHASE|PAYMENT)|"
    r"DEBIT\s+CARD|CHECK\s*CARD|PURCHASE\s+AUTHORI[SZ]ED|VISA\s+DEBIT|"
    r"INTERAC\s+(?:RETAIL\s+)?PURCHASE|ACHAT|"
    # TD: IDP is an Interac debit-card purchase.
    r"IDP\s+PURCHASE)\b"
)


def card_purchase(text: str) -> bool:
    """Whether a bank line is a purchase made with the business's card (or a hold on it)."""
    return _CARD_PURCHASE.search(fold(text)) is not None


_COLLECTED = re.compile(
    r"\b(?:PRE-?AUTH(?:ORI[SZ]ED)?|(?:DEBIT|PAIEMENT)\s+PREAUTORISE|PRELEVEMENT|"
    r"RECURRING\s+(?:PAYMENT|DEBIT)|MISC\.?\s+PAYMENT|BUSINESS\s+PAD)\b"
    # TD prints the type code after the payee ("ADT CANADA PAD", "ADOBE SYSTEMS MSP").
    r"|\s(?:PAD|MSP(?:/\w+)?)\s*$"
)
_PROCESSOR_DD = re.compile(r"^\s*DD\s*\*")
"""DoorDash's card descriptor (``DD *DOORDASH``), not a direct debit."""


def collected_by_payee(text: str) -> bool:
    """Whether a bank debit was pulled by the payee under a standing mandate.

    Convention of the direct debit (UK Bacs DD, Canada's pre-authorised debit under
    Payments Canada Rule H1, a SEPA mandate): the creditor decides when and how much
    to collect, so two collections on one day are two bills, never a payer splitting a
    payment to stay under an approval limit. TD prints a PAD as ``ADT CANADA PAD`` or
    ``ADOBE SYSTEMS MSP``, RBC and Scotiabank as ``Misc Payment``, Desjardins as
    ``Paiement préautorisé``. A card purchase (a hold, ``POS PRE-AUTH``) is the
    business's own payment, and so is not one.
    """
    upper = fold(text)
    if _CARD_PURCHASE.search(upper) or _PROCESSOR_DD.match(upper):
        return False
    return _DIRECT_DEBIT.search(upper) is not None or _COLLECTED.search(upper) is not None


# Convention of the domestic credit transfer: under the Payment Services Regulations
# (PSD2 art. 81, the UK's PSRs 2017 reg. 81) every bank in the chain of a Faster
# Payment, a standing order or a SEPA credit transfer passes on the full amount and
# charges its fees apart; unlike a wire, such a payment never arrives net of a bank's
# fee. BACS and bank giro credits are left out: card processors pay their (already
# net) takings that way.
_FULL_AMOUNT = re.compile(
    r"\bFASTER\s+PAYMENTS?\b|^\s*(?:FPI|FPO|SO|STO)\s|\bFPS\b|\bSEPA\b|"
    r"\bSTANDING\s+ORDER\b|\s(?:FP|FT|STO)\s*$|"
    # Canada: an Interac e-Transfer's fee is charged to the sender apart, never taken
    # off the amount, and an EFT direct deposit pays the amount the payer approved.
    r"\bINTERAC\s+E-?(?:TRANSFER|TFR|TRF)\b|\bE-?(?:TRANSFER|TFR)\b|\bVIREMENT\s+INTERAC\b|"
    r"\bEFT\s+CREDIT\b|\bDEPOT\s+DIRECT\b"
)

# Convention of the counter deposit: a paying-in slip, a branch or night deposit and a
# remote (scanned) cheque deposit carry cash and cheques, never an electronic payment.
_COUNTER_DEPOSIT = re.compile(
    r"\bCOUNTER\s+CREDIT\b|\b(?:CHEQUE|CHECK|BRANCH|CASH|COUNTER|REMOTE|MOBILE)\s+DEPOSIT\b|"
    r"\bPAID\s+IN\b|\bPAYING\s+IN\b|\bNIGHT\s+SAFE\b|^\s*CC\s|"
    # Canada: deposits at an ABM or a teller, and Quebec's DEPOT (AU) GUICHET / N CHEQUES.
    r"\bABM\s+DEPOSIT\b|\bDEPOT\s+(?:AU\s+)?(?:GUICHET|GAB?|COMPTOIR|SUCCURSALE|MOBILE)\b|^\s*GC\s+\d{3,4}-DEPOSIT\b|\bDEPOT\s+\d{1,2}\s+(?:CHEQUES|EFFETS)\b|"
    r"\b(?:INSTANT\s+)?TELLER\s+DEPOSIT\b|\bBRANCH\s+TRANSACTION\s+DEPOSIT\b|^\s*BR\s+DEPOSIT\b"
)

# The books record cash paid in under the number of its paying-in slip ("Cash sales
# (slip 000224)", "Deposit slip #1187").
_SLIP_NO = re.compile(r"\bSLIP\s*(?:NO\.?|NUMBER|#)?\s*#?\s*(\d{3,})\b")

# UK banks (Lloyds, HSBC, NatWest) start a statement line with a transaction-type code:
# BGC bank giro credit, BP bill payment, CC counter credit, DD direct debit, DEB debit
# card, FPI/FPO Faster Payment in/out, SO standing order, TFR transfer, VIS Visa... The
# code says how the money moved; the counterparty follows it.
_TYPE_CODE = re.compile(
    r"^\s*(?:BGC|BP|CC|CR|DR|DD|DEB|FPI|FPO|SO|STO|TFR|VIS|POS|PAY|CHAPS|CHQ|CPT|BACS|MPI|MPO|"
    r"IBP|OBP|DEP|CHG|BNS|COR|CSH)\s+(?=\S)"
)

# Barclays prints the type code after the counterparty and reference instead
# (``AVIVA INSURANCE ACC 216234 DDR``, ``ACME LTD INV123 FP``; BBP a bill payment, FT a
# funds transfer, DDR a direct debit, STO a standing order), and a payment run's date
# may follow it (``BACS BBP 021026``). Only these codes, and only last or before a
# six-digit date, so a name ending in letters like these is left alone elsewhere.
# TD prints its bill payments the same way, ``WURTH CANADA BPY``.
_TRAILING_CODE = re.compile(r"\s(BGC|BBP|DDR|STO|FT|FP|TFR|CHAPS|BPY)(?=(?:\s+\d{6})?\s*$)")


def item_kind(text: str) -> str:
    """The kind of item a bank line is, as the export prints it: the type code in front
    (``DEB``, ``DD``, ``FPI``), else the first payment-type phrase anywhere (``Card
    payment`` in a column of its own), else the first word. Items of one kind clear
    alike, whatever the counterparty.
    """
    upper = fold(text[:MAX_TEXT])
    code = _TYPE_CODE.match(upper)
    if code:
        return code.group().strip()
    trailing = _TRAILING_CODE.search(upper)
    if trailing:
        return trailing.group(1)
    phrase = _TXN_PHRASES.search(upper)
    if phrase:
        return " ".join(phrase.group().split())
    word = _FIRST_WORD.search(upper)
    return word.group() if word else ""


_FIRST_WORD = re.compile(r"[A-Z]+")


MASKED_REF = re.compile(r"\*{3}[A-Za-z0-9]{2,4}\b")
"""An e-transfer's masked reference (TD's ``SEND E-TFR ***Ivz WEI ZHANG``): a new code
on every transfer, never part of the payee's name. Account tails (``****0142``) are
digits after four stars and are read apart (``account_tail``)."""


def _clean_name(text: str, counter: bool = False) -> str:
    """Counterparty words of an upper-cased text, in order.

    A counter, machine or mobile deposit names nobody but the bank that took it, which
    prints its own brand on its channels (``TD MOBILE DEPOSIT``, ``RBC ABM DEPOSIT``):
    on such a line the brand is no payer.
    """
    text = MASKED_REF.sub(" ", text)
    cleaned = _TXN_PHRASES.sub(" ", _TRAILING_CODE.sub(" ", _TYPE_CODE.sub(" ", text)))
    cleaned = _split_processor(cleaned.strip())
    cleaned = _TXN_PHRASES.sub(" ", cleaned)
    cleaned = _REVERSAL.sub(" ", _BOOKKEEPING_WORDS.sub(" ", cleaned))
    tokens = _name_tokens(cleaned)
    if counter and tokens and tokens[0] in _BANK_BRANDS:
        tokens = tokens[1:]
    return " ".join(tokens)


_BANK_BRANDS = _words(
    """
    TD RBC BMO CIBC SCOTIA SCOTIABANK DESJARDINS BNC HSBC ATB TANGERINE
    NATWEST BARCLAYS LLOYDS HALIFAX SANTANDER NATIONWIDE CHASE PNC CITI CITIBANK
    """
)


def _split_processor(text: str) -> str:
    """Drop a processor prefix (``SQ *``) but keep brand prefixes (``GOOGLE *GSUITE``).

    The processor may follow a card-network preamble (``CHECKCARD 0412 SQ *JOES``), so
    it is looked for anywhere, but only as a whole token directly before a ``*``.
    """
    return _PROCESSOR_PREFIX.sub(" ", text).replace("*", " ")


# Bank descriptors drop punctuation inside a word: O'Neill prints as ONEILL and
# McDonald's as MCDONALDS, so an apostrophe joins, never splits, a name.
_APOSTROPHE = re.compile(r"['\u2019`]")
# Brands made of initials and an ampersand (B&Q, M&S, H&M, AT&T) are one word: split at
# the ampersand they would be initials, which are dropped as reference debris.
_INITIALS_AND = re.compile(r"\b([A-Z]{1,2})\s*&\s*([A-Z]{1,2})\b")


def _name_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for raw in _NON_ALNUM.split(_INITIALS_AND.sub(r"\1\2", _APOSTROPHE.sub("", text))):
        if not raw or _HAS_DIGIT.search(raw):
            continue
        token = _ABBREVIATIONS.get(raw, raw)
        # One- and two-letter tokens after the first are reference debris ("ST-4K2"),
        # initials or locations, not the counterparty's name.
        if token in _STOPWORDS or len(token) == 1 or (len(token) == 2 and tokens):
            continue
        tokens.extend(token.split())
    # A trailing state code (and only a trailing one) is location, not name.
    while len(tokens) > 1 and tokens[-1] in _STATES:
        tokens.pop()
    plain = [token for token in tokens if token not in _ARTICLES]
    return tokens if len(plain) == 1 else plain


def _significant_numbers(text: str) -> frozenset[str]:
    found = set()
    for run in _DIGIT_RUN.findall(text):
        stripped = run.lstrip("0")
        if len(stripped) >= 4:
            found.add(stripped)
    return frozenset(found)


# Where a structured bank description names the counterparty: the NACHA company name
# (``ORIG CO NAME:ACME``), Fedwire's "by order of" and beneficiary tags (``B/O: ACME``,
# ``BNF:ACME``), a wire originator (``ORIG:ACME``), or the name before Bank of America's
# ``DES:`` field. The field runs to the next ``TAG:``; the rest of the line is routing
# and trace data, which only dilutes the name.
_COUNTERPARTY_FIELD = re.compile(
    r"(?:\bORIG\s+CO\s+NAME|\bB/O|\bBNF|\bBENEFICIARY|\bORIG(?:INATOR)?)\s*:\s*"
    r"(?P<name>.+?)(?=\s+(?:ORIG\s+ID|DESC\s+DATE|CO\s+ENTRY\s+DESCR|SEC|TRACE\s*#|REF|ID|INDN|"
    r"IND\s+ID|CO\s+ID|DATE|BNF|B/O|OBI|IMAD|TRN|VIA|TYPE|BBI)\s*:|$)"
)
_DES_FIELD = re.compile(r"^(?P<name>.+?)\s+DES:")


def counterparty_field(upper: str) -> str | None:
    """The counterparty a structured bank description names in a field, if it has one."""
    found = _COUNTERPARTY_FIELD.search(upper) or _DES_FIELD.search(upper)
    return found.group("name").strip() if found else None


MAX_TEXT = 500
"""Characters of a description that matching reads. Bank and ledger texts are at most a
couple of hundred characters; a longer one is a broken or hostile file, and reading it
whole would let a few patterns take time quadratic in its length."""


_BRACKET_CODE = re.compile(r"^\s*\[[A-Z]{2}\]")
"""BMO's transaction code in brackets before the payee (``[DN]TDSB``, ``[CW]``, ``[SO]``)."""

_NUMBERED = re.compile(
    r"\b(\d{3,4})-?(\d{4})\s+(?=(?:ONTARIO|QUEBEC|ALBERTA|MANITOBA|SASKATCHEWAN|NOVA\s+SCOTIA|"
    r"NEW\s+BRUNSWICK|BRITISH\s+COLUMBIA|B\.?C\.?|CANADA|NUNAVUT|YUKON)\b)"
)
_DIGIT_LETTERS = str.maketrans("0123456789", "ABCDEFGHIJ")


def _numbered_company(upper: str) -> str:
    """``9364-6578 QUEBEC INC`` keeps its number as a word of its name.

    Convention of the numbered company: Canadian corporations may go by their
    registration number and province alone. Names are compared without digits, so
    the number would vanish and leave ``QUEBEC``, which looks a little like any name;
    spelled in letters (``QJDGEFGFH``) it stays the company's own.
    """
    return _NUMBERED.sub(
        lambda m: "Q" + (m.group(1) + m.group(2)).translate(_DIGIT_LETTERS) + " ", upper
    )


_LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE", "Ø": "O", "Ł": "L", "Đ": "D", "Þ": "TH"})


def fold(text: str) -> str:
    """Upper-case ``text`` with its accents taken off: ``Hydro-Québec`` is ``HYDRO-QUEBEC``.

    Banks print descriptors in the card networks' plain ASCII (ISO 8583 merchant names)
    while bookkeepers type the accents, and many exports drop or mangle them; a
    pattern of ``[A-Z0-9]`` would otherwise cut ``DÉPÔT`` into ``D``, ``P``, ``T``.
    """
    # Decomposed first: the ordinal of "nº" (U+00BA) is a lower-case "o" until then.
    decomposed = unicodedata.normalize("NFKD", text).upper()
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_LIGATURES)


@lru_cache(maxsize=200_000)
def describe(text: str) -> DescriptionFeatures:
    """Extract the counterparty name and reference evidence from a bank or ledger text.

    Cached because statements repeat the same few hundred merchant descriptors. Only
    the first :data:`MAX_TEXT` characters are read.
    """
    upper = _numbered_company(_BRACKET_CODE.sub(" ", fold(text[:MAX_TEXT])))
    own_transfer = _OWN_TRANSFER.search(upper) is not None
    # "TRANSFER FROM CHK 8251" names a checking account, not cheque 8251.
    cheque = None if own_transfer else _CHEQUE.search(upper)
    serial = None if cheque or own_transfer else _SERIAL_CHEQUE.search(upper)
    cheque_no = (
        cheque.group(1) if cheque else (serial.group(1) or serial.group(2)) if serial else None
    )
    field = counterparty_field(upper)
    counter = _COUNTER_DEPOSIT.search(upper) is not None
    name = _clean_name(field if field else upper, counter)
    segments = [name] if name else []
    for part in _SEGMENT_SPLIT.split(upper):
        part_name = _clean_name(part, counter)
        if part_name and part_name not in segments:
            segments.append(part_name)
    return DescriptionFeatures(
        name=name,
        segments=tuple(segments),
        compact=_NON_ALNUM.sub("", upper),
        numbers=_significant_numbers(upper),
        cheque_no=(cheque_no.lstrip("0") or "0") if cheque_no else None,
        mentions_cheque=serial is not None
        or (not own_transfer and _CHEQUE_WORD.search(upper) is not None),
        reversal=_REVERSAL.search(_TAX_RETURN.sub(" ", upper)) is not None,
        book_only=_BOOK_ONLY.search(upper) is not None,
        bank_originated=_BANK_ORIGINATED.search(upper) is not None
        or _CHARGE_LINE.match(upper) is not None,
        mentions_bank=_BANK_WORDS.search(upper) is not None,
        family=_brand_family(upper),
        tax_authority=_tax_authority(upper),
        payroll=bool(_PAYROLL_PROCESSOR.search(upper) or _PAYROLL_WORDS.search(upper)),
        payroll_processor=_PAYROLL_PROCESSOR.search(upper) is not None,
        wire=_WIRE.search(upper) is not None,
        card_sales=_CARD_SALES.search(upper) is not None,
        card_date=_card_date(upper),
        own_transfer=own_transfer,
        net_of_fees=_NET_OF_FEES.search(upper) is not None,
        loan=_LOAN.search(upper) is not None,
        account_tail=tail.group(1) if (tail := _ACCOUNT_TAIL.search(upper)) else None,
        direct_debit=_DIRECT_DEBIT.search(upper) is not None,
        full_amount=_FULL_AMOUNT.search(upper) is not None,
        counter_deposit=counter,
        slip_no=_slip_no(upper),
        processor=_is_processor(name, upper),
    )


def _slip_no(upper: str) -> str | None:
    found = _SLIP_NO.search(upper)
    return found.group(1) if found else None


# Convention of the acquirer's deposit: a bank's card-acquiring arm pays the merchant
# under its own trade name, which may follow the parent bank's (``CHASE PAYMENTECH``),
# or as the bank's "merchant services" (``TD MERCHANT SVCS``, ``BMO MERCHANT
# SOLUTIONS``). Only coined platform names count anywhere in the name: a dictionary word
# such as ``SQUARE`` or ``TOAST`` inside a name (``TIMES SQUARE PARKING``) is no payout.
_COINED_PLATFORMS = frozenset(
    {
        "PAYMENTECH",
        "MONERIS",
        "HELCIM",
        "NUVEI",
        "PAYFACTO",
        "WORLDPAY",
        "ADYEN",
        "ELAVON",
        "MONETICO",
    }
)
# The acquirers' own names that are ordinary words (Global Payments, First Data).
_MERCHANT_ARM = re.compile(
    r"\bMERCHANT\s+(?:SERVICES|SOLUTIONS|SVCS?|BANKCARD)\b|\bBANKCARD\b"
    r"|\bGLOBAL\s+PAYMENTS\b|\bFIRST\s+DATA\b"
)


def _is_processor(name: str, upper: str) -> bool:
    """Whether the name is a card processor's or acquirer's payout (see above).

    The acquirer's own wording is read in the whole text: ``PAYMENTS`` is no name word.
    """
    if not name:
        return False
    return (
        platform(name) in _PLATFORMS
        or not _COINED_PLATFORMS.isdisjoint(name.split())
        or _MERCHANT_ARM.search(upper) is not None
    )


def settles_electronically(features: DescriptionFeatures) -> bool:
    """Whether a text books money a payment platform or card acquirer settles.

    Convention of the card settlement: card takings ("Daily sales Square", "Card sales
    Clover", "Moneris batch") reach the bank as the processor's own transfer, never over
    the counter, so they are no member of a counter, machine or mobile deposit.
    """
    words = features.name.split()
    return (
        features.processor
        or features.card_sales
        or (
            not _SETTLED_WORDS.isdisjoint(words)
            and any(_PLATFORM_SHORT.get(t, t) in _PLATFORMS for t in words)
        )
    )


_SETTLED_WORDS = frozenset({"SALES", "TAKINGS", "PAYOUT", "PAYOUTS", "SETTLEMENT", "BATCH"})
"""Words that make a platform's name in the books its takings ("Daily sales Square"), not
a customer's name that holds the word ("Union Square Hardware")."""


def platform(name: str) -> str:
    """The payment platform a name starts with, its short form spelled out (``SQ``)."""
    first = name.split()[0]
    return _PLATFORM_SHORT.get(first, first)


# Convention of the transfer between a business's own accounts: the bank prints the
# other account by type and number ("TRANSFER FROM CHK 8251", "BOOK TRANSFER DEBIT A/C:
# 6436...", "TFR TO 20-45-67 12345678"), the books by the account's name ("Transfer
# from Reserve account"), so the two never share a name. A transfer to a named third
# party ("WIRE TRANSFER TO ACME") is a payment and does not count.
_ACCOUNT = (
    r"(?:SAV\w*|CHK|CHECKING|CHEQUING|DDA|MMA|MONEY\s+MARKET|RESERVE|DEPOSIT\s+ACCOUNT"
    r"|ACCOUNT|ACCT|A/C|X{3,}|\*{2,}|\d|EPARGNE|MARGE|COMPTE)"
)
_OWN_TRANSFER = re.compile(
    r"\b(?:TRANSFER|TFR|XFER)(?:\s+\d{6,})?[\s-]+(?:FROM|TO|FR)\s+(?:(?:MY|OUR|THE)\s+)?"
    + _ACCOUNT
    + r"|\b(?:VIREMENT|TRANSFERT)\s+(?:A|AU|VERS|DE|DU)\s+"
    + _ACCOUNT
    + r"|\bBOOK\s+TRANSFER\b"
    r"|\bSWEEP\b|^\s*(?:BANK\s+|FUNDS\s+|INTERNAL\s+)?TRANSFER\s+(?:FROM|TO)\b"
    # Cash drawn for the cash box: the books move it to petty cash, an account of
    # the business's own (RETRAIT AU GA(B) is Quebec's cash-machine withdrawal).
    r"|\b(?:ATM|ABM|INSTANT\s+TELLER)\s+(?:CASH\s+)?(?:WITHDRAWAL|W/?D)\b|\bCASH\s+WITHDRAWAL\b"
    r"|\bWITHDRAW\b"
    r"|\bRETRAIT\s+(?:AU\s+)?(?:GUICHET|GAB?)\b|\bPETTY\s+CASH\b|\bPETITE\s+CAISSE\b"
)
_LOAN = re.compile(
    r"\bLOANS?\b|\bMORTGAGE\s+(?:PAYMENT|PMT|REPAYMENT|PRINCIPAL|INTEREST)\b|"
    r"\bREMBOURSEMENT\s+(?:DE\s+|DU\s+)?PRET\b|\b(?:CAPITAL|INTERETS?)\s+(?:DU|SUR|DE)\s+(?:LA\s+)?PRET\b"
)
_NET_OF_FEES = re.compile(
    r"\bNET\s+OF\s+(?:FEES|CHARGES|COMMISSIONS?)\b|\b(?:AFTER|LESS)\s+FEES\b|"
    r"\bNET(?:TE)?S?\s+DE(?:S)?\s+FRAIS\b"
)
_ACCOUNT_TAIL = re.compile(r"(?:\*{2,}|X{3,})\s?(\d{3,4})\b")
"""The digits a masked account number leaves showing (``****066``, ``XXXXXX3721``)."""


# Card networks post a purchase days after it was made, and some banks print the day it
# was made right after the card phrase (Bank of America ``CHECKCARD 0804``, Wells Fargo
# ``PURCHASE AUTHORIZED ON 02/25``). Only these fixed phrases: after a bare ``CARD`` four
# digits are as often the card's last four as a date.
_CARD_DATE = re.compile(
    r"\b(?:CHECK\s*CARD|PURCHASE\s+AUTHORI[SZ]ED\s+ON|AUTHORI[SZ]ED\s+ON)\s+(\d{2})/?(\d{2})\b"
)
# UK card lines (NatWest, RBS) lead with the card's last four digits, the day of the
# purchase as DDMONYY and C (contactless) or a blank: "3097 25SEP26 C , TFL TRAVEL CH".
_UK_CARD_DATE = re.compile(r"^\s*\d{4}\s+(\d{2})([A-Z]{3})(\d{2})?\b")
# Barclays prints the purchase day, day first, at the end of a card line: "CARD PAYMENT
# TO TFL TRAVEL CH ON 03/01" (a purchase on 3 January).
_UK_CARD_TO = re.compile(r"\bCARD\s+PAYMENT\s+TO\b")
_UK_CARD_ON = re.compile(r"\bON\s(\d{2})/(\d{2})\s*$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}


def _card_date(upper: str) -> tuple[int, int] | None:
    found = _CARD_DATE.search(upper)
    day_first = _UK_CARD_ON.search(upper) if _UK_CARD_TO.search(upper) else None
    if found:
        month, day = int(found.group(1)), int(found.group(2))
    elif day_first:
        day, month = int(day_first.group(1)), int(day_first.group(2))
    else:
        uk = _UK_CARD_DATE.match(upper)
        if not uk or uk.group(2) not in _MONTHS:
            return None
        month, day = _MONTHS[uk.group(2)], int(uk.group(1))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


# Convention of the tax remittance: the bank prints the agency or the form (``CRA
# PD7A``, ``ARC RETENUES SOURCE``, ``IRS USATAXPYMT``, ``HMRC PAYE``) while the books
# name the payee the agency tells businesses to pay: the Receiver General for Canada,
# the United States Treasury, HM Revenue & Customs. ``ARC`` (the French CRA) counts
# only beside tax words, as an ``ARC`` in a name is more often a welder's.
_TAX_AUTHORITIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), authority)
    for pattern, authority in (
        (
            r"\bCRA\b|\bPD7A\b|\bRECEIVER\s+GENERAL\b|\bRECEVEUR\s+GENERAL\b|"
            r"\bCANADA\s+REVENUE\b|\bAGENCE\s+DU\s+REVENU\s+DU\s+CANADA\b|"
            r"\bARC\b(?=.*\b(?:RETENUES|SOURCE|TPS|TVH|IMPOTS?|DAS)\b)",
            "CANADA REVENUE AGENCY",
        ),
        (r"\bREVENU\s+QUEBEC\b|\bMINISTRE\s+DU\s+REVENU\b", "REVENU QUEBEC"),
        (r"\bHMRC\b|\bHM\s+REVENUE\b", "HM REVENUE AND CUSTOMS"),
        (
            r"\bIRS\b|\bUSATAXPYMT\b|\bEFTPS\b|\bINTERNAL\s+REVENUE\b|"
            r"\b(?:UNITED\s+STATES|US)\s+TREASURY\b",
            "INTERNAL REVENUE SERVICE",
        ),
    )
)


def _tax_authority(upper: str) -> str:
    for pattern, authority in _TAX_AUTHORITIES:
        if pattern.search(upper):
            return authority
    return ""


def _brand_family(upper: str) -> str:
    found = _FAMILY.search(" ".join(_NON_ALNUM.split(upper)))
    return _BRAND_FAMILIES[found.group(1)] if found else ""


def normalize_ref(ref: str) -> str:
    """Reference as banks print it: upper case, punctuation and spaces removed."""
    return _NON_ALNUM.sub("", fold(ref))


def ref_in_text(ref: str, features: DescriptionFeatures) -> bool:
    """True when a ledger reference demonstrably appears in a bank description.

    Alphanumeric refs (``INV-10423``) must appear whole in the compacted text; numeric
    refs and the number inside an alphanumeric ref must equal a digit run of the text,
    so that ``1043`` is not found inside ``10432``. Refs shorter than four significant
    characters are too likely to occur by chance and never count.
    """
    norm = normalize_ref(ref)
    if not norm:
        return False
    digits = "".join(_DIGIT_RUN.findall(norm)).lstrip("0")
    if norm.isdigit():
        return len(digits) >= 4 and digits in features.numbers
    if len(norm) >= 5 and _HAS_DIGIT.search(norm) and norm in features.compact:
        return True
    return len(digits) >= 5 and digits in features.numbers


_VOWELS = frozenset("AEIOU")


def _abbreviates(token: str, name: str) -> bool:
    """``VZWRLSS`` abbreviates ``VERIZONWIRELESS``: vowels dropped, the rest kept in order.

    Only tokens that look like abbreviations (at least four letters, at most one vowel)
    qualify, because any longer word is a subsequence of many long names. An
    abbreviation drops letters: a token that stands whole in the name (``BRIGHT`` in
    ``BRIGHTGATEINSURANCE``) is a word, which says only that the first words agree, and
    the word views judge it (otherwise ``BRIGHT PARK LANDSCA`` would "abbreviate"
    every firm whose name begins with Bright).
    """
    if len(token) < 4 or sum(ch in _VOWELS for ch in token) > 1 or len(token) >= len(name):
        return False
    if len(token) == 4 and any(ch in _VOWELS for ch in token[1:]):
        return False  # BELL, TOLL: a short word with its vowel is a word, not a contraction
    if token in name:
        return False
    if token[0] != name[0]:
        return False
    letters = iter(name)
    return all(ch in letters for ch in token)


def _initials(bank_tokens: list[str], ledger_tokens: list[str]) -> bool:
    """``PHB BAKERY`` is Pacific Harbor Bakery: a merchant descriptor cut to 22
    characters often starts with the initials of the firm's words (``RCS SERVICES`` for
    Riverbend Courier Services). Three or four letters with at most one vowel (a
    pronounceable word such as ``ACE`` is a name of its own), each the first letter of
    the ledger name's words in order; a word after the initials must be one of the
    ledger name's words too (``PHB BAKERY`` is not Pacific Harbor Builders).
    """
    token = bank_tokens[0]
    if not 3 <= len(token) <= 4 or sum(ch in _VOWELS for ch in token) > 1:
        return False
    words = ledger_tokens[: len(token)]
    if len(words) < len(token) or any(w[0] != ch for w, ch in zip(words, token, strict=False)):
        return False
    if token in ledger_tokens:
        return False
    return len(bank_tokens) == 1 or any(
        w.startswith(bank_tokens[1]) or bank_tokens[1].startswith(w) for w in ledger_tokens
    )


_LINKS = ("FOR", "OF", "AND", "THE")
"""Linking words an acronym may keep the initial of (Transport *for* London is TfL)."""


def _initials_with_link(bank: DescriptionFeatures, ledger: DescriptionFeatures) -> bool:
    """``TFL`` is Transport for London, ``BOFA`` Bank of America: an acronym that keeps
    the initial of one linking word between the initials of every word of the name.
    The linking word is dropped from the name as noise, so the ledger text itself must
    show it in that place; covering the whole name in order, with the link where the
    text has it, is specific enough to need no second word.
    """
    token = bank.name.split()[0]
    words = ledger.name.split()
    if len(words) < 2 or len(words) != len(token) - 1 or len(token) > 5:
        return False
    for cut in range(1, len(token) - 1):
        rest = token[:cut] + token[cut + 1 :]
        if any(w[0] != ch for w, ch in zip(words, rest, strict=True)):
            continue
        joined = "".join(words[:cut]) + "{}" + "".join(words[cut:])
        if any(link[0] == token[cut] and joined.format(link) in ledger.compact for link in _LINKS):
            return True
    return False


_BRAND_WORD = 0.6
"""Likeness of a one-word brand and a name that begins with it: "not unlike", enough to
book an exact amount that no rival shares, never enough to beat a name that agrees."""


def _brand_word(bank_tokens: list[str], ledger_tokens: list[str]) -> bool:
    """Whether one side is a one-word brand the other begins with (``NCP`` and ``NCP CAR
    PARK``, ``UPS RALEIGH`` and ``UPS``).

    Convention of merchant descriptors: the brand comes first, then a store number or
    the city; a bookkeeper types the brand, then a memo. Short brands (``UPS``, ``NCP``,
    ``BT``) are damped by the prefix view as proving little, yet the same whole word at
    the start of both names is the counterparty, unless the longer name goes on to
    another firm's name, which the one-word side cannot say: so this view only lifts
    the names to "not unlike".
    """
    shorter, longer = sorted((bank_tokens, ledger_tokens), key=len)
    return (
        len(shorter) == 1 and len(longer) > 1 and len(shorter[0]) >= 2 and shorter[0] == longer[0]
    )


_WORD_BY_WORD = 0.8
"""Likeness of a name and the same words each abbreviated or cut short: they agree."""
_LEGAL_TAIL = frozenset({"LTD", "INC", "LLC", "LLP", "PLC", "CO", "CORP", "LP"})
"""A legal form run on to an abbreviated name (``SUMMITMEDASSOCLTD``)."""


def _abbreviates_word(piece: str, word: str) -> bool:
    """``MKTG`` for MARKETING, ``ASSOC`` for ASSOCIATES: the word cut short, or its first
    letter and then consonants kept in order with at most one vowel."""
    if word.startswith(piece):
        return True
    if len(piece) < 3 or piece[0] != word[0] or sum(ch in _VOWELS for ch in piece[1:]) > 1:
        return False
    letters = iter(word[1:])
    return all(ch in letters for ch in piece[1:])


def _spelled_word_by_word(bank_tokens: list[str], ledger_tokens: list[str]) -> bool:
    """Whether the bank name spells the ledger name's first words, each abbreviated or
    cut short (``SUMMITMEDASSOCLTD`` and ``STONEBRIDGE MKTG`` for Summit Medical
    Associates and Stonebridge Marketing).

    Convention of fixed-width payee fields: an ACH company name holds 16 characters and
    a SWIFT beneficiary line 35, so banks and payers abbreviate word by word (``MED``,
    ``MKTG``, ``BLDG``), write leading words as initials (``CN RAIL`` for Canadian
    National Railway) and often run the words together. The first word must be spelled
    out (at least four letters of it), at least two words must be covered, each piece
    must stay within one bank word, and the spelling must end where a bank word ends
    (or at a legal form run on to it). Then either every word of the ledger name is
    spelled (what follows is a reference) or the bank name ends there (the field was
    full): two words in common and a third that differs (``SILVER CREEK PRO`` against
    Silver Creek Building Materials) are another firm of a common pair of words.
    """
    text = "".join(bank_tokens)
    ends: set[int] = set()
    pos = 0
    for token in bank_tokens:
        pos += len(token)
        ends.add(pos)
    if len(ledger_tokens) < 2 or len(text) < 5:
        return False

    @cache
    def walk(at: int, k: int, initials: bool = False) -> bool:
        """Whether ``text[at:]`` goes on to spell ledger words ``k`` onwards; after
        ``initials`` the bank name must end with the spelling (``PHB BAKERY`` is not
        Pacific Harbor Builders)."""
        if k >= 2 and (at >= 8 or k >= 3):
            end = min(e for e in ends if e >= at)
            if (end == at or text[at:end] in _LEGAL_TAIL) and (
                end == len(text) or (k == len(ledger_tokens) and not initials)
            ):
                return True
        if k == len(ledger_tokens) or at == len(text):
            return False
        word = ledger_tokens[k]
        stop = min(e for e in ends if e > at)
        # A whole bank word of two to four letters may be the initials of as many
        # ledger words (CN RAIL for Canadian National Railway).
        span = stop - at
        if 2 <= span <= 4 and k + span <= len(ledger_tokens):
            letters = "".join(w[0] for w in ledger_tokens[k : k + span])
            if text[at:stop] == letters and walk(stop, k + span, True):
                return True
        shortest = min(len(word), 4) if k == 0 else 1
        for size in range(min(len(word), stop - at), shortest - 1, -1):
            if _abbreviates_word(text[at : at + size], word) and walk(at + size, k + 1, initials):
                return True
        return False

    return walk(0, 0)


def _contains_run(bank_tokens: list[str], ledger_tokens: list[str]) -> bool:
    """The ledger name appears as consecutive whole words of the bank text
    (``MARRIOTT`` in ``COURTYARD BY MARRIOTT DENVER``)."""
    n = len(ledger_tokens)
    return any(bank_tokens[i : i + n] == ledger_tokens for i in range(1, len(bank_tokens) - n + 1))


def _same_start(
    bank_tokens: list[str], ledger_tokens: list[str], bank_c: str, ledger_c: str
) -> bool:
    """Whether the names begin with the same word, allowing typos, truncation and run-ons."""
    first_b, first_l = bank_tokens[0], ledger_tokens[0]
    return (
        fuzz.ratio(first_b, first_l) >= 75
        or ledger_c.startswith(first_b)
        or bank_c.startswith(first_l)
        or _abbreviates(first_b, ledger_c)
    )


@lru_cache(maxsize=200_000)
def _pair_similarity(bank_name: str, ledger_name: str, whole: bool) -> float:
    """Similarity of a bank name and one ledger name; ``whole`` marks the full ledger
    text (not a part split off it), the only one trusted to stand inside the bank text."""
    shorter = min(len(bank_name), len(ledger_name))
    damp = min(1.0, shorter / 8.0)
    bank_tokens, ledger_tokens = bank_name.split(), ledger_name.split()
    bank_c, ledger_c = "".join(bank_tokens), "".join(ledger_tokens)
    sort_score = fuzz.token_sort_ratio(bank_name, ledger_name)
    if len(bank_c) <= len(ledger_c):
        prefix = fuzz.ratio(bank_c, ledger_c[: len(bank_c)])
    else:
        prefix = fuzz.ratio(bank_c[: len(ledger_c)], ledger_c)
    prefix *= damp
    abbreviation = 85.0 if _abbreviates(bank_tokens[0], ledger_c) else 0.0
    if _initials(bank_tokens, ledger_tokens):
        return 0.8  # the firm's initials: its first word is not spelled out to compare
    contained = (
        85.0 if whole and len(ledger_c) >= 6 and _contains_run(bank_tokens, ledger_tokens) else 0.0
    )
    best = max(sort_score, prefix, abbreviation, contained) / 100.0
    if contained:
        return best  # the whole ledger name stands inside the bank text
    if whole and _brand_word(bank_tokens, ledger_tokens):
        best = max(best, _BRAND_WORD)
    if _spelled_word_by_word(bank_tokens, ledger_tokens):
        best = max(best, _WORD_BY_WORD)
    # A firm is named by its first word: "PACIFIC PEAK INSURANCE" and "PRAIRIE PARK
    # INSURANCE" share most letters but not the name, so shared trailing words alone
    # never make the names agree.
    if not _same_start(bank_tokens, ledger_tokens, bank_c, ledger_c):
        best = min(best, 0.6)
    return best


def name_similarity(bank: DescriptionFeatures, ledger: DescriptionFeatures) -> float | None:
    """Similarity in [0, 1] of two counterparty names, or None when either is empty.

    ``None`` means "the descriptions cannot tell" (a bare ``DEPOSIT`` line), which the
    matcher must treat differently from "the descriptions disagree". Each kind of bank
    damage is forgiven by one view, and the best view counts: truncation and appended
    words such as a city or a memo (the shorter name equals the start of the longer,
    compared without spaces so that ``PAYPAL *BLUEBOTTLEC`` still starts ``BLUE BOTTLE
    COFFEE``), typos or word order (token-sort ratio), vowel-less abbreviations
    (``VZWRLSS``) and a brand inside a longer descriptor (``COURTYARD BY MARRIOTT``).
    Agreement of very short names proves little, so the prefix view is damped below
    eight characters. Token-set and free substring views are deliberately not used:
    they find "CANYON LEGAL GROUP" inside "CANYON PARK LEGAL GROUP", and some overlap
    between any two names, so they cannot tell "unrelated" from "truncated".
    """
    if bank.own_transfer and ledger.own_transfer and bank.account_tail and ledger.account_tail:
        # Both print the other account's last digits: they say which account it is.
        return 1.0 if bank.account_tail == ledger.account_tail else 0.0
    if not bank.name or not ledger.segments:
        return None
    best = max(
        _pair_similarity(bank.name, segment, i == 0 and segment == ledger.name)
        for i, segment in enumerate(ledger.segments)
    )
    paid_by = platform(bank.name)
    if paid_by in _PLATFORMS and any(seg.split()[0] == paid_by for seg in ledger.segments):
        best = max(best, 0.9)  # a payout from the platform the books name
    named = {_PLATFORM_SHORT.get(w, w) for seg in ledger.segments for w in seg.split()}
    named &= _PLATFORMS
    if paid_by in _PLATFORMS and ledger.card_sales and named <= {paid_by}:
        # Card sales in the books, the processor's payout at the bank; unless the books
        # say the takings went through another processor (Stripe's are not Worldpay's).
        best = max(best, 0.8)
    if bank.processor and (ledger.card_sales or ledger.net_of_fees):
        # Card takings in the books under the acquirer's trade name, its bank's brand
        # at the bank ("Chase Merchant Services" and ``CHASE PAYMENTECH``).
        brand = bank.name.split()[0]
        if any(seg.split()[0] == brand for seg in ledger.segments):
            best = max(best, 0.8)
    if _initials_with_link(bank, ledger):
        best = max(best, 0.8)  # the acronym of the whole name, linking word and all
    if bank.own_transfer and ledger.own_transfer:
        best = max(best, 0.8)  # both move money between the business's own accounts
    if paid_by in _PLATFORMS and any(paid_by in seg.split() for seg in ledger.segments):
        best = max(best, 0.9)  # the books name the platform later on ("Sales via Square")
    if bank.loan and ledger.loan:
        best = max(best, 0.8)  # a loan repayment and its principal or interest part
    if bank.payroll_processor and ledger.payroll:
        # A processor's debit and wages in the books. A salary paid straight to an
        # employee (``FPO LEE SALARY``) names the person, and the names must agree.
        best = max(best, 0.9)
    if bank.tax_authority and bank.tax_authority == ledger.tax_authority:
        best = max(best, 0.9)  # a remittance to the agency under the payee it names
    if bank.family and bank.family != ledger.family:
        # A sub-brand on the card line, the parent brand in the books.
        best = max(best, *(_pair_similarity(bank.family, seg, True) for seg in ledger.segments))
    return best


_CURRENCY_MARKS: tuple[tuple[str, str], ...] = (
    (r"US\s?\$|U\.S\.\s?\$|\$\s?US\b|\bUSD\b", "USD"),
    (r"€|\bEUR\b", "EUR"),
    (r"£|\bGBP\b", "GBP"),
    (r"C\$|\$\s?CA\b|\bCAD\b", "CAD"),
    (r"\bCHF\b", "CHF"),
    (r"\bJPY\b|¥", "JPY"),
    (r"\bAUD\b|A\$", "AUD"),
    (r"\bMXN\b", "MXN"),
)
"""How statements and ledgers write a foreign currency: ISO code, or symbol with its
country (``US$``, ``$ US`` in French Canada, ``C$``). A bare ``$`` names none."""
_CURRENCY = tuple((re.compile(pattern), code) for pattern, code in _CURRENCY_MARKS)
_MARK = "|".join(f"(?:{pattern})" for pattern, _ in _CURRENCY_MARKS)
_CONVERSION = re.compile(
    rf"(?P<mark1>{_MARK})?\s*(?P<amount>\d[\d,\s]*(?:[.,]\d{{2}}))\s*(?P<mark2>{_MARK})?"
    r"\s*(?:@|\bAT\b|\bAU TAUX DE\b|\bTAUX\b)\s*(?P<rate>\d+[.,]\d+)"
)


def currencies_named(text: str) -> frozenset[str]:
    """ISO codes of the currencies a description names (``FX TFR-TO US$`` is USD)."""
    upper = text.upper()
    return frozenset(code for pattern, code in _CURRENCY if pattern.search(upper))


def stated_conversion(text: str) -> tuple[str, Decimal, Decimal] | None:
    """The foreign currency, amount and rate a ledger memo states for a conversion.

    Convention of foreign-currency bookkeeping: an entry that moves money to or from a
    foreign-currency account is booked in the home currency at the rate the bookkeeper
    used (the day's published rate, or the one the bank quoted), and the memo keeps the
    foreign amount and that rate: ``To USD account 7898 (US$ 999.69 @ 1.3759)``,
    ``Vers le compte USD 2416 (1005.92 $ US @ 1.3209)``. None when no amount carries a
    currency mark next to a rate.
    """
    upper = text.upper()
    for found in _CONVERSION.finditer(upper):
        mark = found.group("mark1") or found.group("mark2")
        if not mark:
            continue
        codes = currencies_named(mark)
        raw = re.sub(r"[\s,]", "", found.group("amount")[:-3]) + "." + found.group("amount")[-2:]
        try:
            amount = Decimal(raw)
            rate = Decimal(found.group("rate").replace(",", "."))
        except ArithmeticError:
            continue
        if len(codes) == 1 and amount > 0 and rate > 0:
            return next(iter(codes)), amount, rate
    return None
