"""How much of each scenario's shown text the model wrote and kept, against the fallback.

Every agent that writes model text leaves one audit flag ``model-text:kept=K/N;
fallback=F`` (:class:`baton.tools.grounding.Tally`): N model-written units (findings,
sentences, titles, explanations, outlines, notes), K of them kept after the code checks
(schema, citations, the claim-support check, brand and stance rules), F units shown from
the deterministic fallback instead. This runs each scenario on its example input up to
the review pause, in one throwaway home, and sums the flags from the audit trail.

    python -m benchmarks.kept_vs_fallback [SCENARIO ...]     # the configured model
    BATON_MODEL__PROVIDER=fake python -m benchmarks.kept_vs_fallback   # scripted model
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baton.tools.grounding import Tally
from benchmarks.embedded_e2e import EXAMPLES, INGEST, _baton


def audit_tally(env: dict[str, str], cwd: Path, run_id: str) -> Tally:
    out = subprocess.run(
        [sys.executable, "-m", "baton.cli", "audit", run_id, "--format", "jsonl"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = Tally()
    for line in out.splitlines():
        record = json.loads(line)
        for flag in record.get("flags") or []:
            parsed = Tally.parse(str(flag))
            if parsed is not None:
                total = total + parsed
    return total


def main(names: list[str]) -> None:
    print(
        "| scenario | model units written | kept after the checks | dropped |"
        " fallback units shown | shown text written by the model | seconds to review |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "BATON_HOME"}
        env.update({"BATON_HOME": str(Path(tmp) / "home"), "BATON_CACHE__ENABLED": "false"})
        for collection, folder in INGEST.items():
            _baton(env, Path(tmp), "ingest", str(folder), "--collection", collection)
        for name in names or list(EXAMPLES):
            start = time.perf_counter()
            paused = _baton(env, Path(tmp), "run", name, "--input", str(EXAMPLES[name]), "--json")
            seconds = time.perf_counter() - start
            t = audit_tally(env, Path(tmp), paused["run_id"])
            shown = t.kept + t.fallback
            share = f"{t.kept / shown:.0%}" if shown else "n/a"
            print(
                f"| {name} | {t.written} | {t.kept} | {t.written - t.kept} | {t.fallback} |"
                f" {share} | {seconds:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
