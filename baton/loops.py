"""The bounded-critic-loop rule every scenario shares.

Why one rule: a critic loop must stop when it has nothing left to fix, when its round
budget is spent, or when the same feedback comes back twice (another pass would not
change anything). Writing that condition once keeps every scenario's loop bounded in
the same, tested way.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def feedback_repeats(history: Sequence[object]) -> bool:
    """True when the last two rounds produced exactly the same (non-empty) feedback."""
    return len(history) >= 2 and bool(history[-1]) and history[-1] == history[-2]


def keep_revising(history: Sequence[Collection[object]], rounds: int, max_rounds: int) -> bool:
    """Whether to send the work back once more: open issues, rounds left, no repeat."""
    latest = history[-1] if history else ()
    return bool(latest) and rounds < max_rounds and not feedback_repeats(history)
