"""docs/build-your-own-team.md: every snippet runs, in order, on a freshly scaffolded team.

Python blocks start with ``# path``: the block is written to that file of the project and
``run.py`` is executed; the bash block's ``baton new`` is the scaffold itself.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

from baton.scaffold import scaffold

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "build-your-own-team.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def test_every_snippet_of_the_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert [lang for lang, _ in blocks] == ["bash", "python", "python", "python", "python"]
    assert "baton new my-team" in blocks[0][1]
    project = tmp_path / "my-team"
    scaffold("my-team", project)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    for _, code in blocks[1:]:
        target = code.splitlines()[0].removeprefix("# ").strip()
        (project / target).write_text(code, encoding="utf-8")
    for name in [m for m in sys.modules if m == "my_team" or m.startswith("my_team.")]:
        monkeypatch.delitem(sys.modules, name)
    runpy.run_path(str(project / "run.py"), run_name="__main__")
