"""Why an action is not allowed: structured reasons a person and a script can both read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    """One reason an action is refused.

    `code` is stable for scripts: terminal, wrong_state, role, not_in_force,
    before_state_entry, validity_ended, not_due, already_done, missing_field, invalid_field,
    unknown_field, criterion_failed, round_closed, quota_full, name_rule, no_route,
    duplicate, pending (docs/cli.md lists what each carries in `details`).
    """

    code: str
    message: str
    clause: str | None = None
    default: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message with its clause, as printed on stderr."""
        if not self.clause:
            return self.message
        marker = " [default]" if self.default else ""
        return f"{self.message} ({self.clause}{marker})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "clause": self.clause,
            "default": self.default,
            "details": self.details,
        }
