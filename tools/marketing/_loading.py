"""Shared reading/validation of user files, so every loader reports errors the same way.

A user who gets "validation error" with no place to look will give up; these helpers
turn YAML syntax errors and pydantic validation errors into one line that names the
file, the line and the field path (``events[1].date``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from baton.errors import ConfigError, InputError

M = TypeVar("M", bound=BaseModel)


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a BOM is tolerated), raising :class:`InputError` if unreadable."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "expected a file, found a directory") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 text (byte {exc.start})") from None


def parse_yaml(path: Path, text: str, *, config: bool = False) -> tuple[object, yaml.Node | None]:
    """Parse YAML (or JSON) and keep the node tree so later errors can cite lines."""
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        _raise(path, f"invalid YAML: {problem}", line=line, config=config)
    except ValueError as exc:  # an unquoted impossible date such as 2025-02-30
        _raise(path, f"invalid value: {exc}", line=None, config=config)
    return data, node


def field_path(loc: Sequence[int | str]) -> str:
    """Render a pydantic location as ``events[1].date``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def node_line(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """Line (1-based) of the deepest YAML node that ``loc`` reaches.

    Parts that do not resolve (pydantic union tags, a missing key) are skipped, so a
    missing field points at its parent mapping, which is where the user must add it.
    """
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is not None:
            node = child
            line = node.start_mark.line + 1
    return line


_MISSING = object()


def _child(data: object, part: int | str) -> object:
    if isinstance(data, dict):
        return data.get(part, _MISSING)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return _MISSING


def _data_loc(data: object, loc: Sequence[int | str]) -> list[int | str]:
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
    return out


def _message(error: dict[str, object]) -> str:
    kind = error.get("type")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    msg = str(error.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def validate_model(
    model: type[M],
    data: object,
    path: Path,
    node: yaml.Node | None,
    *,
    config: bool = False,
    context: dict[str, object] | None = None,
) -> M:
    """Validate ``data`` as ``model``; the first error becomes a one-line user error."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = _data_loc(data, [p for p in first["loc"] if isinstance(p, (int, str))])
        _raise(
            path,
            f"{field_path(loc)}: {_message(dict(first))}",
            line=node_line(node, loc),
            config=config,
        )


def _raise(path: Path, message: str, *, line: int | None, config: bool) -> NoReturn:
    if config:
        where = f"{path}:{line}" if line is not None else str(path)
        raise ConfigError(f"{where}: {message}")
    raise InputError(path, message, line=line)


def load_yaml_model(path: Path, model: type[M], *, config: bool = False) -> M:
    """Read, parse and validate one YAML file in a single call (the common case)."""
    text = read_text(path)
    data, node = parse_yaml(path, text, config=config)
    if data is None:
        _raise(path, "file is empty", line=None, config=config)
    return validate_model(model, data, path, node, config=config)
