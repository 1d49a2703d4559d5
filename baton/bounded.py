"""Parse YAML and JSON with bounded nesting and bounded alias expansion.

Why: every loader (question, starter, roadmap, brand, ``--config``, ``--edit``) reads
hand-written or downloaded text, and two tiny files broke them all. A ~900-byte
"billion laughs" YAML (anchors that alias anchors) is cheap for PyYAML to build, since
aliases share one object, but everything that walks the data afterwards (the
duplicate-key check, pydantic) visits every expansion, 9^8 nodes and more. A file
nested 10,000 deep overflows the recursive composer or decoder with ``RecursionError``.

Both are refused *before* the data is built: :func:`check_yaml` streams PyYAML's parse
events (an iterative state machine, so any depth is safe to scan) and counts, per
anchor, how many values an alias expands to; JSON depth is counted by a linear scan that
skips string contents. A refusal is :class:`LimitError`, which each loader turns into
its own one-line error naming the file and line.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

MAX_DEPTH = 64
"""Deepest nesting accepted; real inputs stay under 10."""

MAX_NODES = 200_000
"""Most values a document may expand to, aliases counted at their expanded size."""


class LimitError(ValueError):
    """A document beyond :data:`MAX_DEPTH` or :data:`MAX_NODES`; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _too_deep(line: int | None) -> LimitError:
    return LimitError(f"nested more than {MAX_DEPTH} levels deep", line)


def check_yaml(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> None:
    """Raise :class:`LimitError` if ``text`` nests too deep or expands to too many values.

    Syntax errors are left for the real parse to report (this returns quietly on them).
    """
    anchors: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, expanded size so far)
    total = 0

    def add(size: int, line: int) -> None:
        nonlocal total
        if stack:
            anchor, count = stack[-1]
            stack[-1] = (anchor, count + size)
            count += size
        else:
            total += size
            count = total
        if count > MAX_NODES:
            raise LimitError(
                f"expands to more than {MAX_NODES} values (aliases nested like a "
                "'billion laughs' file?)",
                line,
            )

    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(line)
                stack.append((event.anchor, 1))
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor:
                    anchors[anchor] = size
                add(size, line)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    anchors[event.anchor] = 1
                add(1, line)
            elif isinstance(event, yaml.AliasEvent):
                add(anchors.get(event.anchor or "", 1), line)
    except yaml.YAMLError:
        return


def load_yaml(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """``yaml.load`` (safe) after :func:`check_yaml`."""
    check_yaml(text, loader)
    return yaml.load(text, Loader=loader)


def json_depth_line(text: str) -> int | None:
    """Line where ``text`` first nests deeper than :data:`MAX_DEPTH`, else ``None``.

    A linear scan that ignores brackets inside strings; it needs no valid JSON.
    """
    depth = 0
    line = 1
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line += 1
    return None


def load_json(text: str) -> Any:
    """``json.loads`` after a depth check; decoding errors stay ``JSONDecodeError``."""
    line = json_depth_line(text)
    if line is not None:
        raise _too_deep(line)
    return json.loads(text)
