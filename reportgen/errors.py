"""Error and warning types of the library.

The library never prints and never exits: it raises these, and the CLI turns
them into ``FILE:LINE:COL: field: message`` lines.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem (or warning) in an input file."""

    file: str
    line: int
    column: int
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "警告：" if self.warning else ""
        return f"{self.file}:{self.line}:{self.column}: {self.field or '-'}: {prefix}{self.message}"

    def as_warning(self) -> "Problem":
        return Problem(self.file, self.line, self.column, self.field, self.message, True)

    def as_error(self) -> "Problem":
        return Problem(self.file, self.line, self.column, self.field, self.message, False)


class ReportgenError(Exception):
    """Base class of every error reportgen raises on purpose."""

    exit_code = 1


class InputError(ReportgenError):
    """Bad input: carries every problem found in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(ReportgenError):
    """The command was asked for something that cannot be done (exit 2)."""

    exit_code = 2


class OutputError(ReportgenError):
    """A report could not be written (read-only file, no space, ...)."""


class WorkerError(ReportgenError):
    """A worker process ended before its work was done (killed, out of memory, ...)."""
