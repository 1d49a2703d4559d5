"""Scenarios are plugins: one typed object per business process, found at run time.

Why plugins: Baton is a framework, so a user's own team must run exactly like the
built-in ones without editing Baton. A scenario is a :class:`Scenario` (name, title,
graph builder, input loader, edit schema, default review mode, optional inbox view).
Baton finds them in two places:

* installed packages, through the entry-point group ``baton.scenarios``
  (``[project.entry-points."baton.scenarios"]`` in a ``pyproject.toml``); Baton's own
  four scenarios register this way too;
* the current project's ``langgraph.json`` (the file ``langgraph dev`` reads), for a
  folder that is not an installed package: each graph entry ``"name": "./path/graph.py:graph"``
  becomes a scenario built from that module.

An entry point may name a :class:`Scenario` or a module. A module (and a ``langgraph.json``
graph) provides ``build_graph(checkpointer=None)``, ``load_input(path)``, ``EDIT_SCHEMA``
and ``DEFAULT_REVIEW``, optionally ``TITLE`` (else its docstring's first line) and
``INBOX`` (the module path of an inbox view, see :class:`InboxView`), or a module-level
``SCENARIO`` object, which wins.

Nothing here names a scenario: the runtime, the CLI and the inbox only ever ask this
module.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, runtime_checkable

from pydantic import BaseModel

from baton.errors import UserError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph

ENTRY_POINT_GROUP = "baton.scenarios"
PROJECT_FILE = "langgraph.json"
ReviewMode = Literal["always", "exceptions", "never", "plan"]
REVIEW_MODES: tuple[ReviewMode, ...] = ("always", "exceptions", "never", "plan")
"""``plan``: also sign off a scenario's plan before it runs (scenarios that plan, e.g.
launch-team); its other reviews follow the scenario's default mode."""


@runtime_checkable
class InboxView(Protocol):
    """A scenario's richer page in the review inbox (optional; the generic page is the default).

    ``template`` is a Jinja template file (included inside the inbox's review form),
    ``context`` adds what the template needs from the packet and the run's state, and
    ``form_edits`` turns the submitted form into the edit document ``baton resume
    --edit`` takes (``None``: nothing edited), validated by the scenario's edit schema.
    """

    template: Path

    def context(self, packet: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]: ...

    def form_edits(
        self, form: Mapping[str, str], state: Mapping[str, Any]
    ) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class InboxPage:
    """A ready-made :class:`InboxView`: a template and the two functions that feed it.

    Why: a scenario's richer page is always a template plus "what it shows" and "what a
    submitted form means"; writing those as two functions spares every scenario the same
    protocol-implementing class around them.
    """

    template: Path
    context: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    """``(packet, state)`` -> what the template needs."""
    form_edits: Callable[[Mapping[str, str], Mapping[str, Any]], dict[str, Any] | None]
    """``(form, state)`` -> the edit document (``None``: nothing edited)."""


@runtime_checkable
class ScenarioProtocol(Protocol):
    """What Baton needs from a scenario; :class:`Scenario` is the ready-made implementation."""

    name: str
    title: str

    @property
    def default_review(self) -> ReviewMode: ...

    @property
    def edit_schema(self) -> type[BaseModel]: ...

    @property
    def inbox(self) -> InboxView | None: ...

    def build(
        self, checkpointer: BaseCheckpointSaver[Any] | None = None
    ) -> CompiledStateGraph[Any, Any, Any, Any]: ...

    def load_input(self, path: Path) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Scenario:
    """How to find, feed and review one scenario graph.

    ``module`` is imported only when the graph is needed, so listing scenarios stays
    instant however heavy their agents' dependencies are. ``path`` (optional) loads the
    module from a file instead, for a project folder that is not an installed package.
    """

    name: str
    title: str
    module: str
    path: Path | None = field(default=None, compare=False)
    inbox_module: str | None = None

    def _mod(self) -> ModuleType:
        if self.path is not None:
            return _load_file(self.module, self.path)
        return importlib.import_module(self.module)

    def build(
        self, checkpointer: BaseCheckpointSaver[Any] | None = None
    ) -> CompiledStateGraph[Any, Any, Any, Any]:
        return cast("CompiledStateGraph[Any, Any, Any, Any]", self._mod().build_graph(checkpointer))

    def load_input(self, path: Path) -> dict[str, Any]:
        """Validate the user's input and return the graph's initial state."""
        return cast(dict[str, Any], self._mod().load_input(path))

    def request(self, path: Path) -> dict[str, Any]:
        """Validate the input at ``path``; return what the graph is started with.

        A module with ``REQUEST`` (the pydantic model of its start request, which its
        first node validates and expands) is sent the request an Agent Server client
        would send, so ``baton run`` and the server start runs the same way; without
        one, the graph takes the whole initial state from ``load_input``.
        """
        initial = self.load_input(path)
        model = getattr(self._mod(), "REQUEST", None)
        if model is None:
            return initial
        return {k: initial[k] for k in model.model_fields if k in initial}

    @property
    def edit_schema(self) -> type[BaseModel]:
        return cast(type[BaseModel], self._mod().EDIT_SCHEMA)

    @property
    def default_review(self) -> ReviewMode:
        mode = str(getattr(self._mod(), "DEFAULT_REVIEW", "always"))
        if mode not in REVIEW_MODES:
            raise UserError(
                f"scenario '{self.name}': DEFAULT_REVIEW '{mode}' is not one of"
                f" {', '.join(REVIEW_MODES)}"
            )
        return mode

    @property
    def inbox(self) -> InboxView | None:
        """The scenario's own inbox view, if it has one (module attribute ``VIEW``)."""
        name = self.inbox_module or getattr(self._mod(), "INBOX", None)
        if not name:
            return None
        view = importlib.import_module(str(name)).VIEW
        return cast(InboxView, view)

    @classmethod
    def from_module(cls, name: str, module: ModuleType, path: Path | None = None) -> Scenario:
        """A scenario described by a module's ``build_graph``/``load_input``/... attributes."""
        found = getattr(module, "SCENARIO", None)
        if found is not None:
            return cast(Scenario, found)
        for attr in ("build_graph", "load_input", "EDIT_SCHEMA"):
            if not hasattr(module, attr):
                where = path or module.__name__
                raise UserError(f"scenario '{name}' ({where}): the module has no {attr}")
        title = str(
            getattr(module, "TITLE", "") or (module.__doc__ or name).strip().splitlines()[0]
        )
        return cls(name=name, title=title, module=module.__name__, path=path)


