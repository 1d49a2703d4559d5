"""Loaders for the content-calendar input folder.

Everything is read and validated before any agent runs, so a typo in the CSV or the
roadmap stops the run at once with ``file:line: column: message`` instead of
surfacing later as a strange calendar. Nothing here writes files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

from baton import safepath
from baton.errors import InputError
from baton.tools.marketing.models import AnalyticsRow, Roadmap, RunOptions, month_bounds
from baton.tools.yamlmodel import (
    PLAIN_MESSAGES,
    YamlDoc,
    config_error,
    field_input_error,
    format_loc,
    load_yaml_model,
    read_text,
    read_yaml,
    validate_doc,
)

T = TypeVar("T")

ANALYTICS_COLUMNS = (
    "url",
    "title",
    "topic",
    "published",
    "sessions",
    "conversions",
    "avg_position",
)
OPTIONAL_ANALYTICS_COLUMNS = ("search_volume",)
COMPETITOR_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
BRAND_DOC_SUFFIXES = (".md", ".markdown", ".txt")

# --------------------------------------------------------------------------- analytics.csv


def _parse_int(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _parse_position(text: str) -> float:
    value = float(text)
    if not value > 0 or value != value:
        raise ValueError("must be a positive number")
    return value


def _parse_nonempty(text: str) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


_INT = (_parse_int, "a whole number >= 0")
_POSITION = (_parse_position, "a positive number")
_DATE = (date.fromisoformat, "a date like 2026-11-03")
_TEXT = (_parse_nonempty, "a non-empty value")


def load_analytics(path: Path) -> list[AnalyticsRow]:
    """Parse ``analytics.csv``; extra columns are ignored, required ones must be present.

    ``search_volume`` is optional per row (blank = unknown). Conversions may not exceed
    sessions, and a URL may appear only once, because both signal a broken export that
    would otherwise skew the gap scores.
    """
    text = read_text(path, field_input_error)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError(path, "file is empty: expected a header row", line=1)
        names = [h.strip().lower() for h in header]
        for column in ANALYTICS_COLUMNS:
            if column not in names:
                raise InputError(path, "missing required column", line=1, column=column)
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise InputError(path, "column appears twice", line=1, column=dup)
        rows: list[AnalyticsRow] = []
        seen_urls: dict[str, int] = {}
        for raw in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(names):
                raise InputError(path, f"expected {len(names)} fields, found {len(raw)}", line=line)
            cells = {n: c.strip() for n, c in zip(names, raw, strict=True)}

            def cell(
                column: str,
                kind: tuple[Callable[[str], T], str],
                cells: dict[str, str] = cells,
                line: int = line,
            ) -> T:
                parse, expected = kind
                try:
                    return parse(cells[column])
                except ValueError:
                    shown = cells[column] or "(empty)"
                    raise InputError(
                        path, f"{shown!r} is not {expected}", line=line, column=column
                    ) from None

            url = cell("url", _TEXT)
            if url in seen_urls:
                raise InputError(
                    path,
                    f"duplicate url, first seen on line {seen_urls[url]}",
                    line=line,
                    column="url",
                )
            seen_urls[url] = line
            sessions = cell("sessions", _INT)
            conversions = cell("conversions", _INT)
            if conversions > sessions:
                raise InputError(
                    path,
                    f"conversions ({conversions}) exceed sessions ({sessions})",
                    line=line,
                    column="conversions",
                )
            volume = cells.get("search_volume", "")
            rows.append(
                AnalyticsRow(
                    url=url,
                    title=cell("title", _TEXT),
                    topic=cell("topic", _TEXT),
                    published=cell("published", _DATE),
                    sessions=sessions,
                    conversions=conversions,
                    avg_position=cell("avg_position", _POSITION),
                    search_volume=cell("search_volume", _INT) if volume else None,
                )
            )
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
    if not rows:
        raise InputError(path, "no data rows after the header")
    return rows


# --------------------------------------------------------------------------- text documents


class _HTMLText(HTMLParser):
    """Visible text of an HTML page, with block elements turned into paragraph breaks."""

    _BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "section",
            "article",
            "header",
            "footer",
            "tr",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "title",
        }
    )
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_URL_RE = re.compile(r"\(?https?://\S+\)?")


def document_text(path: Path, *, root: Path | None = None) -> str:
    """Plain text of a ``.md``/``.txt``/``.html`` file, paragraphs separated by blank lines.

    ``root`` is the folder the file was found in (see :mod:`baton.safepath`).
    """
    raw = read_text(path, field_input_error, root=root)
    if path.suffix.lower() in {".html", ".htm"}:
        parser = _HTMLText()
        parser.feed(raw)
        parser.close()
        raw = "".join(parser.parts)
    raw = _URL_RE.sub(" ", raw)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", raw))
    return "\n\n".join(p for p in paragraphs if p)


def _split_long(paragraph: str, max_chars: int) -> list[str]:
    """Pieces of at most ``max_chars``: at sentence ends, else at spaces, else anywhere.

    Without the fallbacks a paragraph with no punctuation (a scraped page, a 10 MB
    one-line file) stayed one piece, and everything downstream scaled with its size.
    """
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
        for part in _hard_wrap(sentence, max_chars):
            if current and len(current) + 1 + len(part) > max_chars:
                pieces.append(current)
                current = part
            else:
                current = f"{current} {part}".strip()
    if current:
        pieces.append(current)
    return pieces


def _hard_wrap(sentence: str, max_chars: int) -> list[str]:
    """Cut at the last space within ``max_chars``, or at ``max_chars`` if there is none."""
    out: list[str] = []
    start = 0
    while len(sentence) - start > max_chars:
        cut = sentence.rfind(" ", start, start + max_chars + 1)
        if cut <= start:
            out.append(sentence[start : start + max_chars])
            start += max_chars
        else:
            out.append(sentence[start:cut])
            start = cut + 1
    out.append(sentence[start:])
    return [piece for piece in out if piece]


def chunk_text(text: str, *, max_chars: int = 1200) -> list[str]:
    """Group paragraphs into chunks of at most ``max_chars`` (a longer sentence is cut)."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for piece in _split_long(paragraph, max_chars):
            if current and len(current) + 2 + len(piece) > max_chars:
                chunks.append(current)
                current = piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _documents(folder: Path, suffixes: tuple[str, ...], what: str) -> list[Path]:
    if not folder.is_dir():
        raise InputError(folder, f"{what} folder not found")
    files = safepath.list_files(folder, suffixes=suffixes, recursive=True)
    if not files:
        raise InputError(folder, f"no {what} files ({', '.join(suffixes)})")
    return files


