"""A model's pick among reconciliation candidates books only when code re-checks it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from baton.agents.finance.matching import MAX_ADJUDICATIONS, adjudicate_all
from baton.config import Settings
from baton.context import RunContext
from baton.testing import ScriptedChatModel
from baton.tools.finance.adjudication import book_pick, recheck, verify_pick
from baton.tools.finance.chart import weekly_totals
from baton.tools.finance.decisions import apply_decisions
from baton.tools.finance.matching import MatchParams, reconcile
from baton.tools.finance.models import BankLine, Candidate, LedgerEntry, Match, ReconResult
from tests.unit.test_recon_conventions import _twin_month

PARAMS = MatchParams()


def line(id_: str, day: int, text: str, amount: str) -> BankLine:
    return BankLine(id=id_, date=date(2026, 10, day), description=text, amount=Decimal(amount))


def entry(id_: str, day: int, text: str, amount: str, ref: str = "") -> LedgerEntry:
    return LedgerEntry(
        id=id_, date=date(2026, 10, day), description=text, amount=Decimal(amount), ref=ref
    )


BANK = {
    "B1": line("B1", 6, "FPO NORTHERN BAKEHOUSE", "-50.00"),
    "B2": line("B2", 7, "FPO NORTHERN BAKEHOUSE", "-75.00"),
    "B3": line("B3", 8, "ACH KESTREL TOOLS", "-1290.00"),
}
LEDGER = {
    "G1": entry("G1", 6, "Northern Bakehouse", "-50.00"),
    "G2": entry("G2", 6, "Northern Bakehouse", "-50.00"),
    "G3": entry("G3", 7, "Northern Bakehouse", "-62.00"),  # neither a fee nor a swap
    "G4": entry("G4", 7, "Northern Bakehouse", "-75.00"),
    "G5": entry("G5", 1, "Northern Bakehouse", "-50.00"),  # too early for B2's window
    "G6": entry("G6", 8, "Kestrel Tools", "-1920.00"),  # two digits transposed
}


def recon(*candidates: Candidate, matches: Sequence[Match] = ()) -> ReconResult:
    offered = {g for c in candidates for g in c.gl_ids}
    return ReconResult(
        matches=list(matches),
        offsetting=[],
        unmatched_bank=[],
        unmatched_gl=sorted(set(LEDGER) - offered - {m.gl_id for m in matches}),
        candidates=list(candidates),
    )


def cand(bank_id: str, *gl_ids: str) -> Candidate:
    return Candidate(bank_id=bank_id, gl_ids=gl_ids, confidence=0.5, reason="ambiguous")


def test_recheck_uses_the_engines_tolerance_per_kind() -> None:
    assert recheck(BANK["B1"], LEDGER["G1"], PARAMS) is not None  # exact, same day
    kind, why = recheck(BANK["B3"], LEDGER["G6"], PARAMS) or ("", "")
    assert kind == "transposed" and "transposed" in why
    assert recheck(BANK["B2"], LEDGER["G3"], PARAMS) is None  # amount: no kind explains it
    late = line("B9", 30, "FPO NORTHERN BAKEHOUSE", "-50.00")
    assert recheck(late, LEDGER["G5"], PARAMS) is None  # date: 20 business days later


def test_a_pick_is_refused_outside_the_set_when_booked_or_when_the_recheck_fails() -> None:
    state = recon(cand("B1", "G1", "G2"), cand("B2", "G3", "G5"))
    ok = verify_pick(state, state.candidates[0], "G2", BANK, LEDGER, PARAMS)
    assert ok == ("exact", ok[1]) and isinstance(ok, tuple)
    assert "not one of the offered" in str(
        verify_pick(state, state.candidates[0], "G4", BANK, LEDGER, PARAMS)
    )
    assert "outside the matcher's tolerance" in str(
        verify_pick(state, state.candidates[1], "G3", BANK, LEDGER, PARAMS)  # amount
    )
    assert "outside the matcher's tolerance" in str(
        verify_pick(
            state,
            state.candidates[1],
            "G5",
            {"B2": line("B2", 30, "FPO NORTHERN BAKEHOUSE", "-50.00")},
            LEDGER,
            PARAMS,
        )  # date
    )
    taken = recon(
        cand("B1", "G1", "G2"),
        matches=[Match(bank_id="B9", gl_id="G2", kind="one_to_one", confidence=1, reason="")],
    )
    assert "already booked" in str(
        verify_pick(taken, taken.candidates[0], "G2", BANK, LEDGER, PARAMS)
    )


def test_booking_a_pick_keeps_every_id_in_one_bucket() -> None:
    state = recon(cand("B1", "G1", "G2"), cand("B2", "G4"))
    after = book_pick(state, "B1", "G2", "exact", "booked by model x")
    assert [(m.bank_id, m.gl_id, m.kind) for m in after.matches] == [("B1", "G2", "one_to_one")]
    assert "G1" in after.unmatched_gl and "G2" not in after.unmatched_gl
    assert [c.bank_id for c in after.candidates] == ["B2"]


def scripted_ctx(
    tmp_path: Path,
    settings: Settings,
    log: list[str],
    pick: dict[str, str] | Callable[[str], dict[str, str]],
) -> RunContext:
    def respond(
        role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any]:
        log.append("\n".join(str(m.content) for m in messages))
        return pick(log[-1]) if callable(pick) else pick

    return RunContext(
        run_id="t",
        settings=settings,
        output_dir=tmp_path,
        model_factory=lambda role: ScriptedChatModel(role=role, responder=respond),
    )


def test_a_correct_pick_books_and_its_evidence_is_recorded(
    tmp_path: Path, settings: Settings
) -> None:
    log: list[str] = []
    ctx = scripted_ctx(tmp_path, settings, log, {"choice": "G2", "reason": "same ref"})
    state = recon(cand("B1", "G1", "G2"))
    after, hints, rows = adjudicate_all(ctx, state, BANK, LEDGER, PARAMS)
    assert [(m.bank_id, m.gl_id) for m in after.matches] == [("B1", "G2")]
    assert "booked by model" in after.matches[0].reason
    assert not hints and [r["kind"] for r in rows] == ["model_booked"]
    assert {e["id"] for e in rows[0]["evidence"]} == {"B1", "G2"}
    assert "FPO NORTHERN BAKEHOUSE" in log[0] and "[G1]" in log[0]  # evidence in the prompt
    # A reviewer who disagrees rejects the information row: the booking is taken back.
    undone, outcomes = apply_decisions(
        after,
        rows,
        [{"id": rows[0]["id"], "action": "reject"}],
        {b: x.amount for b, x in BANK.items()},
        {g: x.amount for g, x in LEDGER.items()},
        "ana",
    )
    assert not undone.matches and "B1" in undone.unmatched_bank and "G2" in undone.unmatched_gl
    assert outcomes[rows[0]["id"]]["decided_by"] == "ana"


def test_a_pick_that_fails_the_recheck_stays_a_hint(tmp_path: Path, settings: Settings) -> None:
    log: list[str] = []
    ctx = scripted_ctx(tmp_path, settings, log, {"choice": "G3", "reason": "looks right"})
    state = recon(cand("B2", "G3", "G4"))
    after, hints, rows = adjudicate_all(ctx, state, BANK, LEDGER, PARAMS)
    assert after == state and not rows
    assert "model suggests G3" in hints["B2"] and "not booked" in hints["B2"]


def test_a_pick_outside_the_set_books_nothing(tmp_path: Path, settings: Settings) -> None:
    ctx = scripted_ctx(tmp_path, settings, [], {"choice": "G4", "reason": "other"})
    state = recon(cand("B1", "G1", "G2"))
    after, hints, rows = adjudicate_all(ctx, state, BANK, LEDGER, PARAMS)
    assert after == state and not rows and not hints  # the answer never validated


def test_the_cap_on_adjudications_holds(tmp_path: Path, settings: Settings) -> None:
    log: list[str] = []
    ctx = scripted_ctx(tmp_path, settings, log, {"choice": "none", "reason": "unsure"})
    bank = {
        f"B{i:02d}": line(f"B{i:02d}", 6, f"FPO NORTHERN BAKEHOUSE {i}", "-50.00") for i in range(9)
    }
    state = ReconResult(
        matches=[],
        offsetting=[],
        unmatched_bank=[],
        unmatched_gl=[],
        candidates=[cand(b, "G1") for b in bank],
    )
    adjudicate_all(ctx, state, bank, LEDGER, PARAMS)
    assert len(log) == MAX_ADJUDICATIONS < len(bank)


def test_a_model_completes_a_partly_booked_slip_only_with_the_exact_residual(
    tmp_path: Path, settings: Settings
) -> None:
    # A slip with two certain cheques and a residual tied between two same-amount
    # receipts (tests.unit.test_recon_conventions): the model names the twin that is
    # the rest of the deposit and code books it as a batch member, never as a single.
    lines, entries = _twin_month()
    bank = {b.id: b for b in lines}
    ledger = {e.id: e for e in entries}
    start = reconcile(lines, entries)
    slip = next(c for c in start.candidates if c.residual is not None)
    assert "T2" in slip.gl_ids + slip.shared_gl_ids
    # Code refuses an entry that is not exactly the residual, or dated after the deposit.
    assert "exactly the slip's residual" in str(
        verify_pick(
            start,
            slip.model_copy(update={"residual": Decimal("1349.00")}),
            "T2",
            bank,
            ledger,
            PARAMS,
        )
    )
    late = {**ledger, "T2": ledger["T2"].model_copy(update={"date": date(2025, 3, 10)})}
    assert "exactly the slip's residual" in str(verify_pick(start, slip, "T2", bank, late, PARAMS))
    log: list[str] = []
    ctx = scripted_ctx(
        tmp_path,
        settings,
        log,
        lambda prompt: (
            {"choice": "T2", "reason": "memo on the slip"}
            if "still unexplained" in prompt
            else {"choice": "none", "reason": "unsure"}
        ),
    )
    after, hints, rows = adjudicate_all(ctx, start, bank, ledger, PARAMS)
    assert {(m.gl_id, m.kind) for m in after.matches if m.bank_id == "D1"} == {
        ("A1", "batch"),
        ("A2", "batch"),
        ("T2", "batch"),
    }
    assert not after.residuals() and not hints
    assert [(c.bank_id, c.gl_ids) for c in after.candidates] == [("S", ("T1",))]
    assert Decimal(rows[0]["amount"]) == Decimal("1350.00")  # the residual, not the slip
    (week,) = weekly_totals(lines, after)
    assert week.review == Decimal("1350.00")  # only S is left under review
