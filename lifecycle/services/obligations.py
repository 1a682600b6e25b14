"""A designated case's yearly obligations (annual reports): which years are filed, late or due.

Read from the definition (`obligations:`, each with its due date and the trigger
that fulfils it) and the years the case has filed; nothing is stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lifecycle.domain.case import Case
from lifecycle.domain.definition import DueDate
from lifecycle.domain.programme import Programme


@dataclass(frozen=True)
class ObligationStatus:
    obligation: str  # its words: "annual report"
    period: str  # "2025"
    due_on: date
    status: str  # filed, late, due
    clause: str | None
    default: bool


def obligation_statuses(programme: Programme, case: Case, as_of: date) -> list[ObligationStatus]:
    """Each yearly period since approval whose report was due by `as_of`, and the next one."""
    if case.approved_on is None:
        return []
    last_year = as_of.year
    if programme.kind(case.state) == "terminal":  # nothing falls due after the designation ends
        last_year = min(last_year, case.state_since.year - 1)
    found: list[ObligationStatus] = []
    for obligation in programme.definition.obligations:
        if obligation.period != "year":
            continue  # quarterly data are the compliance run's to chase
        due = obligation.due
        for year in range(case.approved_on.year, last_year + 1):
            due_on = _due_on(due, year)
            filed = year in case.reports
            if not filed and due_on > as_of and found and found[-1].status == "due":
                break
            status = "filed" if filed else ("late" if due_on < as_of else "due")
            found.append(ObligationStatus(obligation.en, str(year), due_on, status,
                                          due.clause or obligation.clause, due.default or obligation.default))
    return found


def _due_on(due: DueDate, year: int) -> date:
    """The day the report for `year` is due: a fixed month/day, or days after the year ends."""
    if due.month is None or due.day is None:
        return date(year + due.year_offset, 12, 31) + timedelta(days=due.days_after_period or 0)
    try:
        return date(year + due.year_offset, due.month, due.day)
    except ValueError:  # 29 February in a common year: the last day of February
        return date(year + due.year_offset, due.month, 28)

