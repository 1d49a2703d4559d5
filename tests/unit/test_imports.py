"""The runtime imports no scenario code, and the packages do not import each other in circles.

Why: Baton is a framework; its runtime, CLI and inbox (``baton/`` itself) must work for a
scenario they have never heard of, so they may not import the built-in scenarios'
agents, graphs or domain tools. Cycles between packages would mean no layer can be read,
tested or replaced on its own. Imports are read from the source (every ``import``, also
those inside functions), so a lazy import cannot hide an edge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from tests.unit.test_layout import absolute_imports

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("agents", "graphs", "tools", "retrieval", "configs")
SCENARIO_CODE = {"agents", "graphs", "tools"}


def _package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "baton":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "baton"


def _sources() -> Iterator[tuple[str, Path]]:
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            yield layer, path
    for path in (ROOT / "baton").rglob("*.py"):
        if not any(p.is_symlink() for p in (path, *path.parents)):
            yield "baton", path


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, path in _sources():
        for line, module in absolute_imports(path):
            target = _package(module)
            if target is not None and target != source:
                edges[(source, target)].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def _cycles(edges: dict[tuple[str, str], list[str]]) -> list[tuple[str, str]]:
    """Pairs of packages that reach each other (directly or through others)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    nodes = sorted(graph)
    return [(a, b) for a in nodes for b in nodes if a < b and b in reach(a) and a in reach(b)]


def test_the_walk_sees_real_edges() -> None:
    edges = _edges()
    assert edges[("graphs", "agents")] and edges[("agents", "tools")]  # the walk works


def test_baton_imports_no_scenario_code() -> None:
    edges = _edges()
    found = {f"baton -> {t}: {w}" for (s, t), where in edges.items() for w in where if s == "baton"}
    assert sorted(f for f in found if f.split(":")[0].split()[-1] in SCENARIO_CODE) == []


def test_no_import_cycles_between_packages() -> None:
    """Retrieval builds on the runtime; the runtime reaches the store only through the
    configured ``store.backend`` plugin (``baton.stores``), so no pair of packages (baton
    and retrieval included) reaches each other."""
    edges = _edges()
    assert edges[("retrieval", "baton")]  # the walk sees retrieval's use of the runtime
    assert edges.get(("baton", "retrieval"), []) == []
    assert _cycles(edges) == []


def test_agents_never_import_a_graph() -> None:
    """Each domain's state lives beside its agents (``agents/<domain>/state.py``), so an
    agent never needs its graph: graphs import agents, never the reverse."""
    edges = _edges()
    assert edges[("graphs", "agents")]  # the walk sees edges between these two
    assert edges.get(("agents", "graphs"), []) == []


def test_the_store_backend_is_a_named_plugin() -> None:
    """The runtime opens whatever ``store.backend`` names; a bad name is one clear line."""
    from baton.config import Settings, load_settings
    from baton.errors import UserError
    from baton.stores import StoreBackend, store_backend

    settings = load_settings()
    assert isinstance(store_backend(settings), StoreBackend)
    assert Settings().store.backend == settings.store.backend  # the shipped default
    for name, why in (
        (None, "store.backend is not set"),
        ("no_such_module_xyz:THING", "cannot load 'no_such_module_xyz:THING'"),
        ("baton.config:Settings", "is not a context store backend"),
    ):
        other = settings.model_copy(
            update={"store": settings.store.model_copy(update={"backend": name})}
        )
        try:
            store_backend(other)
        except UserError as exc:
            assert why in str(exc)
        else:
            raise AssertionError(f"{name!r} was accepted")
