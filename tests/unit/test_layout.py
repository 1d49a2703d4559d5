"""The layers are importable only as ``baton.*``.

Why: an installed Baton must claim no generic top-level name (openai-agents installs
``agents``; a user's own ``agents/`` folder must not be shadowed). Tests run from the
repository root, where ``agents/`` etc. are importable by accident, so a stray
``import agents...`` would pass here and fail for every user; this test catches it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"agents", "graphs", "tools", "retrieval", "configs"}
SOURCES = [
    "baton",
    "agents",
    "graphs",
    "tools",
    "retrieval",
    "configs",
    "benchmarks",
    "tests",
    "examples",
]


def _bare_layer_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {n}"
            for n in names
            if n.split(".")[0] in LAYERS
        ]
    return found


def test_no_module_imports_a_layer_by_its_bare_name() -> None:
    offenders: list[str] = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if (
                ".baton" in path.parts
                or path.is_symlink()
                or any(p.is_symlink() for p in path.parents)
            ):
                continue
            offenders += _bare_layer_imports(path)
    assert offenders == []


def test_layers_are_reachable_under_the_baton_namespace() -> None:
    for layer in sorted(LAYERS):
        link = ROOT / "baton" / layer
        assert link.is_symlink() and link.resolve() == (ROOT / layer).resolve(), layer
