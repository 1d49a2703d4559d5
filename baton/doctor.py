"""``baton doctor``: check the installation and the configured model, one line each.

Why: the failures a new user meets first (a llama.cpp build that cannot run on this
CPU, an endpoint that is down or does not serve the configured model, a home folder
that is not writable, a store that does not open) otherwise surface deep inside a run
as a retry message. Each check here runs the real thing once (a one-token completion,
opening the store) and says what to fix.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from baton.config import Settings
from baton.errors import ModelFailure, UserError

VERSIONED = ("baton", "langgraph", "langchain-openai", "chromadb", "llama-cpp-python")


@dataclass(frozen=True)
class Check:
    """One line of the report: which part, whether it is usable, and the detail."""

    name: str
    ok: bool
    detail: str


def check_versions() -> Check:
    found = [f"python {platform.python_version()}"]
    missing = []
    for dist in VERSIONED:
        try:
            found.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            missing.append(dist)
    detail = ", ".join(found)
    if missing:
        detail += f"; not installed: {', '.join(missing)}"
    # llama-cpp-python is only needed for the embedded model (checked there).
    return Check("versions", not (set(missing) - {"llama-cpp-python"}), detail)


def check_home(settings: Settings) -> Check:
    home = settings.home_dir
    probe_dir = home if home.exists() else next(p for p in home.parents if p.exists())
    if not probe_dir.is_dir():
        return Check("home", False, f"{home}: {probe_dir} is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=probe_dir, prefix=".baton-doctor-"):
            pass
    except OSError as exc:
        return Check("home", False, f"{home}: not writable ({exc.strerror}); set BATON_HOME")
    state = "exists" if home.exists() else "will be created on first use"
    return Check("home", True, f"{home} ({state}, writable)")


def check_store(settings: Settings) -> Check:
    if settings.store.mode == "embedded" and not settings.chroma_path.exists():
        return Check(
            "store",
            True,
            f"no context store yet at {settings.chroma_path} (`baton ingest` creates it)",
        )
    try:
        from baton.stores import store_backend

        collections = store_backend(settings).open(settings).collections()
    except UserError as exc:
        return Check("store", False, str(exc))
    except Exception as exc:  # any backend failure is the finding, reported in one line
        where = settings.store.url or settings.chroma_path
        return Check("store", False, f"{where}: {type(exc).__name__}: {exc}")
    where = settings.store.url or str(settings.chroma_path)
    listed = ", ".join(f"{name} ({count} chunks)" for name, count in collections) or "empty"
    return Check("store", True, f"{settings.store.mode} Chroma at {where}: {listed}")


def check_build() -> Check:
    from baton.llm_server import PORTABLE_FIX
    from baton.portable import build_features, feature_problems

    try:
        features = build_features()
    except ImportError:
        return Check(
            "llama.cpp", False, "llama-cpp-python is not installed: see the README's first command"
        )
    problems = feature_problems(features)
    enabled = " ".join(name for name, on in features.items() if on)
    if problems:
        return Check("llama.cpp", False, f"{'; '.join(problems)} ({enabled}); fix: {PORTABLE_FIX}")
    return Check("llama.cpp", True, f"portable build, no AVX-512/AMX ({enabled})")


def listed_models(base_url: str, api_key: str | None, timeout: float) -> list[str] | None:
    """Model ids the endpoint lists at ``/models``, or None if it has no such route."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    request = urllib.request.Request(f"{base_url}/models", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            data = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise
    return [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]


def check_model(settings: Settings) -> Check:
    cfg = settings.model
    if cfg.provider == "fake":
        return Check("model", True, "scripted fake model (tests only; no endpoint)")
    if cfg.provider == "embedded":
        from baton.llm_server import ensure_server, gguf_path, n_threads, self_test

        try:
            path = gguf_path(settings)
            url = ensure_server(settings)  # a new server passes a one-token self-test
            seconds = self_test(url, cfg.model, timeout=cfg.timeout_s)
        except (UserError, ModelFailure) as exc:
            return Check("model", False, str(exc))
        except (OSError, ValueError) as exc:
            return Check("model", False, f"embedded model server: {type(exc).__name__}: {exc}")
        size = path.stat().st_size / 1e6
        return Check(
            "model",
            True,
            f"'{cfg.model}' from {path.name} ({size:.0f} MB, {n_threads(settings)} threads)"
            f" at {url}: "
            f"one-token completion in {seconds:.2f} s",
        )
    from baton.llm_server import self_test

    base = cfg.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    key = settings.api_key()
    if not key:
        return Check("model", False, f"{base}: ${cfg.api_key_env} is not set")
    timeout = min(cfg.timeout_s, 30.0)
    try:
        ids = listed_models(base, key, timeout)
        if ids is not None and cfg.model not in ids:
            shown = ", ".join(ids[:8]) or "none"
            return Check(
                "model",
                False,
                f"{base} does not serve model '{cfg.model}' (it lists: {shown}); set model.model",
            )
        seconds = self_test(base, cfg.model, api_key=key, timeout=timeout)
    except urllib.error.HTTPError as exc:
        return Check("model", False, f"{base} answered HTTP {exc.code} {exc.reason}")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(
            "model",
            False,
            f"{base} is unreachable ({reason}); check that it is running (model.base_url)",
        )
    return Check("model", True, f"'{cfg.model}' at {base}: one-token completion in {seconds:.2f} s")


def run_checks(settings: Settings, report: Callable[[Check], None]) -> list[Check]:
    """Run every check in order, reporting each as soon as it is known."""
    steps: list[Callable[[], Check]] = [
        check_versions,
        lambda: check_home(settings),
        lambda: check_store(settings),
    ]
    if settings.model.provider == "embedded":
        steps.append(check_build)
    steps.append(lambda: check_model(settings))
    results = []
    for step in steps:
        result = step()
        report(result)
        results.append(result)
    return results
