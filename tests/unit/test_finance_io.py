"""Loading a finance month: exact values, and errors that name file, line and column."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baton.errors import InputError
from baton.tools.finance.io import load_bank, load_claims, load_ledger, load_month, read_receipt

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "finance" / "2026-10"

BANK_HEADER = "id,date,description,amount\n"
LEDGER_HEADER = "id,date,description,amount,ref,entry_type\n"
CLAIMS_HEADER = "id,employee,date,merchant,amount,currency,category,receipt\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_month_loads_completely() -> None:
    month = load_month(MONTH)
    assert (len(month.bank), len(month.ledger), len(month.claims)) == (298, 318, 28)
    assert len(month.receipts) == 22
    assert {r.name for r in month.receipts if r.name.endswith(".pdf")} == {
        "r21-coffee-hit-invoice.pdf",
        "r22-sca-invoice.pdf",
    }
    assert "Quickfix Facilities" not in month.vendors and "Dales Dairy Ltd" in month.vendors
    assert all(isinstance(line.amount, Decimal) for line in month.bank)
    # Every receipt a claim names exists; claims without one are the planted ones.
    missing = [c.id for c in month.claims if month.receipt_for(c) is None]
    assert missing == ["C-1004", "C-1016", "C-1024", "C-1027", "C-1028"]


def test_pdf_receipt_text_is_extracted() -> None:
    receipt = read_receipt(MONTH / "receipts" / "r22-sca-invoice.pdf")
    assert "Amount due" in receipt.text and "£420.00" in receipt.text


def test_amounts_are_exact_decimals(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bank.csv", BANK_HEADER + "B1,2026-10-01,FEE,-0.10\nB2,2026-10-02,X,+7\n"
    )
    lines = load_bank(path)
    assert [line.amount for line in lines] == [Decimal("-0.10"), Decimal("7")]
    assert str(lines[0].amount) == "-0.10"


def test_entry_type_may_be_missing_or_empty(tmp_path: Path) -> None:
    no_column = write(
        tmp_path, "l1.csv", "id,date,description,amount,ref\nG1,2026-10-01,Rent,-5.00,R1\n"
    )
    empty = write(tmp_path, "l2.csv", LEDGER_HEADER + "G1,2026-10-01,Rent,-5.00,R1,\n")
    assert load_ledger(no_column)[0].entry_type == ""
    assert load_ledger(empty)[0].entry_type == ""


def test_header_bom_blank_lines_and_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes(
        ("\ufeff" + BANK_HEADER + '\nB1,2026-10-01,"SMITH, J & CO",-1.00\n\n').encode()
    )
    [line] = load_bank(path)
    assert line.description == "SMITH, J & CO"


def test_claim_currency_is_normalised_and_category_casefolded(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", CLAIMS_HEADER + "C1,A B,2026-10-01,Pret,4.50,eur,Meals,\n")
    [claim] = load_claims(path)
    assert (claim.currency, claim.category, claim.receipt) == ("EUR", "meals", "")


@pytest.mark.parametrize(
    ("loader", "text", "line", "column", "fragment"),
    [
        (
            load_bank,
            BANK_HEADER + "B1,2026-13-01,X,1.00\n",
            2,
            "date",
            "'2026-13-01' is not a date",
        ),
        (load_bank, BANK_HEADER + "B1,01/10/2026,X,1.00\n", 2, "date", "YYYY-MM-DD"),
        (
            load_bank,
            BANK_HEADER + "B1,2026-10-01,X,1.00\nB2,2026-10-01,X,1,50\n",
            3,
            None,
            "expected 4 fields, found 5",
        ),
        (load_bank, BANK_HEADER + "B1,2026-10-01,X,12.5.0\n", 2, "amount", "not an amount"),
        (load_bank, BANK_HEADER + "B1,2026-10-01,X,1e3\n", 2, "amount", "not an amount"),
        (load_bank, BANK_HEADER + "B1,2026-10-01,X,NaN\n", 2, "amount", "not an amount"),
        (load_bank, BANK_HEADER + "B1,2026-10-01,X,\n", 2, "amount", "value is empty"),
        (
            load_bank,
            BANK_HEADER + "B1,2026-10-01,X,1\nB2,2026-10-01,X,1\nB1,2026-10-02,Y,2\n",
            4,
            "id",
            "duplicate id 'B1' (first on line 2)",
        ),
        (load_bank, "id,date,amount\nB1,2026-10-01,1\n", 1, "description", "missing column"),
        (load_bank, "", 1, None, "file is empty"),
        (
            load_ledger,
            LEDGER_HEADER + "G1,2026-10-01,,-5,,\n",
            2,
            "description",
            "value is empty",
        ),
        (
            load_claims,
            CLAIMS_HEADER + "C1,A B,2026-10-01,Pret,4.50,XYZ,meals,\n",
            2,
            "currency",
            "'XYZ' is not an ISO 4217 currency code",
        ),
        (
            load_claims,
            CLAIMS_HEADER + "C1,A B,2026-10-01,Pret,-4.50,GBP,meals,\n",
            2,
            "amount",
            "greater than zero",
        ),
    ],
)
def test_bad_input_names_file_line_and_column(
    tmp_path: Path,
    loader: object,
    text: str,
    line: int,
    column: str | None,
    fragment: str,
) -> None:
    path = write(tmp_path, "input.csv", text)
    with pytest.raises(InputError) as error:
        loader(path)  # type: ignore[operator]
    assert error.value.path == str(path)
    assert error.value.line == line
    assert error.value.column == column
    assert fragment in error.value.detail
    rendered = str(error.value)
    assert rendered.startswith(f"{path}:{line}")
    if column:
        assert f"column '{column}'" in rendered


def test_exports_are_read_strictly_where_a_guess_would_change_money(tmp_path: Path) -> None:
    # A French export with semicolons is split on them, found by its own column names.
    french = write(tmp_path, "fr.csv", "Date;Libellé;Montant\n2026-10-01;Retrait au GA;-100,00\n")
    assert [(b.description, b.amount) for b in load_bank(french)] == [
        ("Retrait au GA", Decimal("-100.00"))
    ]
    # Mint prints every amount unsigned and the direction in a type column.
    mint = write(
        tmp_path,
        "mint.csv",
        "Date,Description,Amount,Transaction Type\n"
        "2026-10-01,DEBENHAMS,12.50,debit\n2026-10-02,ACME,20.00,credit\n",
    )
    assert [(b.description, b.amount) for b in load_bank(mint)] == [
        ("DEBENHAMS", Decimal("-12.50")),
        ("ACME", Decimal("20.00")),
    ]
    # A code is a whole word: DEB before DEBENHAMS is Lloyds' debit-card code.
    deb = write(tmp_path, "deb.csv", "Date,Type,Description,Amount\n2026-10-01,DEB,DEBENHAMS,-5\n")
    assert [b.description for b in load_bank(deb)] == ["DEB DEBENHAMS"]
    for name, text, line in (
        ("twice.csv", "ID,Date,Date,Details,Amount\nT1,2026-10-01,2026-10-02,X,1\n", 1),
        ("na.csv", "ID,Date,Details,Debit,Credit\nT1,2026-10-01,X,n/a,5.00\n", 2),
    ):
        with pytest.raises(InputError) as error:
            load_bank(write(tmp_path, name, text))
        assert error.value.line == line, name


def test_a_ledger_entry_may_have_no_reference(tmp_path: Path) -> None:
    blank = write(tmp_path, "blank.csv", LEDGER_HEADER + "G1,2026-10-01,Rent,-5,,\n")
    absent = write(tmp_path, "absent.csv", "id,date,description,amount\nG1,2026-10-01,Rent,-5\n")
    assert [e.ref for e in load_ledger(blank)] == [e.ref for e in load_ledger(absent)] == [""]


def test_a_banks_and_a_packages_own_exports_load_as_they_are(tmp_path: Path) -> None:
    bank = write(
        tmp_path,
        "bank.csv",
        "Transaction ID,Posting Date,Details,Debit,Credit,Balance\n"
        "T1,2026-10-01,CARD PAYMENT TO TESCO STORES,12.50,,987.50\n"
        'T2,2026-10-02,FPI ACME LTD REF INV-1,,"1,200.00",2187.50\n'
        "T3,2026-10-03,DD BRITISH GAS,-45.00,,2142.50\n",
    )
    assert [(b.id, str(b.date), b.description, b.amount) for b in load_bank(bank)] == [
        ("T1", "2026-10-01", "CARD PAYMENT TO TESCO STORES", Decimal("-12.50")),
        ("T2", "2026-10-02", "FPI ACME LTD REF INV-1", Decimal("1200.00")),
        ("T3", "2026-10-03", "DD BRITISH GAS", Decimal("-45.00")),
    ]
    ledger = write(
        tmp_path,
        "ledger.csv",
        "ID,Date,Memo,Amount,Reference,Transaction Type\nG1,2026-10-01,Tesco,-12.50,R1,Expense\n",
    )
    [entry] = load_ledger(ledger)
    assert (entry.description, entry.ref, entry.entry_type) == ("Tesco", "R1", "Expense")
    # Lloyds keeps the statement's type code apart; matching reads it before the text.
    lloyds = write(
        tmp_path,
        "lloyds.csv",
        "Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount\n"
        "2026-10-01,DD,BRITISH GAS,45.00,\n"
        "2026-10-13,CHQ,000123,250.00,\n"
        "2026-10-14,DEB,DEB TESCO STORES,12.00,\n",
    )
    assert [(b.id, b.description, b.amount) for b in load_bank(lloyds)] == [
        ("lloyds-2", "DD BRITISH GAS", Decimal("-45.00")),
        ("lloyds-3", "CHQ 000123", Decimal("-250.00")),
        ("lloyds-4", "DEB TESCO STORES", Decimal("-12.00")),
    ]
    # RBC splits the text over two columns and keeps the cheque number apart.
    rbc = write(
        tmp_path,
        "rbc.csv",
        "Account Type,Transaction Date,Cheque Number,Description 1,Description 2,CAD$,USD$\n"
        "Chequing,2026-10-13,,Misc Payment,BELL CANADA,-85.20,\n"
        "Chequing,2026-10-14,1043,CHEQUE,,-900.00,\n",
    )
    assert [(b.description, b.amount) for b in load_bank(rbc)] == [
        ("Misc Payment BELL CANADA", Decimal("-85.20")),
        ("CHEQUE 1043", Decimal("-900.00")),
    ]
    # QuickBooks' transaction report: no id column, the payee apart from the memo.
    qbo = write(
        tmp_path,
        "qbo.csv",
        "Date,Transaction Type,Num,Name,Memo/Description,Account,Amount\n"
        "2026-10-01,Expense,,Tesco,Office supplies,Bank,-12.50\n"
        "2026-10-13,Cheque,1043,,Rent October,Bank,-900.00\n",
    )
    assert [(e.id, e.description, e.ref, e.entry_type) for e in load_ledger(qbo)] == [
        ("qbo-2", "Tesco - Office supplies", "", "Expense"),
        ("qbo-3", "Rent October", "1043", "Cheque"),
    ]
    # The books' side of the same money: double entry debits the bank account when money
    # arrives, so a ledger's Debit column is money in and its Credit column money out.
    books = write(
        tmp_path,
        "books.csv",
        "ID,Date,Memo,Reference,Debit,Credit\n"
        "G1,2026-10-01,Tesco,,,12.50\n"
        "G2,2026-10-02,Acme Ltd,INV-1,1200.00,\n",
    )
    assert [e.amount for e in load_ledger(books)] == [Decimal("-12.50"), Decimal("1200.00")]
    both = write(tmp_path, "both.csv", "ID,Date,Details,Debit,Credit\nT1,2026-10-01,X,5.00,5.00\n")
    with pytest.raises(InputError) as error:
        load_bank(both)
    assert (error.value.line, error.value.column) == (2, "Debit/Credit")
    bare = write(tmp_path, "bare.csv", "ID,Date,Details,Debit\nT1,2026-10-01,X,5.00\n")
    with pytest.raises(InputError, match=r"missing column 'amount' \(or one of") as error:
        load_bank(bare)
    assert error.value.line == 1


def test_binary_or_malformed_csv_is_an_input_error(tmp_path: Path) -> None:
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"binary|encoding"):
        load_bank(binary)
    quoted = write(
        tmp_path, "quoted.csv", BANK_HEADER + 'B1,2026-10-01,X,1\nB2,2026-10-01,"X"Y,1\n'
    )
    with pytest.raises(InputError, match="malformed CSV") as error:
        load_bank(quoted)
    assert (error.value.path, error.value.line) == (str(quoted), 3)


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_bank(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="month folder does not exist"):
        load_month(tmp_path / "nowhere")


def test_month_without_optional_files(tmp_path: Path) -> None:
    write(tmp_path, "bank.csv", BANK_HEADER + "B1,2026-10-01,X,1.00\n")
    write(tmp_path, "ledger.csv", LEDGER_HEADER + "G1,2026-10-01,X,1.00,R1,receipt\n")
    month = load_month(tmp_path)
    assert (month.claims, month.receipts, month.vendors) == ([], [], [])


def test_a_statement_with_no_transactions_is_refused(tmp_path: Path) -> None:
    # A header with nothing under it is the wrong export, not a month to reconcile: every
    # ledger entry would be reported outstanding.
    write(tmp_path, "bank.csv", BANK_HEADER + "\n")
    write(tmp_path, "ledger.csv", LEDGER_HEADER + "G1,2026-10-01,X,1.00,R1,receipt\n")
    with pytest.raises(InputError, match="no transactions") as error:
        load_month(tmp_path)
    assert error.value.path == str(tmp_path / "bank.csv")


def test_one_bad_file_means_nothing_is_returned(tmp_path: Path) -> None:
    folder = tmp_path / "month"
    shutil.copytree(MONTH, folder)
    claims = folder / "claims.csv"
    lines = claims.read_text().splitlines()
    lines[5] = lines[5].replace(",GBP,", ",GBX,")
    claims.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as error:
        load_month(folder)
    assert (error.value.line, error.value.column) == (6, "currency")


def test_receipts_folder_reads_text_markdown_and_pdf_only(tmp_path: Path) -> None:
    write(tmp_path, "bank.csv", BANK_HEADER + "B1,2026-10-01,X,1.00\n")
    write(tmp_path, "ledger.csv", LEDGER_HEADER)
    receipts = tmp_path / "receipts"
    receipts.mkdir()
    (receipts / "b.md").write_text("# Cafe\nTotal £3.00\n")
    (receipts / "a.txt").write_text("Shop\nTOTAL 1.00\n")
    (receipts / "photo.jpg").write_bytes(b"\xff\xd8")
    shutil.copy(MONTH / "receipts" / "r21-coffee-hit-invoice.pdf", receipts / "c.pdf")
    month = load_month(tmp_path)
    assert [r.name for r in month.receipts] == ["a.txt", "b.md", "c.pdf"]
    assert "1,349.00" in month.receipts[2].text


def test_broken_pdf_and_empty_receipt_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "x.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(InputError) as error:
        read_receipt(broken)
    assert error.value.path == str(broken)
    blank = write(tmp_path, "blank.txt", "  \n")
    with pytest.raises(InputError, match="no readable text"):
        read_receipt(blank)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
        min_size=1,
        max_size=20,
    )
)
def test_amounts_round_trip_exactly(amounts: list[Decimal]) -> None:
    rows = "".join(f"B{i},2026-10-01,X,{a}\n" for i, a in enumerate(amounts))
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.csv"
        path.write_text(BANK_HEADER + rows)
        loaded = load_bank(path)
    assert [line.amount for line in loaded] == amounts
    assert sum(line.amount for line in loaded) == sum(amounts)


def test_errors_name_the_exports_own_column(tmp_path: Path) -> None:
    # The user looks for the column their bank printed, not the loader's field name.
    bad_date = write(
        tmp_path, "b1.csv", "Posting Date,Details,Amount\n2026-10-01,Rent,-5.00\nsoon,X,1.00\n"
    )
    with pytest.raises(InputError) as error:
        load_bank(bad_date)
    assert (error.value.line, error.value.column) == (3, "Posting Date")
    no_text = write(
        tmp_path, "b2.csv", "Posting Date,Details,Amount\n2026-10-01,Rent,-5.00\n2026-10-02,,1.00\n"
    )
    with pytest.raises(InputError) as error:
        load_bank(no_text)
    assert (error.value.line, error.value.column) == (3, "Details")
    far = write(
        tmp_path,
        "b4.csv",
        "Posting Date,Details,Amount\n2026-10-01,Rent,-5.00\n2026-10-02,X,1.00\n"
        "2016-10-03,Typo,2.00\n",
    )
    with pytest.raises(InputError) as error:
        load_bank(far)
    assert (error.value.line, error.value.column) == (4, "Posting Date")
    # With separate columns, the one that holds the bad amount.
    bad_in = write(
        tmp_path,
        "b3.csv",
        "Date,Description,Withdrawals,Deposits\n2026-10-01,Rent,5.00,\n2026-10-02,Sale,,1.2.3\n",
    )
    with pytest.raises(InputError) as error:
        load_bank(bad_in)
    assert (error.value.line, error.value.column) == (3, "Deposits")


@pytest.mark.parametrize(
    "rows",
    [
        "2026-10-01,Rent,1x,\n2026-10-02,Sale,,5.00\n",  # the file's style read from it
        "2026-10-01,Rent,5.00,\n2026-10-02,Sale,,5.00\n2026-10-03,Fee,1x,\n",  # a later row
    ],
)
def test_a_bad_money_out_cell_is_quoted_as_written(tmp_path: Path, rows: str) -> None:
    # The loader signs a money-out cell itself; the user's file never held '-1x'.
    path = write(tmp_path, "b.csv", "Date,Description,Withdrawals,Deposits\n" + rows)
    with pytest.raises(InputError) as error:
        load_bank(path)
    assert error.value.column == "Withdrawals"
    assert "'1x' is not an amount" in str(error.value)
    assert "-1x" not in str(error.value)


def test_a_trailing_comma_on_every_row_is_no_ragged_row(tmp_path: Path) -> None:
    # Chase's checking export ends each row with a comma its header does not have.
    chase = write(
        tmp_path,
        "chase.csv",
        "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n"
        "DEBIT,10/13/2026,ACME SUPPLY,-45.00,ACH_DEBIT,955.00,,\n"
        "CHECK,10/14/2026,CHECK 1043,-120.00,CHECK_PAID,835.00,1043,\n",
    )
    lines = load_bank(chase)
    assert [line.amount for line in lines] == [Decimal("-45.00"), Decimal("-120.00")]
    assert lines[1].description.endswith("1043")
    # A row with data in the extra field is still refused, with its line.
    ragged = write(tmp_path, "ragged.csv", "Date,Description,Amount\n2026-10-01,Rent,-5.00,7\n")
    with pytest.raises(InputError) as error:
        load_bank(ragged)
    assert error.value.line == 2
    # An unquoted comma in one row's text shifts its fields: when only some rows end
    # in an empty extra field, that is what happened, and the money would move from
    # Paid Out to Paid In. Refused, naming the shifted row.
    shifted = write(
        tmp_path,
        "shifted.csv",
        "Date,Description,Reference,Paid Out,Paid In\n"
        "2024-01-15,RENT,R1,900.00,\n"
        "2024-01-16,SMITH, JONES & CO,,250.00,\n",
    )
    with pytest.raises(InputError) as error:
        load_bank(shifted)
    assert error.value.line == 3


def test_a_statement_file_holds_one_account_in_one_currency(tmp_path: Path) -> None:
    # RBC's "all accounts" export: two accounts, the US-dollar one under USD$.
    header = (
        "Account Type,Account Number,Transaction Date,Cheque Number,"
        "Description 1,Description 2,CAD$,USD$\n"
    )
    one = write(
        tmp_path,
        "rbc.csv",
        header
        + "Chequing,06352-1001234,10/13/2026,,PAYROLL,ACME,-500.00,\n"
        + "Chequing,06352-1001234,10/14/2026,,DEPOSIT,,120.00,\n",
    )
    assert [line.amount for line in load_bank(one)] == [Decimal("-500.00"), Decimal("120.00")]
    two = write(
        tmp_path,
        "rbc2.csv",
        header
        + "Chequing,06352-1001234,10/13/2026,,PAYROLL,ACME,-500.00,\n"
        + "Savings,06352-5009999,10/14/2026,,INTEREST,,1.20,\n",
    )
    with pytest.raises(InputError) as error:
        load_bank(two)
    assert (error.value.line, error.value.column) == (3, "Account Number")
    assert "06352-5009999" in str(error.value) and "line 2" in str(error.value)
    # The same account number written another way is the same account.
    same = write(
        tmp_path,
        "rbc4.csv",
        header
        + "Chequing,06352-1001234,10/13/2026,,PAYROLL,ACME,-500.00,\n"
        + "Chequing,0635210 01234,10/14/2026,,DEPOSIT,,120.00,\n",
    )
    assert len(load_bank(same)) == 2
    # A US-dollar account on its own is read from USD$ ...
    usd_only = write(
        tmp_path,
        "rbc5.csv",
        header
        + "Chequing,06352-4001234,10/13/2026,,WIRE ACME,,,2500.00\n"
        + "Chequing,06352-4001234,10/14/2026,,FEE,,0.00,-15.00\n",
    )
    assert [line.amount for line in load_bank(usd_only)] == [
        Decimal("2500.00"),
        Decimal("-15.00"),
    ]
    # ... but two currencies in one file are refused at the first row of the second.
    mixed = write(
        tmp_path,
        "rbc3.csv",
        header
        + "Chequing,06352-1001234,10/13/2026,,PAYROLL,ACME,-500.00,\n"
        + "Chequing,06352-1001234,10/14/2026,,WIRE IN,,,75.00\n",
    )
    with pytest.raises(InputError) as error:
        load_bank(mixed)
    assert (error.value.line, error.value.column) == (3, "USD$")
    assert "CAD$" in str(error.value) and "line 2" in str(error.value)
    both = write(
        tmp_path, "rbc6.csv", header + "Chequing,06352-1001234,10/13/2026,,X,,-5.00,-5.00\n"
    )
    with pytest.raises(InputError) as error:
        load_bank(both)
    assert error.value.line == 2
    # A hostile account value is shown on one line, cut short.
    evil = write(
        tmp_path,
        "rbc7.csv",
        header
        + "Chequing,111,10/13/2026,,PAYROLL,ACME,-500.00,\n"
        + 'Chequing,"222\nEVIL: '
        + "x" * 5000
        + '",10/14/2026,,DEPOSIT,,120.00,\n',
    )
    with pytest.raises(InputError) as error:
        load_bank(evil)
    assert "\n" not in str(error.value) and len(str(error.value)) < 400
