"""The plan's counts for a programme (`targets` in its definition) against the designations the
register holds now: where the plan started (baseline) and what it should reach, by which year.

Pure: the count of designations is given. A designation is a case in an active state (approved,
in evaluation, rectifying, renewed); applications and closed cases are not designations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from lifecycle.domain.programme import Programme

Status = Literal["baseline", "met", "open", "missed", "unknown"]


@dataclass(frozen=True)
class TargetProgress:
    """One baseline or target of the plan, and the register against it."""

    programme: str
    kind: str
    count: int
    year: int
    comparison: str
    clause: str | None
    default: bool
    zh: str
    en: str
    note: str | None
    #: Designations in the register now (None: no register to count).
    designated: int | None
    #: The designations that meet the target: `count` (达到), or one more (超过); None for a baseline.
    needed: int | None
    #: How many more designations the target needs (0 once met); None for a baseline or no register.
    remaining: int | None
    met: bool | None
    #: baseline; met; open (not met, its year not over); missed (its year is over); unknown (no register).
    status: Status

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def words(self) -> str:
        """For people, in the plan's words: `到2025年,国家技术转移机构达到500家 (二(三)3)`."""
        return f"{self.zh} ({self.clause}{' [default]' if self.default else ''})"


def designations(programme: Programme, by_state: Mapping[str, int]) -> int:
    """The designations among cases counted by state: those in an active state of the programme
    (a state the current definition no longer has is not counted)."""
    states = programme.definition.states
    return sum(count for state, count in by_state.items() if state in states and states[state].kind == "active")


def progress(programme: Programme, designated: int | None, as_of: date) -> list[TargetProgress]:
    """Every baseline and target of the programme, in the order the definition lists them."""
    found = []
    for target in programme.definition.targets:
        needed: int | None = None
        remaining: int | None = None
        met: bool | None = None
        status: Status = "baseline"
        if target.kind == "target":
            needed = target.count + (1 if target.comparison == "more_than" else 0)
            if designated is None:
                status = "unknown"
            else:
                remaining = max(0, needed - designated)
                met = remaining == 0
                status = "met" if met else ("missed" if as_of > date(target.year, 12, 31) else "open")
        found.append(
            TargetProgress(
                programme.code,
                target.kind,
                target.count,
                target.year,
                target.comparison,
                target.clause,
                target.default,
                target.zh,
                target.en,
                target.note,
                designated,
                needed,
                remaining,
                met,
                status,
            )
        )
    return found
