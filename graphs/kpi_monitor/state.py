"""State and input of the kpi-monitor scenario.

The input is a folder a data team exports to anyway: ``kpis.csv``, ``changes.csv``,
``alert_policy.yaml`` and ``runbooks/``. ``load_input`` validates all of it before a run
starts (one located line, exit code 2). The ``detect`` node reads the folder again and
keeps only what is newer than the last run's watermark, so a scheduled run every hour
over appended data analyses the new points; from then on the state holds the findings
as data, and a run resumed days later sees what the paused one saw.
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, Any

from typing_extensions import TypedDict

from baton.audit import AuditLog, InjectionLog
from baton.tools.kpi.io import load_folder


class State(TypedDict, total=False):
    folder: str
    runbooks_dir: str | None
    policy: dict[str, Any]
    since: dict[str, str]
    watermarks: dict[str, str]
    findings: list[dict[str, Any]]
    repeats: list[str]
    routes: dict[str, dict[str, Any]]
    notes: dict[str, dict[str, Any]]
    sent: Annotated[list[dict[str, Any]], operator.add]
    items: list[dict[str, Any]]
    review: dict[str, Any]
    outputs: Annotated[list[str], operator.add]
    audit: AuditLog
    injection_flags: InjectionLog


def load_input(path: Path) -> dict[str, Any]:
    """Validate the folder; errors name the file, line and field."""
    load_folder(path)
    runbooks = path / "runbooks"
    return {
        "folder": str(path.resolve()),
        "runbooks_dir": str(runbooks.resolve()) if runbooks.is_dir() else None,
    }
