"""A scenario runs unchanged on another local model: a GGUF file the user supplies, or
a llama.cpp server reached as an OpenAI-compatible endpoint (as Ollama is).

The "other" model here is SmolLM2's own GGUF under another name and path, the only
GGUF this offline suite has; what is tested is the wiring (path, alias, endpoint,
audit trail), which is the same for a 7B model.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.llm_server import gguf_path
from tests.integration.conftest import DOCS, QUESTION, Baton, make_env

pytestmark = pytest.mark.integration


def _models_in_audit(baton: Baton, run_id: str) -> set[str]:
    records = [json.loads(line) for line in baton("audit", run_id).stdout.splitlines()]
    return {r["model"] for r in records if r.get("model")}


def _to_review(baton: Baton) -> str:
    baton("ingest", str(DOCS), "--collection", "company-docs")
    paused = baton.json("run", "research-brief", "--input", str(QUESTION))
    assert paused["status"] == "awaiting_review", paused
    return str(paused["run_id"])


def test_user_supplied_gguf(tmp_path: Path) -> None:
    own = tmp_path / "models" / "my-model.Q4_1.gguf"
    own.parent.mkdir()
    own.symlink_to(gguf_path())
    baton = Baton(
        tmp_path,
        make_env(
            tmp_path / "home",
            BATON_MODEL__GGUF_PATH=str(own),
            BATON_MODEL__MODEL="my-model",
        ),
    )
    doctor = baton("doctor").stdout
    assert "'my-model' from my-model.Q4_1.gguf" in doctor
    run_id = _to_review(baton)
    assert _models_in_audit(baton, run_id) == {"my-model"}


@pytest.fixture
def llamacpp_server(tmp_path: Path) -> Iterator[str]:
    """``python -m llama_cpp.server`` on a free port, as a user would start one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            "served-model",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "llama.cpp server did not start"
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_llamacpp_server_as_an_openai_compatible_endpoint(
    tmp_path: Path, llamacpp_server: str
) -> None:
    baton = Baton(
        tmp_path,
        make_env(
            tmp_path / "home",
            BATON_PROFILE="openai",
            BATON_MODEL__BASE_URL=llamacpp_server,
            BATON_MODEL__MODEL="served-model",
            BATON_MODEL__LEGACY_MAX_TOKENS="true",
            OPENAI_API_KEY="unused",
        ),
    )
    doctor = baton("doctor").stdout
    assert f"'served-model' at {llamacpp_server}: one-token completion" in doctor
    run_id = _to_review(baton)
    assert _models_in_audit(baton, run_id) == {"served-model"}

    wrong = baton("doctor", check=False)
    assert wrong.returncode == 0  # same settings: still fine
    misnamed = Baton(tmp_path, {**baton.env, "BATON_MODEL__MODEL": "no-such-model"})
    failed = misnamed("doctor", check=False)
    assert failed.returncode == 3
    assert "does not serve model 'no-such-model' (it lists: served-model)" in failed.stdout