def load_competitor_chunks(folder: Path, *, max_chars: int = 1200) -> list[tuple[str, str]]:
    """Competitor posts as ``(chunk_id, text)`` pairs, ids like ``competitors/a.md#0``.

    The ``source#n`` id form lets research count how many distinct competitor posts
    cover a topic and lets every finding cite the exact chunk.
    """
    out: list[tuple[str, str]] = []
    for path in _documents(folder, COMPETITOR_SUFFIXES, "competitor post"):
        source = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        text = document_text(path, root=folder)
        for i, chunk in enumerate(chunk_text(text, max_chars=max_chars)):
            out.append((f"{source}#{i}", chunk))
    return out


def load_brand_documents(folder: Path) -> list[tuple[str, str]]:
    """Brand guideline documents as ``(relative path, text)``: the allowed facts for claims."""
    return [
        (path.relative_to(folder).as_posix(), document_text(path, root=folder))
        for path in _documents(folder, BRAND_DOC_SUFFIXES, "brand document")
    ]


# --------------------------------------------------------------------------- roadmap / run options


def load_roadmap(path: Path, month: str) -> Roadmap:
    """Parse ``roadmap.yaml`` (``events: [...]``) and require every date inside ``month``.

    A launch outside the month cannot get supporting posts in this calendar, so it is
    reported as an input error rather than silently ignored.
    """
    doc = read_yaml(path, field_input_error)
    if doc.data is None:
        raise InputError(
            path, "file is empty: expected 'events:' with a list of launches and events"
        )
    roadmap = validate_doc(doc, Roadmap, field_input_error, messages=PLAIN_MESSAGES)
    first, last = month_bounds(month)
    names: dict[str, int] = {}
    for i, event in enumerate(roadmap.events):
        loc: list[int | str] = ["events", i, "date"]
        if not first <= event.date <= last:
            raise InputError(
                path,
                f"{format_loc(loc)}: {event.date.isoformat()} is outside the run month {month}",
                line=doc.line_of(loc),
            )
        key = event.name.strip().lower()
        if key in names:
            loc = ["events", i, "name"]
            raise InputError(
                path,
                f"{format_loc(loc)}: duplicate name {event.name!r} (also events[{names[key]}])",
                line=doc.line_of(loc),
            )
        names[key] = i
    return roadmap


def load_run_options(path: Path) -> RunOptions:
    """Parse a run-options YAML file (month, channels, cadence, weekdays, holidays)."""
    return load_yaml_model(path, RunOptions, field_input_error, messages=PLAIN_MESSAGES)


def parse_run_options(data: Mapping[str, object], source: str = "run options") -> RunOptions:
    """Validate run options given on the command line; errors name ``source`` and the field."""
    doc = YamlDoc(path=Path(source), data=dict(data), root=None)
    return validate_doc(doc, RunOptions, config_error, messages=PLAIN_MESSAGES)
