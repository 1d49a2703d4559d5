"""Loading the obligations register and the period's CSV data with exact errors.

Every problem names the file, line and column and raises before anything runs, so a run
never starts on half-read data. A data file the register needs but the folder lacks is
not an error: it is a *gap*, which the report must state (a regulator wants "no data",
not a silently zero figure).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from baton.errors import InputError
from baton.tools.compliance.models import (
    AccessReview,
    Incident,
    Obligations,
    PeriodData,
    SubjectRequest,
    TrainingRecord,
)
from baton.tools.yamlmodel import input_error, load_yaml_model

M = TypeVar("M", bound=BaseModel)
MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}

DATA_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "incidents": ("incidents.csv", Incident),
    "training": ("training.csv", TrainingRecord),
    "access_reviews": ("access_reviews.csv", AccessReview),
    "requests": ("subject_requests.csv", SubjectRequest),
}


def load_obligations(path: Path) -> Obligations:
    return load_yaml_model(path, Obligations, input_error)


def _regular_file(path: Path) -> None:
    """Refuse what is not a plain file before opening it (a FIFO would block forever)."""
    if path.is_symlink():
        raise InputError(path, "is a symbolic link; copy the file into the folder")
    if not path.is_file():
        raise InputError(path, "is not a regular file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(path, f"is larger than {MAX_BYTES // (1024 * 1024)} MB")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    _regular_file(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise InputError(path, "has no header row")
    for n, row in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise InputError(path, f"has more than {MAX_ROWS} rows", line=n)
        if None in row:
            raise InputError(path, "has more values than header columns", line=n)
        yield n, {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def _convert(value: str, kind: str) -> object:
    if kind == "bool":
        low = value.casefold()
        if low in _YES:
            return True
        if low in _NO:
            return False
        raise ValueError("expected yes or no")
    if kind == "text":
        return value
    if not value:
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    return value


_KINDS: dict[type[BaseModel], dict[str, str]] = {
    Incident: {
        "detected_at": "datetime",
        "reported_at": "datetime",
        "personal_data": "bool",
        "reportable": "bool",
    },
    TrainingRecord: {"due_date": "date", "completed_date": "date"},
    AccessReview: {"due_date": "date", "completed_date": "date"},
    SubjectRequest: {"received": "date", "responded": "date"},
}


def load_records(path: Path, model: type[M]) -> list[M]:
    """Parse one CSV into ``model`` rows; the first bad value stops with its location."""
    kinds = _KINDS.get(model, {})
    out: list[M] = []
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    for line, row in _rows(path):
        missing = [c for c in required if c not in row]
        if missing:
            raise InputError(path, "missing column", line=1, column=missing[0])
        values: dict[str, object] = {}
        for key, raw in row.items():
            if key not in model.model_fields:
                continue
            try:
                values[key] = _convert(raw, kinds.get(key, "text"))
            except ValueError as exc:
                message = f"invalid value {raw[:40]!r}: {exc}"
                raise InputError(path, message, line=line, column=key) from None
        try:
            out.append(model.model_validate(values))
        except ValidationError as exc:
            err = exc.errors()[0]
            column = ".".join(str(p) for p in err["loc"]) or None
            raise InputError(path, err["msg"], line=line, column=column) from None
    return out


def load_people(path: Path) -> list[str]:
    """Names from ``people.csv`` (column ``name``): what the personal-data check looks for."""
    if not path.exists():
        return []
    return [row["name"] for _, row in _rows(path) if row.get("name")]


def load_period(folder: Path) -> PeriodData:
    """All data files of a period folder; absent files become recorded gaps."""
    data: dict[str, object] = {"missing": []}
    for key, (name, model) in DATA_FILES.items():
        path = folder / name
        if not path.exists() and not path.is_symlink():
            data[key] = []
            missing = data["missing"]
            assert isinstance(missing, list)
            missing.append(name)
            continue
        data[key] = load_records(path, model)
    data["people"] = load_people(folder / "people.csv")
    return PeriodData.model_validate(data)


def within(period: tuple[date, date]) -> Callable[[date | None], bool]:
    """A predicate for 'this date falls in the reporting period' (inclusive)."""
    start, end = period
    return lambda d: d is not None and start <= d <= end
