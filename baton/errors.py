"""Error types that decide how a failure reaches the user.

The CLI turns a :class:`UserError` into one line on stderr and exit code 2, and any
other exception into exit code 1. Raising the right type is therefore how code says
"this is the user's mistake, tell them exactly where" versus "this is our bug".
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A mistake the user can fix: bad input, unknown name, wrong state.

    The message must be one line that names the file, line, column or field.
    """


class InputError(UserError):
    """A problem located in an input file, rendered as ``file:line: column: message``."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.detail = message
        where = self.path if line is None else f"{self.path}:{line}"
        if column is not None:
            where += f": column '{column}'"
        super().__init__(f"{where}: {message}")


class ConfigError(UserError):
    """A configuration file or value that fails validation."""


class BudgetExceeded(Exception):
    """A run used more model calls or tokens than its budget allows.

    Not a :class:`UserError`: the run stops with status ``failed`` and can be resumed
    after the budget is raised.
    """


class ModelFailure(Exception):
    """The model endpoint kept failing after retries; the run can be resumed later."""
