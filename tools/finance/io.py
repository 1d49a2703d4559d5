"""Loading a month of finance input (bank, ledger, claims, receipts) with exact errors.

Everything is validated before anything is returned, so a run never starts on
half-read data, and every problem names the file, line and column the user must fix.
Amounts are parsed straight from text into :class:`~decimal.Decimal`: no float ever
touches money.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from baton import safepath
from baton.errors import InputError
from baton.tools.finance.formats import (
    AmountStyle,
    DateOrder,
    DateStyle,
    FormatError,
    parse_currency,
    show_value,
)
from baton.tools.finance.models import BankLine, Claim, LedgerEntry
from baton.tools.finance.normalize import fold
from baton.tools.finance.policy import is_iso_currency

MAX_SPAN_DAYS = 400
"""How far a row's date may lie from the median date of its month's file."""
RECEIPT_SUFFIXES = (".txt", ".md", ".pdf")

T = TypeVar("T")


class ReceiptFile(BaseModel):
    """A receipt's text as read from disk; ``name`` is what ``Claim.receipt`` refers to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    path: str
    text: str


class FinanceInput(BaseModel):
    """One month's validated input, ready for matching, anomaly and policy checks."""

    model_config = ConfigDict(extra="forbid")

    folder: str
    bank: list[BankLine]
    ledger: list[LedgerEntry]
    claims: list[Claim] = Field(default_factory=list)
    receipts: list[ReceiptFile] = Field(default_factory=list)
    vendors: list[str] = Field(default_factory=list)

    def receipt_for(self, claim: Claim) -> ReceiptFile | None:
        """The receipt a claim names, matched case-insensitively; ``None`` if absent or missing."""
        wanted = claim.receipt.strip().casefold()
        if not wanted:
            return None
        return next((r for r in self.receipts if r.name.casefold() == wanted), None)


@dataclass(frozen=True)
class _Row:
    """One CSV record with the location needed for a precise error."""

    path: str
    line: int
    values: dict[str, str]
    dates: DateStyle = field(default_factory=DateStyle)
    amounts: AmountStyle = field(default_factory=AmountStyle)
    headers: Mapping[str, str] = field(default_factory=dict)
    """The export's own name of each field's column (``Posting Date`` for ``date``)."""
    cell: str | None = None
    """A money-out amount as its cell holds it, before the loader's minus sign."""

    def fail(self, column: str, message: str) -> InputError:
        """An error naming the column as the user's file names it, so it can be found."""
        shown = self.headers.get(column, column)
        return InputError(self.path, message, line=self.line, column=shown)

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            raise self.fail(column, "value is empty")
        return value

    def date(self, column: str) -> date:
        try:
            return self.dates.parse(self.text(column))
        except FormatError as exc:
            raise self.fail(column, str(exc)) from None

    def amount(self, column: str, *, positive: bool = False) -> Decimal:
        value = self.text(column)
        try:
            amount = self.amounts.parse(value)
        except FormatError as exc:
            message = _as_written(str(exc), value, self.cell) if column == "amount" else str(exc)
            raise self.fail(column, message) from None
        if positive and amount <= 0:
            raise self.fail(column, f"'{value}' must be greater than zero")
        return amount

    def currency(self, column: str) -> str:
        value = parse_currency(self.text(column))
        if not is_iso_currency(value):
            raise self.fail(column, f"'{value}' is not an ISO 4217 currency code")
        return value


_DELIMITERS = (",", ";", "\t")


def _delimiter(first_line: str, accepted: Collection[str], side: Side | None = None) -> str:
    """The delimiter that splits the header into the most expected column names.

    European Excel writes ``;`` because ``,`` is its decimal separator. A bank or ledger
    export (``side``) is scored on its names read loosely (:func:`_header_key`).
    """

    def score(sep: str) -> int:
        names = {name.strip().strip('"') for name in first_line.split(sep)}
        if side is not None:
            names = {_header_key(name) for name in names}
        return sum(name in accepted for name in names)

    return max(_DELIMITERS, key=score)


