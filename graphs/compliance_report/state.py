"""Input of the compliance-report scenario (its state: ``agents/compliance/state.py``).

The input is the period folder a compliance team keeps anyway: ``obligations.yaml`` (the
reviewed register), the period's CSV exports and ``docs/`` (regulation and policy texts,
ingested into the context store and cited by clause). Everything is validated before the
run starts; the state then holds only data, so a run resumed days later, in another
process, sees exactly what the paused one saw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton.errors import InputError
from baton.tools.compliance.evidence import unknown_figures
from baton.tools.compliance.io import load_obligations, load_period

MAX_ROUNDS = 2


def load_input(path: Path) -> dict[str, Any]:
    """Validate the period folder; errors name the file, line and field."""
    if not path.exists():
        raise InputError(path, "no such folder")
    if not path.is_dir():
        raise InputError(path, "expected a period folder with obligations.yaml")
    register = path / "obligations.yaml"
    if not register.is_file():
        raise InputError(register, "missing: the obligations register is required")
    obligations = load_obligations(register)
    unknown = unknown_figures(obligations)
    if unknown:
        raise InputError(register, f"unknown figure '{unknown[0]}' (not computed by Baton)")
    data = load_period(path)
    docs = path / "docs"
    return {
        "folder": str(path.resolve()),
        "docs_dir": str(docs.resolve()) if docs.is_dir() else None,
        "obligations": obligations.model_dump(mode="json"),
        "data": data.model_dump(mode="json"),
        "max_rounds": MAX_ROUNDS,
        "editors": [],
    }
