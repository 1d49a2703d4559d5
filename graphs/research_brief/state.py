"""Input of the research-brief scenario: the question file and the start request.

Its state, which the agents read and write, is ``agents/research/state.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Required

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from typing_extensions import TypedDict

from baton import safepath
from baton.bounded import LimitError, load_yaml
from baton.errors import InputError


class BriefRequest(BaseModel):
    """The YAML input file: one question and the collections to research it in."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=5, max_length=1000)
    collections: list[str] = Field(default_factory=lambda: ["company-docs"], min_length=1)
    k: int = Field(6, ge=1, le=20)
    max_rounds: int = Field(2, ge=1, le=5)


class BriefInput(TypedDict, total=False):
    """What a client sends to start a brief (Agent Server input schema); defaults as the CLI."""

    question: Required[str]
    collections: list[str]
    k: int
    max_rounds: int


def expand(request: BriefRequest) -> dict[str, Any]:
    """The initial state of a validated request: the request with its defaults."""
    return request.model_dump()


def load_input(path: Path) -> dict[str, Any]:
    """Read and validate the question file; errors name the file and the field."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        path = path / "question.yaml"
        if not path.exists():
            raise InputError(path, "no question.yaml in this folder")
    try:
        data = load_yaml(safepath.read_text(path, what="question file"))
    except LimitError as exc:
        raise InputError(path, f"refused: {exc.message}", line=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path,
            # ReaderError (a control character) has no ``problem`` and a two-line str().
            f"invalid YAML: {getattr(exc, 'problem', None) or str(exc).splitlines()[0]}",
            line=None if mark is None else mark.line + 1,
        ) from None
    except ValueError as exc:  # an unquoted impossible date such as 2025-02-30
        raise InputError(path, f"invalid value: {exc}") from None
    try:
        request = BriefRequest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InputError(path, f"{field}: {err['msg']}") from None
    return request.model_dump()
