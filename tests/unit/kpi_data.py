"""Shared helpers of the kpi-monitor tests: the shop example cut at a date (the export
so far) and the alert files in the shared outbox."""

from __future__ import annotations

import shutil
from pathlib import Path

from baton.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "kpi"


def outbox_files(settings: Settings) -> set[str]:
    box = settings.home_dir / "kpi-monitor" / "outbox"
    return {p.name for p in box.glob("*") if p.suffix in (".eml", ".json")}


def export_until(tmp_path: Path, last: str) -> Path:
    """The shop example with only the rows up to ``last``, in ``tmp_path/shop`` (reused)."""
    folder = tmp_path / "shop"
    if not folder.exists():
        shutil.copytree(SHOP, folder)
    lines = (SHOP / "kpis.csv").read_text().splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line[:10] <= last)]
    (folder / "kpis.csv").write_text("\n".join(kept) + "\n")
    return folder
