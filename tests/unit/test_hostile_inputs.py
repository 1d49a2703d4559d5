"""Hostile inputs from issue 16 (items 1-7 and 9): each is refused with one line, or skipped.

Every case here hung, crashed with a traceback or leaked before the shared helpers
(:mod:`baton.safepath`, :mod:`baton.bounded`); the fuzz suite runs the same files
through the CLI for the exit code.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from baton.cli import _read_edit_file
from baton.config import load_settings
from baton.errors import ConfigError, InputError, UserError
from baton.graphs.research_brief.state import load_input as load_question
from baton.retrieval import ingest as ingest_mod
from baton.safepath import InputWarning
from baton.tools.finance.io import load_month
from baton.tools.marketing.edits import load_edits
from baton.tools.marketing.inputs import chunk_text
from baton.tools.onboarding.calendars import load_busy
from baton.tools.onboarding.models import Interval
from baton.tools.yamlmodel import input_error, read_yaml

BANK = "id,date,description,amount\nB1,2026-10-01,X,-1.00\n"
LEDGER = "id,date,description,amount,ref,entry_type\nG1,2026-10-01,X,-1.00,R1,receipt\n"


def billion_laughs() -> str:
    """The ~900-byte file of the issue: nine levels of nine aliases each."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
        prev = name
    return "\n".join(lines) + "\n"


DEEP_YAML = "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
DEEP_JSON = '{"edits": ' + "[" * 10_000 + "]" * 10_000 + "}"


# 1 and 2: bounded parsing in every YAML/JSON loader ------------------------------------


@pytest.mark.parametrize(("text", "why"), [(billion_laughs(), "expands"), (DEEP_YAML, "nested")])
def test_yaml_model_loader_refuses_bombs(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "starter.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=why) as error:
        read_yaml(path, input_error)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("text", "why"), [(billion_laughs(), "expands"), (DEEP_YAML, "nested")])
@pytest.mark.parametrize(
    ("name", "load", "error"),
    [
        pytest.param("question.yaml", load_question, InputError, id="question"),
        pytest.param("team.yaml", load_settings, ConfigError, id="config"),
    ],
)
def test_question_and_config_files_refuse_bombs(
    tmp_path: Path,
    text: str,
    why: str,
    name: str,
    load: Callable[[Path], object],
    error: type[Exception],
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(error, match=why):
        load(path)


def test_edit_json_refuses_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "edits.json"
    path.write_text(DEEP_JSON)
    with pytest.raises(UserError, match="nested more than 64 levels"):
        _read_edit_file(path)
    with pytest.raises(InputError, match="nested more than 64 levels"):
        load_edits(path)


def test_ordinary_anchors_still_load(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("base: &b {city: Leeds}\nother: *b\n")
    assert read_yaml(path, input_error).data == {
        "base": {"city": "Leeds"},
        "other": {"city": "Leeds"},
    }


# 3 and 7: a directory or a FIFO where a file belongs --------------------------------------


def test_question_yaml_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "question.yaml").mkdir()
    with pytest.raises(InputError, match="found a directory"):
        load_question(tmp_path)


def _month(tmp_path: Path) -> Path:
    (tmp_path / "bank.csv").write_text(BANK)
    (tmp_path / "ledger.csv").write_text(LEDGER)
    return tmp_path


def test_named_pipe_as_bank_csv_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "bank.csv")
    (tmp_path / "ledger.csv").write_text(LEDGER)
    with pytest.raises(InputError, match="named pipe"):
        load_month(tmp_path)


def test_named_pipe_among_receipts_is_skipped(tmp_path: Path) -> None:
    month = _month(tmp_path)
    (month / "receipts").mkdir()
    os.mkfifo(month / "receipts" / "r1.txt")
    with pytest.warns(InputWarning, match="named pipe"):
        assert load_month(month).receipts == []


# 9: symlinks leaving the folder the user named ---------------------------------------------


def test_receipt_symlink_to_proc_environ_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-must-not-leak")
    month = _month(tmp_path)
    (month / "receipts").mkdir()
    (month / "receipts" / "r1.txt").symlink_to("/proc/self/environ")
    (month / "receipts" / "r2.txt").write_text("Pret A Manger total 4.50")
    with pytest.warns(InputWarning, match="outside"):
        loaded = load_month(month)
    assert [r.name for r in loaded.receipts] == ["r2.txt"]
    assert all("sk-secret" not in r.text for r in loaded.receipts)


def test_bank_csv_symlink_outside_the_month_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(BANK)
    month = tmp_path / "2026-10"
    month.mkdir()
    (month / "bank.csv").symlink_to(outside)
    (month / "ledger.csv").write_text(LEDGER)
    with pytest.raises(InputError, match="symbolic link leading outside"):
        load_month(month)


def test_ingest_skips_a_link_out_of_the_folder_and_refuses_one_named_alone(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nThe vault code is 7741.")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.md").write_text("# Fine\n\nPublic text.")
    (docs / "leak.md").symlink_to(secret)
    (docs / "inside.md").symlink_to(docs / "ok.md")
    files, skipped = ingest_mod.discover([docs])
    assert sorted(p.name for p in files) == ["inside.md", "ok.md"]
    assert [(Path(p).name, "outside" in why) for p, why in skipped] == [("leak.md", True)]
    alone = tmp_path / "other"
    alone.mkdir()
    (alone / "leak.md").symlink_to(secret)
    with pytest.raises(InputError, match="outside"):
        ingest_mod.discover([alone / "leak.md"])


