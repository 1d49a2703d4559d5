"""The ``baton`` command line.

Exit codes are a contract for scripts: 0 success (including a run that paused for
review), 2 a user error (one line on stderr naming the file, field or id), 1 an
internal failure, 3 a run that ended ``failed`` (the reason names the model endpoint
and what to check; ``baton resume RUN`` continues it), a model server that died, or a
``baton doctor`` check that failed. ``--json`` prints exactly one JSON object on stdout; everything
meant for humans goes to stderr so pipes stay clean.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Column, Table
from rich.text import Text

from baton import safepath
from baton.bounded import LimitError, load_json
from baton.config import Settings, home_hint, load_settings
from baton.context import ReviewMode
from baton.csvsafe import safe_cell
from baton.errors import ModelFailure, UserError
from baton.progress import LiveProgress
from baton.registry import STATUSES
from baton.review import make_decision
from baton.runtime import Runner, RunOutcome, is_read_only, read_only_error
from baton.safepath import InputWarning

app = typer.Typer(
    name="baton",
    help="Run business processes as teams of AI agents: scenarios, context store, reviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
store_app = typer.Typer(help="Inspect and manage the context store.", no_args_is_help=True)
llm_app = typer.Typer(help="Manage the embedded local model.", no_args_is_help=True)
app.add_typer(store_app, name="store")
app.add_typer(llm_app, name="llm")

out = Console()
err = Console(stderr=True)


class Review(StrEnum):
    always = "always"
    exceptions = "exceptions"
    never = "never"
    plan = "plan"


class AuditFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


_STATE: dict[str, Any] = {"config": None}
EXIT_FAILED = 3
"""A run ended ``failed``, the model server died, or a ``baton doctor`` check failed."""

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding configs/baton.yaml.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
QueueOpt = Annotated[
    bool,
    typer.Option("--queue", help="Queue for `baton worker` instead of running here (scale)."),
]


@app.callback()
def _root(config: ConfigOpt = None) -> None:
    """Baton: specialist agents, shared context, critic loops and human review."""
    _STATE["config"] = config


def settings(config: Path | None = None) -> Settings:
    return load_settings(config or _STATE["config"])


def _runner(config: Path | None = None) -> Runner:
    return Runner(settings(config))


# Rendering --------------------------------------------------------------------------------
class _TokenPrinter:
    """Model output to stderr as it streams, a line per node, between the progress lines.

    No live display while streaming: the tokens are the display, and the node lines
    print plainly between them.
    """

    def __init__(self) -> None:
        self.node = ""
        self.lines = LiveProgress(err)

    def __call__(self, node: str, text: str) -> None:
        if node != self.node:
            sys.stderr.write(f"{chr(10) if self.node else ''}[{node}] ")
            self.node = node
        sys.stderr.write(text)
        sys.stderr.flush()

    def progress(self, node: str, update: dict[str, Any]) -> None:
        if self.node:
            sys.stderr.write("\n")
            self.node = ""
        self.lines(node, update)


def _print_packet(packet: dict[str, Any]) -> None:
    """The packet as a list, not a table: ids a decisions file needs are printed whole.

    Each item starts with its id on a line of its own (never truncated or wrapped, at
    any terminal width); its kind and detail follow, indented, and wrap as prose.
    """
    if packet.get("preview"):
        _print_markdown(str(packet["preview"]))
    exceptions = packet.get("exceptions") or []
    items = packet.get("items")
    if items is not None:
        _print_items(items, exceptions)
    elif exceptions:
        err.print(f"[bold]{len(exceptions)} exception(s) for review[/]", highlight=False)
        for exc in exceptions:
            _item(
                str(exc.get("id")),
                str(exc.get("kind") or ""),
                exc.get("detail") or exc.get("evidence"),
            )
    flags = packet.get("injection_flags") or []
    if flags:
        err.print(
            f"[bold]{len(flags)} suspected prompt injection(s) in the documents read[/]",
            highlight=False,
        )
        for flag in flags:
            _item(str(flag.get("source", "")), str(flag.get("pattern", "")), flag.get("excerpt"))


def _print_items(items: list[dict[str, Any]], exceptions: list[dict[str, Any]]) -> None:
    """A packet's items: one per problem, each member exception's id printed whole.

    A packet that groups its exceptions (related ones merged, alike ones per
    counterparty) is decided item by item; a decision may name the item or one member,
    so both ids are printed, never cut. Exceptions that belong to no item are
    information (a new vendor): listed last, with their ids, needing no decision.
    """
    err.print(
        f"[bold]{len(items)} item(s) to decide[/] ({len(exceptions)} exception(s))",
        highlight=False,
    )
    grouped: set[str] = set()
    for item in items:
        members = item.get("members") or []
        grouped.update(str(m.get("id")) for m in members)
        grouped.add(str(item.get("id")))
        _item(str(item.get("id")), str(item.get("kind") or ""), item.get("detail"))
        if len(members) > 1:
            for member in members:
                line = Text("    – ")
                line.append(str(member.get("id")), style="bold")
                line.append(f"  {member.get('kind') or ''}", style="cyan")
                err.print(line, soft_wrap=True)
        for info in item.get("info") or []:
            err.print(Padding(Text(f"info: {info}"), (0, 0, 0, 4), expand=False))
    rest = [e for e in exceptions if str(e.get("id")) not in grouped]
    if rest:
        err.print(f"[bold]{len(rest)} for information (no decision needed)[/]", highlight=False)
        for exc in rest:
            _item(str(exc.get("id")), str(exc.get("kind") or ""), exc.get("detail"))


def _print_markdown(text: str) -> None:
    """Markdown for a terminal, except that tables become lists.

    A terminal table at 80 columns cuts its cells (``ANOM-unusual_am…``), and the cut
    cells are the ids a decisions file needs; as a list each row starts with its first
    cell (the id) whole on its own line, and the other cells wrap as prose below it.
    """
    lines = text.splitlines()
    prose: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and _is_rule(lines[i + 1]):
            err.print(Markdown("\n".join(prose)))
            prose = []
            header = _cells(lines[i])
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                row = _cells(lines[i])
                rest = " · ".join(
                    f"{h}: {c}" if h else c for h, c in zip(header[1:], row[1:], strict=False) if c
                )
                _item(row[0] if row else "", "", rest)
                i += 1
            continue
        prose.append(lines[i])
        i += 1
    if any(line.strip() for line in prose):
        err.print(Markdown("\n".join(prose)))


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`") for c in line.strip().strip("|").split("|")]


def _is_rule(line: str) -> bool:
    cells = _cells(line)
    return bool(cells) and all(c and set(c) <= set(":- ") for c in cells)


def _item(key: str, kind: str, detail: Any) -> None:
    line = Text("• ")
    line.append(key, style="bold")
    if kind:
        line.append(f"  {kind}", style="cyan")
    err.print(line, soft_wrap=True)
    if detail:
        err.print(Padding(Text(str(detail)), (0, 0, 0, 4), expand=False))


def _report(outcome: RunOutcome, as_json: bool) -> None:
    if as_json:
        out.print_json(outcome.model_dump_json())
        return
    if outcome.status == "awaiting_review" and outcome.packet:
        _print_packet(outcome.packet)
    colour = {"done": "green", "awaiting_review": "yellow", "failed": "red", "queued": "cyan"}.get(
        outcome.status, "white"
    )
    # soft_wrap: a run id, a path or a command is never broken by an inserted newline
    err.print(
        f"run [bold]{outcome.run_id}[/]: [{colour}]{outcome.status}[/]",
        highlight=False,
        soft_wrap=True,
    )
    if outcome.reason:
        err.print(f"reason: {outcome.reason}", highlight=False)
    for path in outcome.outputs:
        err.print(f"output: {path}", highlight=False, soft_wrap=True, markup=False)
    if outcome.resume_command:
        err.print(
            f"resume with: [bold]{outcome.resume_command}[/]", highlight=False, soft_wrap=True
        )


def _exit_if_failed(outcome: RunOutcome) -> None:
    """Scripts rely on the exit code: a run that ended ``failed`` is not a success."""
    if outcome.status == "failed":
        raise SystemExit(EXIT_FAILED)


# Commands ---------------------------------------------------------------------------------
@app.command()
def scenarios() -> None:
    """List the scenarios you can run."""
    from baton.scenario import discover

    table = Table("scenario", "what it does")
    for s in discover().values():
        table.add_row(s.name, s.title)
    out.print(table)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="Scenario name, lowercase with hyphens: my-team.")],
    path: Annotated[
        Path | None, typer.Option("--path", help="Folder to create (default ./NAME).")
    ] = None,
) -> None:
    """Scaffold a working scenario (state, agent, critic loop, review, test) to build on."""
    from baton.scaffold import scaffold

    root = (path or Path.cwd() / name).resolve()
    for file in scaffold(name, root):
        err.print(f"created {file.relative_to(root)}", highlight=False)
    err.print(f"next: cd {root} && baton run {name} --input examples/input.yaml", highlight=False)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario name (see `baton scenarios`).")],
    input_path: Annotated[Path, typer.Option("--input", "-i", help="Input file or folder.")],
    config: ConfigOpt = None,
    review: Annotated[
        Review | None,
        typer.Option(help="When to pause for a human (plan: also sign off the plan first)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Output folder (default .baton/runs/RUN).")
    ] = None,
    queue: QueueOpt = False,
    stream: Annotated[
        bool, typer.Option("--stream", help="Print model output token by token as it comes.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario until it finishes or pauses for human review."""
    runner = _runner(config)
    try:
        mode: ReviewMode | None = review.value if review else None
        if queue:
            outcome = runner.enqueue(scenario, input_path, review=mode, output_dir=output)
        else:
            if stream:
                printer = _TokenPrinter()
                outcome = runner.start(
                    scenario,
                    input_path,
                    review=mode,
                    output_dir=output,
                    progress=printer.progress,
                    tokens=printer,
                )
            else:
                with LiveProgress(err) as progress:
                    outcome = runner.start(
                        scenario, input_path, review=mode, output_dir=output, progress=progress
                    )
    finally:
        runner.close()
    _report(outcome, as_json)
    _exit_if_failed(outcome)


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve the review packet.")] = False,
    reject: Annotated[
        bool, typer.Option("--reject", help="Reject (send back with --comment).")
    ] = False,
    comment: Annotated[str | None, typer.Option(help="Comment recorded with the decision.")] = None,
    edit: Annotated[Path | None, typer.Option(help="JSON file of edits to the packet.")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who decides (default: OS user).")] = None,
    queue: QueueOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Resume a run: decide on its review packet, or continue a failed or crashed run."""
    chosen = [
        name
        for name, on in (("--approve", approve), ("--reject", reject), ("--edit", edit is not None))
        if on
    ]
    if len(chosen) > 1:
        raise UserError(f"choose one of --approve, --reject, --edit (got {' '.join(chosen)})")
    runner = _read_only_runner(run_id)
    try:
        decision = None
        if chosen:
            who = reviewer or runner.settings.review.reviewer or _os_user()
            edits = _read_edit_file(edit) if edit is not None else None
            action = "edit" if edit is not None else ("reject" if reject else "approve")
            decision = make_decision(  # a rejection without a reason is refused here too
                action,  # type: ignore[arg-type]
                who,
                comment,
                edits,
                comment_field="--reject needs --comment",
            )
        if queue:
            outcome = runner.enqueue_resume(run_id, decision)
        else:
            with LiveProgress(err) as progress:
                outcome = runner.resume(run_id, decision, progress=progress)
    finally:
        runner.close()
    _report(outcome, as_json)
    _exit_if_failed(outcome)


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def _read_edit_file(path: Path) -> dict[str, Any]:
    try:
        data = load_json(safepath.read_text(path, what="edit file", max_bytes=5_000_000))
    except LimitError as exc:
        raise UserError(f"{path}:{exc.line}: refused: {exc.message}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object of edits")
    return data


runs_app = typer.Typer(help="List runs, or prune finished runs' checkpoints.")
app.add_typer(runs_app, name="runs")


@runs_app.callback(invoke_without_command=True)
def list_runs(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help=f"Filter: {', '.join(STATUSES)}.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List runs, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    if status and status not in STATUSES:
        raise UserError(f"--status: unknown status '{status}' (use one of {', '.join(STATUSES)})")
    cfg = settings()
    rows = []
    if _has_runs_store(cfg):
        runner = Runner(cfg)
        try:
            rows = runner.registry.list_runs(status)
        finally:
            runner.close()
    if not rows:
        what = f"no {status} runs" if status else "no runs"
        err.print(f"{what} in {home_hint(cfg)}", highlight=False, soft_wrap=True)
    if as_json:
        out.print_json(json.dumps([r.model_dump(exclude={"packet"}) for r in rows]))
        return
    if not rows:
        return
    table = Table(
        _whole("run", [r.id for r in rows]),
        Column("status", overflow="fold"),
        Column("created (UTC)", overflow="fold"),
        box=box.SIMPLE_HEAD,
    )
    for r in rows:
        table.add_row(r.id, r.status, _when(r.created_at))
    out.print(table)


def _when(iso: str) -> str:
    """``2026-12-03 11:53`` (UTC): wraps at the space when the terminal is narrow."""
    return iso[:16].replace("T", " ")


def _whole(header: str, values: list[str]) -> Column:
    """A column for ids or paths people copy: never truncated or wrapped; others shrink."""
    width = max([len(header), *(len(v) for v in values)])
    return Column(header, no_wrap=True, overflow="ignore", min_width=width)


def _has_runs_store(cfg: Settings) -> bool:
    """Whether the home has a run registry; read-only commands never create one."""
    return cfg.checkpoints.backend != "sqlite" or cfg.registry_path.exists()


def _read_only_runner(run_id: str) -> Runner:
    """A runner over an existing home, or the one-line error saying where we looked."""
    cfg = settings()
    if not _has_runs_store(cfg):
        raise UserError(f"unknown run id '{run_id}': no runs in {home_hint(cfg)}")
    return Runner(cfg)


@runs_app.command("prune")
def prune_runs(
    keep_last: Annotated[
        int | None, typer.Option("--keep-last", min=0, help="Keep the newest N done runs.")
    ] = None,
    older_than: Annotated[
        float | None, typer.Option("--older-than", min=0, help="Only runs done > DAYS ago.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete finished runs' checkpoints, keeping their outputs and audit trail."""
    cfg = settings()
    if not _has_runs_store(cfg):
        if keep_last is None and older_than is None:
            raise UserError("say what to prune: --keep-last N and/or --older-than DAYS")
        err.print(f"no runs in {home_hint(cfg)}", highlight=False, soft_wrap=True)
        out.print("pruned 0 runs, 0 bytes of checkpoints")
        return
    runner = Runner(cfg)
    try:
        pruned = runner.prune(keep_last, older_than)
    finally:
        runner.close()
    if as_json:
        out.print_json(json.dumps([{"run_id": r, "bytes": b} for r, b in pruned]))
        return
    total = sum(b for _, b in pruned)
    out.print(f"pruned {len(pruned)} runs, {total} bytes of checkpoints", highlight=False)


@app.command()
def show(run_id: str, as_json: JsonOpt = False) -> None:
    """Show a run: status, review packet, outputs, per-node time and tokens."""
    runner = _read_only_runner(run_id)
    try:
        run = runner.registry.get(run_id)
        audit = runner.sync_audit(run_id)
        stored = runner.checkpoint_bytes(run_id)
    finally:
        runner.close()
    nodes = [
        {
            "node": a.node,
            "kind": a.kind,
            "started_at": a.started_at,
            "seconds": _seconds(a.started_at, a.ended_at),
            "llm_calls": a.llm_calls,
            "cache_hits": a.cache_hits,
            "model_seconds": a.model_seconds,
            "tokens_out": a.tokens_out,
            "tokens": a.tokens_in + a.tokens_out,
            "decision": a.decision,
            "actor": a.actor,
            "flags": a.flags,
        }
        for a in audit
    ]
    outcome = RunOutcome.of(run)
    if as_json:
        data = outcome.model_dump()
        data["nodes"] = nodes
        data["created_at"], data["updated_at"] = run.created_at, run.updated_at
        data["checkpoint_bytes"] = stored
        out.print_json(json.dumps(data, default=str))
        return
    table = Table(
        "node",
        "seconds",
        "calls",
        "cached",
        "tokens",
        "decision",
        title=f"{run.id} ({run.scenario})",
    )
    for n in nodes:
        label = n["node"] if n["kind"] == "node" else f"{n['node']} (human: {n['actor']})"
        table.add_row(
            str(label),
            f"{n['seconds']:.2f}",
            str(n["llm_calls"]),
            str(n["cache_hits"]),
            str(n["tokens"]),
            str(n["decision"]),
        )
    out.print(table)
    err.print(f"checkpoint storage: {stored} bytes", highlight=False)
    _report(outcome, False)


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


@app.command()
def audit(
    run_id: str,
    fmt: Annotated[AuditFormat, typer.Option("--format", help="jsonl or csv.")] = AuditFormat.jsonl,
) -> None:
    """Export a run's audit trail (every agent and human decision)."""
    runner = _read_only_runner(run_id)
    try:
        records = runner.sync_audit(run_id)
    finally:
        runner.close()
    if fmt is AuditFormat.jsonl:
        for rec in records:
            sys.stdout.write(rec.model_dump_json() + "\n")
        return
    buf = io.StringIO()
    fields = list(records[0].model_dump().keys()) if records else ["id"]
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    for rec in records:
        row = rec.model_dump()
        row["chunk_ids"] = " ".join(row["chunk_ids"])
        writer.writerow({k: safe_cell(v) for k, v in row.items()})  # decisions quote inputs
    sys.stdout.write(buf.getvalue())


@app.command()
def graph(scenario: str) -> None:
    """Print a scenario's graph as a Mermaid diagram."""
    from baton.scenario import get_scenario

    sys.stdout.write(get_scenario(scenario).build().get_graph().draw_mermaid())


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    collection: Annotated[str, typer.Option("--collection", "-C", help="Target collection.")],
) -> None:
    """Add documents (.md .txt .pdf .html .csv) to the context store, idempotently."""
    from baton.stores import store_backend

    cfg = settings()
    backend = store_backend(cfg)
    files = backend.discover(paths)
    with Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=len(files))

        def tick(source: str) -> None:
            bar.update(task, advance=1, description=Path(source).name)

        report = backend.ingest(paths, collection, cfg, tick)
    for path, why in report.skipped:
        err.print(f"[yellow]skipped[/] {path}: {why}", highlight=False)
    out.print(
        f"{collection}: added {report.added_chunks} chunks ({report.added_files} files), "
        f"replaced {report.replaced_chunks} chunks ({report.replaced_files} files), "
        f"unchanged {report.unchanged_files} files, skipped {len(report.skipped)} files",
        highlight=False,
    )


