"""Settings layering and one-line, field-naming configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.config import load_settings
from baton.errors import ConfigError


def test_defaults_are_the_local_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BATON_MODEL__PROVIDER")
    s = load_settings()
    assert s.profile == "local"
    assert s.model.provider == "embedded"
    assert s.store.mode == "embedded" and s.checkpoints.backend == "sqlite"
    assert s.chroma_path.parent == s.home_dir


def test_environment_overrides_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_MODEL__MAX_TOKENS", "77")
    assert load_settings().model.max_tokens == 77


def test_openai_profile_reads_key_from_env_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BATON_MODEL__PROVIDER")
    monkeypatch.setenv("BATON_PROFILE", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    s = load_settings()
    assert s.model.provider == "openai" and s.model.base_url
    assert s.api_key() == "sk-secret"
    assert "sk-secret" not in s.model_dump_json()


def test_scale_profile_has_its_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_PROFILE", "scale")
    s = load_settings()
    assert s.checkpoints.backend == "postgres" and s.store.mode == "http"


def test_user_file_overlays_defaults(tmp_path: Path) -> None:
    cfg = tmp_path / "team.yaml"
    cfg.write_text("budget:\n  max_llm_calls: 5\n")
    s = load_settings(cfg)
    assert s.budget.max_llm_calls == 5 and s.model.max_tokens == 256


def test_unknown_key_names_file_and_field(tmp_path: Path) -> None:
    cfg = tmp_path / "team.yaml"
    cfg.write_text("model:\n  temprature: 0.2\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert str(cfg) in str(info.value) and "model.temprature" in str(info.value)


def test_bad_value_names_file_and_field(tmp_path: Path) -> None:
    cfg = tmp_path / "team.yaml"
    cfg.write_text("budget:\n  max_tokens: lots\n")
    with pytest.raises(ConfigError, match=r"team.yaml: budget.max_tokens: "):
        load_settings(cfg)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    cfg = tmp_path / "team.yaml"
    cfg.write_text("model:\n  provider: [embedded\n")
    with pytest.raises(ConfigError, match=r"team.yaml:\d+: invalid YAML"):
        load_settings(cfg)


def test_bad_environment_value_names_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_MODEL__TIMEOUT_S", "-3")
    with pytest.raises(ConfigError, match="BATON_MODEL__TIMEOUT_S"):
        load_settings()


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")
