"""The unit-test guard: any real network request fails the test instead of leaking out."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError

from baton.config import Settings


def test_raw_socket_is_blocked() -> None:
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_a_real_model_request_fails_the_test(settings: Settings) -> None:
    from baton.llm import chat_model

    real = settings.model_copy(
        update={
            "model": settings.model.model_copy(
                update={"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}
            )
        }
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENAI_API_KEY", "sk-test")
        model = chat_model("writer", real)
        with pytest.raises(Exception) as info:
            model.invoke("hello")
    chain = [info.value, info.value.__cause__, info.value.__context__]
    assert any(isinstance(e, SocketBlockedError) for e in chain) or "Socket" in repr(info.value)
