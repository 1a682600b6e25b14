"""Finding cases in SQL: filters, the next due day of each case, sorting, paging.

The administrators' screens page through tens of thousands of cases, so every
filter, the sort and the count run in the database; only one page of rows is
ever read. A case's next due day is `cases.next_due_on`: the first day the
programme's dated rules require something of it (a review or expiry falling
due, a report overdue, a revocation when reminders went unanswered), worked out
by the domain (`lifecycle.domain.schedule.plan`) on every change of the case
and by the compliance run, and indexed. 9999-12-31 means nothing is due; NULL,
not worked out yet (rows older than migration 0002 that no run has looked at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from lifecycle.persistence.tables import cases

#: Sort orders of a page of cases.
SORTS = ("next_due", "name", "last_change", "id")
#: Case fields searched by the province filter: `province` where a programme has
#: one; national-tic records the sponsoring ministry or province as `sponsor`.
PROVINCE_FIELDS = ("province", "sponsor")
#: The next due day of a case with nothing due (`date.max`, as the domain says it).
NEVER = date(9999, 12, 31)
DUE = cases.c.next_due_on


@dataclass(frozen=True)
class CaseQuery:
    """The filters of a case search, as the repository takes them (services.filters.CaseFilter
    is what a screen builds)."""

    programme: str | None = None
    state: str | None = None
    province: str | None = None
    text: str | None = None
    #: Only cases whose next due day is on or after / before these days.
    due_from: date | None = None
    due_before: date | None = None
    #: Only cases of these offices (None: every office). The viewer's offices, narrowed by
    #: `--office` to one office and those below it.
    offices: tuple[str, ...] | None = None


def where(criteria: CaseQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.offices is not None:
        conditions.append(cases.c.office.in_(criteria.offices))
    if criteria.programme:
        conditions.append(cases.c.programme == criteria.programme)
    if criteria.state:
        conditions.append(cases.c.state == criteria.state)
    if criteria.text:
        conditions.append(cases.c.name.contains(criteria.text.strip(), autoescape=True))
    if criteria.province:
        wanted = criteria.province.strip()
        conditions.append(
            or_(*[cases.c.fields[name].as_string().contains(wanted, autoescape=True) for name in PROVINCE_FIELDS])
        )
    # Ranges of the indexed column itself, so the index serves them (NULL matches neither).
    if criteria.due_from is not None:
        conditions += [literal(criteria.due_from, Date) <= DUE, literal(NEVER, Date) > DUE]
    if criteria.due_before is not None:
        # A day not worked out yet (NULL) may be any day: the compliance run treats such a case
        # as due, and so does "overdue" until the run has looked at it.
        conditions.append(or_(literal(criteria.due_before, Date) > DUE, DUE.is_(None)))
    return conditions


def order(sort: str, *, scan: bool = False) -> list[Any]:
    """Every order ends on the id, so pages are stable when values tie. By next due day the
    index (next_due_on, programme) serves the order: nothing due (9999-12-31) sorts last, a day
    not yet worked out (NULL) first on SQLite and last on PostgreSQL, each database's rule.

    With `scan`, the sort keys are wrapped so that SQLite cannot walk their index: see
    `ordered_ids`."""
    if sort not in SORTS:
        raise ValueError(f"sort {sort!r} is not one of {', '.join(SORTS)}")

    def key(column: ColumnElement[Any]) -> ColumnElement[Any]:
        # COALESCE(x, x) is x, but an expression: SQLite's planner no longer sees the column.
        return func.coalesce(column, column) if scan else column

    if sort == "next_due":
        return [key(DUE), cases.c.programme, cases.c.id]
    if sort == "name":
        return [key(cases.c.name), cases.c.id]
    if sort == "last_change":
        return [key(cases.c.updated_at).desc(), cases.c.id.desc()]
    return [cases.c.id]


def ordered_ids(criteria: CaseQuery, sort: str, dialect: str) -> Select[Any]:
    """The ids of the matching cases in `sort` order (the caller adds LIMIT/OFFSET).

    A text filter matches few cases and no index can find them. Left to itself, SQLite walks
    the sort's index and reads every case's row to test it until a page is full (147 ms for
    `name contains 00123` by next due on 100,000 cases); scanning the table and sorting the
    few matches takes 29 ms. (A province matches a sixth of the cases: there the walk wins,
    48 ms against 84.) PostgreSQL weighs both plans itself."""
    scan = dialect == "sqlite" and bool(criteria.text)
    return select(cases.c.id).where(*where(criteria)).order_by(*order(sort, scan=scan))
