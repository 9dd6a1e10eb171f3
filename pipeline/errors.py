"""One family of exceptions for expected failures, each carrying where it happened."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class PipelineError(Exception):
    """An expected failure: bad input or a refused operation, reported as ``file:line: message``."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line

    @property
    def problems(self) -> list[PipelineError]:
        return [self]

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message


class PipelineErrors(PipelineError):
    """Several problems found in one pass, reported together so one run shows them all."""

    def __init__(self, problems: Iterable[PipelineError]):
        self._problems = [p for problem in problems for p in problem.problems]
        super().__init__("\n".join(str(p) for p in self._problems))

    @property
    def problems(self) -> list[PipelineError]:
        return list(self._problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self._problems)


def raise_if_any(problems: list[PipelineError]) -> None:
    """Stop once, with every problem found so far."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise PipelineErrors(problems)
