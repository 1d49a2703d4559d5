"""Baton's side of LangGraph Agent Server (``langgraph dev`` / ``langgraph up``).

``langgraph.json`` names :data:`auth` as the server's custom auth. Importing this
module at server start also checks the model endpoint (:func:`check_model`), so a
server pointed at a dead endpoint or a wrong model name says so at once, with the URL,
instead of failing the first run minutes later.

Who the user is comes from the same settings as the review inbox (``baton serve``):
``serve.users`` (HTTP basic auth; the user name becomes the reviewer) or
``serve.token_env`` (one shared bearer token; the reviewer names themselves in the
resume payload). With neither set the server is open, as ``baton serve`` is on
loopback, and reviewers name themselves.

A resume is checked here, before the server creates the run: a payload that is not a
review decision is refused with HTTP 422 and the thread's interrupt stays pending.
(The graph checks it again with the packet's edit schema; see ``baton.review``.)
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from typing import Any, Literal

from langgraph_sdk import Auth
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baton.config import Settings, load_settings
from baton.errors import ConfigError
from baton.web.auth import Credentials

log = logging.getLogger("baton.langgraph_server")
auth = Auth()


class ResumePayload(BaseModel):
    """The shape of ``command.resume`` a client may send (``reviewer``/``at`` optional)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject", "edit"]
    reviewer: str | None = Field(None, min_length=1, max_length=200)
    at: str | None = None
    comment: str | None = None
    edits: dict[str, Any] | None = None


def refusal(resume: Any) -> str | None:
    """Why a resume value is not a review decision, in one line (None when it is)."""
    try:
        ResumePayload.model_validate(resume)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        return f"invalid review decision: {field}: {err['msg']}"
    return None


_CREDENTIALS: Credentials | None = None


def credentials() -> Credentials:
    """The reviewer credentials named by the settings, read once per server process."""
    global _CREDENTIALS
    if _CREDENTIALS is None:
        _CREDENTIALS = Credentials.from_settings(load_settings().serve)
    return _CREDENTIALS


@auth.authenticate
async def authenticate(authorization: str | None) -> Auth.types.MinimalUserDict:
    """Basic auth names the reviewer; a bearer token admits; no credentials: open."""
    creds = credentials()
    if not creds.required:
        return {"identity": "anonymous", "is_authenticated": False}
    user = creds.check_basic(authorization)
    if user is not None:
        return {"identity": user, "is_authenticated": True}
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and creds.check_token(token.strip()):
        return {"identity": "token", "is_authenticated": False}
    raise Auth.exceptions.HTTPException(status_code=401, detail="Baton: sign in required")


@auth.on.threads.create_run
async def check_resume(ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate) -> None:
    """Refuse a malformed resume before a run is created, so the interrupt stays pending."""
    command = (value.get("kwargs") or {}).get("command") or {}
    if isinstance(command, dict) and "resume" in command:
        reason = refusal(command["resume"])
        if reason:
            raise Auth.exceptions.HTTPException(status_code=422, detail=reason)


# Start-up check of the model endpoint ------------------------------------------------------
def check_model(settings: Settings, timeout: float = 5.0) -> str:
    """Check that the model endpoint answers and serves the configured model name.

    Returns a one-line summary; raises :class:`ConfigError` naming the URL and what to
    check. The embedded model is checked for its weights file (its server starts on
    the first call); the fake model needs nothing.
    """
    model = settings.model
    if model.provider == "fake":
        return "model: fake (scripted)"
    if model.provider == "embedded":
        from baton.llm_server import gguf_path

        return f"model: embedded {model.model} ({gguf_path(settings).name})"
    base = (model.base_url or "").rstrip("/")
    if not base:
        raise ConfigError("model.base_url is not set (model.provider: openai)")
    request = urllib.request.Request(f"{base}/models")
    key = os.environ.get(model.api_key_env)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            listed = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise ConfigError(
            f"model endpoint {base}/models answered HTTP {exc.code}: check model.base_url"
            f" and the key in ${model.api_key_env}"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"model endpoint {base} is unreachable ({exc}): is the server running,"
            " and is model.base_url right?"
        ) from None
    names = [str(m.get("id")) for m in listed.get("data", []) if isinstance(m, dict)]
    if names and model.model not in names:
        raise ConfigError(
            f"model endpoint {base} does not serve model '{model.model}'"
            f" (it serves: {', '.join(names[:10])}); set model.model"
        )
    return f"model: {model.model} at {base}"


def _startup() -> None:
    """Run at import, i.e. when the server loads this module before it serves."""
    if os.environ.get("BATON_SKIP_MODEL_CHECK") == "1":
        return
    log.warning("Baton: %s", check_model(load_settings()))


_startup()
