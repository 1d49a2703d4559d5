"""team_graph: nodes in order, the flow's straight edges, deferred nodes wait."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START
from typing_extensions import TypedDict

from baton.team import team_graph


class S(TypedDict, total=False):
    seen: list[str]


def step(name: str) -> Any:
    def node(state: S) -> dict[str, Any]:
        return {"seen": [*state.get("seen", []), name]}

    return node


def test_flow_becomes_edges_and_runs_in_order() -> None:
    nodes = {n: step(n) for n in ("a", "b", "c")}
    builder = team_graph(S, nodes, flow="START -> a -> b; b -> c -> END", deferred=["c"])
    assert list(builder.nodes) == ["a", "b", "c"]
    assert builder.edges == {(START, "a"), ("a", "b"), ("b", "c"), ("c", END)}
    assert builder.nodes["c"].defer and not builder.nodes["a"].defer
    assert builder.compile().invoke({}) == {"seen": ["a", "b", "c"]}
