"""Loading a month of finance input (bank, ledger, claims, receipts) with exact errors.

Everything is validated before anything is returned, so a run never starts on
half-read data, and every problem names the file, line and column the user must fix.
Amounts are parsed straight from text into :class:`~decimal.Decimal`: no float ever
touches money.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from baton.errors import InputError
from baton.tools.finance.models import BankLine, Claim, LedgerEntry
from baton.tools.finance.policy import is_iso_currency

_AMOUNT = re.compile(r"[+-]?\d+(?:\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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

    def fail(self, column: str, message: str) -> InputError:
        return InputError(self.path, message, line=self.line, column=column)

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            raise self.fail(column, "value is empty")
        return value

    def date(self, column: str) -> date:
        value = self.text(column)
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(column, f"'{value}' is not a date in YYYY-MM-DD form") from None

    def amount(self, column: str, *, positive: bool = False) -> Decimal:
        value = self.text(column)
        if not _AMOUNT.fullmatch(value):
            raise self.fail(
                column, f"'{value}' is not an amount (digits, optional sign and decimal point)"
            )
        amount = Decimal(value)
        if positive and amount <= 0:
            raise self.fail(column, f"'{value}' must be greater than zero")
        return amount

    def currency(self, column: str) -> str:
        value = self.text(column).upper()
        if not is_iso_currency(value):
            raise self.fail(column, f"'{value}' is not an ISO 4217 currency code")
        return value


def _rows(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> Iterator[_Row]:
    """Yield data rows after checking the header; blank lines are skipped, ragged rows rejected."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle, strict=True)  # stray quotes are errors, not guesses
        try:
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise InputError(path, "file is empty; expected a header row", line=1)
            for name in required:
                if name not in header:
                    raise InputError(path, f"missing column '{name}'", line=1, column=name)
            seen: set[str] = set()
            for name in header:
                if name in seen and name in (*required, *optional):
                    raise InputError(path, f"column '{name}' appears twice", line=1, column=name)
                seen.add(name)
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(header):
                    raise InputError(
                        path,
                        f"expected {len(header)} fields, found {len(record)}",
                        line=reader.line_num,
                    )
                yield _Row(str(path), reader.line_num, dict(zip(header, record, strict=True)))
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not valid UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from exc


def _load(
    path: str | Path, required: Sequence[str], optional: Sequence[str], build: Callable[[_Row], T]
) -> list[T]:
    """Shared loop: parse every row and reject duplicate ids with both line numbers."""
    first_seen: dict[str, int] = {}
    items: list[T] = []
    for row in _rows(Path(path), required, optional):
        record_id = row.text("id")
        if record_id in first_seen:
            raise row.fail(
                "id", f"duplicate id '{record_id}' (first on line {first_seen[record_id]})"
            )
        first_seen[record_id] = row.line
        items.append(build(row))
    return items


def load_bank(path: str | Path) -> list[BankLine]:
    """Read ``bank.csv`` (``id,date,description,amount``; negative = money out)."""
    return _load(
        path,
        ("id", "date", "description", "amount"),
        (),
        lambda row: BankLine(
            id=row.text("id"),
            date=row.date("date"),
            description=row.text("description"),
            amount=row.amount("amount"),
        ),
    )


def load_ledger(path: str | Path) -> list[LedgerEntry]:
    """Read ``ledger.csv`` (``id,date,description,amount,ref[,entry_type]``)."""
    return _load(
        path,
        ("id", "date", "description", "amount", "ref"),
        ("entry_type",),
        lambda row: LedgerEntry(
            id=row.text("id"),
            date=row.date("date"),
            description=row.text("description"),
            amount=row.amount("amount"),
            ref=row.text("ref"),
            entry_type=row.text("entry_type", required=False),
        ),
    )


def load_claims(path: str | Path) -> list[Claim]:
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
    )


def load_vendors(path: str | Path) -> list[str]:
    """Read the optional vendor master ``vendors.csv`` (column ``name``) to spot new vendors."""
    names: list[str] = []
    first_seen: dict[str, int] = {}
    for row in _rows(Path(path), ("name",)):
        name = row.text("name")
        key = name.casefold()
        if key in first_seen:
            raise row.fail("name", f"duplicate vendor '{name}' (first on line {first_seen[key]})")
        first_seen[key] = row.line
        names.append(name)
    return names


def read_receipt(path: str | Path) -> ReceiptFile:
    """Read one receipt as text; PDFs go through pypdf's text extraction."""
    source = Path(path)
    try:
        if source.suffix.lower() == ".pdf":
            reader = PdfReader(source)
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        else:
            text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(source, f"cannot read receipt: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(source, f"receipt is not valid UTF-8 text ({exc.reason})") from exc
    except (PyPdfError, ValueError) as exc:
        raise InputError(source, f"cannot read PDF: {exc}") from exc
    if not text.strip():
        raise InputError(
            source, "receipt has no readable text (scanned image PDFs are not supported)"
        )
    return ReceiptFile(name=source.name, path=str(source), text=text)


def load_receipts(folder: str | Path) -> list[ReceiptFile]:
    """Read every ``.txt``/``.md``/``.pdf`` receipt in a folder, in file-name order."""
    directory = Path(folder)
    if not directory.is_dir():
        return []
    files = sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in RECEIPT_SUFFIXES
    )
    return [read_receipt(p) for p in files]


def load_month(folder: str | Path) -> FinanceInput:
    """Load a month folder: ``bank.csv`` and ``ledger.csv`` required; ``claims.csv``,
    ``vendors.csv`` and ``receipts/`` optional. Nothing is returned unless all of it is valid.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "month folder does not exist")
    claims_path, vendors_path = root / "claims.csv", root / "vendors.csv"
    return FinanceInput(
        folder=str(root),
        bank=load_bank(root / "bank.csv"),
        ledger=load_ledger(root / "ledger.csv"),
        claims=load_claims(claims_path) if claims_path.exists() else [],
        receipts=load_receipts(root / "receipts"),
        vendors=load_vendors(vendors_path) if vendors_path.exists() else [],
    )
