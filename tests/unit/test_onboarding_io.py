"""Input folder validation: starter.yaml, directory.csv, calendars/ - errors are located."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from baton.errors import ConfigError, InputError
from baton.tools.onboarding.config import OnboardingConfig, load_onboarding_config
from baton.tools.onboarding.io import load_directory, load_inputs, load_starter
from baton.tools.onboarding.models import STARTER_ID
from baton.tools.onboarding.testing import CONFIG_PATH, EXAMPLE_DIR


@pytest.fixture(scope="module")
def config() -> OnboardingConfig:
    return load_onboarding_config(CONFIG_PATH)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "hr"
    shutil.copytree(EXAMPLE_DIR, target, ignore=shutil.ignore_patterns("playbook", "*.py"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, startswith: str) -> int:
    return next(
        i for i, ln in enumerate(path.read_text().splitlines(), 1) if ln.startswith(startswith)
    )


def test_example_folder_loads(config: OnboardingConfig) -> None:
    inputs = load_inputs(EXAMPLE_DIR, config)
    assert inputs.starter.name == "Maya Okafor"
    assert len(inputs.directory) == 25
    assert inputs.manager.id == "p02"
    assert inputs.days == tuple(date(2026, 3, d) for d in range(2, 7))
    assert set(inputs.busy) == {p.id for p in inputs.directory} | {STARTER_ID}
    assert inputs.busy[STARTER_ID] == []
    assert all(inputs.busy[p.id] for p in inputs.directory)


def test_unknown_role_is_located(folder: Path, config: OnboardingConfig) -> None:
    path = folder / "starter.yaml"
    _edit(path, "role: Software Engineer", "role: Astronaut")
    with pytest.raises(InputError) as err:
        load_starter(path, config)
    assert err.value.line == _line(path, "role:")
    assert err.value.column == "role"
    assert "unknown role 'Astronaut'" in str(err.value)


def test_weekend_start_date(folder: Path, config: OnboardingConfig) -> None:
    path = folder / "starter.yaml"
    _edit(path, "start_date: 2026-03-02", "start_date: 2026-03-07")
    with pytest.raises(InputError, match=r"2026-03-07 is not a working day \(Saturday\)") as err:
        load_starter(path, config)
    assert err.value.line == _line(path, "start_date:")


def test_public_holiday_start_date(folder: Path, config: OnboardingConfig) -> None:
    path = folder / "starter.yaml"
    _edit(path, "start_date: 2026-03-02", "start_date: 2026-05-01")
    with pytest.raises(InputError, match="not a working day"):
        load_starter(path, config)


def test_impossible_date_is_a_located_error(folder: Path, config: OnboardingConfig) -> None:
    path = folder / "starter.yaml"
    _edit(path, "start_date: 2026-03-02", "start_date: 2026-02-30")
    with pytest.raises(InputError) as err:
        load_starter(path, config)
    assert err.value.column == "start_date"
    assert err.value.line == _line(path, "start_date:")


def test_unknown_country_and_timezone(folder: Path, config: OnboardingConfig) -> None:
    path = folder / "starter.yaml"
    _edit(path, "country: DE", "country: XX")
    with pytest.raises(InputError, match="XX") as err:
        load_starter(path, config)
    assert err.value.column == "country"
    _edit(path, "country: XX", "country: DE")
    _edit(path, "timezone: Europe/Berlin", "timezone: Mars/Olympus")
    with pytest.raises(InputError, match="unknown IANA time zone"):
        load_starter(path, config)


@pytest.mark.parametrize(
    ("old", "new", "error", "line"),
    [
        pytest.param(
            ",mentor_capacity,is_manager_of",
            ",capacity,is_manager_of",
            "missing column\\(s\\): mentor_capacity",
            1,
            id="missing_directory_columns",
        ),
        pytest.param("p25,Oliver", "p24,Oliver", "duplicate id 'p24'", 26, id="duplicate_id"),
    ],
)
def test_directory_error_names_its_line(
    folder: Path, old: str, new: str, error: str, line: int
) -> None:
    path = folder / "directory.csv"
    _edit(path, old, new)
    with pytest.raises(InputError, match=error) as err:
        load_directory(path)
    assert err.value.line == line


def test_bad_directory_value_names_row_and_column(folder: Path) -> None:
    path = folder / "directory.csv"
    _edit(path, "Data Analyst,Data,3,", "Data Analyst,Data,three,")
    with pytest.raises(InputError) as err:
        load_directory(path)
    assert err.value.line == _line(path, "p10,")
    assert err.value.column == "level"


def test_manager_must_be_in_directory(folder: Path, config: OnboardingConfig) -> None:
    _edit(folder / "starter.yaml", "manager: p02", "manager: p99")
    with pytest.raises(InputError, match=r"manager 'p99' is not in directory\.csv"):
        load_inputs(folder, config)


def test_manager_by_email(folder: Path, config: OnboardingConfig) -> None:
    _edit(folder / "starter.yaml", "manager: p02", "manager: Tomas.Herrera@example.com")
    assert load_inputs(folder, config).manager.id == "p02"


def test_config_participant_must_exist(folder: Path, config: OnboardingConfig) -> None:
    _edit(folder / "directory.csv", "p05,Priya", "p55,Priya")
    with pytest.raises(ConfigError, match=r"sessions\[8\]\.participants\[1\]: 'id:p05'"):
        load_inputs(folder, config)


def test_calendar_for_unknown_person(folder: Path, config: OnboardingConfig) -> None:
    shutil.copy(folder / "calendars" / "p01.ics", folder / "calendars" / "p1.ics")
    with pytest.raises(InputError, match="no person with id 'p1'"):
        load_inputs(folder, config)


def test_malformed_calendar_is_rejected_before_planning(
    folder: Path, config: OnboardingConfig
) -> None:
    path = folder / "calendars" / "p03.ics"
    text = path.read_text()
    broken = text.replace("DTSTART;TZID=Asia/Tokyo:2026", "DTSTART;TZID=Asia/Tokyo:xx2026", 1)
    path.write_text(broken)
    with pytest.raises(InputError) as err:
        load_inputs(folder, config)
    assert err.value.path == str(path)
    assert err.value.line is not None
    assert "xx2026" in broken.splitlines()[err.value.line - 1]
