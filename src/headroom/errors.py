"""The one exception tree of headroom.

Every error carries the facts (which file, line, field or query) and the fix, so that
the surfaces can print it as it is. Only ``cli/`` and ``api/`` catch broadly; they map
each branch to an exit code (see ``exit_code``)::

    HeadroomError                      exit 2 unless stated
    ├── SpecError                      a spec file is invalid: one or more SpecIssue
    ├── UsageError                     a command-line or API argument is wrong
    ├── DataError                      an input data file is malformed (names file and line)
    ├── StoreError                     the embedded store cannot be opened or written   (exit 3)
    ├── SourceError                    an SLI source (Prometheus, ...) is unreachable     (exit 3)
    └── NotifyError                    a notifier rejected or could not take a message   (exit 3)

Exit codes (STYLE habit 6): 0 ok / go, 1 the gate says wait or an alert fires,
2 spec or usage error, 3 store or source unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataError",
    "HeadroomError",
    "NotifyError",
    "SourceError",
    "SpecError",
    "SpecIssue",
    "StoreError",
    "UsageError",
    "exit_code",
]


class HeadroomError(Exception):
    """Base of every error headroom raises on purpose."""

    exit_code: int = 2


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a spec: where it is, what is wrong, how to fix it.

    ``severity`` is ``"error"`` (the spec is rejected) or ``"warning"`` (it loads, but
    something will not behave as the author probably expects).
    """

    file: str
    line: int | None
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" {self.field}:" if self.field else ""
        fix = f"; {self.fix}" if self.fix else ""
        return f"{where}:{field} {self.message}{fix}"


class SpecError(HeadroomError):
    """A spec is invalid. Holds every issue found, not just the first."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        self.issues = tuple(issues)
        errors = [i for i in issues if i.severity == "error"]
        lines = "\n".join(str(i) for i in errors or issues)
        super().__init__(f"{len(errors)} error(s) in spec:\n{lines}")


class UsageError(HeadroomError):
    """A command-line or API argument is wrong; the message says which and how to fix it."""


class DataError(HeadroomError):
    """An input data file is malformed; the message names the file and line."""


class StoreError(HeadroomError):
    """The embedded store cannot be opened, read or written."""

    exit_code = 3


class SourceError(HeadroomError):
    """An SLI source (Prometheus, Thanos, Mimir) is unreachable or answered with an error."""

    exit_code = 3


class NotifyError(HeadroomError):
    """A notifier could not deliver a message (it stays in the outbox for retry)."""

    exit_code = 3


def exit_code(error: BaseException) -> int:
    """The process exit code for an error reaching a surface."""
    if isinstance(error, HeadroomError):
        return error.exit_code
    return 1
