"""Scripted chat models: deterministic stand-ins for a real LLM.

Why they ship in the package rather than only in ``tests/``: the crash-recovery
harness, the benchmarks and ``BATON_MODEL__PROVIDER=fake`` demos all need a model that
answers instantly (or with a fixed latency), never touches the network, and counts its
calls. The model supports ``bind_tools`` and therefore LangChain's
``with_structured_output(..., method="function_calling")``, exactly the path the real
agents use.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

if TYPE_CHECKING:
    from collections import Counter

    from baton.runtime import Runner

Responder = Callable[[str, Sequence[BaseMessage], dict[str, Any] | None], dict[str, Any] | str]
"""``(role, messages, tool_schema_or_None) -> tool arguments (dict) or plain text``."""

CALL_LOG_ENV = "BATON_FAKE_CALL_LOG"
_CHUNK_ID = re.compile(r"(?:\[|<document id=\")([0-9a-f]{12,})(?:\]|\")")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        return dict(target)
    return schema


def fill_schema(
    schema: dict[str, Any], text: str, root: dict[str, Any] | None = None, name: str = ""
) -> Any:
    """A small, deterministic value that validates against ``schema``.

    Strings echo a few words of the prompt so outputs differ between inputs, and list
    fields whose name mentions citations reuse chunk ids quoted in the prompt, so the
    fake behaves like a model that cites what it was shown.
    """
    root = root or schema
    schema = _resolve(schema, root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, root).get("type") != "null"]
            return fill_schema(options[0] if options else schema[key][0], text, root, name)
    kind = schema.get("type", "object")
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        return {k: fill_schema(v, text, root, k) for k, v in props.items()}
    if kind == "array":
        lowered = name.lower()
        if "citation" in lowered or "chunk" in lowered or "source" in lowered:
            ids = list(dict.fromkeys(_CHUNK_ID.findall(text)))[:2]
            if ids:
                return ids
        count = max(1, int(schema.get("minItems", 1)))
        return [fill_schema(schema.get("items", {}), text, root, name) for _ in range(count)]
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2026-01-01"
        if fmt == "date-time":
            return "2026-01-01T09:00:00Z"
        words = re.findall(r"[A-Za-z]{4,}", text)[-6:]
        value = f"{name.replace('_', ' ')}: {' '.join(words)}".strip()
        limit = schema.get("maxLength")
        return value[: int(limit)] if limit else value
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return None


def schema_responder(
    role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
) -> dict[str, Any] | str:
    """Default script: fill whatever tool schema was requested, else answer briefly."""
    text = "\n".join(str(m.content) for m in messages)
    if tool is None:
        return f"{role}: ok"
    params = tool["function"].get("parameters", {})
    result = fill_schema(params, text)
    return result if isinstance(result, dict) else {}


class ScriptedChatModel(BaseChatModel):
    """A chat model whose answers come from a Python function, with optional latency."""

    role: str = "agent"
    latency_s: float = 0.0
    responder: Responder = schema_responder
    calls: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "baton-scripted"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _answer(self, messages: list[BaseMessage], **kwargs: Any) -> ChatResult:
        tools: list[dict[str, Any]] = kwargs.get("tools") or []
        tool = tools[0] if tools else None
        reply = self.responder(self.role, messages, tool)
        prompt = "\n".join(str(m.content) for m in messages)
        if isinstance(reply, dict) and tool is not None:
            body = json.dumps(reply)
            msg = AIMessage(
                content="",
                tool_calls=[
                    {
                        "name": tool["function"]["name"],
                        "args": reply,
                        "id": f"call_{uuid.uuid4().hex[:8]}",
                        "type": "tool_call",
                    }
                ],
            )
        else:
            body = str(reply)
            msg = AIMessage(content=body)
        tokens_in, tokens_out = max(1, len(prompt) // 4), max(1, len(body) // 4)
        msg.usage_metadata = {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _log_call(self) -> None:
        """Count the call when it starts, so a crash harness sees calls cut off mid-way.

        A ``{run}`` in the log path is replaced by the run id (the LangGraph thread), so
        many runs sharing worker processes can be counted per run.
        """
        self.calls.append(self.role)
        log = os.environ.get(CALL_LOG_ENV)
        if log:
            if "{run}" in log:
                log = log.replace("{run}", _thread_id())
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(self.role + "\n")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._log_call()
        if self.latency_s:
            time.sleep(self.latency_s)
        return self._answer(messages, **kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._log_call()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return self._answer(messages, **kwargs)


@contextmanager
def throwaway_services() -> Iterator[dict[str, str]]:
    """PostgreSQL and a Chroma server on loopback (``.ci/services``), stopped afterwards.

    For the scale tests and the worker benchmark on a machine where CI has not started
    them; yields the ``BATON_TEST_DATABASE_URL`` and ``BATON_TEST_CHROMA_URL`` values.
    The folder is not under pytest's tmp folder, which is private to this user, while
    the cluster runs as ``postgres`` when we are root; ``stop`` deletes it.
    """
    script = Path(__file__).resolve().parents[1] / ".ci" / "services"
    env = {**os.environ, "BATON_SERVICES_DIR": tempfile.mkdtemp(prefix="baton-services.")}
    try:
        started = subprocess.run(
            [str(script), "start"], env=env, capture_output=True, text=True, timeout=180
        )
        if started.returncode != 0:
            raise RuntimeError(f".ci/services start failed: {started.stderr.strip()[-500:]}")
        yield dict(
            line.removeprefix("export ").split("=", 1)
            for line in started.stdout.splitlines()
            if line.startswith("export ")
        )
    finally:
        subprocess.run([str(script), "stop"], env=env, capture_output=True, timeout=60)


def _thread_id() -> str:
    """The LangGraph thread (run id) this call belongs to, or ``no-run`` outside a graph."""
    from langgraph.config import get_config

    try:
        return str(get_config()["configurable"]["thread_id"])
    except (RuntimeError, KeyError):
        return "no-run"


def node_counts(runner: Runner, run_id: str) -> Counter[str]:
    """How often each node ran in a run (``human:<node>`` for a person's decision), from
    its audit trail: what a test asserts to show a loop's bound or that resume repeats
    nothing."""
    from collections import Counter

    return Counter(
        r.node if r.kind == "node" else f"human:{r.node}" for r in runner.sync_audit(run_id)
    )
