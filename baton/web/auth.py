"""Who is reviewing, and whether the request really came from the inbox's own forms.

Why this shape: the reviewers are people in finance, HR or marketing, so the inbox
offers the two things an operator can set up in a minute: HTTP basic auth (the user
name becomes the reviewer) or one shared token (each reviewer types a name, kept in a
signed cookie). Secrets are read from environment variables named in the config, the
same pattern as ``model.api_key_env``, and compared in constant time.

CSRF: every form carries a random token that also lives in the signed session cookie
(Starlette's ``SessionMiddleware``, signed with itsdangerous); a POST whose form token
does not match the cookie's is refused, so another site cannot submit a review in a
logged-in reviewer's name.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from baton.config import ServeSettings
from baton.errors import ConfigError, UserError

CSRF_FIELD = "csrf_token"
LOOPBACK_NAMES = frozenset({"localhost"})
_NO_USER = secrets.token_urlsafe(16)
"""Compared against when a basic-auth user name is unknown (never a valid password)."""


@dataclass(frozen=True)
class Credentials:
    """The secrets behind ``serve.token_env`` and ``serve.users``, read once at start."""

    token: str | None = None
    users: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return self.token is not None or bool(self.users)

    @classmethod
    def from_settings(cls, serve: ServeSettings) -> Credentials:
        """Read the named environment variables; a named but empty one is a config error."""
        token = read_env(serve.token_env, "serve.token_env") if serve.token_env else None
        users = {name: read_env(env, f"serve.users.{name}") for name, env in serve.users.items()}
        return cls(token=token, users=users)

    def check_basic(self, header: str | None) -> str | None:
        """The user name of a valid ``Authorization: Basic`` header, else None."""
        if not header or not self.users or not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, sep, password = decoded.partition(":")
        expected = self.users.get(name)
        # Compare even for an unknown name, so the answer's timing does not tell which
        # user names exist.
        matches = secrets.compare_digest(
            password.encode(), (expected if expected is not None else _NO_USER).encode()
        )
        return name if sep and expected is not None and matches else None

    def check_token(self, token: str) -> bool:
        return self.token is not None and secrets.compare_digest(
            token.encode(), self.token.encode()
        )


class Throttle:
    """Failed sign-ins per client address in a sliding window; refused past the limit.

    Why: a shared token or a password on an inbox reachable from the network could
    otherwise be guessed at full speed. Counted per address so one guesser does not
    lock everybody out (behind a proxy all reviewers share one address, and a guesser
    there can lock the door for a few minutes: the lesser harm).
    """

    def __init__(
        self,
        limit: int = 20,
        window_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        stamps = self._failures.get(client, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        return stamps

    def blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client, self.clock())) >= self.limit

    def fail(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            if client not in self._failures and len(self._failures) >= self.max_clients:
                # Many addresses (an IPv6 range): forget the quiet ones, keep memory bounded.
                for key in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[key]
            self._failures[client] = stamps = self._recent(client, now)
            stamps.append(now)


def read_env(name: str, field_path: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{field_path}: environment variable {name} is not set or empty")
    return value


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: only this machine can connect."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_hosts(host: str) -> list[str]:
    """``Host`` header values a browser sends to an inbox listening on loopback ``host``.

    Checking them defeats DNS rebinding: a web page whose name the attacker re-points
    at 127.0.0.1 becomes "same origin" with the inbox in the reviewer's browser, but
    its requests still carry the attacker's host name and are refused.
    """
    names = {"localhost", "127.0.0.1", "::1", "[::1]", host.lower()}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host.lower()}]")
    return sorted(names)


def check_bind(host: str, credentials: Credentials) -> None:
    """Refuse to expose an unauthenticated inbox beyond this machine."""
    if not is_loopback(host) and not credentials.required:
        raise UserError(
            f"--host {host}: binding beyond loopback needs auth; set serve.token_env or "
            "serve.users in the config (see configs/baton.yaml)"
        )


def csrf_token(request: Request) -> str:
    """This browser session's form token, created on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, submitted: object) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and secrets.compare_digest(submitted.encode(), expected.encode())
    )
