"""configs/onboarding.yaml: the shipped file is valid; mistakes name file, line and field."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from baton.errors import ConfigError
from baton.tools.onboarding.config import load_onboarding_config
from baton.tools.onboarding.testing import CONFIG_PATH


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onboarding.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _shipped_with(old: str, new: str, tmp_path: Path) -> Path:
    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_shipped_config_loads_with_three_catalogue_roles() -> None:
    config = load_onboarding_config(CONFIG_PATH)
    assert config.roles == ["Account Executive", "Data Analyst", "Software Engineer"]
    assert config.scheduling.working_hours.start == time(9, 0)
    assert config.scheduling.max_meeting_minutes == 240
    assert config.playbook_collection == "hr-playbook"
    assert {s.id for s in config.sessions} >= {"welcome", "it-setup", "buddy-intro"}


def test_unknown_key_names_line_and_field(tmp_path: Path) -> None:
    path = _shipped_with(
        "  slot_minutes: 15\n", "  slot_minutes: 15\n  slot_minute: 10\n", tmp_path
    )
    with pytest.raises(ConfigError) as err:
        load_onboarding_config(path)
    message = str(err.value)
    line = path.read_text().splitlines().index("  slot_minute: 10") + 1
    assert message.startswith(f"{path}:{line}: scheduling.slot_minute: ")
    assert "Extra inputs are not permitted" in message
    assert "\n" not in message


def test_unquoted_clock_time_is_read_as_time_not_base_60(tmp_path: Path) -> None:
    path = _shipped_with('{start: "09:00", end: "17:00"}', "{start: 09:00, end: 17:00}", tmp_path)
    assert load_onboarding_config(path).scheduling.working_hours.end == time(17, 0)


def test_broken_yaml_reports_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "scheduling:\n  working_hours: [09:00\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML"):
        load_onboarding_config(path)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        pytest.param(
            "    duration_minutes: 60\n",
            "    duration_minutes: -5\n",
            r":\d+: sessions\[0\]\.duration_minutes: .*greater than 0",
            id="bad_value_names_nested_field",
        ),
        pytest.param(
            'end: "17:00"',
            'end: "25:00"',
            r"scheduling\.working_hours\.end: expected a quoted clock",
            id="invalid_clock_time",
        ),
        pytest.param(
            "  week_one_days: 5\n",
            "  week_one_days: 5\n  week_one_days: 3\n",
            r"scheduling\.week_one_days: key appears more than once",
            id="duplicate_key_is_an_error",
        ),
        pytest.param(
            "participants: [starter, manager]",
            "participants: [manager]",
            r"sessions\[2\]: participants must include 'starter'",
            id="session_must_include_starter",
        ),
        pytest.param(
            "participants: [starter, manager]",
            "participants: [starter, boss]",
            r"sessions\[2\]\.participants\[1\]: .*'boss'",
            id="bad_participant_reference",
        ),
        pytest.param(
            "roles: [Account Executive]}",
            "roles: [Astronaut]}",
            "unknown roles",
            id="session_for_unknown_role",
        ),
        pytest.param(
            'lunch: {start: "12:00"',
            'lunch: {start: "08:00"',
            "lunch must lie inside working_hours",
            id="lunch_outside_working_hours",
        ),
    ],
)
def test_one_bad_edit_to_the_shipped_config_is_refused(
    old: str, new: str, error: str, tmp_path: Path
) -> None:
    path = _shipped_with(old, new, tmp_path)
    with pytest.raises(ConfigError, match=error):
        load_onboarding_config(path)


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="cannot read file"):
        load_onboarding_config("/nonexistent/onboarding.yaml")
