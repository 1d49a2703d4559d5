"""Start several runs concurrently from asyncio, then list what waits for a human.

    python examples/scripts/async_batch.py

Each ``await baton.arun(...)`` drives one run in a worker thread; they share the
checkpoint store and the registry, and a bad input raises ``baton.UserError`` (the
same error the CLI reports as one line with exit code 2).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import baton

EXAMPLES = Path(__file__).resolve().parents[1]
QUESTIONS = [
    EXAMPLES / "research-brief" / "question.yaml",
    EXAMPLES / "research-brief" / "question-survey.yaml",
]


async def main() -> list[str]:
    await baton.aingest(EXAMPLES / "docs", "company-docs")
    outcomes = await asyncio.gather(
        *(baton.arun("research-brief", input=q, review="always") for q in QUESTIONS)
    )
    for outcome in outcomes:
        print(f"{outcome.run_id}: {outcome.status}")

    try:
        await baton.arun("research-brief", input=EXAMPLES / "no-such-question.yaml")
    except baton.UserError as exc:
        print(f"refused: {exc}")

    waiting = await baton.alist_runs("awaiting_review")
    print(f"{len(waiting)} run(s) awaiting review")
    details = await baton.ashow(outcomes[0].run_id)
    print(f"{details.outcome.run_id}: {len(details.audit)} audit records")
    return [o.run_id for o in outcomes]


if __name__ == "__main__":
    asyncio.run(main())