def _accepted(wanted: Sequence[str], side: Side | None) -> frozenset[str]:
    """Every header name (read loosely for a ``side``) that some wanted field accepts."""
    if side is None:
        return frozenset(wanted)
    names = {n for name in wanted for n in (name, *_SYNONYMS.get(name, ()))}
    return frozenset(names | set(_OUT[side]) | set(_IN[side]) | set(_PAYEE))


MAX_COLUMNS = 1_000
"""Most columns a header may have: exports have a few dozen at most."""


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("transaction id", "txn id", "fitid", "entry id", "line id"),
    "date": (
        "transaction date",
        "posting date",
        "posted date",
        "date posted",
        "booking date",
        "value date",
        "txn date",
        "trans date",
    ),
    "description": (
        "details",
        "narrative",
        "narration",
        "memo",
        "transaction description",
        "transaction details",
        "particulars",
        "libelle",
        "description 1",
        "memo description",
    ),
    "amount": (
        "transaction amount",
        "montant",
        "value",
        "amount gbp",
        "amount cad",
        "amount usd",
        "amount eur",
        "cad",
        "gbp",
        "usd",
    ),
    "ref": (
        "reference",
        "ref no",
        "ref number",
        "reference number",
        "doc number",
        "document number",
        "num",
        "cheque number",
        "check number",
        "cheque no",
        "check no",
    ),
    "entry_type": ("type", "transaction type", "entry type"),
}
"""Other names bank and accounting exports give the columns a bank or ledger file needs."""
_MORE_TEXT = ("description 2", "description 3")
"""RBC splits a line's text over numbered description columns."""
_CHEQUE_COLUMNS = ("cheque number", "check number", "cheque no", "check no", "check or slip")
"""A statement's column for the cheque number, which its text may leave out."""
_CHEQUE_ALONE = re.compile(r"^(?:CHEQUE|CHQ|CHECK|CHK)\.?\s*$")
"""A description that is only the word cheque, the number in its own column."""
_ACCOUNT = ("account number", "account no")
"""A bank export's column naming the account of each row (RBC, Barclays): an export
of several accounts at once holds two statements, which no reconciliation can mix."""
_CURRENCY_AMOUNTS = (
    "cad",
    "usd",
    "gbp",
    "eur",
    "amount cad",
    "amount usd",
    "amount gbp",
    "amount eur",
)
"""Amount columns named by their currency (RBC's ``CAD$`` and ``USD$``)."""
_PAYEE = ("payee", "name", "payee name", "counterparty", "counter party", "beneficiary")
"""A column naming the other party, apart from the memo (QuickBooks, Xero exports)."""
Side = Literal["bank", "ledger"]
"""Whose export a file is: it decides which of two amount columns is money out."""
_OUT: dict[Side, tuple[str, ...]] = {
    # A statement debits the customer's account when money leaves it.
    "bank": (
        "debit",
        "debits",
        "debit amount",
        "withdrawal",
        "withdrawals",
        "paid out",
        "money out",
    ),
    # The books debit the bank account when money arrives (double entry), so a ledger's
    # Credit column is money out; a register's Payment or Spent column says so plainly.
    "ledger": ("credit", "credits", "credit amount", "payment", "payments", "spent", "money out"),
}
_IN: dict[Side, tuple[str, ...]] = {
    "bank": ("credit", "credits", "credit amount", "deposit", "deposits", "paid in", "money in"),
    "ledger": ("debit", "debits", "debit amount", "deposit", "deposits", "received", "money in"),
}
"""Exports that split money out and in over two columns (Lloyds, NatWest, QuickBooks)."""


