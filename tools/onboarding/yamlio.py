"""Load a YAML file into a pydantic model and point at the exact line of any mistake.

HR edits these files by hand, so an error must say *where*: the loader keeps PyYAML's
node tree beside the data and maps a pydantic error location (``sessions[2].title``)
back to its line. It also reads YAML the way people expect rather than YAML 1.1:
``17:00`` stays text (not the base-60 integer 1020), dates stay text until pydantic
checks them (so ``2026-02-30`` is a located error, not a crash), and a key written twice
is an error instead of the last one silently winning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

ErrorFactory = Callable[[str, int | None, str, str], Exception]
"""``fail(file, line, field_path, message)`` builds the exception to raise."""

_DROPPED_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style numbers and no implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0|[-+]?[1-9][0-9_]*|0x[0-9a-fA-F]+|0o[0-7]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a pydantic location as ``a.b[2].c`` so the user can find the field."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class YamlDoc:
    """Parsed data plus the node tree that remembers line numbers."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node of ``loc`` that exists in the file."""
        node = self.root
        if node is None:
            return None
        line: int = node.start_mark.line + 1
        for part in loc:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        line = key.start_mark.line + 1
                        child = value
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and part < len(node.value)
            ):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


def _duplicate_key(
    node: yaml.Node, loc: tuple[str | int, ...] = ()
) -> tuple[tuple[str | int, ...], int] | None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                return (*loc, name), key.start_mark.line + 1
            seen.add(name)
            found = _duplicate_key(value, (*loc, name))
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _duplicate_key(item, (*loc, index))
            if found:
                return found
    return None


def read_yaml(path: Path, fail: ErrorFactory) -> YamlDoc:
    """Read and parse ``path``; syntax errors and repeated keys become ``fail(...)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(str(path), None, "", f"cannot read file: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise fail(str(path), line, "", f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        # e.g. ReaderError (a control character): its str() spans two lines.
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(str(path), None, "", f"invalid YAML: {first}") from exc
    except ValueError as exc:  # an unquoted impossible date such as 2025-02-30
        raise fail(str(path), None, "", f"invalid value: {exc}") from exc
    if root is not None:
        dup = _duplicate_key(root)
        if dup:
            raise fail(str(path), dup[1], format_loc(dup[0]), "key appears more than once")
    return YamlDoc(path=path, data=data, root=root)


def clean_message(message: str) -> str:
    """Drop pydantic's ``Value error,`` prefix: the user wants the rule, not the class."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def first_error(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """Location and cleaned message of the first error: the CLI prints one line."""
    first = exc.errors()[0]
    loc = tuple(p for p in first["loc"] if isinstance(p, str | int))
    return loc, clean_message(first["msg"])


def validate_doc(doc: YamlDoc, model: type[M], fail: ErrorFactory) -> M:
    """Validate the parsed data, reporting the first error with its line and field."""
    if not isinstance(doc.data, dict):
        raise fail(str(doc.path), 1, "", "expected a mapping of keys at the top level")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise fail(str(doc.path), doc.line_of(loc), format_loc(loc), message) from exc


def load_yaml_model(path: Path, model: type[M], fail: ErrorFactory) -> M:
    """Read, parse and validate in one step."""
    return validate_doc(read_yaml(path, fail), model, fail)
