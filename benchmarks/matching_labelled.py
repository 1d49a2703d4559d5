"""Classification accuracy on a labelled set: which ledger entry is this bank payment?

The one classification a model makes in Baton's scenarios is expense-reconciliation's
matching adjudicator (``agents/finance/matching.py``, :func:`adjudicate`): given a bank
line and the ledger entries that could be it, name the one that is the same payment,
or ``none``. The scenario asks a model only on a hosted endpoint and only as a
suggestion; this benchmark asks it on every case of a hand-labelled set
(``benchmarks/labelled/matching.yaml``, 30 cases, 7 with no true match), written for
this benchmark and independent of the synthetic generators and the examples.

Two classifiers are scored against the labels:

- **model**: the real adjudicator (same prompt, same grammar-restricted choice), shown
  every ledger entry of the case; a reply that never validates counts as wrong (column
  "no answer"), never as ``none``;
- **fallback (code)**: what the deterministic matcher (:func:`reconcile`) books for the
  bank line, or ``none`` when it books nothing (an ambiguous or weak candidate is left
  to a human, which is what the scenario does without a model).

Accuracy is reported on all cases, on the cases code books itself, and on the cases
code leaves to a human (where a model's suggestion would be shown).

    python -m benchmarks.matching_labelled [--model embedded --model NAME=gguf:PATH ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from baton.config import Settings, load_settings
from baton.context import ModelFactory, RunContext
from baton.tools.finance.matching import reconcile
from baton.tools.finance.models import BankLine, Candidate, LedgerEntry

LABELLED = Path(__file__).resolve().parent / "labelled" / "matching.yaml"
NONE = "none"


def load_cases(path: Path = LABELLED) -> list[dict[str, Any]]:
    """The labelled cases as typed records plus their truth."""
    cases = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        day, text, amount = raw["bank"]
        bank = BankLine(
            id=f"B-{raw['id']}", date=day, description=text, amount=Decimal(str(amount))
        )
        ledger = [
            LedgerEntry(id=i, date=d, description=t, amount=Decimal(str(a)), ref=str(r))
            for i, d, t, a, r in raw["ledger"]
        ]
        cases.append({"id": raw["id"], "bank": bank, "ledger": ledger, "truth": raw["truth"]})
    return cases


def code_label(case: dict[str, Any]) -> str:
    """What the deterministic matcher books for the bank line, else ``none``."""
    booked = [m.gl_id for m in reconcile([case["bank"]], case["ledger"]).matches]
    return booked[0] if len(booked) == 1 else NONE


def model_label(ctx: RunContext, case: dict[str, Any]) -> str | None:
    """The adjudicator's choice over every ledger entry; ``None`` if no valid answer."""
    from baton.agents.finance.matching import ask_adjudicator

    bank: BankLine = case["bank"]
    ledger: list[LedgerEntry] = case["ledger"]
    candidate = Candidate(
        bank_id=bank.id, gl_ids=tuple(e.id for e in ledger), confidence=0.5, reason="labelled"
    )
    answer = ask_adjudicator(ctx, candidate, {bank.id: bank}, {e.id: e for e in ledger})
    return None if answer is None else answer.choice


def score(
    label: str,
    settings: Settings,
    cases: list[dict[str, Any]],
    model_factory: ModelFactory | None = None,
) -> dict[str, Any]:
    """Accuracy of the model and of the code fallback on ``cases``."""
    ctx = RunContext(
        run_id=f"matching-labelled-{label}", settings=settings, model_factory=model_factory
    )
    rows: list[dict[str, str]] = []
    invalid = 0
    started = time.perf_counter()
    for case in cases:
        model = model_label(ctx, case)
        invalid += model is None
        rows.append({"truth": case["truth"], "code": code_label(case), "model": model or "-"})
    seconds = time.perf_counter() - started

    def acc(who: str, subset: list[dict[str, str]]) -> str:
        right = sum(r[who] == r["truth"] for r in subset)
        return f"{right}/{len(subset)}" if subset else "-"

    booked = [r for r in rows if r["code"] != NONE]
    left = [r for r in rows if r["code"] == NONE]
    return {
        "model": label,
        "cases": len(rows),
        "model_all": acc("model", rows),
        "code_all": acc("code", rows),
        "model_booked": acc("model", booked),
        "code_booked": acc("code", booked),
        "model_left": acc("model", left),
        "code_left": acc("code", left),
        "invalid": invalid,
        "s_per_case": seconds / max(1, len(rows)),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "\nClassification accuracy: matching adjudicator on the labelled set"
        " (benchmarks/labelled/matching.yaml)"
    )
    print(
        f"{'model':<28} {'all: model':>10} {'code':>6} {'code books: model':>18} {'code':>6}"
        f" {'left to human: model':>21} {'code':>6} {'no answer':>9} {'s/case':>7}"
    )
    for r in rows:
        print(
            f"{r['model']:<28} {r['model_all']:>10} {r['code_all']:>6} {r['model_booked']:>18}"
            f" {r['code_booked']:>6} {r['model_left']:>21} {r['code_left']:>6}"
            f" {r['invalid']:>9} {r['s_per_case']:>7.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    from benchmarks.model_checks import add_model_option, model_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_model_option(parser)
    args = parser.parse_args(argv)
    cases = load_cases()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings()
        for spec in args.model or ["embedded"]:
            label, settings = model_settings(base, spec, Path(tmp))
            rows.append(score(label, settings, cases))
    print_table(rows)


if __name__ == "__main__":
    main()