def _load_file(module_name: str, path: Path) -> ModuleType:
    """Import a project's graph module by file, once (its folder joins ``sys.path``)."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


# Discovery --------------------------------------------------------------------------------
_LOCK = threading.Lock()
_CACHE: dict[tuple[str, ...], dict[str, Scenario]] = {}


def _from_entry_points() -> dict[str, Scenario]:
    found: dict[str, Scenario] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in found:
            continue  # the first distribution on sys.path wins, as Python's own imports do
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not hide the others
            raise UserError(
                f"scenario plugin '{ep.name}' ({ep.value}) failed to load:"
                f" {type(exc).__name__}: {exc}"
            ) from None
        found[ep.name] = _as_scenario(ep.name, obj, ep.value)
    return found


def _as_scenario(name: str, obj: object, where: str) -> Scenario:
    if isinstance(obj, Scenario):
        if obj.name != name:
            raise UserError(f"scenario plugin '{name}' ({where}) is named '{obj.name}'")
        return obj
    if isinstance(obj, ModuleType):
        return Scenario.from_module(name, obj)
    raise UserError(f"scenario plugin '{name}' ({where}) is neither a Scenario nor a module")


def _project_file(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def _from_project(start: Path, known: Mapping[str, Scenario]) -> dict[str, Scenario]:
    """Scenarios listed in the nearest ``langgraph.json`` that no installed package provides."""
    config = _project_file(start)
    if config is None:
        return {}
    try:
        graphs = json.loads(config.read_text(encoding="utf-8")).get("graphs") or {}
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as exc:
        raise UserError(f"{config}: not a valid langgraph.json ({exc})") from None
    if not isinstance(graphs, dict):
        raise UserError(f"{config}: graphs: expected an object of name -> './file.py:graph'")
    found: dict[str, Scenario] = {}
    for name, spec in graphs.items():
        if name in known:
            continue
        if not isinstance(spec, str) or ":" not in spec:
            raise UserError(f"{config}: graphs.{name}: expected './path/file.py:graph'")
        file_part = spec.rsplit(":", 1)[0]
        path = (config.parent / file_part).resolve()
        if path.suffix != ".py" or not path.is_file():
            raise UserError(f"{config}: graphs.{name}: no such Python file {file_part}")
        module_name, root = _dotted(path)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        module = importlib.import_module(module_name)
        found[name] = Scenario.from_module(name, module)
    return found


def _dotted(path: Path) -> tuple[str, Path]:
    """``pkg.sub.graph`` and the folder to import it from, climbing through ``__init__.py``s."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def discover(project: Path | None = None, *, refresh: bool = False) -> dict[str, Scenario]:
    """Every scenario this process can run: installed plugins, then the project's own."""
    start = (project or Path.cwd()).resolve()
    key = (str(start),)
    with _LOCK:
        if refresh or key not in _CACHE:
            installed = _from_entry_points()
            _CACHE[key] = {**installed, **_from_project(start, installed)}
        return dict(_CACHE[key])


def get_scenario(name: str, project: Path | None = None) -> Scenario:
    """The scenario called ``name``, or a one-line :class:`UserError` listing the known ones."""
    known = discover(project)
    try:
        return known[name]
    except KeyError:
        names = ", ".join(sorted(known)) or "none installed"
        raise UserError(f"unknown scenario '{name}' (known: {names})") from None