def _store(cfg: Settings, *, required: bool) -> Any:
    """The context store, or ``None`` when the home has none (never created by a read)."""
    from baton.stores import store_backend

    if cfg.store.mode == "embedded" and not cfg.chroma_path.exists():
        missing = (
            f"no context store in {home_hint(cfg)}; add documents with"
            " `baton ingest PATH --collection NAME`"
        )
        if required:
            raise UserError(missing)
        err.print(missing, highlight=False, soft_wrap=True)
        return None
    return store_backend(cfg).open(cfg)


@store_app.command("list")
def store_list() -> None:
    """List collections with chunk counts."""
    found = _store(settings(), required=False)
    if found is None:
        return
    collections = found.collections()
    table = Table(_whole("collection", [n for n, _ in collections]), "chunks")
    for name, count in collections:
        table.add_row(name, str(count))
    out.print(table)


@store_app.command("query")
def store_query(
    text: str,
    collection: Annotated[list[str], typer.Option("--collection", "-C", help="Collection(s).")],
    k: Annotated[int, typer.Option("-k", min=1, max=100)] = 5,
) -> None:
    """Search the store: score, chunk id and source of the best matches, then the text."""
    found = _store(settings(), required=True)
    for chunk in found.retrieve(text, collection, k=k):
        line = Text(f"{chunk.score:.3f}  ")
        line.append(chunk.id, style="bold")
        line.append(f"  {chunk.display_source}")
        out.print(line, soft_wrap=True)
        snippet = " ".join(chunk.text.split())[:160]
        out.print(Padding(Text(snippet, style="dim"), (0, 0, 1, 7), expand=False))


