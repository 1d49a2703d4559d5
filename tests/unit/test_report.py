"""Summary figures are computed in Decimal, partition each side, and are checked before release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from baton.tools.finance.anomaly import Anomaly, EvidenceRow
from baton.tools.finance.models import (
    BankLine,
    Candidate,
    LedgerEntry,
    Match,
    OffsetPair,
    ReconResult,
)
from baton.tools.finance.report import (
    ReportException,
    SummaryFigures,
    build_summary,
    check_arithmetic,
    exception_from_anomaly,
    exception_from_breach,
    exceptions_from_recon,
    render_summary_md,
)
from tests.records import breach, claim

DAY = date(2026, 10, 5)


def b(id_: str, amount: str, text: str = "X") -> BankLine:
    return BankLine(id=id_, date=DAY, description=text, amount=Decimal(amount))


def g(id_: str, amount: str, text: str = "X") -> LedgerEntry:
    return LedgerEntry(id=id_, date=DAY, description=text, amount=Decimal(amount), ref="R")


def m(bank_id: str, gl_id: str, kind: str = "one_to_one") -> Match:
    return Match.model_validate(
        {"bank_id": bank_id, "gl_id": gl_id, "kind": kind, "confidence": 0.9, "reason": "r"}
    )


BANK = [
    b("B1", "-100.00", "FPO SUPPLIER"),
    b("B2", "1218.92", "SUMUP PAYOUT"),
    b("B3", "-1254.00", "FPO BEANHAUS"),
    b("B4", "-18.50", "ACCOUNT FEE"),
    b("B5", "0.10", "INTEREST"),
]
LEDGER = [
    g("G1", "-100.00"),
    g("G2", "1240.00"),
    g("G3", "-21.08"),
    g("G4", "-1245.00", "Beanhaus Roasters - INV-1"),
    g("G5", "-480.00"),
    g("G6", "480.00"),
    g("G7", "-95.00", "Window cleaner | cheque"),
]
RECON = ReconResult(
    matches=[
        m("B1", "G1"),
        m("B2", "G2", "batch"),
        m("B2", "G3", "batch"),
        m("B3", "G4", "amount_mismatch"),
    ],
    offsetting=[OffsetPair(gl_id_a="G5", gl_id_b="G6", reason="void")],
    unmatched_bank=["B4"],
    unmatched_gl=["G7"],
    candidates=[Candidate(bank_id="B5", gl_ids=(), confidence=0.2, reason="tiny credit")],
)


def test_figures_are_exact_and_reconcile() -> None:
    figures = build_summary(BANK, LEDGER, RECON, [])
    assert figures.bank.money_in == Decimal("1219.02")
    assert figures.bank.money_out == Decimal("-1372.50")
    assert figures.bank.net == Decimal("-153.48")
    assert (figures.bank.matched_count, figures.bank.matched_total) == (3, Decimal("-135.08"))
    assert (figures.bank.unmatched_count, figures.bank.unmatched_total) == (1, Decimal("-18.50"))
    assert (figures.bank.pending_count, figures.bank.pending_total) == (1, Decimal("0.10"))
    assert (figures.ledger.matched_count, figures.ledger.matched_total) == (4, Decimal("-126.08"))
    assert (figures.ledger.offset_count, figures.ledger.offset_total) == (2, Decimal("0.00"))
    assert figures.matched_difference == Decimal("-9.00")  # the transposed 1,254 vs 1,245
    assert figures.amount_mismatch_count == 1
    assert (figures.period_start, figures.period_end) == (DAY, DAY)
    october = (date(2026, 10, 1), date(2026, 10, 31))
    with_period = build_summary(BANK, LEDGER, RECON, [], period=october)
    assert (with_period.period_start, with_period.period_end) == october
    assert check_arithmetic(figures) == []


def test_tampered_figures_are_reported() -> None:
    figures = build_summary(BANK, LEDGER, RECON, [])
    bad_bank = figures.bank.model_copy(update={"net": figures.bank.net + Decimal("0.01")})
    problems = check_arithmetic(figures.model_copy(update={"bank": bad_bank}))
    assert any(p.startswith("bank money in + money out = net") for p in problems)
    assert any(
        "bank matched + unmatched + offsetting + pending totals = net" in p for p in problems
    )
    fewer = figures.model_copy(update={"exceptions_count": 3})
    assert check_arithmetic(fewer) == [
        "exceptions by severity = exception count: 0 != 3 (difference -3)"
    ]


def test_inconsistent_reconciliation_is_caught_not_repaired() -> None:
    twice = RECON.model_copy(update={"unmatched_bank": ["B4", "B1"]})
    problems = check_arithmetic(build_summary(BANK, LEDGER, twice, []))
    assert any(
        "bank matched + unmatched + offsetting + pending rows = all rows" in p for p in problems
    )
    ghost = RECON.model_copy(update={"unmatched_gl": ["G7", "G99"]})
    problems = check_arithmetic(build_summary(BANK, LEDGER, ghost, []))
    assert "reconciliation names ids that are in neither file: G99" in problems
    forgotten = RECON.model_copy(update={"unmatched_gl": []})
    assert check_arithmetic(build_summary(BANK, LEDGER, forgotten, [])) != []


def test_unexplained_matched_difference_is_a_problem() -> None:
    relabelled = RECON.model_copy(
        update={
            "matches": [
                m("B1", "G1"),
                m("B2", "G2", "batch"),
                m("B2", "G3", "batch"),
                m("B3", "G4"),
            ]
        }
    )
    problems = check_arithmetic(build_summary(BANK, LEDGER, relabelled, []))
    assert problems == ["matched totals differ by -9.00 but no match is an amount mismatch"]


def test_exceptions_from_each_producer() -> None:
    rows = exceptions_from_recon(RECON, BANK, LEDGER)
    assert [(r.id, r.kind, r.amount) for r in rows] == [
        ("EXC-bank-B4", "unmatched_bank", Decimal("-18.50")),
        ("EXC-gl-G7", "unmatched_ledger", Decimal("-95.00")),
        ("EXC-diff-B3", "amount_mismatch", Decimal("-9.00")),
        ("EXC-cand-B5", "ambiguous_match", Decimal("0.10")),
    ]
    anomaly = Anomaly(
        id="ANOM-duplicate-abc",
        kind="duplicate",
        severity="high",
        message="dup",
        evidence=[EvidenceRow(source="bank", id="B1", text="t")],
    )
    assert exception_from_anomaly(anomaly).refs == ["B1"]
    alcohol = claim(id="C-1", employee="A", date=DAY)
    converted = exception_from_breach(breach(claim_id="C-1", message="no", clause="5.1"), alcohol)
    assert (converted.severity, converted.amount, converted.id) == (
        "high",
        Decimal("64.00"),
        "EXC-C-1-forbidden.alcohol",
    )


def test_exception_totals_use_absolute_amounts() -> None:
    rows = exceptions_from_recon(RECON, BANK, LEDGER)
    figures = build_summary(BANK, LEDGER, RECON, rows)
    assert figures.exceptions_total == Decimal("122.60")
    assert figures.exceptions_by_severity == {"high": 1, "medium": 2, "low": 1}
    assert check_arithmetic(figures) == []


def test_markdown_has_figures_escaped_exceptions_and_separate_commentary() -> None:
    rows = exceptions_from_recon(RECON, BANK, LEDGER)
    figures = build_summary(BANK, LEDGER, RECON, rows)
    text = render_summary_md(figures, rows, "Two items need review.", title="October 2026")
    assert text.startswith("# October 2026\n")
    assert "| Net | GBP -153.48 | GBP -221.08 |" in text
    assert "| Matched | 3 / GBP -135.08 | 4 / GBP -126.08 |" in text
    assert "Window cleaner \\| cheque" in text  # a pipe in data cannot break the table
    lines = text.splitlines()
    table = [ln for ln in lines if ln.startswith("| EXC-")]
    assert table[0].startswith("| EXC-diff-B3 | amount_mismatch | high |")  # high severity first
    assert lines.index("## Commentary") < lines.index("Two items need review.")
    empty = render_summary_md(
        build_summary(
            [],
            [],
            ReconResult(
                matches=[], offsetting=[], unmatched_bank=[], unmatched_gl=[], candidates=[]
            ),
            [],
        ),
        [],
        "",
    )
    assert "no dated rows" in empty and "_No commentary._" in empty


amounts = st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=2)


@settings(max_examples=80, deadline=None)
@given(
    bank_amounts=st.lists(amounts, min_size=0, max_size=12),
    ledger_amounts=st.lists(amounts, min_size=0, max_size=12),
    data=st.data(),
)
def test_any_consistent_partition_reconciles(
    bank_amounts: list[Decimal], ledger_amounts: list[Decimal], data: st.DataObject
) -> None:
    bank = [b(f"B{i}", str(a)) for i, a in enumerate(bank_amounts)]
    ledger = [g(f"G{i}", str(a)) for i, a in enumerate(ledger_amounts)]
    pairs = min(len(bank), len(ledger))
    n_matched = data.draw(st.integers(0, pairs))
    matches = [
        m(
            bank[i].id,
            ledger[i].id,
            "one_to_one" if bank[i].amount == ledger[i].amount else "amount_mismatch",
        )
        for i in range(n_matched)
    ]
    recon = ReconResult(
        matches=matches,
        offsetting=[],
        unmatched_bank=[line.id for line in bank[n_matched:]],
        unmatched_gl=[entry.id for entry in ledger[n_matched:]],
        candidates=[],
    )
    figures: SummaryFigures = build_summary(bank, ledger, recon, [])
    assert check_arithmetic(figures) == []
    assert figures.bank.net == sum(bank_amounts, Decimal(0))
    reported = ReportException(id="x", kind="k", severity="low", message="m")
    assert build_summary(bank, ledger, recon, [reported]).exceptions_count == 1


def test_period_ends_on_the_last_reported_row_not_the_last_bank_line() -> None:
    """The issue's bug: 31 October ledger rows, but "Period: 2026-10-01 to 2026-10-30"."""
    bank = [x.model_copy(update={"date": date(2026, 10, 1)}) for x in BANK]
    bank[-1] = bank[-1].model_copy(update={"date": date(2026, 10, 30)})
    ledger = [x.model_copy(update={"date": date(2026, 10, 15)}) for x in LEDGER]
    ledger[0] = ledger[0].model_copy(update={"date": date(2026, 9, 25)})  # outstanding item
    ledger[-1] = ledger[-1].model_copy(update={"date": date(2026, 10, 31)})
    figures = build_summary(bank, ledger, RECON, [])
    assert (figures.period_start, figures.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    text = render_summary_md(figures, [], "")
    assert "2026-10-01 to 2026-10-31" in text and "2026-10-30" not in text
