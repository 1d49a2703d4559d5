"""Every built-in scenario on its example, scripted model, to review and approval: the files.

Why: a refactoring (moving state, sharing builder code, renaming a concept) must not
change what a scenario writes. This runs each example with the scripted model and the
hashing embedder (no network, no randomness), pauses at every review, approves it, and
returns each review packet and each output file as text, with only what differs per run
by design masked (the run id and the output folder that carries it). ``python -m
tests.snapshot_outputs DIR`` writes them to ``DIR`` for a before/after ``diff -r``;
``tests/unit/test_snapshot_outputs.py`` compares them with the stored copies.

Chunk ids hash the document's absolute path, so the examples are copied to one fixed
folder (:data:`PLACE`, under a lock) before running: the snapshot is then the same in
every checkout, wherever it lives.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.examples import EXAMPLE_COLLECTIONS, EXAMPLE_INPUTS, EXAMPLES

INPUTS = EXAMPLE_INPUTS
PLACE = Path("/tmp/baton-snapshot")
"""Where the examples are copied for a run: a fixed path, so chunk ids are too."""

_DTSTAMP = re.compile(r"DTSTAMP:\d{8}T\d{6}Z")
"""An iCalendar event's creation time: the moment the file was written, by the standard."""


def _mask(text: str, run_id: str, output_dir: str, home: str) -> str:
    """Hide the run id, the run's folder, the throwaway home and iCalendar DTSTAMPs:
    unique per run by design."""
    for value, label in ((output_dir, "<OUTPUT_DIR>"), (home, "<HOME>"), (run_id, "<RUN_ID>")):
        text = text.replace(value, label)
    return _DTSTAMP.sub("DTSTAMP:<NOW>", text)


def _text(data: bytes) -> str:
    """The file's text, or the SHA-256 of a binary file (a chart)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return f"sha256 {hashlib.sha256(data).hexdigest()}\n"


def snapshot(names: list[str]) -> dict[str, str]:
    """``{"<scenario>/<file>": text}`` for each scenario in ``names``, masked.

    Runs in a fresh ``BATON_HOME`` with the scripted model; the caller's environment is
    restored afterwards.
    """
    PLACE.mkdir(parents=True, exist_ok=True)
    with (PLACE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one snapshot at a time uses PLACE
        shutil.rmtree(PLACE / "examples", ignore_errors=True)
        shutil.copytree(EXAMPLES, PLACE / "examples")
        return _run(names, lambda p: PLACE / "examples" / p.relative_to(EXAMPLES))


def _run(names: list[str], moved: Callable[[Path], Path]) -> dict[str, str]:
    from baton.config import load_settings
    from baton.retrieval import embeddings
    from baton.retrieval.ingest import ingest
    from baton.retrieval.testing import hashing_embed
    from baton.review import make_decision
    from baton.runtime import Runner

    saved_env, saved_embed = dict(os.environ), embeddings.embed
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as home:
        for key in [k for k in os.environ if k.startswith("BATON_")]:
            del os.environ[key]
        os.environ.update(
            {
                "BATON_HOME": home,
                "BATON_MODEL__PROVIDER": "fake",
                "BATON_CACHE__ENABLED": "false",
            }
        )
        embeddings.embed = hashing_embed
        try:
            settings = load_settings()
            for collection, folder in EXAMPLE_COLLECTIONS.items():
                ingest([moved(folder)], collection, settings)
            runner = Runner(settings)
            try:
                for name in names:
                    outcome = runner.start(name, moved(INPUTS[name]))
                    pauses = 0
                    while outcome.status == "awaiting_review":
                        pauses += 1
                        packet = json.dumps(outcome.packet, indent=1, sort_keys=True, default=str)
                        files[f"{name}/packet-{pauses}.json"] = _mask(
                            packet, outcome.run_id, outcome.output_dir, home
                        )
                        decision = make_decision("approve", f"snapshot-reviewer-{pauses}")
                        outcome = runner.resume(outcome.run_id, decision)
                    files[f"{name}/status.txt"] = outcome.status
                    for output in sorted(outcome.outputs):
                        path = Path(output)
                        text = _text(path.read_bytes())
                        files[f"{name}/{path.name}"] = _mask(
                            text, outcome.run_id, outcome.output_dir, home
                        )
            finally:
                runner.close()
        finally:
            embeddings.embed = saved_embed
            os.environ.clear()
            os.environ.update(saved_env)
    return files


def main() -> None:
    out = Path(sys.argv[1])
    names = sys.argv[2:] or sorted(INPUTS)
    for rel, text in snapshot(names).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
