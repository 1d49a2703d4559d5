"""The scale profile's backends against real servers: registry, queue, saver, Chroma.

Why against real servers: the queue's guarantees (``SKIP LOCKED``, lease expiry) and
the registry's compare-and-set are properties of PostgreSQL's locking, and the context
store's HTTP mode of a real ``chroma run`` server; fakes would test nothing of them.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from baton.config import Settings, load_settings
from baton.errors import ConfigError, UserError
from baton.pg import PostgresRegistry, QueuedRun, open_pool, open_postgres_saver
from baton.registry import AuditRecord, BaseRegistry, Registry, open_registry, utcnow
from baton.retrieval.ingest import ingest
from baton.retrieval.store import ContextStore
from baton.review import make_decision
from baton.runtime import Runner, RunOutcome
from baton.worker import _drive_one

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "examples" / "docs"
QUESTION = ROOT / "examples" / "research-brief" / "question.yaml"


@pytest.fixture(params=["sqlite", "postgres"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseRegistry]:
    """Both registries, so the shared public behaviour is checked once for each."""
    reg: BaseRegistry
    if request.param == "sqlite":
        reg = Registry(tmp_path / "baton.sqlite")
    else:
        reg = PostgresRegistry(request.getfixturevalue("fresh_database_url"), lease_s=30)
    try:
        yield reg
    finally:
        reg.close()


def _audit(run_id: str, seq: int) -> AuditRecord:
    now = utcnow()
    return AuditRecord(
        id=f"{run_id}-{seq}",
        run_id=run_id,
        seq=seq,
        kind="node",
        node=f"node{seq}",
        started_at=now,
        ended_at=now,
        model_seconds=0.125,
        chunk_ids=["abc123abc123"],
        flags=["suspected-injection:abc123abc123"],
        decision="ok",
    )


def test_registry_public_interface(registry: BaseRegistry) -> None:
    run = registry.create_run("r1", "research-brief", "/in", "/out", "always", owner=os.getpid())
    assert run.status == "running" and registry.find("nope") is None
    registry.set_status("r1", "awaiting_review", packet={"preview": "p"}, outputs=["/out/a.md"])
    got = registry.get("r1")
    assert (got.status, got.packet, got.outputs) == (
        "awaiting_review",
        {"preview": "p"},
        ["/out/a.md"],
    )
    assert registry.claim("r1", ("awaiting_review",), owner=os.getpid())
    assert not registry.claim("r1", ("awaiting_review",), owner=os.getpid())  # already taken
    assert [r.id for r in registry.list_runs("running")] == ["r1"]

    assert registry.record_audit([_audit("r1", 0), _audit("r1", 1)]) == 2
    assert registry.record_audit([_audit("r1", 0), _audit("r1", 2)]) == 1  # idempotent
    trail = registry.audit("r1")
    assert [a.seq for a in trail] == [0, 1, 2]
    assert trail[0] == _audit("r1", 0).model_copy(
        update={"started_at": trail[0].started_at, "ended_at": trail[0].ended_at}
    )
    assert trail[0].flags == ["suspected-injection:abc123abc123"]

    copied = got.model_copy(update={"id": "r2", "status": "done"})
    assert registry.import_run(copied) and not registry.import_run(copied)
    assert registry.get("r2") == copied
    assert (registry.count_runs(), registry.count_audit()) == (2, 3)


def test_open_registry_follows_the_profile(scale_env: Settings, tmp_path: Path) -> None:
    reg = open_registry(scale_env)
    try:
        assert isinstance(reg, PostgresRegistry)
    finally:
        reg.close()
    local = open_registry(scale_env.model_copy(update={"checkpoints": Settings().checkpoints}))
    try:
        assert isinstance(local, Registry)
    finally:
        local.close()


def _queue_runs(reg: PostgresRegistry, count: int) -> list[str]:
    ids = [f"q{i:03d}" for i in range(count)]
    for run_id in ids:
        reg.create_run(run_id, "research-brief", "/in", "/out", "always", status="queued")
        reg.enqueue(run_id, "start")
    return ids


def test_workers_never_take_the_same_run(fresh_database_url: str) -> None:
    regs = [PostgresRegistry(fresh_database_url, lease_s=60) for _ in range(4)]
    try:
        ids = _queue_runs(regs[0], 40)
        taken: dict[str, list[str]] = {r.holder: [] for r in regs}
        barrier = threading.Barrier(len(regs))

        def drain(reg: PostgresRegistry) -> None:
            barrier.wait()
            while (job := reg.take(reg.holder, 60)) is not None:
                taken[reg.holder].append(job.run_id)

        threads = [threading.Thread(target=drain, args=(r,)) for r in regs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        everything = [run_id for got in taken.values() for run_id in got]
        assert sorted(everything) == ids  # each run exactly once, none lost
        assert {regs[0].get(i).status for i in ids} == {"running"}
    finally:
        for reg in regs:
            reg.close()


def test_a_locked_row_is_skipped_not_waited_for(fresh_database_url: str) -> None:
    reg = PostgresRegistry(fresh_database_url, lease_s=60)
    try:
        first, second = _queue_runs(reg, 2)
        with psycopg.connect(fresh_database_url) as other, other.transaction():
            other.execute("SELECT id FROM runs WHERE id = %s FOR UPDATE", (first,))
            job = reg.take(reg.holder, 60)  # would block here without SKIP LOCKED
            assert job is not None and job.run_id == second
        job = reg.take(reg.holder, 60)
        assert job is not None and job.run_id == first
    finally:
        reg.close()


def test_an_expired_lease_is_taken_again(fresh_database_url: str) -> None:
    dead = PostgresRegistry(fresh_database_url, lease_s=1)
    alive = PostgresRegistry(fresh_database_url, lease_s=30)
    try:
        (run_id,) = _queue_runs(dead, 1)
        job = dead.take(dead.holder, 1)
        assert job is not None and job.attempts == 1
        assert alive.take(alive.holder, 30) is None  # leased: not for anyone else
        assert not alive.claim(run_id, ("running",), owner=1)  # nor for `baton resume`
        deadline = time.monotonic() + 30
        while (again := alive.take(alive.holder, 30)) is None:
            assert time.monotonic() < deadline, "the expired lease was never taken over"
            time.sleep(0.1)
        assert again.run_id == run_id and again.attempts == 2
        assert alive.lease(run_id) == (alive.holder, 2)
        assert not dead.heartbeat(run_id, dead.holder)  # the old holder lost it for good
        assert alive.heartbeat(run_id, alive.holder)
        alive.complete(run_id, alive.holder)
        assert alive.lease(run_id) == (None, 2)
    finally:
        dead.close()
        alive.close()


def test_chroma_http_store_round_trip(scale_env: Settings) -> None:
    collection = f"scale-{secrets.token_hex(4)}"
    report = ingest([DOCS], collection, scale_env)
    assert report.added_chunks > 0
    store = ContextStore(scale_env)
    assert type(store.client).__name__ != "PersistentClient"  # really over HTTP
    assert (collection, report.added_chunks) in store.collections()
    hits = store.retrieve("PodBack compostable return bag", [collection], k=3)
    assert hits and all(h.collection == collection for h in hits)
    assert all(Path(h.source).is_relative_to(DOCS) for h in hits)
    again = ingest([DOCS], collection, scale_env)
    assert again.added_chunks == 0 and again.unchanged_files == report.added_files
    removed = store.delete_source(hits[0].source, collection)
    assert removed > 0
    assert all(h.source != hits[0].source for h in store.retrieve("PodBack", [collection], k=20))


@pytest.fixture
def runner(scale_env: Settings) -> Iterator[Runner]:
    """A runner on the scale profile, with the company docs (research-brief's context) ingested."""
    ingest([DOCS], "company-docs", scale_env)
    r = Runner(scale_env)
    yield r
    r.close()


def enqueue_and_take(runner: Runner) -> tuple[PostgresRegistry, QueuedRun]:
    """Queue a research-brief run and take it as a worker would: the queue and the job."""
    queued = runner.enqueue("research-brief", QUESTION)
    queue = runner.registry
    assert isinstance(queue, PostgresRegistry)
    job = queue.take(queue.holder)
    assert job is not None and job.run_id == queued.run_id
    return queue, job


def work_one(runner: Runner) -> tuple[QueuedRun, RunOutcome]:
    """Do what one `baton worker` iteration does: take a queued run, drive it, release it."""
    queue = runner.registry
    assert isinstance(queue, PostgresRegistry)
    job = queue.take(queue.holder)
    assert job is not None
    outcome = runner.drive_taken(job)
    queue.complete(job.run_id)
    return job, outcome


def test_scale_profile_runs_inline_and_through_the_queue(runner: Runner) -> None:
    """Postgres saver, registry and Chroma server together: the same scenario code."""
    inline = runner.start("research-brief", QUESTION)
    assert inline.status == "awaiting_review"
    queued = runner.enqueue("research-brief", QUESTION)
    assert queued.status == "queued"
    job, paused = work_one(runner)
    assert job.run_id == queued.run_id
    assert paused.status == "awaiting_review" and paused.packet == inline.packet
    approve = make_decision("approve", "scale-test", None, None)
    assert runner.enqueue_resume(queued.run_id, approve).status == "queued"
    with pytest.raises(UserError, match=r"not awaiting review \(status: queued\)"):
        runner.enqueue_resume(queued.run_id, approve)
    job, done = work_one(runner)
    assert job.payload and job.payload["interrupt"]
    finished = runner.resume(inline.run_id, approve)
    assert done.status == finished.status == "done"
    assert Path(done.outputs[0]).read_bytes() == Path(finished.outputs[0]).read_bytes()
    assert [a.node for a in runner.sync_audit(done.run_id)] == [
        a.node for a in runner.sync_audit(inline.run_id)
    ]
    assert runner.checkpoint_bytes(done.run_id) > 0


def test_url_variables_are_validated_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_PROFILE", "scale")
    monkeypatch.setenv("BATON_DATABASE_URL", "mysql://db/baton")
    with pytest.raises(ConfigError, match=r"^environment variable BATON_DATABASE_URL: checkpoints"):
        load_settings()
    monkeypatch.setenv("BATON_DATABASE_URL", "postgresql://u@h:5/db")
    monkeypatch.setenv("BATON_CHROMA_URL", "127.0.0.1:8000")
    with pytest.raises(ConfigError, match=r"^environment variable BATON_CHROMA_URL: store\.url"):
        load_settings()
    monkeypatch.setenv("BATON_CHROMA_URL", "http://127.0.0.1:9")
    loaded = load_settings()
    assert (loaded.checkpoints.database_url, loaded.store.url) == (
        "postgresql://u@h:5/db",
        "http://127.0.0.1:9",
    )


def test_queueing_needs_the_scale_profile(tmp_path: Path) -> None:
    runner = Runner(Settings(home=tmp_path))
    try:
        with pytest.raises(UserError, match="--queue needs the 'scale' profile"):
            runner.enqueue("research-brief", QUESTION)
    finally:
        runner.close()


def test_inbox_decision_in_the_scale_profile_is_queued_for_a_worker(
    scale_env: Settings, runner: Runner
) -> None:
    """The web form records the decision like `baton resume --queue`; a worker finishes it."""
    from fastapi.testclient import TestClient

    from baton.web import create_app
    from baton.web.auth import Credentials
    from tests.unit.test_web_inbox import form_token, submit, wait_for_resume

    paused = runner.start("research-brief", QUESTION)
    assert paused.status == "awaiting_review"
    with TestClient(create_app(scale_env, Credentials())) as client:
        page = client.get(f"/runs/{paused.run_id}").text
        client.post("/whoami", data={"csrf_token": form_token(page), "name": "Ines"})
        assert submit(client, paused.run_id, page, {}).status_code == 200
        wait_for_resume(client, paused.run_id)
    assert runner.registry.get(paused.run_id).status == "queued"
    job, done = work_one(runner)
    assert job.run_id == paused.run_id and done.status == "done"
    humans = [a for a in runner.sync_audit(paused.run_id) if a.kind == "human"]
    assert [h.actor for h in humans] == ["Ines"]


def test_workers_starting_together_on_a_new_database_all_get_a_saver(
    fresh_database_url: str,
) -> None:
    """Checkpoint migrations run once, under a polled lock: no deadlock, no error.

    With a blocking advisory lock, the saver's CREATE INDEX CONCURRENTLY waited for the
    statements blocked on that lock (DeadlockDetected in 5 of 5 trials of three).
    """
    errors: list[str] = []

    def open_one() -> None:
        try:
            with open_postgres_saver(fresh_database_url) as saver:
                assert saver.get_tuple({"configurable": {"thread_id": "none"}}) is None
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)


