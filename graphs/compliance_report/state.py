"""State and input of the compliance-report scenario.

The input is the period folder a compliance team keeps anyway: ``obligations.yaml`` (the
reviewed register), the period's CSV exports and ``docs/`` (regulation and policy texts,
ingested into the context store and cited by clause). Everything is validated before the
run starts; the state then holds only data, so a run resumed days later, in another
process, sees exactly what the paused one saw.
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.errors import InputError
from baton.tools.compliance.evidence import unknown_figures
from baton.tools.compliance.io import load_obligations, load_period

MAX_ROUNDS = 2


class State(TypedDict, total=False):
    folder: str
    docs_dir: str | None
    obligations: dict[str, Any]
    data: dict[str, Any]
    figures: dict[str, dict[str, Any]]
    clauses: list[dict[str, Any]]
    breaches: list[dict[str, Any]]
    gaps: list[list[str]]
    clause_chunks: dict[str, str | None]
    chunk_text: dict[str, str]
    sections: dict[str, str]
    drafted_by: dict[str, str]
    issues: list[str]
    issue_history: list[list[str]]
    rounds: int
    max_rounds: int
    replaced: list[str]
    report: str
    report_hash: str
    editors: list[str]
    review: dict[str, Any]
    approved_hash: str
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog
    injection_flags: InjectionLog


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
