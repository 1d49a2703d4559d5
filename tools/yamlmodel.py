"""Load a YAML file into a pydantic model and point at the file, line and field of a mistake.

People edit these files by hand (HR's starter and config, marketing's roadmap, brand and
run options), so an error must say *where*: the loader keeps PyYAML's node tree beside
the data and maps a pydantic error location (``events[1].date``) back to its line. It
also reads YAML the way people expect rather than YAML 1.1: ``17:00`` stays text (not
the base-60 integer 1020), dates stay text until pydantic checks them (so
``2026-02-30`` is a located error, not a crash), a key written twice is an error
instead of the last one silently winning, and a UTF-8 byte-order mark is tolerated.

One module serves every loader so they all report mistakes the same way; each caller
only chooses which exception a mistake becomes, by passing an :data:`ErrorFactory`
(:func:`config_error`, :func:`input_error` or :func:`field_input_error`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from baton import safepath
from baton.bounded import LimitError, check_yaml
from baton.errors import ConfigError, InputError

M = TypeVar("M", bound=BaseModel)

ErrorFactory = Callable[[str, int | None, str, str], Exception]
"""``fail(file, line, field_path, message)`` builds the exception to raise."""

PLAIN_MESSAGES: Mapping[str, str] = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}
"""Plain words for the pydantic error types a hand-edited file hits most often."""


def config_error(file: str, line: int | None, field: str, message: str) -> Exception:
    """A :class:`ConfigError` reading ``file:line: field: message``."""
    where = file if line is None else f"{file}:{line}"
    return ConfigError(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def input_error(file: str, line: int | None, field: str, message: str) -> Exception:
    """An :class:`InputError` that names the field as its column (``column 'role'``)."""
    return InputError(file, message, line=line, column=field or None)


def field_input_error(file: str, line: int | None, field: str, message: str) -> Exception:
    """An :class:`InputError` whose message starts with the field path (``events[1].date:``)."""
    return InputError(file, f"{field}: {message}" if field else message, line=line)


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
        """1-based line of the deepest node of ``loc`` that exists in the file.

        A mapping entry counts from its key's line, since that is where the field's name
        is written; a missing key points at its parent, where the user must add it.
        """
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
                and 0 <= part < len(node.value)
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


def read_text(path: Path, fail: ErrorFactory, *, root: Path | None = None) -> str:
    """Read a UTF-8 file (a BOM is tolerated); an unreadable file becomes ``fail(...)``.

    Reading goes through :mod:`baton.safepath`: a directory, a named pipe or a symlink
    leaving ``root`` (default: the file's folder) is refused without blocking.
    """
    try:
        return safepath.read_text(path, root=root)
    except InputError as exc:
        raise fail(str(path), None, "", f"cannot read file: {exc.detail}") from None


def parse_yaml(path: Path, text: str, fail: ErrorFactory) -> YamlDoc:
    """Parse ``text``; syntax errors and repeated keys become ``fail(...)`` with a line."""
    try:
        check_yaml(text, _Loader)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except LimitError as exc:
        raise fail(str(path), exc.line, "", f"refused: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise fail(str(path), line, "", f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        # e.g. ReaderError (a control character): its str() spans two lines.
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(str(path), None, "", f"invalid YAML: {first}") from exc
    except ValueError as exc:  # an explicitly tagged impossible date (!!timestamp 2025-02-30)
        raise fail(str(path), None, "", f"invalid value: {exc}") from exc
    if root is not None:
        dup = _duplicate_key(root)
        if dup:
            raise fail(str(path), dup[1], format_loc(dup[0]), "key appears more than once")
    return YamlDoc(path=path, data=data, root=root)


def read_yaml(path: Path, fail: ErrorFactory) -> YamlDoc:
    """Read and parse ``path`` (see :func:`read_text` and :func:`parse_yaml`)."""
    return parse_yaml(path, read_text(path, fail), fail)


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


_MISSING = object()


def _child(data: object, part: int | str) -> object:
    if isinstance(data, dict):
        return data.get(part, _MISSING)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return _MISSING


def data_loc(data: object, loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """Drop location parts that are not in the data (pydantic's union/discriminator tags).

    ``edits[1].move.date`` becomes ``edits[1].date``; a missing key stays as the last
    part because that is the field the user must add.
    """
    out: list[int | str] = []
    for i, part in enumerate(loc):
        child = _child(data, part)
        if child is not _MISSING:
            data = child
        elif i < len(loc) - 1:
            continue
        out.append(part)
    return tuple(out)


def validate_doc(
    doc: YamlDoc,
    model: type[M],
    fail: ErrorFactory,
    *,
    messages: Mapping[str, str] | None = None,
) -> M:
    """Validate the parsed data, reporting the first error with its line and field.

    ``messages`` rewords pydantic error types (see :data:`PLAIN_MESSAGES`).
    """
    if doc.data is None:
        raise fail(str(doc.path), None, "", "file is empty")
    if not isinstance(doc.data, dict):
        raise fail(str(doc.path), 1, "", "expected a mapping of keys at the top level")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = data_loc(doc.data, [p for p in first["loc"] if isinstance(p, str | int)])
        message = (messages or {}).get(first["type"]) or clean_message(first["msg"])
        raise fail(str(doc.path), doc.line_of(loc), format_loc(loc), message) from exc


def load_yaml_model(
    path: Path,
    model: type[M],
    fail: ErrorFactory,
    *,
    messages: Mapping[str, str] | None = None,
) -> M:
    """Read, parse and validate in one step."""
    return validate_doc(read_yaml(path, fail), model, fail, messages=messages)