@store_app.command("delete")
def store_delete(
    source: Annotated[Path, typer.Option("--source", help="The ingested file to remove.")],
    collection: Annotated[str | None, typer.Option("--collection", "-C")] = None,
) -> None:
    """Remove every chunk of a source file from the store."""
    removed = _store(settings(), required=True).delete_source(str(source.resolve()), collection)
    if removed == 0:
        raise UserError(f"{source}: no chunks from this source in the store")
    out.print(f"removed {removed} chunks from {source}", highlight=False)


@llm_app.command("serve")
def llm_serve(
    port: Annotated[int | None, typer.Option(help="Port (default: a free one).")] = None,
) -> None:
    """Keep the embedded model warm for every run until Ctrl-C.

    Exits 3 with a one-line diagnosis if the model server dies, so a supervisor
    (systemd ``Restart=on-failure``) restarts it.
    """
    from baton.llm_server import serve_forever

    serve_forever(settings(), port)


@app.command()
def doctor() -> None:
    """Check the versions, home folder, context store and model; one line each."""
    from baton.doctor import Check, run_checks

    def line(check: Check) -> None:
        mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
        out.print(f"{mark} {check.name:<9} {check.detail}", highlight=False, soft_wrap=True)

    results = run_checks(settings(), line)
    if not all(c.ok for c in results):
        raise SystemExit(EXIT_FAILED)


