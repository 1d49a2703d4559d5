"""openai-agents and Baton in one environment: both ``agents`` and ``baton.agents`` import.

Why: openai-agents installs the top-level package ``agents``; Baton's own layers install
only under ``baton.*``, so neither shadows the other (and a user's ``agents/`` folder is
not shadowed either). The check runs in a fresh interpreter whose path holds this
checkout's ``baton`` package and nothing else from the repository, as an installed
Baton would, because the repository root itself has an ``agents/`` folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_openai_agents_and_baton_import_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "baton").symlink_to(ROOT / "baton")
    code = (
        "import agents, baton.agents, baton.agents.research.writer as w;"
        "from agents import Agent;"
        "print(agents.__file__); print(baton.agents.__file__); print(Agent.__module__, w.write)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    openai_file, baton_file, _ = out.stdout.splitlines()
    assert "site-packages" in openai_file and Path(openai_file).parent.name == "agents"
    assert Path(baton_file).resolve().parent == (ROOT / "agents").resolve()
