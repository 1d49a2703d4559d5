"""The shared bounded-loop rule."""

from __future__ import annotations

from baton.loops import feedback_repeats, keep_revising


def test_keep_revising_needs_issues_rounds_and_progress() -> None:
    assert keep_revising([["a"]], rounds=1, max_rounds=3)
    assert not keep_revising([[]], rounds=1, max_rounds=3)  # nothing to fix
    assert not keep_revising([["a"], ["b"], ["c"]], rounds=3, max_rounds=3)  # out of rounds
    assert not keep_revising([["a"], ["a"]], rounds=2, max_rounds=3)  # same feedback twice
    assert keep_revising([["a"], ["b"]], rounds=2, max_rounds=3)


def test_feedback_repeats_ignores_empty_rounds() -> None:
    assert feedback_repeats([["x"], ["x"]])
    assert not feedback_repeats([[], []])
    assert not feedback_repeats([["x"]])
