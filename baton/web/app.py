"""The review inbox: server-rendered pages over the run registry, checkpoints and audit.

Why a thin layer: a decision made in the browser must mean exactly what the same
decision means on the command line. So the inbox builds a
:class:`baton.review.ReviewDecision`, checks edits with
:func:`baton.review.validate_edits` against the scenario's ``EDIT_SCHEMA``, and hands
it to :meth:`baton.runtime.Runner.resume`, whose registry claim lets only one of the
web and the CLI resume a paused run. Resumes run in a background thread (a resume can
take minutes on a local model); the run page polls the checkpointed audit records.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import mimetypes
import os
import re
import secrets
import stat
import threading
import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, ChoiceLoader, FunctionLoader
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baton.config import Settings
from baton.errors import ConfigError, UserError
from baton.registry import AuditRecord, RunRecord
from baton.review import ReviewDecision, make_decision, separation_of_duties, validate_edits
from baton.runtime import Runner
from baton.scenario import discover, get_scenario
from baton.web import readable, views
from baton.web.auth import (
    CSRF_FIELD,
    Credentials,
    Throttle,
    csrf_ok,
    csrf_token,
    is_loopback,
    loopback_hosts,
    read_env,
)

HERE = Path(__file__).parent
RESUME_WORKERS = 2
NAME_LIMIT = 100
"""Longest reviewer name kept: it is shown on every audit line and CSV row."""
FIELD_LIMIT = 2000
"""Longest free-text form field (comment, note, title); the forms say the same."""
BODY_LIMIT = 1_000_000
TOO_LARGE = f"request body larger than {BODY_LIMIT} bytes"
SECRET_MIN = 32
"""Shortest cookie-signing key accepted from ``serve.secret_env``."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Largest form body read: the biggest review form is far below this."""
SECURITY_HEADERS = {
    # Scripts and styles only from this server (static/inbox.js, static/style.css): an
    # injected <script> or inline handler in a packet or document excerpt cannot run.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    # Review packets hold payroll lines and bank data: keep them out of shared caches.
    "cache-control": "no-store",
}
mimetypes.add_type("text/calendar", ".ics")
mimetypes.add_type("text/markdown", ".md")


class LoginRequired(Exception):
    """Raised by the auth dependency; answered with a login redirect or a 401."""


class TooManyFailures(Exception):
    """Raised while a client address is throttled after failed sign-ins (429)."""


class Hardening:
    """Pure ASGI middleware: :data:`SECURITY_HEADERS` on every response, bodies capped.

    Pure ASGI rather than ``BaseHTTPMiddleware`` so file downloads still stream, and
    applied outermost so error pages, static files and redirects get the headers too.
    The body cap counts the bytes actually received, so a chunked upload without a
    ``Content-Length`` (to the unauthenticated ``/login``, say) cannot fill memory.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > BODY_LIMIT:
                raise HTTPException(413, TOO_LARGE)
            return message

        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > BODY_LIMIT:
            await PlainTextResponse(TOO_LARGE, 413)(scope, receive, send_with_headers)
            return
        await self.app(scope, capped_receive, send_with_headers)


class Inbox:
    """One server's shared parts: the runner, the credentials, the background resumes."""

    def __init__(self, settings: Settings, credentials: Credentials, secret: str) -> None:
        self.settings = settings
        self.credentials = credentials
        self.secret = secret
        self.runner = Runner(settings)
        self.pool = ThreadPoolExecutor(RESUME_WORKERS, thread_name_prefix="baton-resume")
        self.active: set[str] = set()
        self.errors: dict[str, str] = {}
        self.resumes: dict[str, Future[None]] = {}
        """The latest background resume per run (tests and shutdown wait on these)."""
        self._lock = threading.Lock()
        self._store: Any = None
        self.throttle = Throttle()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.runner.close()

    # Resumes -------------------------------------------------------------------------
    def submit(self, run_id: str, decision: ReviewDecision) -> None:
        """Resume in the background; the page shows progress, then the result or error."""
        with self._lock:
            self.active.add(run_id)
            self.errors.pop(run_id, None)
        self.resumes[run_id] = self.pool.submit(self._resume, run_id, decision)

    def _resume(self, run_id: str, decision: ReviewDecision) -> None:
        try:
            if self.runner.queued:
                # Scale profile: record the decision and let a worker continue the run,
                # exactly as `baton resume --queue` does.
                self.runner.enqueue_resume(run_id, decision)
            else:
                self.runner.resume(run_id, decision)
        except UserError as exc:
            self.errors[run_id] = str(exc)
        except Exception as exc:  # the run is marked failed by the runner; say why here
            self.errors[run_id] = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self.active.discard(run_id)

    # Reading runs --------------------------------------------------------------------
    def trail(self, run_id: str) -> list[AuditRecord]:
        """Audit records as checkpointed so far (live), else as stored in the registry."""
        raw = self.runner.state(run_id).get("audit") or []
        if not raw:
            return self.runner.registry.audit(run_id)
        return [AuditRecord.model_validate({**r, "seq": n}) for n, r in enumerate(raw)]

    def chunk(self, chunk_id: str) -> Any:
        from baton.stores import store_backend

        with self._lock:
            if self._store is None:
                self._store = store_backend(self.settings).open(self.settings)
        names = [name for name, _ in self._store.collections()]
        return self._store.get_chunks([chunk_id], names).get(chunk_id)

    @property
    def token_mark(self) -> str:
        """Stored in the session at sign-in; a changed token signs everybody out.

        Keyed with the cookie secret: the session cookie is signed, not encrypted, so a
        bare hash of the token in it would let anyone holding a copy of the cookie
        brute-force a short token offline.
        """
        token = (self.credentials.token or "").encode()
        return hmac.new(self.secret.encode(), token, hashlib.sha256).hexdigest()[:32]

    def default_reviewer(self) -> str:
        return self.settings.review.reviewer or getpass.getuser()


