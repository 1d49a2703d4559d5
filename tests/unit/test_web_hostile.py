"""Inbox items of issue 16: a planted hard link is not served (10); forwarded headers are
believed only from configured proxies, so the sign-in throttle keys on the real peer (11)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from baton.config import ServeSettings, Settings
from baton.runtime import Runner
from baton.web import create_app
from baton.web.app import proxy_options
from baton.web.auth import Credentials
from tests.unit.test_web_inbox import form_token, paused
from tests.unit.test_web_security import TOKEN, output_folder_beside_a_secret, planted_run

__all__ = ["paused"]  # fixture used here


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Credentials())) as c:
        yield c


def test_a_hard_link_planted_as_an_output_is_not_served(
    client: TestClient, runner: Runner, tmp_path: Path
) -> None:
    out, secret = output_folder_beside_a_secret(tmp_path)
    os.link(secret, out / "brief.md")  # same inode, a path inside the output folder
    (out / "report.csv").write_text("a,b\n1,2\n")
    run = planted_run(
        runner, tmp_path, status="done", outputs=[str(out / "brief.md"), str(out / "report.csv")]
    )
    refused = client.get(f"/runs/{run.id}/files/brief.md")
    assert refused.status_code == 404 and "payroll" not in refused.text
    assert client.get(f"/runs/{run.id}/files/report.csv").text == "a,b\n1,2\n"


def test_an_output_older_than_its_run_is_not_served(
    client: TestClient, runner: Runner, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.md").write_text("written long before this run")
    os.utime(out / "old.md", (1_000_000_000, 1_000_000_000))  # 2001
    run = planted_run(runner, tmp_path, status="done", outputs=[str(out / "old.md")])
    assert client.get(f"/runs/{run.id}/files/old.md").status_code == 404


def _asgi(settings: Settings) -> object:
    """The app exactly as ``baton serve`` hands it to uvicorn (proxy middleware included)."""
    config = uvicorn.Config(
        create_app(settings, Credentials(token=TOKEN)), **proxy_options(settings)
    )
    config.load()
    return config.loaded_app


async def _guesses(app: object, rotate: bool) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
        page = await c.get("/login")
        token = form_token(page.text)
        codes = []
        for n in range(22):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"} if rotate else {}
            r = await c.post(
                "/login",
                data={"csrf_token": token, "name": "M", "next": "/", "token": f"g{n}"},
                headers=headers,
            )
            codes.append(r.status_code)
        return codes


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_rotating_x_forwarded_for_does_not_escape_the_throttle(settings: Settings) -> None:
    assert proxy_options(settings) == {"proxy_headers": False}
    codes = await _guesses(_asgi(settings), rotate=True)
    assert codes[:20] == [401] * 20 and codes[20:] == [429, 429]


@pytest.mark.anyio
async def test_a_configured_proxy_is_believed(settings: Settings) -> None:
    trusting = settings.model_copy(update={"serve": ServeSettings(trusted_proxies=["127.0.0.1"])})
    assert proxy_options(trusting)["forwarded_allow_ips"] == ["127.0.0.1"]
    codes = await _guesses(_asgi(trusting), rotate=True)
    assert 429 not in codes  # each forwarded client is counted on its own
