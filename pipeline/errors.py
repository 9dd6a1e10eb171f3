"""Problems and the one family of exceptions for expected failures.

A ``Problem`` is one thing wrong (or worth a warning) in one place: ``file:line: message``.
Checks yield problems; a stage that cannot go on raises ``PipelineError`` carrying every problem
it found, so one run reports them all. Anything else that escapes is a bug in the pipeline and
keeps its traceback (``-v`` shows it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem: what is wrong and what to do, and where (a project-relative file, a line)."""

    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity = "error"

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def at(self, file: str | None, line: int | None = None) -> Problem:
        """The same problem placed in another file (a parse done on bytes, named afterwards)."""
        return replace(self, file=file, line=self.line if line is None else line)

    def __str__(self) -> str:
        text = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{self.where}: {text}" if self.where else text


class PipelineError(Exception):
    """An expected failure: bad input or a refused operation, with every problem found.

    ``PipelineError("message", file, line)`` for one problem, ``PipelineError.of(problems)`` for
    several.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.problems: list[Problem] = [Problem(message, file, line)]
        super().__init__(str(self))

    @classmethod
    def of(cls, problems: Iterable[Problem | PipelineError]) -> PipelineError:
        flat = [p for item in problems
                for p in (item.problems if isinstance(item, PipelineError) else [item])]
        if not flat:
            raise ValueError("a PipelineError needs at least one problem")
        error = cls(flat[0].message, flat[0].file, flat[0].line)
        error.problems = flat
        error.args = (str(error),)
        return error

    @property
    def message(self) -> str:
        return self.problems[0].message

    @property
    def file(self) -> str | None:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def raise_if_any(problems: Iterable[Problem | PipelineError]) -> None:
    """Stop once, with every error found so far (warnings alone do not stop anything)."""
    errors = [p for item in problems
              for p in (item.problems if isinstance(item, PipelineError) else [item])
              if p.severity == "error"]
    if errors:
        raise PipelineError.of(errors)


class Terminated(BaseException):
    """SIGTERM or SIGHUP: end the run as Ctrl-C would."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOPS: list[int] = []
"""The stopping signals this run received (``cli`` records them): a stop a library swallowed on
its way still ends the run as stopped (ctypes turns an exception raised while it converts an
argument into an ``ArgumentError``: pypdfium2 drawing a share card)."""


def stop_if_stopped() -> None:
    """Raise the stop this run received, if any: a failure caught after one is no failure."""
    if STOPS:
        raise Terminated(STOPS[-1])
