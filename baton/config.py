"""Typed settings: shipped YAML defaults, an optional user file, then ``BATON_*`` env vars.

Why layered this way: the shipped ``configs/baton.yaml`` documents every knob, a team
keeps its own overrides in a small YAML file under version control, and deployments
flip single values (``BATON_PROFILE=openai``) without editing files. A profile section
(``profiles.<name>``) is merged over the base before the environment is applied.

Every validation problem is reported as one line that names the file (or the
environment variable) and the dotted field path, so a typo never becomes a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from baton import safepath
from baton.bounded import LimitError, load_yaml
from baton.configs import CONFIG_DIR
from baton.errors import ConfigError, InputError

DEFAULT_CONFIG = CONFIG_DIR / "baton.yaml"
ENV_PREFIX = "BATON_"
ENV_ALIASES: dict[str, tuple[str, str]] = {
    "BATON_DATABASE_URL": ("checkpoints", "database_url"),
    "BATON_CHROMA_URL": ("store", "url"),
}
"""Short names for the two server URLs a deployment sets (the ``scale`` profile).

They sit above the YAML files; the long ``BATON_<SECTION>__<KEY>`` form still wins.
"""


def _shipped(section: str, key: str) -> Any:
    """A value of the shipped ``configs/baton.yaml`` (where a default is data, not code)."""
    found = _read_yaml(DEFAULT_CONFIG).get(section) or {}
    return found.get(key) if isinstance(found, dict) else None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = safepath.read_text(path, what="config file", max_bytes=5_000_000)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    try:
        data = load_yaml(text)
    except LimitError as exc:
        where = str(path) if exc.line is None else f"{path}:{exc.line}"
        raise ConfigError(f"{where}: refused: {exc.message}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSettings(_Section):
    """Which chat model every agent talks to, and how patiently."""

    provider: Literal["embedded", "openai", "fake"] = "embedded"
    base_url: str | None = None
    model: str = "smollm2-135m-instruct"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(256, gt=0)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(3, ge=0, le=20)
    concurrency: int = Field(2, ge=1, le=256)
    n_ctx: int = Field(2048, ge=256)
    n_threads: int | None = Field(
        None,
        ge=1,
        description="CPU threads of the embedded llama.cpp server; None: every core. Lower it"
        " when other work shares the machine: llama.cpp spins all its threads, so on a busy"
        " host more threads than free cores is slower, not faster.",
    )
    gguf_path: Path | None = None
    legacy_max_tokens: bool = False
    fake_latency_s: float = Field(0.0, ge=0.0)
    adjudication_books: Literal["hosted", "any"] = Field(
        "hosted",
        description="whose pick among a reconciliation's candidates may book a pair once code"
        " re-checks amounts and dates: only a hosted endpoint's (openai), or any model's",
    )


class StoreSettings(_Section):
    """Where the Chroma context store lives and how documents are chunked."""

    backend: str | None = Field(
        default_factory=lambda: _shipped("store", "backend"),
        description="The context store plugin as module:attribute (see baton.stores);"
        " configs/baton.yaml names the built-in Chroma store, which is also the default of"
        " settings built without the file.",
    )
    mode: Literal["embedded", "http"] = "embedded"
    path: Path | None = None
    url: str | None = None

    chunk_size: int = Field(800, ge=100)
    chunk_overlap: int = Field(120, ge=0)
    embedding_batch: int = Field(64, ge=1)
    hybrid: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http://HOST:PORT URL of a Chroma server")
        return value


class CheckpointSettings(_Section):
    """Where run checkpoints, the run registry and the audit trail are persisted."""

    backend: Literal["sqlite", "postgres"] = "sqlite"
    path: Path | None = None
    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("expected a postgresql://USER@HOST:PORT/DB URL")
        return value


class QueueSettings(_Section):
    """How ``baton worker`` processes share queued runs (``scale`` profile).

    A worker renews its lease on the run it drives every ``lease_s / 3`` seconds; a
    worker that dies stops renewing, and after ``lease_s`` another worker continues the
    run from its last checkpoint. Shorter leases recover faster but tolerate shorter
    stalls (a frozen VM, a long GC pause).
    """

    lease_s: float = Field(30.0, gt=0)
    poll_s: float = Field(1.0, gt=0)


class CacheSettings(_Section):
    """Reuse model answers and query embeddings when inputs are identical."""

    enabled: bool = True


class BudgetSettings(_Section):
    """Per-run ceilings so a looping or chatty run fails loudly instead of costing money."""

    max_llm_calls: int = Field(60, ge=1)
    max_tokens: int = Field(60_000, ge=1)


class ReviewSettings(_Section):
    """Defaults for human review."""

    reviewer: str | None = None


class ServeSettings(_Section):
    """Who may use the review inbox (``baton serve``); secrets stay in the environment.

    Like ``model.api_key_env``, the config names environment variables, never values,
    so a YAML file under version control cannot leak a reviewer's password.
    """

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    token_env: str | None = None
    """Environment variable holding one shared reviewer token (reviewers type their name)."""
    users: dict[str, str] = Field(default_factory=dict)
    """HTTP basic auth: user name -> environment variable holding that user's password."""
    secret_env: str | None = None
    """Environment variable holding the cookie-signing key; unset: a new key per start."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """Addresses (or CIDR ranges) of reverse proxies whose ``X-Forwarded-For`` is believed;
    empty: forwarded headers are ignored and the client is the connecting peer."""


class PriceSettings(_Section):
    """What one model costs, in your currency per 1M tokens (``baton metrics``)."""

    input: float = Field(0.0, ge=0.0)
    output: float = Field(0.0, ge=0.0)


class RunSettings(_Section):
    """How runs are driven.

    ``durability`` is LangGraph's: ``sync`` writes each step's checkpoint before the
    next step starts, ``async`` writes it in the background while the next step runs,
    ``exit`` writes only when the run pauses, fails or ends (RELIABILITY.md says which
    survive a SIGKILL without repeating work). ``sync`` is the default because a business
    run must never repeat a finished step: under ``async`` a SIGKILL can land while the
    last finished step's checkpoint is still being written, and that step then runs again
    (seen in CI, RELIABILITY.md).
    """

    durability: Literal["sync", "async", "exit"] = "sync"


class TracingSettings(_Section):
    """OpenTelemetry export of runs, nodes, model calls, retrievals and decisions.

    Off unless ``enabled`` and an OTLP/HTTP endpoint is set. Prompt and completion text
    is exported only with ``content: true``; token counts, models and ids always are.
    """

    enabled: bool = False
    endpoint: str | None = None
    """OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (``/v1/traces`` is appended)."""
    service_name: str = "baton"
    content: bool = False
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("endpoint")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s)://HOST:PORT URL of an OTLP/HTTP receiver")
        return value


class Settings(BaseSettings):
    """All of Baton's settings for one process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    profile: Literal["local", "openai", "scale"] = "local"
    home: Path = Path(".baton")
    model: ModelSettings = ModelSettings()
    store: StoreSettings = StoreSettings()
    checkpoints: CheckpointSettings = CheckpointSettings()
    budget: BudgetSettings = BudgetSettings()
    cache: CacheSettings = CacheSettings()
    review: ReviewSettings = ReviewSettings()
    queue: QueueSettings = QueueSettings()
    serve: ServeSettings = ServeSettings()
    pricing: dict[str, PriceSettings] = Field(default_factory=dict)
    run: RunSettings = RunSettings()
    tracing: TracingSettings = TracingSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats files; the YAML layers arrive as init kwargs (lowest here).
        return (env_settings, dotenv_settings, init_settings)

    # Derived locations -------------------------------------------------------------
    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def chroma_path(self) -> Path:
        return (self.store.path or self.home_dir / "chroma").expanduser().resolve()

    @property
    def checkpoint_path(self) -> Path:
        return (
            (self.checkpoints.path or self.home_dir / "checkpoints.sqlite").expanduser().resolve()
        )

    @property
    def registry_path(self) -> Path:
        return self.home_dir / "baton.sqlite"

    @property
    def runs_dir(self) -> Path:
        return self.home_dir / "runs"

    def api_key(self) -> str | None:
        """Read the API key from the environment at call time; it is never stored."""
        return os.environ.get(self.model.api_key_env)


