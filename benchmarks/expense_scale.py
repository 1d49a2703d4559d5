"""The expense-reconciliation scenario end to end at 1,000 and 10,000 bank lines.

Each size runs in its own child process (so peak memory is that run's alone) through
the real runner: load and validate the month folder, match, anomaly, compliance,
report, critic, review (``--review never``) and publish, with a scripted model. The
month comes from ``benchmarks.recon_statements`` (a hard month), with the example's
claims, receipts and policy alongside. Both sizes are measured in one invocation, side
by side, because absolute times on a shared 2-core machine mean little.

    python -m benchmarks.expense_scale            # 1,000 and 10,000 lines
    python -m benchmarks.expense_scale --sizes 1000
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import (
    recon_canada,
    recon_ledgerbook,
    recon_statements,
    recon_synth,
    recon_ukbank,
)

GENERATORS = {
    "statements": recon_statements.generate,
    "synth": recon_synth.generate,
    "ledgerbook": recon_ledgerbook.generate,
    "ukbank": recon_ukbank.generate,
    "canada": recon_canada.generate,
}

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "finance" / "2026-10"
TARGET_SECONDS = 60.0
TARGET_MIB = 1024.0
TARGET_DECISIONS = 0.05
"""Items needing a decision, as a share of the month's bank lines."""


def write_month(folder: Path, n_bank: int, seed: int, generator: str = "statements") -> None:
    """A generated month as the scenario's CSV inputs, plus the example's claims."""
    data = GENERATORS[generator](n_bank, seed)
    folder.mkdir(parents=True)
    with (folder / "bank.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "description", "amount"])
        out.writerows([b.id, b.date, b.description, b.amount] for b in data.bank)
    with (folder / "ledger.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "description", "amount", "ref", "entry_type"])
        out.writerows(
            # "-", as many exports print a missing reference, normalises to none at all.
            [g.id, g.date, g.description, g.amount, g.ref or "-", g.entry_type]
            for g in data.ledger
        )
    for name in ("claims.csv", "vendors.csv"):
        if (EXAMPLE / name).exists():
            shutil.copy(EXAMPLE / name, folder / name)
    for sub in ("receipts", "policy"):
        if (EXAMPLE / sub).is_dir():
            shutil.copytree(EXAMPLE / sub, folder / sub)


def one_run(n_bank: int, seed: int, generator: str = "statements") -> dict[str, Any]:
    """Run the scenario once in this process; called in a child by :func:`main`.

    Besides time and memory it counts what a person would have to decide: the review
    packet's items (related exceptions merged, alike ones grouped, new vendors as
    information), built from the run's final state exactly as the review gate builds it.
    """
    from baton.config import load_settings
    from baton.graphs.expense_reconciliation.review import packet
    from baton.runtime import Runner

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "month"
        write_month(folder, n_bank, seed, generator)
        settings = load_settings().model_copy(update={"home": Path(tmp) / "home"})
        settings.model.provider = "fake"
        settings.cache.enabled = False
        runner = Runner(settings)
        try:
            start = time.perf_counter()
            outcome = runner.start("expense-reconciliation", folder, review="never")
            wall = time.perf_counter() - start
            nodes: dict[str, float] = {}
            for record in runner.sync_audit(outcome.run_id):
                if record.kind == "node" and record.started_at and record.ended_at:
                    began = datetime.fromisoformat(record.started_at)
                    ended = datetime.fromisoformat(record.ended_at)
                    nodes[record.node] = nodes.get(record.node, 0.0) + (
                        (ended - began).total_seconds()
                    )
            review = packet(runner.state(outcome.run_id))
        finally:
            runner.close()
    return {
        "n_bank": n_bank,
        "status": outcome.status,
        "wall": wall,
        "nodes": nodes,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "exceptions": len(review["exceptions"]),
        "items": len(review["items"]),
        "item_kinds": dict(Counter(str(i["kind"]) for i in review["items"]).most_common()),
        "generator": generator,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.expense_scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="statements")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.one, args.seed, args.generator)))
        return 0
    results = []
    for size in args.sizes:
        command = [sys.executable, "-m", "benchmarks.expense_scale", "--one", str(size)]
        child = subprocess.run(
            [*command, "--seed", str(args.seed), "--generator", args.generator],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    from rich.console import Console
    from rich.table import Table

    names = sorted({n for r in results for n in r["nodes"]})
    table = Table(
        title=f"expense-reconciliation end to end ({args.generator} seed {args.seed},"
        " scripted model, --review never)"
    )
    headers = ("bank lines", "status", "wall s", "peak MiB", "exceptions", "to decide", "share")
    for col in (*headers, *names):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            f"{r['n_bank']:,}",
            r["status"],
            f"{r['wall']:.1f}",
            f"{r['peak_mib']:.0f}",
            str(r["exceptions"]),
            str(r["items"]),
            f"{r['items'] / r['n_bank']:.1%}",
            *(f"{r['nodes'].get(n, 0.0):.1f}" for n in names),
        )
    Console(width=200).print(table)
    for r in results:
        kinds = ", ".join(f"{k} {n}" for k, n in r["item_kinds"].items())
        print(f"items to decide at {r['n_bank']:,} lines, by kind: {kinds}")
    if len(results) > 1:
        print(
            f"wall ratio {results[-1]['wall'] / results[0]['wall']:.1f}x for "
            f"{results[-1]['n_bank'] / results[0]['n_bank']:.0f}x the lines"
        )
    missed = (
        [
            f"{r['n_bank']} lines: {r['wall']:.1f} s > {TARGET_SECONDS:.0f} s"
            for r in results
            if r["n_bank"] >= 10_000 and r["wall"] > TARGET_SECONDS
        ]
        + [
            f"{r['n_bank']} lines: {r['peak_mib']:.0f} MiB > {TARGET_MIB:.0f} MiB"
            for r in results
            if r["peak_mib"] > TARGET_MIB
        ]
        + [
            f"{r['n_bank']} lines: {r['items']} items to decide > {TARGET_DECISIONS:.0%} of lines"
            for r in results
            if r["items"] > TARGET_DECISIONS * r["n_bank"]
        ]
    )
    print("Targets missed: " + "; ".join(missed) if missed else "All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