@app.command("serve")
def serve_inbox(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default serve.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default serve.port, 8000).")
    ] = None,
) -> None:
    """Open the review inbox in the browser: decide on paused runs, download outputs."""
    from baton.web import serve

    serve(settings(), host, port)


@app.command()
def migrate(
    source: Annotated[str, typer.Option("--from", help="Profile to copy from.")] = "local",
    target: Annotated[str, typer.Option("--to", help="Profile to copy into.")] = "scale",
) -> None:
    """Copy runs, audit trail, checkpoints and the context store from local to scale."""
    from baton.migrate import load_profile
    from baton.migrate import migrate as copy_all

    config = _STATE["config"]
    rows = copy_all(
        load_profile(source, config),
        load_profile(target, config),
        progress=lambda step: err.print(f"[dim]{step}[/]", highlight=False),
    )
    table = Table(title=f"baton migrate --from {source} --to {target}")
    for col in ("what", "in source", "copied now", "in target", "check"):
        table.add_column(col, justify="left" if col in ("what", "check") else "right")
    for row in rows:
        check = "[green]ok[/]" if row.ok else "[red]MISSING[/]"
        table.add_row(row.item, str(row.source), str(row.copied), str(row.target), check)
    out.print(table)
    if not all(row.ok for row in rows):
        _fail("the target holds fewer items than the source (see the table)", 1)