def reviewer(request: Request) -> str:
    """The signed-in reviewer's name; raises :class:`LoginRequired` otherwise."""
    inbox: Inbox = request.app.state.inbox
    creds = inbox.credentials
    header = request.headers.get("authorization")
    if header and creds.users:
        client = client_address(request)
        if inbox.throttle.blocked(client):
            raise TooManyFailures
        name = creds.check_basic(header)
        if name:
            return name
        inbox.throttle.fail(client)
    who = request.session.get("reviewer")
    if creds.token is not None and request.session.get("token") == inbox.token_mark and who:
        return str(who)
    if not creds.required:
        return str(who or inbox.default_reviewer())
    raise LoginRequired


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def checked_form(request: Request) -> dict[str, str]:
    """The POSTed form, refused (403) unless it carries this session's CSRF token.

    Sizes are checked here, on the server, because ``maxlength`` in the page binds only
    a browser: a script can post megabytes into the audit trail and the CSV outputs.
    """
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_ok(request, fields.get(CSRF_FIELD)):
        raise HTTPException(403, "missing or stale form token: reload the page and retry")
    for key, value in fields.items():
        if len(value) > FIELD_LIMIT:
            raise HTTPException(413, f"{key[:40]}: longer than {FIELD_LIMIT} characters")
    # Control characters other than line breaks and tabs (ANSI escapes, NUL) have no
    # place in a comment or note, and would reach terminals through `baton audit`.
    return {k: _CONTROLS.sub("", v) for k, v in fields.items()}


def clean_name(raw: str) -> str:
    """A reviewer name fit for the audit trail: printable, one line, at most 100 chars.

    Control and format characters (newlines, ANSI escapes, bidi overrides) would let a
    name forge extra lines in ``baton audit`` or repaint the terminal that prints it.
    """
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in raw
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())[:NAME_LIMIT]


Reviewer = Annotated[str, Depends(reviewer)]
CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


