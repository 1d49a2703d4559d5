"""How the benchmarks print a result: one two-column table of measures, as BENCHMARKS.md quotes."""

from __future__ import annotations

from collections.abc import Iterable


def print_measures(title: str, rows: Iterable[tuple[str, str]]) -> None:
    """A ``measure | value`` table with ``title``, printed to the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