@app.command()
def worker(
    lease_seconds: Annotated[
        float | None,
        typer.Option("--lease-seconds", min=1, help="Lease per run (default queue.lease_s)."),
    ] = None,
    poll: Annotated[
        float | None, typer.Option("--poll", min=0.05, help="Seconds between polls when idle.")
    ] = None,
    max_runs: Annotated[
        int | None, typer.Option("--max-runs", min=1, help="Exit after driving N runs.")
    ] = None,
    idle_exit: Annotated[
        float | None, typer.Option("--idle-exit", min=0, help="Exit after S idle seconds.")
    ] = None,
) -> None:
    """Take queued runs (scale profile) and drive them until stopped."""
    from baton.worker import WorkerOptions, work

    cfg = settings()
    options = WorkerOptions(
        lease_s=lease_seconds or cfg.queue.lease_s,
        poll_s=poll or cfg.queue.poll_s,
        max_runs=max_runs,
        idle_exit_s=idle_exit,
    )
    driven = work(cfg, options, lambda line: err.print(line, highlight=False, soft_wrap=True))
    err.print(f"worker drove {driven} runs", highlight=False)


@app.command()
def metrics(
    scenario: Annotated[str | None, typer.Option(help="Only this scenario.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only runs started in the last 30d, 12h, 2w...")
    ] = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV, one row per scenario.")] = False,
) -> None:
    """Outcome metrics from the audit trail: agreement, decision latency, cost, failures."""
    from baton.metrics import print_metrics

    print_metrics(settings(), scenario, since, "json" if as_json else "csv" if as_csv else "table")


