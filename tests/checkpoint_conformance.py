"""Shared plumbing for running LangGraph's checkpoint conformance suite against Baton's savers.

Why an adapter: ``langgraph-checkpoint-conformance`` drives only the async API
(``aput``, ``alist``, ...), but Baton's runner uses the *sync* savers (``SqliteSaver``,
``PostgresSaver``), whose async methods are unimplemented or are thin wrappers. To test
the code path Baton really runs, :func:`sync_driven` presents a sync saver's methods as
async ones (each call in a worker thread, as LangGraph itself does for sync nodes). The
extended capabilities (``prune``, ``copy_thread``, ``delete_for_runs``) are exposed only
when the wrapped class really implements them, so capability detection stays honest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import (
    BASE_CAPABILITIES,
    Capability,
)
from langgraph.checkpoint.conformance.report import CapabilityResult

SaverFactory = Callable[[], AsyncGenerator[BaseCheckpointSaver[Any], None]]


class SyncDriven(BaseCheckpointSaver[Any]):
    """The base capabilities of a sync saver, reachable through the async API."""

    def __init__(self, inner: BaseCheckpointSaver[Any]) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner

    def get_next_version(self, current: Any, channel: None) -> Any:
        return self.inner.get_next_version(current, channel)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.inner.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        def collect() -> list[CheckpointTuple]:
            return list(self.inner.list(config, filter=filter, before=before, limit=limit))

        for item in await asyncio.to_thread(collect):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.inner.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.inner.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.inner.delete_thread, thread_id)


async def _aprune(
    self: SyncDriven, thread_ids: Sequence[str], *, strategy: str = "keep_latest"
) -> None:
    await asyncio.to_thread(self.inner.prune, thread_ids, strategy=strategy)


async def _adelete_for_runs(self: SyncDriven, run_ids: Sequence[str]) -> None:
    await asyncio.to_thread(self.inner.delete_for_runs, run_ids)


async def _acopy_thread(self: SyncDriven, source_thread_id: str, target_thread_id: str) -> None:
    await asyncio.to_thread(self.inner.copy_thread, source_thread_id, target_thread_id)


_EXTENDED: dict[str, tuple[str, Callable[..., Any]]] = {
    "prune": ("aprune", _aprune),
    "delete_for_runs": ("adelete_for_runs", _adelete_for_runs),
    "copy_thread": ("acopy_thread", _acopy_thread),
}


def sync_driven(inner: BaseCheckpointSaver[Any]) -> SyncDriven:
    """Wrap ``inner``; extended async methods exist only if ``inner`` overrides the sync ones."""
    extras = {
        async_name: impl
        for sync_name, (async_name, impl) in _EXTENDED.items()
        if getattr(type(inner), sync_name) is not getattr(BaseCheckpointSaver, sync_name)
    }
    cls = type(f"SyncDriven{type(inner).__name__}", (SyncDriven,), extras)
    return cls(inner)  # type: ignore[no-any-return]


def run_capability(name: str, factory: SaverFactory, capability: str) -> CapabilityResult:
    """Run one capability's conformance checks on a fresh saver from ``factory``."""
    registered = checkpointer_test(name=name)(factory)
    report = asyncio.run(validate(registered, capabilities={capability}))
    return report.results[capability]


BASE = sorted(c.value for c in BASE_CAPABILITIES)
ALL = [c.value for c in Capability]


def check(result: CapabilityResult, capability: str, implemented: set[str]) -> None:
    """Fail unless detection matches what the saver implements and every check passed.

    A detection mismatch matters as much as a failure: a saver whose ``prune`` went
    undetected would have its checks silently skipped.
    """
    expected = capability in BASE or capability in implemented
    assert result.detected is expected, f"{capability}: detected={result.detected}"
    if not expected:
        assert result.tests_passed == 0
        return
    assert result.tests_failed == 0, "\n".join(result.failures)
    assert result.tests_passed > 0
    assert result.passed is True
