"""The built-in scenarios write, byte for byte, what the stored snapshot says.

Why: moving code between layers, sharing builder code or renaming a concept must not
change a scenario's packets or files. Each example runs with the scripted model to
review, is approved, and every packet and output is compared with
``tests/data/snapshots/<scenario>/`` (run ids, the run folder and iCalendar DTSTAMPs
masked; see ``tests/snapshot_outputs.py``). A change that is meant to alter an output
regenerates the copies with ``python -m tests.snapshot_outputs tests/data/snapshots
<scenario>`` and shows the difference in its diff. expense-reconciliation is left out here
while its matching is being reworked; compare it before and after with the same module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.snapshot_outputs import snapshot

STORED = Path(__file__).resolve().parents[1] / "data" / "snapshots"
SCENARIOS = ["research-brief", "content-calendar", "onboarding", "compliance-report"]


@pytest.fixture(scope="module")
def written() -> dict[str, str]:
    return snapshot(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_outputs_match_the_stored_snapshot(scenario: str, written: dict[str, str]) -> None:
    folder = STORED / scenario
    stored = {f"{scenario}/{p.name}": p.read_bytes().decode() for p in sorted(folder.iterdir())}
    mine = {k: v for k, v in written.items() if k.startswith(f"{scenario}/")}
    assert sorted(mine) == sorted(stored)
    assert stored[f"{scenario}/status.txt"] == "done"
    for name, text in stored.items():
        assert mine[name] == text, f"{name} differs from tests/data/snapshots"
