"""A case: one designation in one programme. A plain object the state machine moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): what deepcopy does, at a fraction of
    its cost, which matters when the compliance run copies a case at every step."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


@dataclass
class Case:
    """One centre, base, zone, institution or scenario in one programme.

    `cycle` is 0 before approval, 1 in the first designation cycle and one more
    for each renewal; `cycle_start` is the day the current cycle began.
    `progress` keeps what the rules need to remember between actions: the
    cycle in which each once-per-cycle trigger last fired (`marks`), the years
    whose reports were filed (`reports`), and a pending change request.
    """

    programme: str
    name: str
    state: str
    state_since: date
    definition_version: str
    fields: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    approved_on: date | None = None
    valid_until: date | None = None
    cycle: int = 0
    cycle_start: date | None = None
    deadline_on: date | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    created_on: date | None = None
    #: The first day the compliance run may have something to do for this case
    #: (date.max: never; None: not worked out yet, so the run looks at it).
    next_due_on: date | None = None
    #: The office the case belongs to (code): its users and those of the offices above see it.
    office: str = "ROOT"

    def copy(self) -> Case:
        # Dates are immutable and field values scalars: only `progress` nests, as JSON does.
        # Built from the attributes directly: dataclasses.replace re-runs __init__ through a
        # keyword dict, a third of a copy's cost, and the compliance run copies at every step.
        copied = object.__new__(Case)
        copied.__dict__.update(self.__dict__)
        copied.fields = dict(self.fields)
        copied.progress = _copy_json(self.progress)
        return copied

    @property
    def marks(self) -> dict[str, int]:
        marks: dict[str, int] = self.progress.setdefault("marks", {})
        return marks

    @property
    def reports(self) -> list[int]:
        reports: list[int] = self.progress.setdefault("reports", [])
        return reports

    @property
    def quarters(self) -> list[str]:
        """Quarterly data filed, as `2025-Q3` (export-base 四(四)). Read-only view."""
        quarters: list[str] = self.progress.get("quarters", [])
        return quarters

    @property
    def automatic(self) -> dict[str, dict[str, str]]:
        """What the compliance run did: rule -> period -> effective date (ISO). Read-only view:
        reading a case must not change what is stored for it."""
        done: dict[str, dict[str, str]] = self.progress.get("automatic", {})
        return done

    def record_automatic(self, rule: str, period: str, on: date) -> None:
        self.progress.setdefault("automatic", {}).setdefault(rule, {})[period] = on.isoformat()

    @property
    def pending_change(self) -> dict[str, Any] | None:
        return self.progress.get("pending_change")
