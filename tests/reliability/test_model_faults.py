"""Every scenario against a flaky OpenAI-compatible endpoint, then after it recovers.

The contract under test: a run either completes or ends ``failed`` with a reason the
user can act on, never with an exception; once the endpoint is healthy again
``Runner.resume`` finishes it; and retries are bounded, so a flaky provider can never
multiply the bill beyond ``(max_retries + 1) x`` the calls the run was allowed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baton import llm as agent_models
from baton.config import Settings
from baton.runtime import Runner, RunOutcome
from tests.reliability.conftest import (
    MAX_RETRIES,
    approve_until_done,
    input_for,
    scenario_names,
)
from tests.reliability.fault_server import FAULTS, TRANSPORT_FAULTS, FaultServer

pytestmark = pytest.mark.reliability

FAULT_RATE = 0.3
SEEDS = (11, 23, 37)
REPORT_ENV = "RELIABILITY_LOG"


class CallCounter:
    """Counts logical model calls (each may become up to max_retries + 1 requests)."""

    def __init__(self) -> None:
        self.calls = 0

    def wrap(self, inner: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return inner(*args, **kwargs)

        return counted


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    counter = CallCounter()
    monkeypatch.setattr(agent_models, "_invoke_counted", counter.wrap(agent_models._invoke_counted))
    return counter


@pytest.fixture
def runner(openai_settings: Settings) -> Iterator[Runner]:
    r = Runner(openai_settings)
    yield r
    r.close()


def _log(record: dict[str, Any]) -> None:
    """Append measured figures for RELIABILITY.md when asked to (no effect otherwise)."""
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")


def _assert_clean_failure(outcome: RunOutcome) -> None:
    assert outcome.status == "failed"
    assert outcome.reason, "a failed run must say why"
    assert "\n" not in outcome.reason.strip()
    assert "model endpoint" in outcome.reason or "budget" in outcome.reason, outcome.reason
    assert outcome.resume_command == f"baton resume {outcome.run_id}"


def _recover(runner: Runner, server: FaultServer, outcome: RunOutcome) -> RunOutcome:
    server.rate = 0.0
    resumed = approve_until_done(runner, runner.resume(outcome.run_id))
    assert resumed.status == "done", resumed.reason
    assert runner.registry.get(outcome.run_id).status == "done"
    return resumed


def _assert_bounded(server: FaultServer, calls: CallCounter, runner: Runner) -> None:
    settings = runner.settings
    per_call = settings.model.max_retries + 1
    assert server.requests <= per_call * calls.calls, (server.counts, calls.calls)
    assert calls.calls <= settings.budget.max_llm_calls
    assert server.requests <= per_call * settings.budget.max_llm_calls


@pytest.mark.parametrize("scenario", scenario_names())
def test_flaky_endpoint_runs_complete_or_fail_cleanly_then_resume(
    scenario: str, runner: Runner, fault_server: FaultServer, calls: CallCounter
) -> None:
    statuses: Counter[str] = Counter()
    for seed in SEEDS:
        fault_server.reseed(seed)
        fault_server.rate = FAULT_RATE
        fault_server.reset_counts()
        calls.calls = 0
        outcome = approve_until_done(
            runner, runner.start(scenario, input_for(scenario), review="never")
        )
        assert outcome.status in ("done", "failed"), outcome
        statuses[outcome.status] += 1
        first = dict(fault_server.counts)
        if outcome.status == "failed":
            _assert_clean_failure(outcome)
            _recover(runner, fault_server, outcome)
        _assert_bounded(fault_server, calls, runner)
        _log(
            {
                "suite": "faults-30pct",
                "scenario": scenario,
                "seed": seed,
                "first_status": outcome.status,
                "reason": outcome.reason,
                "logical_calls": calls.calls,
                "requests": fault_server.requests,
                "counts_first_attempt": first,
            }
        )
    assert sum(statuses.values()) == len(SEEDS)


@pytest.mark.parametrize("scenario", scenario_names())
def test_endpoint_down_fails_the_run_then_resume_completes(
    scenario: str, runner: Runner, fault_server: FaultServer, calls: CallCounter
) -> None:
    fault_server.kinds = ("unavailable",)
    fault_server.rate = 1.0
    outcome = runner.start(scenario, input_for(scenario), review="never")
    _assert_clean_failure(outcome)
    assert "model endpoint failed after 2 retries" in (outcome.reason or "")
    # Every call already in flight (parallel branches) exhausted its retries, and
    # nothing was attempted after the run failed.
    assert calls.calls >= 1
    assert fault_server.counts["unavailable"] == (MAX_RETRIES + 1) * calls.calls
    _recover(runner, fault_server, outcome)
    _assert_bounded(fault_server, calls, runner)
    _log(
        {
            "suite": "endpoint-down",
            "scenario": scenario,
            "logical_calls": calls.calls,
            "requests": fault_server.requests,
        }
    )


@pytest.mark.parametrize("kind", FAULTS)
def test_each_fault_kind_alone(
    kind: str, runner: Runner, fault_server: FaultServer, calls: CallCounter
) -> None:
    """Every request faulty in one way: transport faults fail the run (retried first),
    malformed replies are re-asked once and then the agent's fallback answers."""
    fault_server.kinds = (kind,)
    fault_server.rate = 1.0
    scenario = "research-brief"
    outcome = runner.start(scenario, input_for(scenario), review="never")
    if kind in TRANSPORT_FAULTS:
        _assert_clean_failure(outcome)
        assert fault_server.counts[kind] == MAX_RETRIES + 1
        _recover(runner, fault_server, outcome)
    else:
        assert outcome.status == "done", outcome.reason
        # Each ask was re-asked once with the error (repairs=1), and neither was
        # retried at the transport level: one request per invocation.
        assert fault_server.counts[kind] == calls.calls
        assert calls.calls > 0 and calls.calls % 2 == 0
    _assert_bounded(fault_server, calls, runner)
    _log(
        {
            "suite": "single-fault",
            "kind": kind,
            "first_status": outcome.status,
            "reason": outcome.reason,
            "logical_calls": calls.calls,
            "requests": fault_server.requests,
        }
    )


def test_fault_server_speaks_openai(fault_server: FaultServer, home: Path) -> None:
    """The fake is a faithful enough endpoint for the official client."""
    import openai

    client = openai.OpenAI(base_url=fault_server.base_url, api_key="test", max_retries=0)
    assert [m.id for m in client.models.list()] == ["fault-model"]
    reply = client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "Summarise quarterly revenue"}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "answer",
                    "parameters": {
                        "type": "object",
                        "properties": {"summary": {"type": "string"}},
                    },
                },
            }
        ],
    )
    calls = reply.choices[0].message.tool_calls or []
    assert len(calls) == 1
    assert json.loads(calls[0].function.arguments)["summary"].startswith("summary")  # type: ignore[union-attr]
    assert fault_server.counts == Counter({"ok": 1})
