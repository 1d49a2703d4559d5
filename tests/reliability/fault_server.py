"""A real OpenAI-compatible HTTP endpoint that misbehaves on purpose, at a seeded rate.

Why a real server rather than a mocked client: the failures that hurt in production
happen below the SDK (status codes, Retry-After, sockets reset mid-request, bodies cut
short, replies that never come). Only a socket-level fake exercises the OpenAI client's
retry loop, LangChain's tool-call parsing and Baton's error mapping together, exactly
as a flaky provider would.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from baton.testing import fill_schema

FAULTS: tuple[str, ...] = (
    "rate_limit",
    "server_error",
    "unavailable",
    "hang",
    "reset",
    "truncated",
    "bad_json_args",
    "schema_mismatch",
)
"""Every fault kind the server can inject; ``ok`` counts clean answers."""

TRANSPORT_FAULTS: tuple[str, ...] = FAULTS[:6]
"""Faults the OpenAI client retries (as opposed to replies Baton must repair)."""

Script = Callable[[dict[str, Any], str], dict[str, Any]]
"""``(tool parameters schema, prompt text) -> tool arguments``."""


def schema_script(parameters: dict[str, Any], text: str) -> dict[str, Any]:
    """The default script: the same deterministic filler the scripted model uses."""
    value = fill_schema(parameters, text)
    return value if isinstance(value, dict) else {}


def _prompt_text(messages: Sequence[dict[str, Any]]) -> str:
    parts: list[str] = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


class FaultServer:
    """Serves ``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1, injecting faults.

    ``rate`` and ``kinds`` may be changed while the server runs (e.g. set ``rate = 0``
    to let the endpoint "recover"); ``counts`` tallies requests per fault kind.
    """

    def __init__(
        self,
        *,
        rate: float = 0.0,
        seed: int = 0,
        kinds: Sequence[str] = FAULTS,
        hang_s: float = 5.0,
        script: Script = schema_script,
    ) -> None:
        unknown = set(kinds) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.rate = rate
        self.kinds: tuple[str, ...] = tuple(kinds)
        self.hang_s = hang_s
        self.script = script
        self.counts: Counter[str] = Counter()
        self.auth_headers: set[str] = set()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases hanging handlers at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def reseed(self, seed: int) -> None:
        """Restart the fault sequence, so one server can replay several seeded trials."""
        with self._lock:
            self._rng = random.Random(seed)

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()

    def choose(self) -> str:
        """The next request's fate, drawn from the seeded generator in arrival order."""
        with self._lock:
            kind = "ok"
            if self.kinds and self._rng.random() < self.rate:
                kind = self._rng.choice(self.kinds)
            self.counts[kind] += 1
            return kind

    def hang(self) -> None:
        self._stop.wait(self.hang_s)

    def completion(self, request: dict[str, Any], kind: str) -> dict[str, Any]:
        """A chat completion answering ``request``, malformed as ``kind`` asks."""
        text = _prompt_text(request.get("messages") or [])
        tools: list[dict[str, Any]] = request.get("tools") or []
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        if tools:
            fn = tools[0]["function"]
            args = self.script(fn.get("parameters") or {}, text)
            if kind == "bad_json_args":
                arguments = json.dumps(args)[: max(1, len(json.dumps(args)) // 2)] + '", {'
            elif kind == "schema_mismatch":
                arguments = json.dumps({k: {"wrong": ["type"]} for k in args} or {"x": 1})
            else:
                arguments = json.dumps(args)
            message["tool_calls"] = [
                {
                    "id": f"call_{uuid.uuid4().hex[:8]}",
                    "type": "function",
                    "function": {"name": fn["name"], "arguments": arguments},
                }
            ]
            finish = "tool_calls"
        else:
            message["content"] = "ok"
        prompt_tokens = max(1, len(text) // 4)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(request.get("model") or "fault-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": 16,
                "total_tokens": prompt_tokens + 16,
            },
        }


def _handler_for(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            body = json.dumps({"error": {"message": message, "type": "fault", "code": status}})
            self._send(status, body.encode(), headers)

        def _abort(self) -> None:
            """Close with RST (SO_LINGER 0): the client sees a connection reset."""
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            except OSError:
                pass

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/v1/models"):
                data = {"object": "list", "data": [{"id": "fault-model", "object": "model"}]}
                self._send(200, json.dumps(data).encode())
            else:
                self._error(404, "not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if not self.path.rstrip("/").endswith("/v1/chat/completions"):
                self._error(404, "not found")
                return
            auth = self.headers.get("Authorization")
            if auth:
                server.auth_headers.add(auth)
            try:
                request = json.loads(raw)
            except json.JSONDecodeError:
                self._error(400, "request body is not JSON")
                return
            kind = server.choose()
            if kind == "rate_limit":
                self._error(429, "slow down", {"Retry-After": "1", "retry-after-ms": "50"})
            elif kind == "server_error":
                self._error(500, "internal fault")
            elif kind == "unavailable":
                self._error(503, "overloaded")
            elif kind == "hang":
                server.hang()
                self._abort()
            elif kind == "reset":
                self._abort()
            elif kind == "truncated":
                body = json.dumps(server.completion(request, "ok")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self._abort()
            else:
                self._send(200, json.dumps(server.completion(request, kind)).encode())

    return Handler
