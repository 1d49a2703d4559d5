"""A user-supplied GGUF replaces the default SmolLM2 in the embedded server's command."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.config import load_settings
from baton.errors import ConfigError, UserError
from baton.llm_server import GGUF_PACKAGE, gguf_path, server_command


def test_default_is_smollm2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_MODEL__PROVIDER", "embedded")
    settings = load_settings()
    assert settings.model.model == "smollm2-135m-instruct"
    assert settings.model.gguf_path is None
    path = gguf_path(settings)
    assert path.suffix == ".gguf" and GGUF_PACKAGE.replace("-", "_") in str(path)


def test_user_supplied_gguf_and_alias_are_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "bigger.Q4_K_M.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setenv("BATON_MODEL__GGUF_PATH", str(model))
    monkeypatch.setenv("BATON_MODEL__MODEL", "bigger")
    monkeypatch.setenv("BATON_MODEL__N_CTX", "4096")
    command = server_command(load_settings(), 5555)
    assert command[command.index("--model") + 1] == str(model.resolve())
    assert command[command.index("--model_alias") + 1] == "bigger"
    assert command[command.index("--n_ctx") + 1] == "4096"


def test_n_threads_defaults_to_every_core_and_can_be_lowered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 7)
    command = server_command(load_settings(), 5555)
    assert command[command.index("--n_threads") + 1] == "7"
    monkeypatch.setenv("BATON_MODEL__N_THREADS", "1")
    command = server_command(load_settings(), 5555)
    assert command[command.index("--n_threads") + 1] == "1"


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_n_threads_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BATON_MODEL__N_THREADS", value)
    with pytest.raises(ConfigError, match="BATON_MODEL__N_THREADS"):
        load_settings()


def test_missing_gguf_is_a_one_line_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_MODEL__GGUF_PATH", str(tmp_path / "nope.gguf"))
    with pytest.raises(UserError, match=r"model.gguf_path: .*nope.gguf: no such file"):
        gguf_path(load_settings())


def test_benchmark_model_specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.model_checks import model_settings

    base = load_settings()
    label, embedded = model_settings(base, "embedded", tmp_path)
    assert (label, embedded.model.provider, embedded.model.gguf_path) == (
        "embedded",
        "embedded",
        None,
    )
    label, own = model_settings(base, "big=gguf:/models/big.gguf", tmp_path)
    assert (label, own.model.model, own.model.gguf_path) == ("big", "big", Path("/models/big.gguf"))
    assert own.home_dir != embedded.home_dir  # one embedded server per model
    monkeypatch.setenv("OPENAI_API_KEY", "restored-after-the-test")
    monkeypatch.delenv("OPENAI_API_KEY")
    label, served = model_settings(base, "llama3.1=openai:http://localhost:11434/v1", tmp_path)
    assert served.model.provider == "openai"
    assert served.model.base_url == "http://localhost:11434/v1"
    assert served.model.model == "llama3.1" and served.api_key() == "unused"
    assert not served.cache.enabled
    with pytest.raises(SystemExit, match="expected NAME=gguf:PATH"):
        model_settings(base, "x=ftp:somewhere", tmp_path)
