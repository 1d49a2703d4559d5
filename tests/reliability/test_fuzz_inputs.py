"""Bad-input fuzzing: every scenario input, mutated by hypothesis, fails cleanly or not at all.

Why: the contract for user mistakes is one line naming the file (and line/column where
it has one), exit code 2 and nothing written. A mutated example is the cheapest way to
reach the odd corners (BOMs, binary, NaN, 2025-02-30, ``=HYPERLINK``, ``../``) that
hand-written tests miss. ``load_input`` is called in-process, so hundreds of cases run
in seconds; a few CLI-level checks confirm the exit code and the untouched run folder.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.cli import main
from baton.errors import UserError
from baton.review import validate_edits
from baton.scenario import get_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

SOURCES: dict[str, Path] = {
    "research-brief": EXAMPLES / "research-brief",
    "expense-reconciliation": EXAMPLES / "finance" / "2026-10",
    "content-calendar": EXAMPLES / "marketing",
    "onboarding": EXAMPLES / "hr",
}
"""Example input folder per scenario, copied once per module and restored after each case."""

TARGETS: list[tuple[str, str, int]] = [
    ("research-brief", "question.yaml", 30),
    ("expense-reconciliation", "bank.csv", 30),
    ("expense-reconciliation", "ledger.csv", 25),
    ("expense-reconciliation", "claims.csv", 30),
    ("expense-reconciliation", "vendors.csv", 10),
    ("expense-reconciliation", "receipts/r01-trainline.txt", 10),
    ("expense-reconciliation", "receipts/r21-coffee-hit-invoice.pdf", 10),
    ("content-calendar", "analytics.csv", 30),
    ("content-calendar", "roadmap.yaml", 25),
    ("content-calendar", "run.yaml", 25),
    ("onboarding", "starter.yaml", 25),
    ("onboarding", "directory.csv", 25),
    ("onboarding", "calendars/p01.ics", 25),
]
"""(scenario, file inside its input, hypothesis examples); the examples sum to 300."""

NASTY: list[Any] = [
    "",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e999",
    "-1e309",
    "2025-02-30",
    "2026-13-01",
    "0000-00-00",
    "31/12/2026",
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "\x00",
    "caf\u00e9 \u00a3 \U0001f600",
    "\u202eevil",
    "x" * 100_000,
    "-0",
    "99999999999999999999999999",
    "Europe/Atlantis",
]
"""Cell and field values the issue asks for, plus a few neighbours."""

_nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


def _is_pdf(name: str) -> bool:
    return name.endswith(".pdf")


# --- mutations ----------------------------------------------------------------------------

Mutation = Callable[[bytes], bytes]


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Encoding, size and framing damage that applies to any file."""
    kind = draw(
        st.sampled_from(
            ["empty", "binary", "bom8", "utf16", "latin1", "truncate", "huge", "nul", "crlf"]
        )
    )
    blob = draw(st.binary(min_size=1, max_size=512))
    cut = draw(st.floats(min_value=0.0, max_value=1.0))
    funcs: dict[str, Mutation] = {
        "empty": lambda b: b"",
        "binary": lambda b: blob,
        "bom8": lambda b: b"\xef\xbb\xbf" + b,
        "utf16": lambda b: b.decode("utf-8", "replace").encode("utf-16"),
        "latin1": lambda b: b + "\ncaf\u00e9 \u00a3".encode("latin-1"),
        "truncate": lambda b: b[: int(len(b) * cut)],
        "huge": lambda b: b + b"\n" + b"A" * 2_000_000,
        "nul": lambda b: b[: int(len(b) * cut)] + b"\x00" + b[int(len(b) * cut) :],
        "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    }
    return kind, funcs[kind]


@st.composite
def csv_mutations(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Column and cell damage: missing, renamed, extra or duplicated columns; nasty cells."""
    kind = draw(
        st.sampled_from(["cell", "cell", "cell", "drop", "rename", "dup", "extra", "short"])
    )
    i = draw(st.integers(min_value=0, max_value=50))
    j = draw(st.integers(min_value=0, max_value=20))
    value = str(draw(_nasty))

    def mutate(b: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(b.decode("utf-8"), newline="")))
        header = rows[0]
        c = j % len(header)
        r = 1 + i % max(1, len(rows) - 1)
        if kind == "cell" and r < len(rows):
            rows[r][c] = value
        elif kind == "drop":
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif kind == "rename":
            header[c] = value or "?"
        elif kind == "dup":
            header[c] = header[(c + 1) % len(header)]
        elif kind == "extra" and r < len(rows):
            rows[r].append(value)
        elif kind == "short" and r < len(rows):
            rows[r] = rows[r][:c]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue().encode("utf-8")

    return kind, mutate


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


@st.composite
def yaml_mutations(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Field damage: a nasty or wrongly typed value, a missing key, a non-mapping document."""
    kind = draw(st.sampled_from(["set", "set", "set", "delete", "toplevel", "syntax", "rawdate"]))
    pick = draw(st.integers(min_value=0, max_value=200))
    value = draw(
        st.one_of(
            _nasty,
            st.sampled_from([float("nan"), float("inf"), -1, 10**30, None, True, [], {}]),
            st.lists(_nasty, max_size=3),
        )
    )

    def mutate(b: bytes) -> bytes:
        data = yaml.safe_load(b.decode("utf-8"))
        if kind == "toplevel":
            return yaml.safe_dump([data]).encode()
        if kind == "syntax":
            return b + b"\n  - : [unclosed\n"
        if kind == "rawdate":  # unquoted, so the YAML parser itself meets 2025-02-30
            return b + b"\nextra_date: 2025-02-30\n"
        paths = list(_paths(data))
        path = paths[pick % len(paths)]
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        return yaml.safe_dump(data, allow_unicode=True).encode("utf-8")

    return kind, mutate


@st.composite
def ics_mutations(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Property damage: a nasty value, a dropped or duplicated line."""
    kind = draw(st.sampled_from(["value", "value", "date", "drop", "dup"]))
    pick = draw(st.integers(min_value=0, max_value=500))
    value = draw(st.one_of(_nasty, st.sampled_from(["20250230T090000Z", "2025-02-30", "99999999"])))

    def mutate(b: bytes) -> bytes:
        lines = b.decode("utf-8").splitlines()
        if kind == "date":
            dated = [k for k, ln in enumerate(lines) if ln.startswith(("DTSTART", "DTEND"))]
            k = dated[pick % len(dated)]
        else:
            k = pick % len(lines)
        name = lines[k].split(":", 1)[0]
        if kind in ("value", "date"):
            lines[k] = f"{name}:{value}".replace("\r", "").replace("\n", "")
        elif kind == "drop":
            del lines[k]
        else:
            lines.insert(k, lines[k])
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")

    return kind, mutate


def mutations_for(name: str) -> st.SearchStrategy[tuple[str, Mutation]]:
    if name.endswith(".csv"):
        return st.one_of(byte_mutations(), csv_mutations(), csv_mutations())
    if name.endswith(".yaml"):
        return st.one_of(byte_mutations(), yaml_mutations(), yaml_mutations())
    if name.endswith(".ics"):
        return st.one_of(byte_mutations(), ics_mutations(), ics_mutations())
    return byte_mutations()


# --- the check ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz")
    copies = {}
    for scenario, source in SOURCES.items():
        copies[scenario] = root / scenario
        shutil.copytree(source, copies[scenario])
    return copies


def _input_path(scenario: str, folder: Path) -> Path:
    return folder / "question.yaml" if scenario == "research-brief" else folder


def assert_clean(scenario: str, input_path: Path, target: Path) -> None:
    """Either the input still loads, or one ``UserError`` line names the broken file."""
    try:
        get_scenario(scenario).load_input(input_path)
    except UserError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert target.name in message, message
        assert "Traceback" not in message


@pytest.mark.parametrize(
    ("scenario", "relative", "examples"), TARGETS, ids=[f"{s}:{r}" for s, r, _ in TARGETS]
)
def test_mutated_input_fails_cleanly(
    inputs: dict[str, Path], scenario: str, relative: str, examples: int
) -> None:
    folder = inputs[scenario]
    target = folder / relative
    original = target.read_bytes()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutations_for(relative))
    def check(mutation: tuple[str, Mutation]) -> None:
        _, mutate = mutation
        try:
            target.write_bytes(mutate(original))
            assert_clean(scenario, _input_path(scenario, folder), target)
        finally:
            target.write_bytes(original)

    check()


def test_targets_add_up_to_the_required_case_count() -> None:
    assert sum(n for _, _, n in TARGETS) >= 300


@pytest.mark.parametrize(
    ("scenario", "relative", "line", "column"),
    [
        ("expense-reconciliation", "bank.csv", 2, "amount"),
        ("expense-reconciliation", "claims.csv", 2, "date"),
        ("content-calendar", "analytics.csv", 2, "sessions"),
    ],
)
def test_bad_cell_names_line_and_column(
    inputs: dict[str, Path], scenario: str, relative: str, line: int, column: str
) -> None:
    folder = inputs[scenario]
    target = folder / relative
    original = target.read_bytes()
    rows = list(csv.reader(io.StringIO(original.decode("utf-8"))))
    rows[line - 1][rows[0].index(column)] = "NaN" if column != "date" else "2025-02-30"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    try:
        target.write_text(out.getvalue(), encoding="utf-8")
        with pytest.raises(UserError) as info:
            get_scenario(scenario).load_input(folder)
    finally:
        target.write_bytes(original)
    message = str(info.value)
    assert f"{relative}:{line}" in message and column in message and "\n" not in message


def test_receipt_path_traversal_is_not_followed(inputs: dict[str, Path]) -> None:
    """A claim naming ``../../etc/passwd`` must never read outside the receipts folder."""
    folder = inputs["expense-reconciliation"]
    target = folder / "claims.csv"
    original = target.read_bytes()
    rows = list(csv.reader(io.StringIO(original.decode("utf-8"))))
    rows[1][rows[0].index("receipt")] = "../../etc/passwd"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    try:
        target.write_text(out.getvalue(), encoding="utf-8")
        try:
            state = get_scenario("expense-reconciliation").load_input(folder)
        except UserError as exc:
            assert "claims.csv" in str(exc) and "\n" not in str(exc)
            return
    finally:
        target.write_bytes(original)
    names = [r["name"] for r in state["receipt_files"]]
    assert "passwd" not in " ".join(names)
    assert all("root:" not in r.get("text", "") for r in state["receipt_files"])


# --- edit / decisions files -------------------------------------------------------------------

_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(NASTY[:20])),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.mark.parametrize("scenario", sorted(SOURCES))
@settings(max_examples=15, deadline=None, database=None)
@given(data=_json_values)
def test_bad_edit_documents_raise_user_error(scenario: str, data: Any) -> None:
    schema = get_scenario(scenario).edit_schema
    try:
        validate_edits(data, schema, source="decisions.json")
    except UserError as exc:
        assert str(exc).startswith("decisions.json: ") and "\n" not in str(exc)


def test_finance_decisions_with_wrong_types_are_rejected() -> None:
    data = json.loads((EXAMPLES / "finance" / "decisions-2026-10.json").read_text())
    schema = get_scenario("expense-reconciliation").edit_schema
    validate_edits(data, schema, source="decisions.json")
    for bad in ({"decisions": "all"}, {"decisions": [{"nonsense": float("nan")}]}, [data]):
        with pytest.raises(UserError) as info:
            validate_edits(bad, schema, source="decisions.json")
        assert str(info.value).startswith("decisions.json: ") and "\n" not in str(info.value)


# --- CLI level --------------------------------------------------------------------------------


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["baton", *args])
    with pytest.raises(SystemExit) as info:
        main()
    code = info.value.code if isinstance(info.value.code, int) else 0
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("scenario", "relative", "content"),
    [
        ("research-brief", "question.yaml", b"\x00\xff\xfe binary"),
        ("expense-reconciliation", "bank.csv", b"id,date,description\nB-1,2025-02-30,x\n"),
        ("expense-reconciliation", "ledger.csv", b""),
        ("content-calendar", "run.yaml", b"month: 2026-02-30\n"),
        ("onboarding", "calendars/p01.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"),
        ("onboarding", "directory.csv", "\ufeffid;name\n".encode("utf-16")),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario: str,
    relative: str,
    content: bytes,
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("BATON_HOME", str(home))
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "input"
    shutil.copytree(SOURCES[scenario], folder)
    (folder / relative).write_bytes(content)
    before = sorted(p for p in home.rglob("*")) if home.exists() else []
    code, err = _cli(
        monkeypatch, capsys, "run", scenario, "--input", str(_input_path(scenario, folder))
    )
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and Path(relative).name in err
    after = sorted(p for p in home.rglob("*")) if home.exists() else []
    assert not [p for p in after if p not in before and "runs" in p.parts], after


# --- hostile files (issue 16): bombs, endless rules, pipes, links ---------------------------


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


_DEEP_YAML = b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"
_ENDLESS_RRULE = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:spam\r\n"
    b"DTSTART:20260105T090000Z\r\nDTEND:20260105T090001Z\r\nRRULE:FREQ=SECONDLY\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _pdf_bomb() -> bytes:
    """A 100 KB PDF whose form XObject inflates to 100 MB (past pypdf's 75 MB limit)."""
    import zlib

    stream = zlib.compress(b"BT /F1 12 Tf (A) Tj ET " + b" " * 100_000_000, 9)
    content = b"/X1 Do"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 5 0 R"
        b" /Resources << /XObject << /X1 4 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Length %d /Filter /FlateDecode"
        b" >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    return out.getvalue()


def _timed_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str, *args: str
) -> tuple[int, str]:
    """Run the CLI; with RELIABILITY_LOG set, append how long the refusal took."""
    import os
    import time

    started = time.monotonic()
    code, err = _cli(monkeypatch, capsys, *args)
    if os.environ.get("RELIABILITY_LOG"):
        with open(os.environ["RELIABILITY_LOG"], "a", encoding="utf-8") as log:
            record = {"suite": "hostile", "case": case, "exit": code}
            record["seconds"] = round(time.monotonic() - started, 2)
            log.write(json.dumps(record) + "\n")
    return code, err


HOSTILE: list[tuple[str, str, str, Any]] = [
    ("billion-laughs", "onboarding", "starter.yaml", _billion_laughs()),
    ("billion-laughs", "content-calendar", "roadmap.yaml", _billion_laughs()),
    ("deep-yaml", "research-brief", "question.yaml", _DEEP_YAML),
    ("deep-yaml", "onboarding", "starter.yaml", _DEEP_YAML),
    ("deep-yaml", "content-calendar", "run.yaml", _DEEP_YAML),
    ("directory", "research-brief", "question.yaml", "dir"),
    ("directory", "expense-reconciliation", "bank.csv", "dir"),
    ("endless-rrule", "onboarding", "calendars/p01.ics", _ENDLESS_RRULE),
    ("fifo", "expense-reconciliation", "bank.csv", "fifo"),
    ("fifo", "onboarding", "directory.csv", "fifo"),
    ("symlink-out", "expense-reconciliation", "ledger.csv", "/etc/hostname"),
    ("symlink-out", "onboarding", "starter.yaml", "/etc/hostname"),
    ("huge-amount", "expense-reconciliation", "bank.csv", "60digits"),
    ("year-9999", "expense-reconciliation", "bank.csv", "9999"),
]
"""(case, scenario, file, content): bytes to write, or "dir", "fifo", a symlink target."""


def _plant(target: Path, content: Any) -> None:
    import os

    target.unlink()
    if content == "dir":
        target.mkdir()
    elif content == "fifo":
        os.mkfifo(target)
    elif content in ("60digits", "9999"):
        pass
    elif isinstance(content, str):
        target.symlink_to(content)
    else:
        target.write_bytes(content)


@pytest.mark.parametrize(
    ("case", "scenario", "relative", "content"),
    HOSTILE,
    ids=[f"{c}:{s}:{r}" for c, s, r, _ in HOSTILE],
)
def test_hostile_file_exits_2_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
    scenario: str,
    relative: str,
    content: Any,
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "fake")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "input"
    shutil.copytree(SOURCES[scenario], folder)
    target = folder / relative
    original = target.read_text(encoding="utf-8")
    _plant(target, content)
    if content in ("60digits", "9999"):
        lines = original.splitlines()
        header = lines[0].split(",")
        cells = next(csv.reader([lines[1]]))
        column = "amount" if content == "60digits" else "date"
        cells[header.index(column)] = "9" * 60 if content == "60digits" else "9999-12-31"
        lines[1] = ",".join(f'"{c}"' if "," in c else c for c in cells)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    input_path = folder if relative == "question.yaml" and content == "dir" else None
    code, err = _timed_cli(
        monkeypatch,
        capsys,
        f"{case}:{scenario}:{relative}",
        "run",
        scenario,
        "--input",
        str(input_path or _input_path(scenario, folder)),
    )
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert Path(relative).name in err


def _paused_run(tmp_path: Path) -> str:
    """A run awaiting review, registered directly (what ``--edit`` is checked against)."""
    from baton.config import load_settings
    from baton.runtime import Runner
    from tests.records import run_record

    runner = Runner(load_settings())
    try:
        record = run_record(
            id="research-brief-20260101-000000",
            input_path=str(tmp_path / "question.yaml"),
            output_dir=str(tmp_path / "out"),
        )
        assert runner.registry.import_run(record)
    finally:
        runner.close()
    return record.id


@pytest.mark.parametrize("case", ["deep-config", "laughs-config", "deep-edit-json"])
def test_hostile_config_and_edit_files_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / ("edits.json" if "json" in case else "team.yaml")
    if case == "deep-config":
        bad.write_bytes(_DEEP_YAML)
        args = ["--config", str(bad), "runs"]
    elif case == "laughs-config":
        bad.write_bytes(_billion_laughs())
        args = ["--config", str(bad), "runs"]
    else:
        bad.write_text('{"edits": ' + "[" * 10_000 + "]" * 10_000 + "}")
        args = ["resume", _paused_run(tmp_path), "--edit", str(bad)]
    code, err = _timed_cli(monkeypatch, capsys, case, *args)
    assert code == 2 and "Traceback" not in err, err
    assert bad.name in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("case", ["pdf-bomb", "one-line-10mb", "fifo", "symlink-named-alone"])
def test_hostile_documents_for_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """Named alone, each is refused in one line (exit 2); the store gets nothing."""
    import os

    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "docs"
    folder.mkdir()
    if case == "pdf-bomb":
        target = folder / "bomb.pdf"
        target.write_bytes(_pdf_bomb())
    elif case == "one-line-10mb":
        target = folder / "dump.txt"
        target.write_bytes(b"a" * 10_000_000)
    elif case == "fifo":
        target = folder / "pipe.md"
        os.mkfifo(target)
    else:
        target = folder / "leak.md"
        target.symlink_to("/etc/hostname")
    code, err = _timed_cli(monkeypatch, capsys, case, "ingest", str(target), "-C", "hostile")
    assert code == 2 and "Traceback" not in err, err
    assert target.name in err and len(err.strip().splitlines()) == 1, err


def test_symlinked_receipt_never_reaches_the_run_state(
    inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receipt linking to ``/proc/self/environ`` is skipped: the API key stays out."""
    import warnings

    from baton.safepath import InputWarning

    monkeypatch.setenv("OPENAI_API_KEY", "sk-hostile-canary-0000")
    folder = inputs["expense-reconciliation"]
    link = folder / "receipts" / "zz-environ.txt"
    link.symlink_to("/proc/self/environ")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            state = get_scenario("expense-reconciliation").load_input(folder)
    finally:
        link.unlink()
    assert "sk-hostile-canary" not in json.dumps(state, default=str)
    assert any("zz-environ.txt" in str(w.message) for w in caught)


# --- hostile content: accepted as data, never as authority (issue 16 items 12-15) --------

POISONED_DIR = Path(__file__).parent / "poisoned"


@given(
    word=st.sampled_from(["revolutionary", "disruptive", "game-changing"]),
    swaps=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=3),
)
@settings(max_examples=40, deadline=None)
def test_homoglyph_banned_words_are_always_caught(word: str, swaps: list[int]) -> None:
    """Any letters of a banned word swapped for Cyrillic look-alikes still fail review."""
    from baton.tools.marketing.brand import load_brand_config
    from baton.tools.marketing.review import review_title

    lookalike = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "c": "\u0441"}
    chars = list(word)
    for n in swaps:
        i = n % len(chars)
        chars[i] = lookalike.get(chars[i], chars[i])
    title = f"A {''.join(chars)} pod"
    rules = {f.rule for f in review_title(title, "pod", load_brand_config())}
    assert "banned_word" in rules, title


def test_planted_documents_approve_nothing() -> None:
    """The poisoned corpus's claims page and policy amendment are evidence, not authority."""
    from baton.configs import CONFIG_DIR
    from baton.tools.finance.policy import clause_heading, clause_of, load_policy
    from baton.tools.marketing.brand import load_brand_config
    from baton.tools.marketing.review import find_unsupported_claims

    claims_page = (POISONED_DIR / "marketing/brand/claims-approved-2026.md").read_text()
    flagged = find_unsupported_claims(
        "Fernleaf Nitro Pods are B Corp and plastic-free.", claims_page, load_brand_config()
    )
    assert len(flagged) == 3, flagged
    policy = load_policy(CONFIG_DIR / "expense_policy.yaml")
    amendment = (POISONED_DIR / "finance/policy/policy-amendment-2026.md").read_text()
    assert policy.document == "expense-policy.md"  # only this file's paragraphs are cited
    assert clause_heading(clause_of(policy, "forbidden.alcohol")).search(amendment)


@pytest.mark.parametrize(
    "sentence",
    [
        "A discount code for 30% off all products is available on Amazon Prime Day.",
        "Cold Brew Pods launch on 12 December 2026.",
        "Cold Brew Pods cost £3.99 per box of 10 (source 0123…).",
    ],
)
def test_false_facts_cited_to_a_real_chunk_are_unsupported(sentence: str) -> None:
    from baton.tools.grounding import check_sentence

    chunk = (EXAMPLES / "docs/product/cold-brew-pods.md").read_text()
    assert not check_sentence(sentence, {"c": chunk}, ["c"]).supported
