"""Run a scenario from a script, read its review packet, approve it, read the outputs.

    python examples/scripts/run_and_approve.py

Uses the configured model (the embedded one by default; BATON_MODEL__PROVIDER=fake for
the scripted test model) and the context store under ./.baton.
"""

from __future__ import annotations

from pathlib import Path

import baton

EXAMPLES = Path(__file__).resolve().parents[1]


def main() -> str:
    added = baton.ingest(EXAMPLES / "docs", "company-docs")
    print(f"store: {added.added_chunks} new chunks, {added.unchanged_files} files unchanged")

    outcome = baton.run("research-brief", input=EXAMPLES / "research-brief" / "question.yaml")
    print(f"{outcome.run_id}: {outcome.status}")
    if outcome.status == "awaiting_review":
        assert outcome.packet is not None
        print(str(outcome.packet.get("preview", ""))[:300])
        outcome = baton.resume(outcome.run_id, approve=True, reviewer="script")

    print(f"{outcome.run_id}: {outcome.status}")
    for path in outcome.outputs:
        print(f"output: {path}")
    for record in baton.audit_trail(outcome.run_id):
        who = record.actor if record.kind == "human" else record.model or "code"
        print(f"  {record.node:<12} {who:<10} {record.decision}")
    return outcome.run_id


if __name__ == "__main__":
    main()