# 4: unbounded RRULE -----------------------------------------------------------------------


def _busy_in_first_week_of_2026(tmp_path: Path, event: str) -> list[Interval]:
    """The busy spans, in 5-12 January 2026 (UTC), of a calendar holding one event."""
    path = tmp_path / "p01.ics"
    path.write_text(
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\n{event}END:VEVENT\nEND:VCALENDAR\n"
    )
    window = Interval(datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC))
    return load_busy(path, ZoneInfo("UTC"), window)


def test_secondly_rrule_without_end_is_refused(tmp_path: Path) -> None:
    event = "UID:spam\nDTSTART:20260105T090000Z\nDTEND:20260105T090001Z\nRRULE:FREQ=SECONDLY\n"
    with pytest.raises(InputError, match="FREQ=SECONDLY repeats more than"):
        _busy_in_first_week_of_2026(tmp_path, event)


def test_weekly_rule_since_years_still_expands(tmp_path: Path) -> None:
    event = "UID:1\nDTSTART:20100104T090000Z\nDTEND:20100104T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO\n"
    busy = _busy_in_first_week_of_2026(tmp_path, event)
    assert [b.start for b in busy] == [datetime(2026, 1, 5, 9, tzinfo=UTC)]


# 5: PDF decompression bomb -----------------------------------------------------------------


def test_pdf_limit_error_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf.errors import LimitReachedError

    def bomb(*_: object, **__: object) -> None:
        raise LimitReachedError("Limit reached while decompressing. 5000 bytes remaining.")

    monkeypatch.setattr("pypdf.PdfReader", bomb)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(b"%PDF-1.4\n%bomb\n")
    with pytest.raises(InputError, match=r"not a readable PDF.*Limit reached"):
        ingest_mod.load_document(path)


# 6: one-line 10 MB text --------------------------------------------------------------------


def test_ten_megabyte_one_line_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(b"a" * 10_000_000)
    with pytest.raises(InputError, match="characters of text"):
        ingest_mod.load_document(path)


def test_chunk_limits_hold_without_punctuation() -> None:
    chunks = chunk_text("word " * 5000 + "x" * 5000, max_chars=1200)
    assert max(len(c) for c in chunks) <= 1200
    assert ingest_mod.break_long_runs("y" * 2500, 1000).split("\n") == ["y" * 1000] * 2 + [
        "y" * 500
    ]


def test_warnings_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to("/etc/hostname")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from baton.safepath import list_files

        assert list_files(tmp_path) == []
    assert len(caught) == 1 and "\n" not in str(caught[0].message)


# 8: a home that turns read-only mid-run --------------------------------------------------


def test_read_only_home_mid_run_is_one_line_with_a_resume_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3
    import sys

    from langgraph.checkpoint.sqlite import SqliteSaver

    from baton.cli import main

    question = Path(__file__).resolve().parents[2] / "examples" / "research-brief" / "question.yaml"
    real_put = SqliteSaver.put
    calls = {"n": 0}

    def put(self: SqliteSaver, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] > 2:  # the disk turns read-only after the run has started
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_put(self, *args, **kwargs)  # type: ignore[arg-type]

    docs = question.parents[1] / "docs"
    monkeypatch.setattr(sys, "argv", ["baton", "ingest", str(docs), "-C", "company-docs"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code in (0, None)
    monkeypatch.setattr(SqliteSaver, "put", put)
    monkeypatch.setattr(sys, "argv", ["baton", "run", "research-brief", "--input", str(question)])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err.replace("\n", "")
    assert info.value.code == 2, err
    assert "cannot write (attempt to write a readonly database)" in err
    assert "baton resume research-brief-" in err
    assert f"error: {load_settings().home_dir}: cannot write" in err
    assert "Traceback" not in err


def test_matching_reads_only_the_head_of_an_overlong_description() -> None:
    # 64,000 spaces in a bank text made two name patterns scan it quadratically (17 s
    # for one line, hours for a file of them). Past MAX_TEXT characters nothing is
    # read, so the name is the head's alone and a file of such lines is cheap.
    from datetime import date
    from decimal import Decimal

    from baton.tools.finance.matching import reconcile
    from baton.tools.finance.models import BankLine, LedgerEntry
    from baton.tools.finance.normalize import MAX_TEXT, describe

    text = "ACME TRADING" + " " * (MAX_TEXT + 64_000) + "ZETA - DES:"
    assert describe(text).name == "ACME TRADING"
    day = date(2025, 1, 6)
    lines = [
        BankLine(id=f"b{i}", date=day, description=text, amount=Decimal(-1 - i)) for i in range(20)
    ]
    entries = [
        LedgerEntry(
            id=f"g{i}", date=day, description=text, amount=Decimal(-1 - i), ref="", entry_type=""
        )
        for i in range(20)
    ]
    result = reconcile(lines, entries)
    assert {(m.bank_id, m.gl_id) for m in result.matches} == {(f"b{i}", f"g{i}") for i in range(20)}
