"""Input and intake of the onboarding scenario (its state: ``agents/onboarding/state.py``).

The state holds only JSON data. The validated inputs (starter, directory, week-one days,
everyone's busy time) and the raw config are copied into it once, at the start, so that
a run resumed days later in another process plans against exactly what the paused run
saw, even if a calendar file or the config changed in between. The typed objects the
tools need are rebuilt from that snapshot by :func:`inputs_of`, :func:`config_of` and
:func:`plan_of`, which is cheap and keeps every agent a pure function of the state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from baton.agents.onboarding.state import State, config_of
from baton.audit import agent_node, current_trace
from baton.configs import CONFIG_DIR
from baton.context import RunContext
from baton.errors import ConfigError, InputError
from baton.retrieval.ingest import discover, ingest
from baton.retrieval.injection import flag_injections
from baton.retrieval.store import Chunk, ContextStore
from baton.tools.onboarding.config import OnboardingConfig, load_onboarding_config
from baton.tools.onboarding.io import OnboardingInputs, load_inputs
from baton.tools.onboarding.models import Starter
from baton.tools.onboarding.yamlio import read_yaml

CONFIG_PATH = CONFIG_DIR / "onboarding.yaml"
PLAYBOOK_DIR = "playbook"
MAX_ROUNDS = 2
"""Critic rounds that may send work back to the agents before the plan goes to HR."""

ROLE_K, SESSION_K, GENERAL_K, ACCESS_K, MAX_ROLE_CHUNKS = 4, 2, 3, 1, 8
GENERAL_QUERY = "first week checklist, company values, security training, benefits and payroll"
_GUIDE = re.compile(r"^#\s*(.+?)\s+onboarding\s*$", re.I | re.M)


class OnboardingRequest(BaseModel):
    """The request that plans one new hire: the HR folder, and optionally their own
    starter file (otherwise the folder's ``starter.yaml``); paths on the server's disk."""

    model_config = ConfigDict(extra="forbid")

    input_dir: str = Field(
        min_length=1, description="folder with directory.csv, calendars/ and playbook/"
    )
    starter_file: str | None = Field(
        None, min_length=1, description="the new hire's starter YAML (default: starter.yaml)"
    )


class OnboardingInput(TypedDict):
    """Agent Server input schema (validated as :class:`OnboardingRequest` by intake)."""

    input_dir: str
    starter_file: NotRequired[str]


def expand(request: OnboardingRequest) -> dict[str, Any]:
    starter = Path(request.starter_file) if request.starter_file else None
    return load_input(Path(request.input_dir), starter_file=starter)


def _config_error(file: str, line: int | None, field: str, message: str) -> Exception:
    where = file if line is None else f"{file}:{line}"
    return ConfigError(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def _check_playbook(folder: Path) -> None:
    """A playbook folder that holds nothing ingestible is a mistake worth stopping for."""
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "expected a folder of playbook documents")
    if folder.is_dir() and not discover([folder])[0]:
        raise InputError(folder, "holds no supported documents (.md, .txt, .pdf, .html, .csv)")


def snapshot(inputs: OnboardingInputs) -> dict[str, Any]:
    """The validated inputs as JSON data (busy spans as ``[start, end, label]`` in UTC)."""
    return {
        "input_dir": str(inputs.folder.resolve()),
        "starter": inputs.starter.model_dump(mode="json"),
        "directory": [p.model_dump(mode="json") for p in inputs.directory],
        "manager_id": inputs.manager.id,
        "days": [d.isoformat() for d in inputs.days],
        "busy": {
            person: [[s.start.isoformat(), s.end.isoformat(), s.label] for s in spans]
            for person, spans in sorted(inputs.busy.items())
            if spans
        },
    }


def load_input(path: Path, starter_file: Path | None = None) -> dict[str, Any]:
    """Validate the whole input folder and the config; return the initial state.

    Raises :class:`InputError` (file, line, field) for a malformed calendar, an unknown
    role, a start date on a weekend or holiday and every other input mistake, and
    :class:`ConfigError` for a broken ``configs/onboarding.yaml``, before anything runs.
    """
    if not path.exists():
        raise InputError(path, "no such folder")
    if not path.is_dir():
        raise InputError(
            path, "expected the onboarding input folder (starter.yaml, directory.csv, calendars/)"
        )
    for file in (starter_file or path / "starter.yaml", path / "directory.csv"):
        if not file.is_file():
            raise InputError(
                file, "missing" if starter_file == file else "missing from the input folder"
            )
    config = load_onboarding_config(CONFIG_PATH)
    inputs = load_inputs(path, config, config_path=CONFIG_PATH, starter_path=starter_file)
    _check_playbook(path / PLAYBOOK_DIR)
    return {
        **snapshot(inputs),
        "config_path": str(CONFIG_PATH),
        "config": read_yaml(CONFIG_PATH, _config_error).data,
        "collection": config.playbook_collection,
        "max_rounds": MAX_ROUNDS,
    }


# Intake ------------------------------------------------------------------------------------
def _chunk_dicts(chunks: list[Chunk]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "text": c.text,
            "source": c.source,
            "display": Path(c.source).name,
            "score": c.score,
            "index": int(c.metadata.get("chunk_index", 0)),
        }
        for c in chunks
    ]


def role_queries(starter: Starter, config: OnboardingConfig) -> list[tuple[str, int]]:
    """What to look up for this starter: the role, its own week-one sessions, the basics."""
    queries = [(f"{starter.role} onboarding in {starter.department}", ROLE_K)]
    queries += [
        (f"{s.title}. {s.description}".strip(), SESSION_K)
        for s in config.sessions
        if s.applies_to.matches(starter) and (s.applies_to.roles or s.applies_to.departments)
    ]
    return [*queries, (GENERAL_QUERY, GENERAL_K)]


def for_someone_else(chunks: list[Chunk], starter: Starter) -> set[str]:
    """Sources that are another audience's onboarding guide ("# Sales onboarding").

    Similarity search alone happily returns the data analysts' guide to an engineer; the
    playbook's titles say who a guide is for, so code leaves those documents out.
    """
    mine = {starter.role.casefold(), starter.department.casefold()}
    other: set[str] = set()
    for chunk in chunks:
        match = _GUIDE.search(chunk.text)
        if match and match.group(1).strip().casefold() not in mine:
            other.add(chunk.source)
    return other


def retrieve_for_role(
    store: ContextStore, collection: str, starter: Starter, config: OnboardingConfig
) -> list[Chunk]:
    """The best passages for this starter across all queries, most similar first."""
    found: dict[str, Chunk] = {}
    for query, k in role_queries(starter, config):
        for chunk in store.retrieve(query, [collection], k=k):
            if chunk.id not in found or found[chunk.id].score < chunk.score:
                found[chunk.id] = chunk
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.id))
    excluded = for_someone_else(ranked, starter)
    return [c for c in ranked if c.source not in excluded][:MAX_ROLE_CHUNKS]


@agent_node("intake")
def intake(state: State, ctx: RunContext) -> dict[str, Any]:
    """Ingest the input's playbook (idempotent) and retrieve the passages the agents use.

    Retrieval happens once, here, so that the parallel agents never share the store or
    the embedding model, and re-running an agent in the critic loop reuses the same
    passages. The graph wraps it with ``takes_request``, which first expands the start
    request (``input_dir``, optional ``starter_file``) into the validated snapshot.
    """
    collection = state["collection"]
    folder = Path(state["input_dir"]) / PLAYBOOK_DIR
    note = "no playbook folder in the input"
    if folder.is_dir():
        report = ingest([folder], collection, ctx.settings, store=ctx.store)
        note = (
            f"playbook: {report.added_files} added, {report.replaced_files} replaced, "
            f"{report.unchanged_files} unchanged"
        )
    role_chunks: list[dict[str, Any]] = []
    access_chunks: list[dict[str, Any]] = []
    if collection in {name for name, _ in ctx.store.collections()}:
        starter = Starter.model_validate(state["starter"])
        role_chunks = _chunk_dicts(
            retrieve_for_role(ctx.store, collection, starter, config_of(state))
        )
        access_chunks = _chunk_dicts(
            ctx.store.retrieve(
                f"accounts, equipment and access for a {starter.role};"
                " least privilege, extra access",
                [collection],
                k=ACCESS_K,
            )
        )
    else:
        note += f"; collection '{collection}' does not exist"
    flag_injections({c["id"]: c for c in [*role_chunks, *access_chunks]}.values())
    trace = current_trace()
    if trace:
        trace.decision = (
            f"{note}; retrieved {len(role_chunks)} role and {len(access_chunks)} access passages"
        )
    return {"playbook": note, "role_chunks": role_chunks, "access_chunks": access_chunks}
