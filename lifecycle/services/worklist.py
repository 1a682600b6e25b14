"""What needs an administrator: cases paged from SQL with their next due date, and the
overview the dashboard shows (cases by programme and state, what is overdue or due soon).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.programme import Programme, yearly_mark
from lifecycle.persistence.case_search import SORTS, CaseFilter, DueRule
from lifecycle.services.app import Lifecycle

#: The horizons of "due soon" on the dashboard, in days from today.
HORIZONS = (30, 90)
PAGE_SIZE = 50


@dataclass(frozen=True)
class NextDue:
    on: date
    rule: str  # the timer's words: "performance evaluation at the end of each 3-year cycle"
    trigger: str


@dataclass(frozen=True)
class CaseLine:
    """One line of the case list."""

    id: int
    programme: str
    name: str
    state: str
    state_zh: str
    state_en: str
    state_since: date
    province: str | None
    next_due: NextDue | None
    version: int


@dataclass(frozen=True)
class Page:
    lines: list[CaseLine]
    total: int
    offset: int
    limit: int

    @property
    def last(self) -> int:
        return self.offset + len(self.lines)


@dataclass
class Overview:
    as_of: date
    #: programme → state → cases
    by_state: dict[str, dict[str, int]] = field(default_factory=dict)
    #: programme → overdue / due within each horizon (from today) / total
    overdue: dict[str, int] = field(default_factory=dict)
    due_within: dict[int, dict[str, int]] = field(default_factory=dict)


def due_rules(app: Lifecycle) -> list[DueRule]:
    """Every timer of every current programme, in the terms SQL can evaluate."""
    rules: list[DueRule] = []
    for programme in app.catalogue.all():
        definition = programme.definition
        for timer in definition.timers:
            states = tuple(programme.expand(list(timer.states)))
            not_before = programme.in_force_for(timer.trigger)
            if timer.anchor == "yearly":
                assert timer.month is not None and timer.day is not None
                first = 1
                if not_before is not None:  # the first 1 April (say) on or after the document
                    first = not_before.year + ((timer.month, timer.day) < (not_before.month, not_before.day))
                rules.append(DueRule(programme.code, states, "approved_on", yearly=(timer.month, timer.day),
                                     first_year=first, yearly_mark=yearly_mark(timer.trigger)))
                continue
            anchor, years = timer.anchor, timer.years
            if anchor == "cycle_end":
                anchor = "valid_until" if definition.validity is not None else "cycle_start"
                if definition.validity is None:
                    years += definition.cycle.years
            rules.append(DueRule(
                programme=programme.code, states=states,
                anchor="deadline_on" if anchor == "deadline" else anchor, years=years,
                days=timer.days, once_trigger=timer.trigger if timer.once_per_cycle else None,
                not_before=not_before))
    return rules


def next_due(programme: Programme, case: Case) -> NextDue | None:
    """The earliest timer due for the case in its state (the exact calendar rules of the domain)."""
    found: NextDue | None = None
    for timer in programme.definition.timers:
        if case.state not in programme.expand(list(timer.states)):
            continue
        if timer.once_per_cycle and case.marks.get(timer.trigger) == case.cycle:
            continue
        on = programme.due_date(timer, case)
        if on is not None and (found is None or on < found.on):
            found = NextDue(on, timer.en, timer.trigger)
    return found


def province_of(case: Case) -> str | None:
    for name in ("province", "sponsor"):
        value = case.fields.get(name)
        if value:
            return str(value)
    return None


def find_cases(app: Lifecycle, criteria: CaseFilter, *, sort: str = "next_due",
               offset: int = 0, limit: int = PAGE_SIZE, count: bool = True) -> Page:
    """One page of the cases matching `criteria`, and how many match in all.

    With `count=False` the total is only known when the page is the last one (else
    -1): the screen paints the page first and asks `count_cases` for the pager.
    """
    if sort not in SORTS:
        from lifecycle.errors import UsageError

        raise UsageError(f"sort {sort!r}: one of {', '.join(SORTS)}")
    filters = _filters(app, criteria)
    with app.uow() as uow:
        found = uow.cases.search(**filters, sort=sort, limit=limit, offset=offset)
        if len(found) < limit and (found or offset == 0):
            total = offset + len(found)  # the last page: no need to count
        else:
            total = uow.cases.count(**filters) if count else -1
        lines = [_line(app.programme_for(case, uow), case) for case in found]
    return Page(lines, total, offset, limit)


def count_cases(app: Lifecycle, criteria: CaseFilter) -> int:
    """How many cases match `criteria` (the pager's total)."""
    filters = _filters(app, criteria)
    with app.uow() as uow:
        return uow.cases.count(**filters)


def _filters(app: Lifecycle, criteria: CaseFilter) -> dict[str, Any]:
    if criteria.programme:
        app.catalogue.current(criteria.programme)  # an unknown code is an error, not an empty page
    return {"programme": criteria.programme, "state": criteria.state, "text": criteria.text,
            "province": criteria.province, "due_from": criteria.due_from,
            "due_before": criteria.due_before,
            "due_rules": due_rules(app)}


def _line(programme: Programme, case: Case) -> CaseLine:
    state = programme.definition.states.get(case.state)
    assert case.id is not None
    return CaseLine(
        id=case.id, programme=case.programme, name=case.name, state=case.state,
        state_zh=state.zh if state else case.state, state_en=state.en if state else case.state,
        state_since=case.state_since, province=province_of(case),
        next_due=next_due(programme, case), version=case.version)


def case_names(app: Lifecycle, ids: list[int]) -> dict[int, str]:
    with app.uow() as uow:
        return uow.cases.names(ids)


def overview(app: Lifecycle, as_of: date) -> Overview:
    """The dashboard's numbers on `as_of`, two queries whatever the number of cases."""
    result = Overview(as_of)
    bounds = [as_of] + [as_of + timedelta(days=days + 1) for days in HORIZONS]
    with app.uow() as uow:
        for code, state, count in uow.cases.count_by_programme_state():
            result.by_state.setdefault(code, {})[state] = count
        due = uow.cases.count_due(due_rules(app), bounds)
    for code in result.by_state:
        counts = due.get(code, [0] * len(bounds))
        result.overdue[code] = counts[0]
        for days, count in zip(HORIZONS, counts[1:], strict=True):
            result.due_within.setdefault(days, {})[code] = count - counts[0]
    return result


def horizon_filter(as_of: date, days: int | None) -> tuple[date | None, date | None]:
    """(due_from, due_before) of "overdue" (None) or "due within `days`" on `as_of`."""
    if days is None:
        return None, as_of
    return as_of, as_of + timedelta(days=days + 1)
