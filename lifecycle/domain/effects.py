"""What a route does besides moving the state: start a designation, renew it, set a deadline...

Each effect has a check (reasons it cannot apply) and an application (on the
case copy the decision owns). Effects are named in the definition's routes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days, add_years
from lifecycle.domain.definition import Route
from lifecycle.domain.messages import N_, day_term
from lifecycle.domain.naming import name_problems
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason

Check = Callable[[Programme, Case, Route, date, dict[str, Any]], list[Reason]]
Apply = Callable[[Programme, Case, Route, date, dict[str, Any]], dict[str, Any]]


def _no_problems(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> list[Reason]:
    return []


def _designate(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    return designate(programme, case, on)


def designate(programme: Programme, case: Case, on: date) -> dict[str, Any]:
    """Approval: the first cycle starts today; validity counts from it as the civil code counts
    periods (from the next day, through the anniversary: approved 2025-01-10 with 5 years is
    valid through 2030-01-10, and expires effective 2030-01-11)."""
    case.approved_on = on
    case.cycle = 1
    case.cycle_start = on
    validity = programme.definition.validity
    if validity is not None:
        case.valid_until = add_years(on, validity.years)
    return {"approved_on": on.isoformat(), "valid_until": case.valid_until.isoformat() if case.valid_until else None}


def count_elapsed_cycles(programme: Programme, case: Case) -> None:
    """An existing designation opened with an old approval date (hitech-zone, tech-transfer):
    the cycles that ended before the programme's dated rules came into force are counted
    as done, so the first evaluation falls at the end of the cycle running then, not decades ago.
    """
    if programme.definition.validity is not None or case.cycle_start is None:
        return
    if not any(t.anchor in ("cycle_start", "cycle_end") for t in programme.definition.timers):
        return  # cycles drive no rule (hitech-zone: yearly evaluations): nothing to count
    start = min(
        (d for d in (programme.in_force_for(t.trigger) for t in programme.definition.timers) if d is not None),
        default=None,
    )
    years = programme.definition.cycle.years
    while start is not None and add_years(case.cycle_start, years) <= start:
        case.cycle_start = add_years(case.cycle_start, years)
        case.cycle += 1


def _renew(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    """A renewal starts the next cycle where the previous one ends, whatever day it was recorded.

    A validity runs through its last day (the civil code's count of periods, 民法典 第二百零一条–
    第二百零三条): the next cycle starts the day after it, and its validity ends on the next
    anniversary of that last day (2030-01-10 → cycle from 2030-01-11, valid through 2035-01-10)."""
    previous_end = programme.cycle_end(case) or on
    case.cycle += 1
    validity = programme.definition.validity
    case.cycle_start = add_days(previous_end, 1) if validity is not None else previous_end
    if validity is not None:
        case.valid_until = add_years(previous_end, validity.years)
    return {
        "cycle": case.cycle,
        "cycle_start": case.cycle_start.isoformat(),
        "valid_until": case.valid_until.isoformat() if case.valid_until else None,
    }


def _deadline(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    assert route.deadline is not None
    case.deadline_on = add_days(add_years(on, route.deadline.years), route.deadline.days)
    return {"deadline_on": case.deadline_on.isoformat()}


def _report_problems(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> list[Reason]:
    year = params.get("year")
    if year is None:
        return []
    problems = []
    quarter = params.get("quarter")
    if quarter is not None:
        if quarter_key(year, quarter) in case.quarters:
            problems.append(
                Reason.of(
                    "duplicate",
                    N_("the data for {quarter} are already filed"),
                    {"quarter": quarter_key(year, quarter)},
                    route.clause,
                    details={"year": year, "quarter": quarter},
                )
            )
    elif year in case.progress.get(programme.record_for(route), []):
        problems.append(
            Reason.of(
                "duplicate",
                N_("the report for {year} is already filed"),
                {"year": year},
                route.clause,
                details={"year": year},
            )
        )
    first = case.approved_on.year if case.approved_on else None
    if first is not None and year < first:
        problems.append(
            Reason.of(
                "invalid_field",
                N_("year {year} is before the designation ({approved_on}); no report is due for it"),
                {"year": year, "approved_on": day_term(case.approved_on)},
                route.clause,
            )
        )
    if year > on.year:
        problems.append(
            Reason.of(
                "invalid_field",
                N_("year {year} has not begun on {on}"),
                {"year": year, "on": day_term(on)},
                route.clause,
            )
        )
    return problems


def _record_report(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("quarter") is not None:
        quarters = case.progress.setdefault("quarters", [])
        quarters.append(quarter_key(params["year"], params["quarter"]))
        quarters.sort()
        return {}
    filed: list[int] = case.progress.setdefault(programme.record_for(route), [])
    filed.append(params["year"])
    filed.sort()
    return {}


def quarter_key(year: int, quarter: int) -> str:
    """How a quarterly report is remembered: `2025-Q3`, the compliance run's period key."""
    return f"{year}-Q{quarter}"


