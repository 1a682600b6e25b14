"""What needs an administrator: cases paged from SQL with their next due date, and the
overview the dashboard shows (cases by programme and state, what is overdue or due soon).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lifecycle.domain import schedule
from lifecycle.domain.case import Case
from lifecycle.domain.messages import N_
from lifecycle.domain.programme import Programme
from lifecycle.domain.targets import TargetProgress
from lifecycle.services.app import Lifecycle
from lifecycle.services.filters import SORTS, CaseFilter
from lifecycle.services.read_models.plan_targets import plan_targets

#: The horizons of "due soon" on the dashboard, in days from today.
HORIZONS = (30, 90)
PAGE_SIZE = 50


@dataclass(frozen=True)
class NextDue:
    on: date
    #: What falls due, in the rule's words: "performance evaluation at the end of each 3-year
    #: cycle", "annual report 2025 overdue".
    rule: str
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
    #: The plan's baselines and targets of the programmes held, against their designations now.
    targets: list[TargetProgress] = field(default_factory=list)
    #: The viewer's offices rolled up the tree (`offices.rollup`), when there is more than one.
    by_office: list[dict[str, Any]] = field(default_factory=list)


def next_due(programme: Programme, case: Case) -> NextDue | None:
    """The first day the programme's dated rules require something of the case, and what: the
    day the case list sorts on (`cases.next_due_on`), worked out by the same domain rule."""
    day = schedule.next_due(programme, case)
    if day == date.max:
        return None
    dues = schedule.due_actions(programme, case, day)
    if not dues:  # not expected: the day is when the plan has an action
        return NextDue(day, "dated rule", "")
    first = dues[0]
    return NextDue(day, _words(programme, first), first.trigger)


def _words(programme: Programme, due: schedule.Due) -> str:
    if due.kind == "timer":
        return programme.timer(due.rule).en
    obligation = next(
        o
        for o in programme.definition.obligations
        if due.rule in (schedule.reminder_rule(o), schedule.revocation_rule(o))
    )
    if due.kind == "reminder":
        return f"{obligation.en} {due.period} overdue"
    unanswered = ", the reminder unanswered" if obligation.reminder is not None else ""
    return f"{obligation.en} missing for {due.period}{unanswered}"


def province_of(case: Case) -> str | None:
    for name in ("province", "sponsor"):
        value = case.fields.get(name)
        if value:
            return str(value)
    return None


def find_cases(
    app: Lifecycle,
    criteria: CaseFilter,
    *,
    sort: str = "next_due",
    offset: int = 0,
    limit: int = PAGE_SIZE,
    count: bool = True,
) -> Page:
    """One page of the cases matching `criteria`, and how many match in all.

    With `count=False` the total is only known when the page is the last one (else
    -1): the screen paints the page first and asks `count_cases` for the pager.
    """
    if sort not in SORTS:
        from lifecycle.errors import UsageError

        raise UsageError(N_("sort {sort}: one of {sorts}"), {"sort": repr(sort), "sorts": ", ".join(SORTS)})
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
    return {
        "programme": criteria.programme,
        "state": criteria.state,
        "text": criteria.text,
        "province": criteria.province,
        "due_from": criteria.due_from,
        "due_before": criteria.due_before,
    }


def _line(programme: Programme, case: Case) -> CaseLine:
    state = programme.definition.states.get(case.state)
    assert case.id is not None
    return CaseLine(
        id=case.id,
        programme=case.programme,
        name=case.name,
        state=case.state,
        state_zh=state.zh if state else case.state,
        state_en=state.en if state else case.state,
        state_since=case.state_since,
        province=province_of(case),
        next_due=next_due(programme, case),
        version=case.version,
    )


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
        due = uow.cases.count_due(bounds)
        if uow.offices.count() > 1:
            from lifecycle.services.offices import rollup

            offices = rollup(uow, as_of)
            result.by_office = offices if len(offices) > 1 else []
    for code in result.by_state:
        counts = due.get(code, [0] * len(bounds))
        result.overdue[code] = counts[0]
        for days, count in zip(HORIZONS, counts[1:], strict=True):
            result.due_within.setdefault(days, {})[code] = count - counts[0]
    result.targets = plan_targets(app, result.by_state, as_of)
    return result


def horizon_filter(as_of: date, days: int | None) -> tuple[date | None, date | None]:
    """(due_from, due_before) of "overdue" (None) or "due within `days`" on `as_of`."""
    if days is None:
        return None, as_of
    return as_of, as_of + timedelta(days=days + 1)