HOME_HELP = "set BATON_HOME=DIR (or `home:` in a --config file) to use another home"


def home_hint(settings: Settings) -> str:
    """Where runs were looked for, and how to look elsewhere (the default is per folder).

    Why: the default home ``./.baton`` depends on the current folder, so a command run
    from another folder finds nothing; saying which home it read turns that into a hint.
    """
    return f"home {settings.home_dir} ({HOME_HELP})"


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _apply_profile(data: dict[str, Any], path: Path) -> dict[str, Any]:
    profiles = data.pop("profiles", {}) or {}
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: profiles: expected a mapping of profile names")
    name = os.environ.get(f"{ENV_PREFIX}PROFILE") or data.get("profile") or "local"
    section = profiles.get(name, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: profiles.{name}: expected a mapping")
    return _deep_merge(data, section)


def _has_path(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    node: Any = data
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def load_settings(config_file: Path | str | None = None) -> Settings:
    """Build settings from the shipped defaults, ``config_file`` (or ``BATON_CONFIG``), env.

    Raises :class:`ConfigError` with one line naming the file or variable and the field.
    """
    chosen = config_file or os.environ.get(f"{ENV_PREFIX}CONFIG")
    layers: list[tuple[Path, dict[str, Any]]] = [(DEFAULT_CONFIG, _read_yaml(DEFAULT_CONFIG))]
    if chosen:
        user = Path(chosen)
        layers.append((user, _read_yaml(user)))
    merged: dict[str, Any] = {}
    for _path, data in layers:
        merged = _deep_merge(merged, data)
    merged = _apply_profile(merged, layers[-1][0])
    for var, (section, key) in ENV_ALIASES.items():
        if os.environ.get(var):
            merged = _deep_merge(merged, {section: {key: os.environ[var]}})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc)
        env_name = ENV_PREFIX + "__".join(str(p).upper() for p in loc)
        source = next(
            (str(p) for p, d in reversed(layers) if _has_path(_apply_profile(dict(d), p), loc)),
            None,
        )
        if env_name in os.environ or source is None:
            source = f"environment variable {env_name}"
        alias = next(
            (v for v, at in ENV_ALIASES.items() if at == loc[:2] and v in os.environ), None
        )
        if alias and env_name not in os.environ:
            source = f"environment variable {alias}"
        raise ConfigError(f"{source}: {dotted}: {err['msg']}") from None
