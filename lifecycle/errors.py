"""Errors that reach a person, each with the exit code the CLI contract gives it.

Exit codes: 1 anything else, 2 usage, 3 refused by a rule, 4 conflict (or a busy SQLite database:
run again), 5 audit broken, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lifecycle.domain.reasons import Reason


class LifecycleError(Exception):
    """Base of every error the product reports to a person."""

    exit_code = 1


class UsageError(LifecycleError):
    """The command line itself is wrong (a malformed date, `--set` without `=`)."""

    exit_code = 2


class NotFound(LifecycleError):
    """A case, programme, user or version that does not exist."""

    exit_code = 1


class Refused(LifecycleError):
    """A rule refuses the action. Carries every reason, not only the first."""

    exit_code = 3

    def __init__(self, action: str, reasons: Sequence[Reason]) -> None:
        self.action = action
        self.reasons = list(reasons)
        lines = "\n".join(f"  - {r.text()}" for r in self.reasons)
        super().__init__(f"{action} refused:\n{lines}")


class Conflict(LifecycleError):
    """The case changed between reading and writing; nothing was written."""

    exit_code = 4


class Busy(LifecycleError):
    """SQLite: another writer held the database past the busy wait; nothing was written.
    Exit 4 like a conflict: the same command may simply be run again."""

    exit_code = 4


class DatabaseUnavailable(LifecycleError):
    """The database cannot be reached or opened: no server, no such database, a login refused."""

    exit_code = 1


class AuditBroken(LifecycleError):
    """The audit chain does not verify."""

    exit_code = 5


class DefinitionError(LifecycleError):
    """A programme definition file is broken: names the file, the key, the line and the reason."""

    exit_code = 1

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
