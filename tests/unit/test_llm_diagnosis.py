"""The one-line diagnosis of a dead model server: how it died, dmesg, log, and the fix."""

from __future__ import annotations

import signal
from pathlib import Path

from baton.llm_server import PORTABLE_FIX, diagnose, log_tail


def _log(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "llm-server.log"
    path.write_text(text)
    return path


def test_cpu_fault_names_signal_dmesg_log_and_portable_fix(tmp_path: Path) -> None:
    log = _log(tmp_path, "llama_model_load: loaded\n\nINFO: 127.0.0.1 GET /v1/models 200 OK\n")
    kernel = "traps: python[4242] general protection fault ip:7f sp:7ff error:0 in libggml-cpu.so"
    line = diagnose(
        -signal.SIGSEGV,
        log,
        4242,
        url="http://127.0.0.1:5555/v1",
        during="its self-test",
        dmesg=lambda pid: kernel if pid == 4242 else None,
    )
    assert "\n" not in line
    assert line.startswith(
        "embedded model server at http://127.0.0.1:5555/v1 (pid 4242) was killed by SIGSEGV"
        " during its self-test"
    )
    assert f"dmesg: {kernel}" in line
    assert "GET /v1/models 200 OK" in line and "loaded" in line
    assert line.endswith(f"fix: {PORTABLE_FIX}")


def test_a_dmesg_trap_alone_points_at_the_build(tmp_path: Path) -> None:
    line = diagnose(
        1,
        _log(tmp_path, "x\n"),
        7,
        dmesg=lambda pid: "traps: python[7] trap invalid opcode ip:1 in libggml-cpu.so",
    )
    assert "exited with code 1" in line and line.endswith(f"fix: {PORTABLE_FIX}")


def test_sigkill_points_at_memory_and_exit_codes_at_the_log(tmp_path: Path) -> None:
    log = _log(tmp_path, "")
    killed = diagnose(-signal.SIGKILL, log, 9, dmesg=lambda pid: None)
    assert "was killed by SIGKILL" in killed and "out-of-memory" in killed
    assert f"log {log} is empty" in killed and "dmesg" not in killed
    exited = diagnose(2, _log(tmp_path, "error: failed to load model\n"), 9, dmesg=lambda p: None)
    assert "exited with code 2" in exited and "failed to load model" in exited
    assert "model.gguf_path" in exited and PORTABLE_FIX not in exited


def test_log_tail_keeps_the_last_lines_on_one_line(tmp_path: Path) -> None:
    path = _log(tmp_path, "".join(f"line {i}\n" for i in range(50)) + "\n\n")
    assert log_tail(path) == "line 47 | line 48 | line 49"
    assert log_tail(tmp_path / "missing.log") == ""
