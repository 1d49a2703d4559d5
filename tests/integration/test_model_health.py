"""The model endpoint's health, checked for real: self-test, diagnosis, exit codes, doctor.

Why real processes: the failure these guard against (a llama.cpp server that answers
``/v1/models`` and then dies on the first completion) only shows with a real server
process dying, and the exit codes only with the real ``baton`` command.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from baton.config import load_settings
from baton.errors import ModelFailure
from baton.llm_server import PORTABLE_FIX, ensure_server, explain_failure, start_server
from tests.integration.conftest import DOCS, QUESTION, Baton, make_env

pytestmark = pytest.mark.integration

# Answers /v1/models like llama.cpp's server, then dies of SIGILL on the first
# completion: what a build with instructions the CPU lacks does.
CRASHING_SERVER = r"""
import http.server, json, os, signal, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "m"}]}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        print("llama_perf_context_print: about to multiply", flush=True)
        os.kill(os.getpid(), signal.SIGILL)
print("llama_model_load: model loaded", flush=True)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_self_test_catches_a_server_that_dies_on_its_first_completion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(
        "baton.llm_server.server_command",
        lambda settings, port: [sys.executable, "-c", CRASHING_SERVER, str(port)],
    )
    with pytest.raises(ModelFailure) as info:
        start_server(load_settings(), wait_s=30)
    line = str(info.value)
    assert "\n" not in line
    assert "was killed by SIGILL during its self-test" in line
    assert "about to multiply" in line  # the log's last lines
    assert line.endswith(f"fix: {PORTABLE_FIX}")


def test_killed_embedded_server_is_diagnosed_in_the_run_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.llm import endpoint_advice

    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    settings = load_settings()
    url = ensure_server(settings)  # passed its one-token self-test
    assert explain_failure(settings) is None
    from baton.llm_server import _OWNED

    proc = _OWNED[str(settings.home_dir)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    advice = endpoint_advice(settings, "RUN")
    assert f"embedded model server at {url} (pid {proc.pid}) was killed by SIGKILL" in advice
    assert "out-of-memory" in advice and "\n" not in advice
    _OWNED.pop(str(settings.home_dir))


def test_llm_serve_exits_non_zero_with_the_diagnosis_when_its_server_dies(
    tmp_path: Path,
) -> None:
    baton = Baton(tmp_path, make_env(tmp_path / "home"))
    serve = baton.popen("llm", "serve")
    state = tmp_path / "home" / "llm-server.json"
    deadline = time.monotonic() + 300
    while not state.exists():
        assert serve.poll() is None, serve.communicate()
        assert time.monotonic() < deadline, "baton llm serve did not start"
        time.sleep(0.5)
    info = json.loads(state.read_text())
    os.kill(info["pid"], signal.SIGSEGV)
    _, stderr = serve.communicate(timeout=60)
    assert serve.returncode == 3, stderr
    error = " ".join(stderr.split())  # rich may wrap the one line on a narrow terminal
    assert f"embedded model server at {info['base_url']} (pid {info['pid']})" in error
    assert "was killed by SIGSEGV" in error and "llama-portable.txt" in error
    assert "Traceback" not in stderr
    assert not state.exists()


def test_failed_run_and_resume_exit_3_naming_the_endpoint(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    env = make_env(
        tmp_path / "home",
        BATON_PROFILE="openai",
        BATON_MODEL__BASE_URL=url,
        BATON_MODEL__MAX_RETRIES="0",
        OPENAI_API_KEY="unused",
    )
    baton = Baton(tmp_path, env)
    baton("ingest", str(DOCS), "--collection", "company-docs")
    ran = baton("run", "research-brief", "--input", str(QUESTION), check=False)
    assert ran.returncode == 3, ran.stderr
    text = " ".join(ran.stderr.split())
    assert "failed" in text and f"endpoint {url}" in text and "baton doctor" in text
    run_id = text.split("run ", 1)[1].split(":", 1)[0]

    resumed = baton("resume", run_id, "--json", check=False)
    assert resumed.returncode == 3, resumed.stderr
    outcome = json.loads(resumed.stdout)
    assert outcome["status"] == "failed" and url in outcome["reason"]

    doctor = baton("doctor", check=False)
    assert doctor.returncode == 3
    model = next(line for line in doctor.stdout.splitlines() if " model " in line)
    assert model.startswith("FAIL") and f"{url} is unreachable" in model


def test_doctor_on_the_embedded_model(baton_embedded: Baton) -> None:
    doctor = baton_embedded("doctor")
    lines = doctor.stdout.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "versions"],
        ["ok", "home"],
        ["ok", "store"],
        ["ok", "llama.cpp"],
        ["ok", "model"],
    ], doctor.stdout
    assert "company-docs" in lines[2] and "AVX2" in lines[3]
    assert "one-token completion in" in lines[4]
