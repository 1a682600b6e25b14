"""Finding cases in SQL: filters, the next due date of each case, sorting, paging.

The administrators' screens page through tens of thousands of cases, so every
filter, the sort and the count run in the database; only one page of rows is
ever read. A case's next due date is the earliest dated rule (timer) that
applies to it in its state; it is computed by SQL from the anchor columns
(approval, cycle start, validity, state entry, deadline) and each timer's offset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Select, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from lifecycle.persistence.tables import cases

#: Sort orders of a page of cases.
SORTS = ("next_due", "name", "last_change", "id")
#: Case fields searched by the province filter: `province` where a programme has
#: one; national-tic records the sponsoring ministry or province as `sponsor`.
PROVINCE_FIELDS = ("province", "sponsor")
_NEVER = date(9999, 12, 31)


@dataclass(frozen=True)
class DueRule:
    """One timer of one programme, as SQL needs it: in these states, anchor + offset.

    `anchor` names a column (approved_on, cycle_start, valid_until, state_since,
    deadline_on); `anchor_years` shifts the anchor first (a cycle's end is its
    start plus the cycle's years when a programme has no validity). A rule with
    `once_trigger` no longer applies once that trigger fired in the current cycle.
    """

    programme: str
    states: tuple[str, ...]
    anchor: str
    years: int = 0
    days: int = 0
    once_trigger: str | None = None
    #: A rule never falls due before its document is in force: earlier dates move to this day.
    not_before: date | None = None
    #: A yearly rule (hitech-zone: each 1 April): (month, day), the first year it may fall
    #: due, and the `progress.marks` key of the last year it covered. `anchor` is then unused.
    yearly: tuple[int, int] | None = None
    first_year: int = 1
    yearly_mark: str | None = None


@dataclass(frozen=True)
class CaseFilter:
    programme: str | None = None
    state: str | None = None
    province: str | None = None
    text: str | None = None
    #: Only cases whose next due date is on or after / before these days.
    due_from: date | None = None
    due_before: date | None = None


def next_due(rules: list[DueRule], dialect: str) -> ColumnElement[Any]:
    """The earliest due date among the rules that apply to each row; NULL when none does.

    Built as CASE programme → CASE state → the earliest of that state's rules, so a
    row evaluates only its own rules (a flat CASE over every rule cost 3× more).
    """
    if not rules:
        return type_coerce(literal(None), Date)
    by_programme: dict[str, dict[str, list[DueRule]]] = {}
    for rule in rules:
        for state in rule.states:
            by_programme.setdefault(rule.programme, {}).setdefault(state, []).append(rule)
    programmes = []
    for code, states in by_programme.items():
        branches = [(literal(state), _earliest(state_rules, dialect)) for state, state_rules in states.items()]
        programmes.append((literal(code), case(*branches, value=cases.c.state)))
    return type_coerce(case(*programmes, value=cases.c.programme), Date)


def _earliest(rules: list[DueRule], dialect: str) -> ColumnElement[Any]:
    dues = [_due(rule, dialect) for rule in rules]
    if len(dues) == 1:
        return dues[0]
    never = literal(_NEVER, Date)
    # SQLite's min() with several arguments is the scalar minimum (NULL if any is NULL, hence
    # the sentinel); PostgreSQL's least() ignores NULLs.
    if dialect == "sqlite":
        return func.nullif(func.min(*[func.coalesce(due, never) for due in dues]), never)
    return func.least(*dues)


def _due(rule: DueRule, dialect: str) -> ColumnElement[Any]:
    if rule.yearly is not None:
        return _yearly(rule, dialect)
    shifted = _shifted(rule, dialect)
    if rule.not_before is not None:
        start = literal(rule.not_before, Date)
        # SQLite's max() of several arguments is NULL when one is (no anchor: nothing due) and
        # computes the date once; PostgreSQL's greatest() would skip the NULL.
        shifted = func.max(shifted, start) if dialect == "sqlite" else case((shifted < start, start),
                                                                             else_=shifted)
    if not rule.once_trigger:
        return shifted
    done_in = cases.c.progress[("marks", rule.once_trigger)].as_integer()
    return case((func.coalesce(done_in, -1) != cases.c.cycle, shifted))


def _shifted(rule: DueRule, dialect: str) -> ColumnElement[Any]:
    column = cases.c[rule.anchor]
    if dialect == "sqlite":  # dates are ISO text; date() shifts them and keeps the format
        modifiers = [f"{rule.years:+d} years"] if rule.years else []
        if rule.days:
            modifiers.append(f"{rule.days:+d} days")
        return func.date(column, *modifiers) if modifiers else column
    if not (rule.years or rule.days):
        return column
    interval = func.make_interval(literal(rule.years, Integer), 0, 0, literal(rule.days, Integer))
    return cast(column + interval, Date)


def _yearly(rule: DueRule, dialect: str) -> ColumnElement[Any]:
    """The next month/day after the year of approval, the first year allowed, and the last
    year covered: Programme.due_date's yearly rule, in SQL."""
    assert rule.yearly is not None and rule.yearly_mark is not None
    month, day = rule.yearly
    covered = func.coalesce(cases.c.progress[("marks", rule.yearly_mark)].as_integer(), 0) + 1
    year: ColumnElement[Any]
    if dialect == "sqlite":
        approved = cast(func.strftime("%Y", cases.c.approved_on), Integer) + 1
        year = func.max(approved, literal(rule.first_year, Integer), covered)
        due = func.printf("%04d-%02d-%02d", year, month, day)
    else:
        approved = cast(func.extract("year", cases.c.approved_on), Integer) + 1
        year = func.greatest(approved, literal(rule.first_year, Integer), covered)
        due = func.make_date(year, month, day)
    return case((cases.c.approved_on.is_not(None), due))


def where(criteria: CaseFilter, due: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.programme:
        conditions.append(cases.c.programme == criteria.programme)
    if criteria.state:
        conditions.append(cases.c.state == criteria.state)
    if criteria.text:
        conditions.append(cases.c.name.contains(criteria.text.strip(), autoescape=True))
    if criteria.province:
        wanted = criteria.province.strip()
        conditions.append(or_(*[cases.c.fields[name].as_string().contains(wanted, autoescape=True)
                                for name in PROVINCE_FIELDS]))
    if criteria.due_from is not None:
        conditions.append(due >= literal(criteria.due_from, Date))
    if criteria.due_before is not None:
        conditions.append(due < literal(criteria.due_before, Date))
    return conditions


def order(sort: str, due: ColumnElement[Any]) -> list[Any]:
    """Every order ends on the id, so pages are stable when values tie."""
    if sort not in SORTS:
        raise ValueError(f"sort {sort!r} is not one of {', '.join(SORTS)}")
    if sort == "next_due":  # nothing due sorts last, on both databases
        return [func.coalesce(due, literal(_NEVER, Date)), cases.c.id]
    if sort == "name":
        return [cases.c.name, cases.c.id]
    if sort == "last_change":
        return [cases.c.updated_at.desc(), cases.c.id.desc()]
    return [cases.c.id]


def ordered_ids(criteria: CaseFilter, due: ColumnElement[Any], sort: str, dialect: str) -> Select[Any]:
    """The ids of the matching cases in `sort` order (the caller adds LIMIT/OFFSET).

    When the due date is sorted or filtered on, it is computed once per case in a subquery
    the database may not merge into the outer query (SQLite: LIMIT -1; PostgreSQL: OFFSET 0):
    merged, it was computed once for the filter and again for the sort, 40% more work.
    """
    if sort not in SORTS:
        raise ValueError(f"sort {sort!r} is not one of {', '.join(SORTS)}")
    if sort != "next_due" and criteria.due_from is None and criteria.due_before is None:
        return select(cases.c.id).where(*where(criteria, due)).order_by(*order(sort, due))
    never = literal(_NEVER, Date)
    plain = replace(criteria, due_from=None, due_before=None)
    inner = select(cases.c.id, cases.c.name, cases.c.updated_at,
                   func.coalesce(due, never).label("due_on")).where(*where(plain, due))
    dues = (inner.limit(-1) if dialect == "sqlite" else inner.offset(0)).subquery("dues")
    conditions: list[ColumnElement[bool]] = []
    if criteria.due_from is not None:
        conditions += [dues.c.due_on >= literal(criteria.due_from, Date), dues.c.due_on < never]
    if criteria.due_before is not None:
        conditions.append(dues.c.due_on < literal(criteria.due_before, Date))
    orders: dict[str, list[Any]] = {
        "next_due": [dues.c.due_on, dues.c.id], "name": [dues.c.name, dues.c.id],
        "last_change": [dues.c.updated_at.desc(), dues.c.id.desc()], "id": [dues.c.id]}
    return select(dues.c.id).where(*conditions).order_by(*orders[sort])