def _header_key(name: str) -> str:
    """A header name compared loosely: case, accents, spaces and punctuation aside."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(name).casefold()).split())


@dataclass(frozen=True)
class _Columns:
    """Which header column holds each field a loader wants, and how the rest is made."""

    found: dict[str, int]
    split: tuple[int, int] | None = None
    """Debit and credit columns that make the amount."""
    payee: int | None = None
    """A payee column (QuickBooks "Name") read before the memo: "Name - Memo"."""
    numbered: bool = False
    """No id column: a row's id is the file's name and its line (``bank-12``)."""
    more: tuple[int, ...] = ()
    """Further description columns (RBC's ``Description 2``), read after the first."""
    cheque: int | None = None
    """A bank export's cheque-number column (RBC, Chase): ``CHEQUE 1043`` in the text."""
    account: int | None = None
    """A bank export's account column (:data:`_ACCOUNT`): one account per file."""
    other_money: tuple[int, ...] = ()
    """Amount columns in other currencies than the one read (RBC's ``USD$``)."""


def _columns(header: Sequence[str], wanted: Sequence[str], side: Side | None) -> _Columns:
    """The column of each wanted field: its own name first, then (for bank and ledger
    exports, ``side``) the other names exports give it, in :data:`_SYNONYMS` order.

    An export with separate money-out and money-in columns and no amount gives both,
    read as the side's convention has them (:data:`_OUT`).
    """
    aliases = side is not None
    keys: dict[str, int] = {}
    for i, name in enumerate(header):
        keys.setdefault(_header_key(name) if aliases else name, i)
    found: dict[str, int] = {}
    for name in wanted:
        names = (name, *_SYNONYMS.get(name, ())) if aliases else (name,)
        index = next((keys[n] for n in names if n in keys), None)
        if index is not None and index not in found.values():
            found[name] = index
    split = payee = None
    if side is not None and "amount" in wanted and "amount" not in found:
        out = next((keys[n] for n in _OUT[side] if n in keys), None)
        into = next((keys[n] for n in _IN[side] if n in keys), None)
        if out is not None and into is not None:
            split = (out, into)
    if aliases and "description" in wanted:
        payee = next((keys[n] for n in _PAYEE if n in keys), None)
        if payee is not None and "description" not in found:
            found["description"], payee = payee, None
    numbered = aliases and "id" in wanted and "id" not in found
    more: tuple[int, ...] = ()
    cheque = None
    if aliases and "description" in wanted:
        more = tuple(keys[n] for n in _MORE_TEXT if n in keys)
        if "ref" not in wanted:
            cheque = next((keys[n] for n in _CHEQUE_COLUMNS if n in keys), None)
    account = None
    if side == "bank":
        account = next((keys[n] for n in _ACCOUNT if n in keys), None)
    amount = found.get("amount")
    other_money: tuple[int, ...] = ()
    if aliases and amount is not None and _header_key(header[amount]) in _CURRENCY_AMOUNTS:
        other_money = tuple(keys[n] for n in _CURRENCY_AMOUNTS if n in keys and keys[n] != amount)
    return _Columns(found, split, payee, numbered, more, cheque, account, other_money)


_NO_MONEY = re.compile(r"^[\s0.,\-\u2013\u2014]*$")
"""An amount cell that holds no money: blank, zero or a dash."""


def _signed(out: str, into: str) -> str | None:
    """One signed amount from a money-out and money-in pair, out negative; None unless
    one of the two holds no money (:data:`_NO_MONEY`): a row is one or the other."""
    out, into = out.strip(), into.strip()
    if not _NO_MONEY.match(into):
        return into if _NO_MONEY.match(out) else None
    if not _NO_MONEY.match(out):
        return out if out.startswith(("-", "(")) else "-" + out.lstrip("+")
    return into or out


def _account_key(value: str) -> str:
    """An account number compared as the bank means it: ``06352-1001234``, ``0635
    21001234`` and ``635-21001234`` are one account."""
    return re.sub(r"[^0-9A-Za-z]", "", value).lstrip("0").upper()


def _one_account(
    path: Path,
    header: Sequence[str],
    columns: _Columns,
    record: Sequence[str],
    line: int,
    seen: dict[str, tuple[str, int]],
) -> None:
    """Refuse a second account in one statement file (an "all accounts" export).

    Why: lines of two accounts would be matched against one ledger account, and every
    transfer between them would look like two unexplained lines.
    """
    if columns.account is None:
        return
    account = record[columns.account].strip()
    key = _account_key(account)
    if not key:
        return
    if seen and key not in seen:
        first, first_line = next(iter(seen.values()))
        raise _second(
            path,
            (line, header[columns.account]),
            f"a second account {show_value(account)}",
            (first_line, show_value(first)),
            "a statement file holds one account",
        )
    seen.setdefault(key, (account, line))


def _second(
    path: Path, where: tuple[int, str], found: str, first: tuple[int, str], rule: str
) -> InputError:
    """The error for a file that mixes what must be one: ``found`` at ``where`` (line,
    column), ``first`` (line, value) seen before it, and the ``rule`` it breaks."""
    return InputError(
        path,
        f"{found} (line {first[0]} has {first[1]}); {rule}: export each on its own",
        line=where[0],
        column=where[1],
    )


def _money_column(
    path: Path,
    header: Sequence[str],
    columns: _Columns,
    record: Sequence[str],
    line: int,
    used: dict[int, int],
) -> int | None:
    """The column holding this row's amount when amounts are named by currency.

    Why: RBC prints a US-dollar account's lines under ``USD$`` beside an empty
    ``CAD$``. A file whose every row uses one such column is read from it; a file that
    uses two would mix currencies in one reconciliation, so it is refused at the first
    row in the second currency, as is a row with money in both.
    """
    amount = columns.found.get("amount")
    if amount is None or not columns.other_money:
        return amount
    holding = [i for i in (amount, *columns.other_money) if not _NO_MONEY.match(record[i])]
    if len(holding) > 1:
        names = " and ".join(f"'{header[i]}'" for i in holding)
        raise InputError(path, f"{names} both hold an amount; a row is in one currency", line=line)
    column = holding[0] if holding else amount
    if holding and used and column not in used:
        first, first_line = next(iter(used.items()))
        raise _second(
            path,
            (line, header[column]),
            f"an amount in '{header[column]}'",
            (first_line, f"amounts in '{header[first]}'"),
            "a statement file holds one currency",
        )
    if holding:
        used.setdefault(column, line)
    return column


def _read_csv(path: Path, root: Path | None) -> str:
    return safepath.decode(safepath.read_bytes(path, root=root), path)


def _rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    root: Path | None = None,
    date_order: DateOrder = "auto",
    side: Side | None = None,
) -> list[_Row]:
    """Data rows after checking the header; blank lines are skipped, ragged rows rejected.

    The file's date and decimal conventions are read from its own ``date`` and
    ``amount`` columns first (see :mod:`tools.finance.formats`), so every row is read
    the same way. With a ``side``, a bank's or bookkeeping package's own export is read
    as it is (``Transaction Date``, ``Details``, ``Debit`` and ``Credit``): each row is
    keyed by the field names the loaders use.
    """
    text = _read_csv(path, root)
    first_line = text.split("\n", 1)[0]
    accepted = _accepted((*required, *optional), side)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_delimiter(first_line, accepted, side),
        strict=True,
    )  # stray quotes are errors, not guesses
    records: list[tuple[int, dict[str, str], Mapping[str, str], str | None]] = []
    accounts: dict[str, tuple[str, int]] = {}
    currencies: dict[int, int] = {}
    # The first row with an empty trailing field, and the first without one.
    trailing: int | None = None
    exact: int | None = None
    try:
        header = [name.strip() for name in next(reader, [])]
        if not header:
            raise InputError(path, "file is empty; expected a header row", line=1)
        if len(header) > MAX_COLUMNS:
            raise InputError(path, f"{len(header)} columns; at most {MAX_COLUMNS}", line=1)
        seen: dict[str, str] = {}
        for name in header:
            key = _header_key(name) if side else name
            if key in seen and key in accepted:
                first = seen[key]
                also = f" (as '{first}')" if first != name else ""
                raise InputError(path, f"column '{name}' appears twice{also}", line=1, column=name)
            seen[key] = name
        columns = _columns(header, (*required, *optional), side)
        headers = {name: header[i] for name, i in columns.found.items()}
        split_headers: tuple[dict[str, str], dict[str, str]] | None = None
        if columns.split:
            out_name, in_name = (header[i] for i in columns.split)
            headers["amount"] = f"{out_name}/{in_name}"
            split_headers = ({**headers, "amount": out_name}, {**headers, "amount": in_name})
        made = {"amount": bool(columns.split), "id": columns.numbered}
        for name in required:
            if name not in columns.found and not made.get(name):
                others = _SYNONYMS.get(name, ()) if side else ()
                also = f" (or one of: {', '.join(others[:4])}, …)" if others else ""
                raise InputError(path, f"missing column '{name}'{also}", line=1, column=name)
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) == len(header) + 1 and not record[-1].strip():
                # Chase ends each checking row with a comma its header lacks: an empty
                # trailing field is no data, so it is no ragged row either, provided
                # every row has it (see the check after the loop).
                record = record[:-1]
                trailing = trailing or reader.line_num
            elif len(record) == len(header):
                exact = exact or reader.line_num
            if len(record) != len(header):
                raise InputError(
                    path,
                    f"expected {len(header)} fields, found {len(record)}",
                    line=reader.line_num,
                )
            values = {name: record[i] for name, i in columns.found.items()}
            _one_account(path, header, columns, record, reader.line_num, accounts)
            money = _money_column(path, header, columns, record, reader.line_num, currencies)
            if money == columns.found.get("amount"):
                money = None  # the file's own amount column: nothing to move
            if money is not None:
                values["amount"] = record[money]
            if columns.numbered:
                values["id"] = f"{path.stem}-{reader.line_num}"
            if columns.payee is not None:
                parts = (record[columns.payee].strip(), values.get("description", "").strip())
                values["description"] = " - ".join(part for part in parts if part)
            if columns.more:
                texts = (values.get("description", ""), *(record[i] for i in columns.more))
                values["description"] = " ".join(t.strip() for t in texts if t.strip())
            number = record[columns.cheque].strip() if columns.cheque is not None else ""
            if number and number not in values.get("description", ""):
                text = values.get("description", "").strip()
                word = " " if text and _CHEQUE_ALONE.match(fold(text)) else " CHEQUE "
                values["description"] = f"{text}{word}{number}".strip()
            cell: str | None = None  # a money-out cell as written, before its minus
            if columns.split:
                out, into = (header[i] for i in columns.split)
                signed = _signed(record[columns.split[0]], record[columns.split[1]])
                if signed is None:
                    raise InputError(
                        path,
                        f"'{out}' and '{into}' both hold something; a row is money out or in",
                        line=reader.line_num,
                        column=headers["amount"],
                    )
                values["amount"] = signed
                incoming = _NO_MONEY.match(record[columns.split[0]]) is not None
                if not incoming and signed != record[columns.split[0]].strip():
                    cell = record[columns.split[0]].strip()
            row_headers = headers
            if split_headers is not None and columns.split:
                row_headers = split_headers[incoming]
            elif money is not None:
                row_headers = {**headers, "amount": header[money]}
            records.append((reader.line_num, values, row_headers, cell))
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from exc
    if trailing is not None and exact is not None:
        # Some rows one field longer than the others: an unquoted comma in a text
        # shifted that row's fields, which would silently move money between columns.
        raise InputError(
            path,
            f"expected {len(header)} fields, found {len(header) + 1} (line {exact} "
            f"has {len(header)}); quote a text holding a comma",
            line=trailing,
        )
    try:
        dates = DateStyle.detect(((n, v.get("date", "")) for n, v, _h, _c in records), date_order)
        amounts = AmountStyle.detect((n, v.get("amount", "")) for n, v, _h, _c in records)
    except FormatError as exc:
        column = "amount" if "amount" in str(exc) else "date"
        row = next((r for r in records if r[0] == exc.line), None)
        named = row[2] if row else headers
        message = str(exc)
        if row and column == "amount":
            message = _as_written(message, row[1].get("amount", ""), row[3])
        raise InputError(path, message, line=exc.line, column=named.get(column, column)) from None
    return [_Row(str(path), n, values, dates, amounts, h, c) for n, values, h, c in records]


