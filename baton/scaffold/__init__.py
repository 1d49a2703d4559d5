"""``baton new NAME``: scaffold a working scenario in the user's own folder.

Why a scaffold: the quickest way to learn a framework is to change something that
already runs. The template is a complete, small team (state, one agent, a critic in a
bounded loop, a review gate, a publish node, an example input, a passing test), wired
the way Baton's own scenarios are, and found by Baton through the project's
``langgraph.json`` (or, once ``pip install -e .``-ed, its ``baton.scenarios`` entry point)
without touching Baton's source.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from baton.errors import UserError
from baton.scenario import discover

TEMPLATE = Path(__file__).parent / "template"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def package_name(name: str) -> str:
    return name.replace("-", "_")


def _target(rel: Path, pkg: str) -> Path:
    parts = [pkg if p == "pkg" else p.replace("__PKG__", pkg) for p in rel.parts]
    parts[-1] = parts[-1].removesuffix(".tmpl")  # .py.tmpl: not linted or imported here
    return Path(*parts)


def scaffold(name: str, path: Path | None = None) -> list[Path]:
    """Write the template for scenario ``name`` into ``path`` (default ``./NAME``).

    Refuses (one-line :class:`UserError`) a name that is not lowercase-with-hyphens,
    that an installed scenario already uses, or a target folder that is not empty.
    """
    if not _NAME.match(name) or len(name) > 60:
        raise UserError(
            f"name '{name}': use lowercase letters, digits and single hyphens, e.g. my-team"
        )
    pkg = package_name(name)
    if keyword.iskeyword(pkg) or pkg in {"baton", "agents", "tools", "graphs", "tests"}:
        raise UserError(f"name '{name}': '{pkg}' cannot be the package name; choose another")
    if name in discover():
        raise UserError(f"name '{name}': a scenario with this name is already installed")
    root = (path or Path.cwd() / name).resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UserError(f"{root}: exists and is not an empty folder")
    written: list[Path] = []
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        target = root / _target(source.relative_to(TEMPLATE), pkg)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        target.write_text(text.replace("__NAME__", name).replace("__PKG__", pkg), encoding="utf-8")
        written.append(target)
    return written
