"""Why an action is not allowed: structured reasons a person and a script can both read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lifecycle.domain.messages import N_, Message, message, render

#: How a reason reads with its clause; translated where it is shown.
WITH_CLAUSE = N_("{message} ({clause})")
WITH_DEFAULT_CLAUSE = N_("{message} ({clause} [default])")


class ReasonData(dict[str, Any]):
    """A reason as JSON data (`Reason.to_dict`) that still knows its reason, so that a text view
    can show it in another language; serialised like any dict."""

    reason: Reason


@dataclass(frozen=True)
class Reason:
    """One reason an action is refused.

    `code` is stable for scripts: terminal, wrong_state, role, not_in_force,
    before_state_entry, validity_ended, not_due, already_done, missing_field, invalid_field,
    unknown_field, criterion_failed, round_closed, quota_full, name_rule, no_route,
    duplicate, pending (docs/cli.md lists what each carries in `details`).

    `message` is the English text (what JSON carries, whatever the language). A reason built
    with `Reason.of` also keeps its message id (`template`, marked with `N_`) and named values
    (`params`), so that `text(lang, translate)` shows it in the person's language.
    """

    code: str
    message: str
    clause: str | None = None
    default: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    template: str | None = field(default=None, compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls,
        code: str,
        template: str,
        params: Mapping[str, Any] | None = None,
        clause: str | None = None,
        default: bool = False,
        details: dict[str, Any] | None = None,
    ) -> Reason:
        """A reason from a message id marked with `N_` and its named values."""
        values = dict(params or {})
        return cls(code, render(template, values), clause, default, details or {}, template, values)

    def as_message(self) -> Message:
        """The message alone as a message inside another (a line of a file that failed)."""
        return message(self.template or self.message, self.params)

    def message_in(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        """The message alone, in `lang` (translated with `translate`)."""
        if lang == "en" or translate is None:
            return self.message
        if self.template is None:
            return translate(self.message)
        return render(self.template, self.params, lang, translate)

    def text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        """The message with its clause, as printed on stderr; English unless `lang` and
        `translate` (the catalogue's gettext) say otherwise."""
        message = self.message_in(lang, translate)
        if not self.clause:
            return message
        template = WITH_DEFAULT_CLAUSE if self.default else WITH_CLAUSE
        if lang == "en" or translate is None:
            return render(template, {"message": message, "clause": self.clause})
        # A source's clause (第五条(一)) is not in the catalogue and reads as written; the
        # project's own rules are, and read in the person's language.
        return render(template, {"message": message, "clause": translate(self.clause)}, lang, translate)

    def to_dict(self) -> dict[str, Any]:
        data = ReasonData(
            code=self.code, message=self.message, clause=self.clause, default=self.default, details=self.details
        )
        data.reason = self
        return data