def _request_problems(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> list[Reason]:
    pending = case.pending_change
    if pending:
        return [
            Reason.of(
                "pending",
                N_("a {change} change requested on {requested_on} awaits its decision (decide_change)"),
                {"change": pending["change"], "requested_on": pending["requested_on"]},
                route.clause,
            )
        ]
    if params.get("change") in ("name", "name_en") and params.get("new_value"):
        return _proposed_name_problems(programme, case, params["change"], params["new_value"])
    return []


def _proposed_name_problems(programme: Programme, case: Case, change: str, value: str) -> list[Reason]:
    fields = dict(case.fields)
    name = case.name
    if change == "name":
        name = value
    else:
        fields["name_en"] = value
    return name_problems(programme.definition.naming, name, fields)


def _request_change(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    case.progress["pending_change"] = {
        "change": params["change"],
        "new_value": params["new_value"],
        "requested_on": on.isoformat(),
    }
    return {}


def _decide_problems(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> list[Reason]:
    pending = case.pending_change
    if not pending:
        return [
            Reason.of(
                "pending", N_("no change request awaits a decision; file one with request_change"), clause=route.clause
            )
        ]
    if params.get("decision") == "approved" and pending["change"] in ("name", "name_en"):
        return _proposed_name_problems(programme, case, pending["change"], pending["new_value"])
    return []


def _decide_change(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    pending = case.progress.pop("pending_change")
    applied: dict[str, Any] = {"change": pending["change"], "new_value": pending["new_value"]}
    if params.get("decision") != "approved":
        return applied
    if pending["change"] == "name":
        applied["old_value"] = case.name
        case.name = pending["new_value"]
    elif pending["change"] == "name_en":
        applied["old_value"] = case.fields.get("name_en")
        case.fields["name_en"] = pending["new_value"]
    else:
        applied["old_value"] = case.fields.get("registered_place")
        case.fields["registered_place"] = pending["new_value"]
    return applied


EFFECTS: dict[str, tuple[Check, Apply]] = {
    "designate": (_no_problems, _designate),
    "renew": (_no_problems, _renew),
    "deadline": (_no_problems, _deadline),
    "record_report": (_report_problems, _record_report),
    "request_change": (_request_problems, _request_change),
    "decide_change": (_decide_problems, _decide_change),
}


def effect_problems(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> list[Reason]:
    problems: list[Reason] = []
    for name in route.effects:
        problems += EFFECTS[name][0](programme, case, route, on, params)
    return problems


def apply_effects(programme: Programme, case: Case, route: Route, on: date, params: dict[str, Any]) -> dict[str, Any]:
    """Apply the route's effects to `case`; returns what they computed, for the audit payload."""
    computed: dict[str, Any] = {}
    for name in route.effects:
        computed.update(EFFECTS[name][1](programme, case, route, on, params))
    return computed
