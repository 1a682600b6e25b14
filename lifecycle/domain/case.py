"""A case: one designation in one programme. A plain object the state machine moves."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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

    def copy(self) -> Case:
        # Dates are immutable and field values scalars: only `progress` nests.
        return dataclasses.replace(self, fields=dict(self.fields), progress=copy.deepcopy(self.progress))

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
        """Quarterly data filed, as `2025Q3` (export-base 四(四))."""
        quarters: list[str] = self.progress.setdefault("quarters", [])
        return quarters

    @property
    def pending_change(self) -> dict[str, Any] | None:
        return self.progress.get("pending_change")