@app.command()
def fork(
    run_id: Annotated[str, typer.Argument(help="The run to fork.")],
    at: Annotated[str, typer.Option("--at", help="Re-run from just before this node.")],
    edit: Annotated[
        Path | None, typer.Option(help="JSON object of state keys to replace at the fork.")
    ] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who forks (default: OS user).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a new run from an earlier checkpoint of RUN, optionally with an edited state."""
    from baton.fork import fork_run

    edits = _read_edit_file(edit) if edit is not None else None
    runner = _runner()
    try:
        who = reviewer or runner.settings.review.reviewer or _os_user()
        with LiveProgress(err) as progress:
            outcome = fork_run(runner, run_id, at, edits, actor=who, progress=progress)
    finally:
        runner.close()
    _report(outcome, as_json)


schedule_app = typer.Typer(
    help="Run a scenario on a schedule (executed by `baton tick` or `baton worker`).",
    no_args_is_help=True,
)
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("add")
def schedule_add(
    scenario: Annotated[str, typer.Argument(help="The scenario to run.")],
    input_path: Annotated[Path, typer.Option("--input", help="Input file or folder.")],
    every: Annotated[str | None, typer.Option(help="Interval: 30m, 1h, 1d, 2w.")] = None,
    cron: Annotated[str | None, typer.Option(help="Cron expression, e.g. '0 * * * *'.")] = None,
    review: Annotated[Review | None, typer.Option(help="Review mode of each run.")] = None,
) -> None:
    """Record a schedule; each due tick starts one normal durable run."""
    from baton.schedule import Schedules

    runner = _runner()
    try:
        added = Schedules(runner.registry).add(
            scenario, input_path, every=every, cron=cron, review=review.value if review else None
        )
    finally:
        runner.close()
    out.print(f"{added.id}: {added.scenario} {added.when}, next at {added.next_at}")


@schedule_app.command("list")
def schedule_list(as_json: JsonOpt = False) -> None:
    """The recorded schedules, their next and last run."""
    from baton.schedule import Schedules

    runner = _runner()
    try:
        rows = Schedules(runner.registry).all()
    finally:
        runner.close()
    if as_json:
        out.print_json(data=[r.model_dump() for r in rows])
        return
    for r in rows:  # one whole line each: ids, paths and cron text are copied, not read
        out.print(
            f"{r.id}  {r.scenario}  {r.when}  next {r.next_at}  last {r.last_run_id or '-'}"
            f"  input {r.input_path}",
            highlight=False,
            soft_wrap=True,
        )
    if not rows:
        out.print("no schedules")


@schedule_app.command("remove")
def schedule_remove(schedule_id: Annotated[str, typer.Argument(help="The schedule id.")]) -> None:
    """Delete a schedule (runs it started stay)."""
    from baton.schedule import Schedules

    runner = _runner()
    try:
        Schedules(runner.registry).remove(schedule_id)
    finally:
        runner.close()
    out.print(f"removed {schedule_id}")


@app.command()
def tick(as_json: JsonOpt = False) -> None:
    """Run every due schedule once, then expire reviews whose deadline passed (for cron).

    Exit code 3 if a schedule or an expiry could not be carried out (cron mails it).
    """
    from baton.schedule import tick as run_tick

    runner = _runner()
    try:
        report = run_tick(runner)
    finally:
        runner.close()
    if as_json:
        out.print_json(data=report.as_json())
    else:
        for line in report.lines():
            out.print(line, highlight=False, soft_wrap=True)
    if report.failed:
        raise SystemExit(EXIT_FAILED)


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Inputs skipped by :mod:`baton.safepath` as one ``warning:`` line each on stderr."""
    if issubclass(category, InputWarning):
        err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
    else:
        err.print(f"warning: {category.__name__}: {message}", highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point: map our exceptions to exit codes and one-line messages."""
    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", InputWarning)
            warnings.showwarning = _show_warning
            app()
    except UserError as exc:
        _fail(str(exc), 2)
    except ModelFailure as exc:
        _fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # an internal failure: say so, keep the traceback for debugging
        if os.environ.get("BATON_DEBUG"):
            raise
        if is_read_only(exc):  # a read-only home before any run started
            _fail(str(read_only_error(settings(), exc, None)), 2)
        _fail(f"internal error: {type(exc).__name__}: {exc} (set BATON_DEBUG=1 for a traceback)", 1)
    finally:
        if os.environ.get("BATON_TIMING"):
            err.print(f"took {time.monotonic() - started:.2f}s")


if __name__ == "__main__":
    main()