def create_app(
    settings: Settings,
    credentials: Credentials | None = None,
    secret: str | None = None,
    secure_cookies: bool = False,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """The inbox app; ``credentials`` default to those named in ``settings.serve``.

    ``secure_cookies`` marks the session cookie ``Secure`` (HTTPS only); ``serve`` sets
    it whenever the inbox listens beyond loopback, where the network can be sniffed.
    ``allowed_hosts`` (None: any) are the ``Host`` headers served; ``serve`` limits a
    loopback inbox to loopback names against DNS rebinding.
    """
    creds = credentials if credentials is not None else Credentials.from_settings(settings.serve)
    key = secret or _secret(settings)
    inbox = Inbox(settings, creds, key)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        inbox.close()

    app = FastAPI(
        title="Baton review inbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.inbox = inbox
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie="baton_session",
        same_site="strict",
        https_only=secure_cookies,
    )
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(Hardening)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    # A scenario's own review template is included as "scenario/<name>"; the file comes
    # from its InboxView, so the inbox itself names no scenario.
    templates.env.loader = ChoiceLoader(
        [cast(BaseLoader, templates.env.loader), FunctionLoader(_scenario_template)]
    )
    # Escape in every template, not only in the *.html ones select_autoescape() picks:
    # packets and document excerpts are hostile text wherever they are rendered.
    templates.env.autoescape = True
    app.state.templates = templates
    templates.env.filters["markdown"] = views.markdown
    templates.env.filters["chunk_link"] = views.chunk_link
    token_mark = inbox.token_mark

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if creds.token is not None and request.method == "GET":
            # Quoted: a path holding an encoded ``&next=`` must not add a parameter.
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        headers = {"WWW-Authenticate": 'Basic realm="baton"'} if creds.users else {}
        return Response("authentication required", status_code=401, headers=headers)

    @app.exception_handler(TooManyFailures)
    async def _throttled(request: Request, exc: TooManyFailures) -> Response:
        message = "too many failed sign-ins from your address: wait ten minutes and retry"
        return Response(message, status_code=429, headers={"Retry-After": "600"})

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return page(request, "message.html", {"title": "Not found", "message": str(exc)}, 404)

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        base = {
            "csrf_field": CSRF_FIELD,
            "csrf": csrf_token(request),
            "who": request.session.get("reviewer") or "",
            "auth": "basic" if creds.users else ("token" if creds.token else "none"),
        }
        return templates.TemplateResponse(request, name, base | context, status_code=status)

    # Sign-in and name ------------------------------------------------------------------
    @app.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        return page(request, "login.html", {"next": _local(next), "error": None})

    @app.post("/login")
    def login(request: Request, form: CheckedForm) -> Response:
        name, nxt = clean_name(form.get("name", "")), _local(form.get("next", "/"))
        client = client_address(request)
        if inbox.throttle.blocked(client):
            raise TooManyFailures
        if not creds.check_token(form.get("token", "")) or not name:
            if name:
                inbox.throttle.fail(client)
            error = "enter your name" if name == "" else "wrong token"
            return page(request, "login.html", {"next": nxt, "error": error}, 401)
        # A fresh session (and so a fresh form token) at sign-in: a session planted
        # before sign-in must not carry over into the signed-in one.
        request.session.clear()
        request.session.update(token=token_mark, reviewer=name)
        return RedirectResponse(nxt, status_code=303)

    @app.post("/whoami")
    def whoami(request: Request, who: Reviewer, form: CheckedForm) -> Response:
        """Without basic auth the reviewer names themself; the name goes in the cookie."""
        name = clean_name(form.get("name", ""))
        if name and not creds.users:
            request.session["reviewer"] = name
        return RedirectResponse(_local(form.get("next", "/")), status_code=303)

    # Pages ---------------------------------------------------------------------------
    @app.get("/")
    def inbox_page(request: Request, who: Reviewer, scenario: str = "") -> Response:
        now = datetime.now(UTC)
        waiting = [
            _row(r, now) for r in inbox.runner.registry.list_runs("awaiting_review", limit=500)
        ]
        recent = [
            _row(r, now)
            for r in inbox.runner.registry.list_runs(limit=100)
            if r.status != "awaiting_review"
        ]
        if scenario:
            waiting = [r for r in waiting if r["scenario"] == scenario]
            recent = [r for r in recent if r["scenario"] == scenario]
        return page(
            request,
            "inbox.html",
            {
                "who": who,
                "waiting": waiting,
                "recent": recent[:30],
                "scenarios": sorted(discover()),
                "scenario": scenario,
            },
        )

    def run_context(run: RunRecord, who: str) -> dict[str, Any]:
        state = inbox.runner.state(run.id)
        audit = inbox.trail(run.id)
        packet = run.packet if run.status == "awaiting_review" else None
        ctx: dict[str, Any] = {
            "who": who,
            "run": run,
            "live": run.status == "running" or run.id in inbox.active,
            "packet": packet,
            "audit": audit,
            "flags": readable.flag_lines(packet, [f for a in audit for f in a.flags]),
            "outputs": [Path(p).name for p in run.outputs],
            "rendered": readable.rendered_outputs(run, _output_file),
            "chart": None,  # a scenario's inbox view may add one (an SVG <img>)
            "background_error": inbox.errors.get(run.id),
            "error": None,
            "form": {},
            "scenario_template": None,
            "sections": [],
            "fields": [],
        }
        if packet is not None and not ctx["live"]:
            scenario = get_scenario(run.scenario)
            view = scenario.inbox
            ctx["sections"] = views.packet_sections(packet)
            ctx["fields"] = views.schema_fields(scenario.edit_schema)
            if view is not None:
                ctx |= view.context(packet, state)
                ctx["scenario_template"] = f"scenario/{run.scenario}"
        return ctx

    @app.get("/runs/{run_id}")
    def run_page(request: Request, run_id: str, who: Reviewer) -> Response:
        run = inbox.runner.registry.get(run_id)
        return page(request, "run.html", run_context(run, who))

    @app.get("/runs/{run_id}/progress")
    def progress(run_id: str, who: Reviewer) -> JSONResponse:
        run = inbox.runner.registry.get(run_id)
        return JSONResponse(
            {
                "status": run.status,
                "active": run.id in inbox.active,
                "error": inbox.errors.get(run.id),
                "nodes": [
                    {"node": a.node, "kind": a.kind, "actor": a.actor, "decision": a.decision}
                    for a in inbox.trail(run_id)
                ],
            }
        )

    @app.post("/runs/{run_id}/review")
    def review(request: Request, run_id: str, who: Reviewer, form: CheckedForm) -> Response:
        run = inbox.runner.registry.get(run_id)
        ctx = run_context(run, who)
        ctx["form"] = form
        try:
            decision = _decision(run, form, who, inbox.runner.state(run_id))
            separation_of_duties(decision, run.packet)  # shown inline, as the CLI refuses it
        except UserError as exc:
            ctx["error"] = str(exc)
            return page(request, "run.html", ctx, 409 if run.status != "awaiting_review" else 400)
        inbox.submit(run_id, decision)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    @app.get("/runs/{run_id}/files/{name}")
    def download(run_id: str, name: str, who: Reviewer) -> FileResponse:
        run = inbox.runner.registry.get(run_id)
        path = _output_file(run, name)
        if path is None:
            raise HTTPException(404, f"run {run_id} has no output named {name}")
        # Always an attachment (with nosniff from the middleware): an output written
        # from hostile input, e.g. an .html or .svg report, must not render on our origin.
        return FileResponse(path, filename=name, content_disposition_type="attachment")

    @app.get("/metrics")
    def metrics_page(
        request: Request, who: Reviewer, scenario: str = "", since: str = "30d"
    ) -> Response:
        """Outcome metrics over the audit trail, with server-rendered SVG plots."""
        from baton.metrics import TABLE_ROWS, cell, gather
        from baton.web.plots import all_plots

        error = None
        try:
            facts, rows = gather(inbox.settings, scenario or None, since or None)
        except UserError as exc:
            error, facts, rows = str(exc), [], []
        table = [(label, [cell(getattr(r, key)) for r in rows]) for key, label in TABLE_ROWS]
        context = {
            "who": who,
            "rows": rows,
            "table": table,
            "plots": all_plots(facts),
            "scenarios": sorted(discover()),
            "scenario": scenario,
            "since": since,
            "error": error,
        }
        return page(request, "metrics.html", context, 400 if error else 200)

    @app.get("/chunks/{chunk_id}")
    def chunk_page(request: Request, chunk_id: str, who: Reviewer) -> Response:
        found = inbox.chunk(chunk_id)
        if found is None:
            raise UserError(f"no chunk with id '{chunk_id}' in the context store")
        return page(request, "chunk.html", {"who": who, "chunk": found})

    return app


def _decision(
    run: RunRecord, form: dict[str, str], who: str, state: dict[str, Any]
) -> ReviewDecision:
    """The decision the form describes, with edits checked as ``baton resume --edit`` does."""
    if run.status != "awaiting_review":
        raise UserError(f"run {run.id} is no longer awaiting review (status: {run.status})")
    comment = form.get("comment", "").strip() or None
    action = form.get("decision")
    if action == "reject":
        if comment is None:
            raise UserError("comment: say why you reject, so the agents can act on it")
        return make_decision("reject", who, comment)
    if action != "approve":
        raise UserError("decision: choose approve or reject")
    scenario = get_scenario(run.scenario)
    view = scenario.inbox
    edits = (
        view.form_edits(form, state)
        if view is not None
        else views.generic_edits(form, scenario.edit_schema)
    )
    if edits is None:
        return make_decision("approve", who, comment)
    checked = validate_edits(edits, scenario.edit_schema, "review form")
    return make_decision("edit", who, comment, checked)


def _scenario_template(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """Jinja source of ``scenario/<name>``: the template file of that scenario's view."""
    if not name.startswith("scenario/"):
        return None
    view = get_scenario(name.removeprefix("scenario/")).inbox
    if view is None:
        return None
    path = Path(view.template)
    mtime = path.stat().st_mtime
    return path.read_text(encoding="utf-8"), str(path), lambda: path.stat().st_mtime == mtime


def _row(run: RunRecord, now: datetime) -> dict[str, Any]:
    packet = run.packet or {}
    found = discover().get(run.scenario)
    return {
        "id": run.id,
        "scenario": run.scenario,
        "title": found.title if found else run.scenario,
        "input": Path(run.input_path).name,
        "status": run.status,
        "age": views.age(run.updated_at, now),
        "created": run.created_at[:16].replace("T", " "),
        # What a person decides: the packet's items when it groups its exceptions.
        "exceptions": len(packet.get("items", packet.get("exceptions")) or []),
        "flags": len(views.flags_of(packet)),
    }


def _output_file(run: RunRecord, name: str) -> Path | None:
    """The run's registered output called ``name``, if it is still the file the run wrote.

    Only names the registry lists are served, and only when the file, with symlinks
    resolved, is still inside the run's output folder: a symlink planted there (or a
    tampered registry row) must not turn the inbox into a reader of any local file.
    The file must also still look like the one the run wrote (see :func:`_as_written`):
    a hard link planted in its place passes every path check.
    """
    root = Path(run.output_dir).resolve()
    for registered in run.outputs:
        path = Path(registered)
        if path.name != name or path.is_symlink():
            continue
        real = path.resolve()
        if real.is_relative_to(root) and _as_written(real, run):
            return real
    return None


def _as_written(path: Path, run: RunRecord) -> bool:
    """A regular file with one link, not older than the run, owned by this user.

    Outputs are written by :func:`baton.outputs.atomic_write` (a fresh inode renamed
    into place), so each has exactly one name, belongs to the user Baton runs as, and
    was modified after the run was created. A hard link to another file (``ln
    /etc/shadow out/brief.md``) has two names and keeps the target's owner and age.
    The descriptor is opened without following links and checked with ``fstat``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    try:
        created = datetime.fromisoformat(run.created_at).timestamp()
    except ValueError:
        return False
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_nlink == 1
        and info.st_uid == os.getuid()
        and info.st_mtime >= created - 1
    )


def _local(path: str) -> str:
    """Only same-site paths after login: an open redirect would help phishing.

    Browsers read ``/\\evil.example`` like ``//evil.example`` and drop tabs and
    newlines inside URLs, so those are refused along with ``//``.
    """
    if not path.startswith("/") or any(ch in path for ch in "\\\t\r\n"):
        return "/"
    return path if not path.startswith("//") else "/"


def _secret(settings: Settings) -> str:
    """The cookie-signing key: named in the config, else a new random one per start.

    A named key must be there and long: an empty one used to fall back silently to a
    random key (sessions lost on restart, to the operator's surprise), and a short one
    can be brute-forced offline from any session cookie, which then forges sign-ins.
    """
    env = settings.serve.secret_env
    if not env:
        return secrets.token_urlsafe(32)
    value = read_env(env, "serve.secret_env")
    if len(value) < SECRET_MIN:
        raise ConfigError(
            f"serve.secret_env: {env} is {len(value)} characters; use at least {SECRET_MIN} "
            "random ones (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return value


def _check_free(host: str, port: int) -> None:
    """Say which port is taken in one line, instead of uvicorn's log line and exit 1."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"--host {host}: cannot resolve ({exc.strerror})") from None
    family, kind, _, _, address = infos[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UserError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror})"
            ) from None


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """``baton serve``: check the bind address against the auth setup, then run uvicorn."""
    import sys

    import uvicorn

    from baton.web.auth import check_bind

    host = host or settings.serve.host
    port = port or settings.serve.port
    creds = Credentials.from_settings(settings.serve)
    check_bind(host, creds)
    _check_free(host, port)
    exposed = not is_loopback(host)
    app = create_app(
        settings,
        creds,
        secure_cookies=exposed,
        allowed_hosts=None if exposed else loopback_hosts(host),
    )
    if exposed:
        print(
            "session cookies are Secure: reach this inbox over HTTPS (a TLS proxy in front)",
            file=sys.stderr,
        )
    print(f"review inbox: http://{host}:{port}/  (Ctrl-C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", **proxy_options(settings))


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header options: trusted only from ``serve.trusted_proxies``.

    uvicorn by default believes ``X-Forwarded-For`` from loopback, so any local client
    (or a proxy passing the header through) could name itself a new address on every
    try and never hit the sign-in throttle, which is keyed on the client address. With
    no proxy configured the headers are ignored and the address is the real peer.
    """
    proxies = settings.serve.trusted_proxies
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(proxies)}
