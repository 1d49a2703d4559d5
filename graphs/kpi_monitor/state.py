"""Input of the kpi-monitor scenario (its state: ``agents/kpi/state.py``).

The input is a folder a data team exports to anyway: ``kpis.csv``, ``changes.csv``,
``alert_policy.yaml`` and ``runbooks/``. ``load_input`` validates all of it before a run
starts (one located line, exit code 2). The ``detect`` node reads the folder again and
keeps only what is newer than the last run's watermark, so a scheduled run every hour
over appended data analyses the new points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton.agents.kpi.state import State
from baton.tools.kpi.io import load_folder

__all__ = ["State", "load_input"]


def load_input(path: Path) -> dict[str, Any]:
    """Validate the folder; errors name the file, line and field."""
    load_folder(path)
    runbooks = path / "runbooks"
    return {
        "folder": str(path.resolve()),
        "runbooks_dir": str(runbooks.resolve()) if runbooks.is_dir() else None,
    }
