"""The layers are importable only as ``baton.*``.

Why: an installed Baton must claim no generic top-level name (openai-agents installs
``agents``; a user's own ``agents/`` folder must not be shadowed). Tests run from the
repository root, where ``agents/`` etc. are importable by accident, so a stray
``import agents...`` would pass here and fail for every user; this test catches it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
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


def absolute_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, also those inside functions
    (which a lazy import would otherwise hide); ``from baton import agents`` gives both
    ``baton`` and ``baton.agents``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            if node.module == "baton":
                yield from ((node.lineno, f"baton.{a.name}") for a in node.names)


def _bare_layer_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for line, name in absolute_imports(path)
        if name.split(".")[0] in LAYERS
    ]


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