def test_an_unreachable_database_is_one_clear_line() -> None:
    with pytest.raises(UserError, match=r"^cannot connect to PostgreSQL at 127\.0\.0\.1:1/nowhere"):
        open_pool("postgresql://baton@127.0.0.1:1/nowhere")


def test_a_run_that_fails_before_its_first_step_is_marked_failed(
    scale_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Otherwise it stays 'running' with no lease, and no worker would ever take it."""
    runner = Runner(scale_env)
    try:
        queue, job = enqueue_and_take(runner)

        def broken(job: QueuedRun) -> RunOutcome:
            raise RuntimeError("graph store unavailable")

        monkeypatch.setattr(runner, "drive_taken", broken)
        logged: list[str] = []
        assert _drive_one(runner, job, logged.append) is None
        queue.complete(job.run_id, queue.holder)
        run = queue.get(job.run_id)
        assert run.status == "failed" and "graph store unavailable" in (run.reason or "")
        assert logged and "failed" in logged[0]
    finally:
        runner.close()


def test_a_driver_that_lost_its_lease_stops_at_the_next_step(scale_env: Settings) -> None:
    """A stalled worker whose run was taken over must not race the new holder."""
    settings = scale_env.model_copy(
        update={"queue": scale_env.queue.model_copy(update={"lease_s": 0.3})}
    )
    ingest([DOCS], "company-docs", settings)
    runner = Runner(settings)
    try:
        queue, job = enqueue_and_take(runner)
        seen: list[str] = []

        def take_over(node: str, update: dict[str, object]) -> None:
            seen.append(node)
            if len(seen) == 1:  # another worker takes the run while this one stalls
                with psycopg.connect(settings.checkpoints.database_url or "") as conn:
                    conn.execute(
                        "UPDATE runs SET lease_owner = 'other-worker',"
                        " lease_until = now() + interval '1 hour' WHERE id = %s",
                        (job.run_id,),
                    )
                time.sleep(0.5)  # long enough for the next renewal to find it gone

        outcome = runner.drive_taken(job, progress=take_over)
        assert seen == seen[:1], f"kept driving after losing the lease: {seen}"
        assert outcome.reason and "lease lost" in outcome.reason
        holder, _ = queue.lease(job.run_id)
        assert holder == "other-worker"
        assert queue.get(job.run_id).status == "running"  # left to the new holder
    finally:
        runner.close()