def _as_written(message: str, value: str, cell: str | None) -> str:
    """An error about a money-out amount quoting the cell as the file holds it (``1x``),
    not with the minus sign the loader put before it (``-1x``)."""
    if cell is None:
        return message
    return message.replace(show_value(value.strip()), show_value(cell), 1)


def _check_span(
    path: Path,
    items: Sequence[BankLine | LedgerEntry | Claim],
    lines: list[int],
    column: str = "date",
) -> None:
    """A month's file whose dates stray a year from the rest holds a typo, not a transaction."""
    if len(items) < 2:
        return
    ordered = sorted(item.date for item in items)
    median = ordered[len(ordered) // 2]
    for item, line in zip(items, lines, strict=True):
        if abs((item.date - median).days) > MAX_SPAN_DAYS:
            raise InputError(
                path,
                f"date {item.date} is more than {MAX_SPAN_DAYS} days from the file's other "
                f"dates (median {median}); a month's file cannot hold it",
                line=line,
                column=column,
            )


def _load(
    path: str | Path,
    required: Sequence[str],
    optional: Sequence[str],
    build: Callable[[_Row], T],
    *,
    root: Path | None = None,
    date_order: DateOrder = "auto",
    side: Side | None = None,
) -> list[T]:
    """Shared loop: parse every row and reject duplicate ids with both line numbers."""
    first_seen: dict[str, int] = {}
    items: list[T] = []
    rows = _rows(Path(path), required, optional, root=root, date_order=date_order, side=side)
    for row in rows:
        record_id = row.text("id")
        if record_id in first_seen:
            raise row.fail(
                "id", f"duplicate id '{record_id}' (first on line {first_seen[record_id]})"
            )
        first_seen[record_id] = row.line
        items.append(build(row))
    dated = [i for i in items if isinstance(i, BankLine | LedgerEntry | Claim)]
    if len(dated) == len(items):
        column = rows[0].headers.get("date", "date") if rows else "date"
        _check_span(Path(path), dated, list(first_seen.values()), column)
    return items


def load_bank(
    path: str | Path, *, root: Path | None = None, date_order: DateOrder = "auto"
) -> list[BankLine]:
    """Read ``bank.csv`` (``id,date,description,amount``; negative = money out).

    A bank's own export is read as it is: other column names (``Transaction Date``,
    ``Details``) and separate ``Debit`` and ``Credit`` columns (:data:`_SYNONYMS`). A
    type column (Lloyds' ``DD``, ``FPO``, ``CHQ``) is put before the description, where
    a statement prints it and where matching reads it (:func:`_typed`).
    """
    return _load(
        path,
        ("id", "date", "description", "amount"),
        ("entry_type",),
        lambda row: BankLine(
            id=row.text("id"),
            date=row.date("date"),
            description=_typed(row.text("entry_type", required=False), row.text("description")),
            amount=_bank_amount(row),
        ),
        root=root,
        date_order=date_order,
        side="bank",
    )


_SIGN_WORDS = {"DEBIT": -1, "DR": -1, "WITHDRAWAL": -1, "CREDIT": 1, "CR": 1, "DEPOSIT": 1}
"""A type column that only says which way the money went (Mint's ``debit``)."""


def _typed(kind: str, description: str) -> str:
    """``DD BRITISH GAS`` from a type column (``DD``) and a description (``BRITISH GAS``).

    Exports that keep the type apart print it as a code or a word (``ACH_DEBIT``); a
    description that already starts with it is left alone, and so is a type that only
    gives the direction (:data:`_SIGN_WORDS`, applied to the amount instead).
    """
    kind = " ".join(kind.replace("_", " ").split())
    folded, code = fold(description), fold(kind)
    if not kind or code in _SIGN_WORDS or folded == code or folded.startswith(code + " "):
        return description
    return f"{kind} {description}"


def _bank_amount(row: _Row) -> Decimal:
    """The row's amount, money out negative even when the export prints every amount
    unsigned and says ``debit`` in a type column."""
    amount = row.amount("amount")
    direction = _SIGN_WORDS.get(fold(row.text("entry_type", required=False)), 0)
    return -abs(amount) if direction < 0 else amount


def load_ledger(
    path: str | Path, *, root: Path | None = None, date_order: DateOrder = "auto"
) -> list[LedgerEntry]:
    """Read ``ledger.csv`` (``id,date,description,amount[,ref][,entry_type]``).

    Most entries carry no reference, so ``ref`` may be blank or absent.
    """
    return _load(
        path,
        ("id", "date", "description", "amount"),
        ("ref", "entry_type"),
        lambda row: LedgerEntry(
            id=row.text("id"),
            date=row.date("date"),
            description=row.text("description"),
            amount=row.amount("amount"),
            ref=row.text("ref", required=False),
            entry_type=row.text("entry_type", required=False),
        ),
        root=root,
        date_order=date_order,
        side="ledger",
    )


def load_claims(
    path: str | Path, *, root: Path | None = None, date_order: DateOrder = "auto"
) -> list[Claim]:
    """Read ``claims.csv``; the currency must be a real ISO 4217 code and the amount positive."""
    return _load(
        path,
        ("id", "employee", "date", "merchant", "amount", "currency", "category"),
        ("receipt",),
        lambda row: Claim(
            id=row.text("id"),
            employee=row.text("employee"),
            date=row.date("date"),
            merchant=row.text("merchant"),
            amount=row.amount("amount", positive=True),
            currency=row.currency("currency"),
            category=row.text("category").casefold(),
            receipt=row.text("receipt", required=False),
        ),
        root=root,
        date_order=date_order,
    )


def load_vendors(path: str | Path, *, root: Path | None = None) -> list[str]:
    """Read the optional vendor master ``vendors.csv`` (column ``name``) to spot new vendors."""
    names: list[str] = []
    first_seen: dict[str, int] = {}
    for row in _rows(Path(path), ("name",), root=root):
        name = row.text("name")
        key = name.casefold()
        if key in first_seen:
            raise row.fail("name", f"duplicate vendor '{name}' (first on line {first_seen[key]})")
        first_seen[key] = row.line
        names.append(name)
    return names


def read_receipt(path: str | Path, *, root: Path | None = None) -> ReceiptFile:
    """Read one receipt as text; PDFs go through pypdf's text extraction.

    The file must be a regular file inside ``root`` (default: its folder), see
    :mod:`baton.safepath`; text may be UTF-8, UTF-16 or Windows-1252.
    """
    source = Path(path)
    data = safepath.read_bytes(source, root=root, what="receipt")
    if source.suffix.lower() == ".pdf":
        try:
            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        except (PyPdfError, ValueError, KeyError, OSError) as exc:
            raise InputError(source, f"cannot read PDF: {exc}") from exc
    else:
        text = safepath.decode(data, source, what="receipt")
    if not text.strip():
        raise InputError(
            source, "receipt has no readable text (scanned image PDFs are not supported)"
        )
    return ReceiptFile(name=source.name, path=str(source), text=text)


def load_receipts(folder: str | Path, *, root: Path | None = None) -> list[ReceiptFile]:
    """Read every ``.txt``/``.md``/``.pdf`` receipt in a folder, in file-name order.

    Symlinks leaving ``root`` (default: the folder) and non-regular files are skipped
    with an :class:`~baton.safepath.InputWarning`.
    """
    directory = Path(folder)
    if not directory.is_dir():
        return []
    root = directory if root is None else root
    files = safepath.list_files(directory, suffixes=RECEIPT_SUFFIXES, root=root)
    return [read_receipt(p, root=root) for p in files]


def load_month(folder: str | Path, *, date_order: DateOrder = "auto") -> FinanceInput:
    """Load a month folder: ``bank.csv`` and ``ledger.csv`` required; ``claims.csv``,
    ``vendors.csv`` and ``receipts/`` optional. Nothing is returned unless all of it is valid.

    ``date_order`` settles numeric dates that no row of a file disambiguates.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "month folder does not exist")
    claims_path, vendors_path = root / "claims.csv", root / "vendors.csv"
    order = date_order
    bank = load_bank(root / "bank.csv", root=root, date_order=order)
    if not bank:
        # A statement export with a header and nothing under it is nearly always the wrong
        # file or account; reconciling it would report every ledger entry as outstanding.
        raise InputError(
            root / "bank.csv", "no transactions under the header; nothing to reconcile", line=2
        )
    return FinanceInput(
        folder=str(root),
        bank=bank,
        ledger=load_ledger(root / "ledger.csv", root=root, date_order=order),
        claims=load_claims(claims_path, root=root, date_order=order)
        if _present(claims_path)
        else [],
        receipts=load_receipts(root / "receipts", root=root),
        vendors=load_vendors(vendors_path, root=root) if _present(vendors_path) else [],
    )


def _present(path: Path) -> bool:
    """An optional file exists, or is a (possibly broken) link the loader must refuse."""
    return path.exists() or path.is_symlink()
