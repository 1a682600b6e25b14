"""Errors that reach a person, each with the exit code the CLI contract gives it.

Exit codes: 1 anything else, 2 usage, 3 refused by a rule, 4 conflict (or a busy SQLite database:
run again), 5 audit broken, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lifecycle.domain.messages import N_, Message, render

if TYPE_CHECKING:
    from lifecycle.domain.reasons import Reason


class LifecycleError(Exception):
    """Base of every error the product reports to a person.

    Raised with an English message id (marked `N_`) and its named values,
    `NotFound(N_("no case {case}"), {"case": 7})`: `str(error)` is the English text (what JSON
    carries, whatever the language), `error.text(lang, translate)` the text in a person's
    language (`lifecycle.i18n.error_text`). A message without values is used as it is.
    """

    exit_code = 1

    def __init__(self, message: str = "", params: Mapping[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        super().__init__(render(message, self.params) if self.params else message)

    def text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        """The message in `lang`, translated with `translate` (the catalogue's gettext)."""
        if lang == "en" or translate is None:
            return str(self)
        return render(self.template, self.params, lang, translate)


class UsageError(LifecycleError):
    """The command line itself is wrong (a malformed date, `--set` without `=`)."""

    exit_code = 2


class NotFound(LifecycleError):
    """A case, programme, user or version that does not exist."""

    exit_code = 1


class Refused(LifecycleError):
    """A rule refuses the action. Carries every reason, not only the first."""

    exit_code = 3

    def __init__(
        self, action: str | Message, reasons: Sequence[Reason], params: Mapping[str, Any] | None = None
    ) -> None:
        if isinstance(action, Message):
            params = dict(action.params)
            template = action.template
        else:
            template = action
        self.action_template = template
        self.action_params = dict(params or {})
        self.action = render(template, self.action_params) if self.action_params else template
        self.reasons = list(reasons)
        lines = "\n".join(f"  - {r.text()}" for r in self.reasons)
        super().__init__(f"{self.action} refused:\n{lines}")

    def action_text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        """What was refused, in `lang`."""
        if lang == "en" or translate is None:
            return self.action
        return render(self.action_template, self.action_params, lang, translate)

    def text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        if lang == "en" or translate is None:
            return str(self)
        lines = "\n".join(f"  - {r.text(lang, translate)}" for r in self.reasons)
        header = render(N_("{action} refused:"), {"action": self.action_text(lang, translate)}, lang, translate)
        return f"{header}\n{lines}"


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
