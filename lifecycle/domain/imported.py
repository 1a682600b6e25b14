"""Designations that existed before the tool: one row of an import file made into a case and
its history, or every reason the row is wrong, each naming its line and column.

The programme's own rules are reused (field types and bounds, naming, declared states,
the routes of its triggers and what they compute: approval, renewal, deadlines). What is
not applied is what belongs to the moment of an application — eligibility criteria,
rounds, quotas, in-force dates: an imported designation happened, and is history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.contacts import Contact, ContactProblem, updated
from lifecycle.domain.dates import add_days, add_years, parse_date
from lifecycle.domain.decide import parse_values
from lifecycle.domain.definition import Route
from lifecycle.domain.effects import apply_effects, count_elapsed_cycles
from lifecycle.domain.messages import N_, message
from lifecycle.domain.naming import name_problems
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.domain.values import MAX_REASON_LENGTH, InvalidValue, check_text

#: Columns (CSV) or keys (JSON Lines) that describe the case; any other is a field.
DATE_COLUMNS = ("approved_on", "state_since", "created_on", "cycle_start", "valid_until", "deadline_on")
#: The designated organisation's contact (who is told about the case's obligations).
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone", "contact_webhook", "contact_webhook_kind")
RESERVED = (
    "programme",
    "name",
    "state",
    *DATE_COLUMNS,
    "cycle",
    "events",
    "reports_filed",
    "evaluated_through",
    *CONTACT_COLUMNS,
    # The office the case belongs to, which the import service checks against the importing
    # admin's offices.
    "office",
)
#: What a past event may say: besides where it led, the values it was recorded with (a grade, the
#: year of a filed report, a revocation's ground, the decision's number).
EVENT_PARAMS = ("grade", "year", "quarter", "ground", "decision_no")
EVENT_KEYS = ("trigger", "on", "from", "to", "reason", *EVENT_PARAMS)
#: Effects that only compute dates: replayed on imported events. The others record
#: reports and change requests, which an import file does not carry.
DATED_EFFECTS = ("designate", "renew", "deadline")
CREATE = "create"


@dataclass
class ImportRow:
    """One row of the file, as read: reserved values and field values still raw."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    #: Each key's column as the file names it (`kind`, or `fields.kind` in JSON Lines).
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, key: str) -> str:
        return self.columns.get(key, key)


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be imported: its line, the column (None: the whole line), the reason."""

    line: int
    column: str | None
    code: str
    message: str
    clause: str | None = None
    default: bool = False

    def reason(self, file: str) -> Reason:
        return Reason.of(
            self.code,
            N_("line {line}, {column}: {problem}") if self.column else N_("line {line}: {problem}"),
            {"line": self.line, "column": self.column, "problem": message(self.message)},
            self.clause,
            self.default,
            {"file": file, "line": self.line, "column": self.column},
        )


@dataclass
class PastEvent:
    """One entry of an imported history, with what its audit entry will say."""

    trigger: str | None  # the original trigger; None when the row gives no events
    from_state: str | None
    to_state: str
    on: date
    reason: str | None
    clause: str | None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportedCase:
    line: int
    case: Case
    history: list[PastEvent]
    contact: Contact | None = None


class _Row:
    """Collects the problems of one row while it is read."""

    def __init__(self, programme: Programme, row: ImportRow) -> None:
        self.programme = programme
        self.row = row
        self.problems: list[RowProblem] = []

    def problem(
        self, key: str | None, code: str, message: str, clause: str | None = None, default: bool = False
    ) -> None:
        column = self.row.column(key) if key else None
        self.problems.append(RowProblem(self.row.line, column, code, message, clause, default))

    def text(self, key: str) -> str | None:
        value = self.row.values.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, "invalid_field", f"{value!r} is not text")
            return None
        return value.strip() or None

    def day(self, key: str) -> date | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            return parse_date(text)
        except ValueError as error:
            self.problem(key, "invalid_field", str(error))
            return None


def import_row(programme: Programme, row: ImportRow) -> ImportedCase | list[RowProblem]:
    """The case this row describes and its history, or every problem of the row."""
    r = _Row(programme, row)
    # Absent and blank are both missing; a value that is not text was reported by text().
    name = r.text("name")
    if name is None and isinstance(row.values.get("name", ""), str):
        r.problem("name", "missing_field", "every row needs a name")
    state = r.text("state")
    states = programme.definition.states
    if state is None and isinstance(row.values.get("state", ""), str):
        r.problem("state", "missing_field", f"every row needs a state; {programme.code} has: {', '.join(states)}")
    elif state is not None and state not in states:
        r.problem("state", "wrong_state", f"{state!r} is not a state of {programme.code}; it has: {', '.join(states)}")
        state = None
    fields = _fields(r)
    contact = _contact(r)
    if name is not None:
        for problem in name_problems(programme.definition.naming, name, fields):
            column = "name_en" if "name_en" in problem.details else "name"
            r.problem(column, problem.code, problem.message, problem.clause, problem.default)
    read = len(r.problems)
    dates = {key: r.day(key) for key in DATE_COLUMNS}
    cycle = _cycle(r)
    events = _events(r)
    # A bad name or field does not stop the dates being checked, so that a row's problems
    # come all at once; an unreadable date or event does, and events need sound fields.
    if name is None or state is None or len(r.problems) > read or (events and r.problems):
        return r.problems
    if events:
        case, history = _replay(r, name, fields, events)
        if case is None:
            return r.problems
        _agree_with_events(r, case, state, dates, history)
    else:
        case, history = _without_events(r, name, state, fields, dates)
    _fill_dates(r, case, dates, cycle, replayed=bool(events))
    _reports_filed(r, case)
    _evaluated_through(r, case)
    if r.problems:
        return r.problems
    history[-1].payload.update(_dates_of(case))
    return ImportedCase(row.line, case, history, contact)


def _contact(r: _Row) -> Contact | None:
    """The contact columns, checked as `lifecycle contacts set` checks them."""
    values = {key: r.text(key) for key in CONTACT_COLUMNS}
    if not any(values.values()):
        return None
    options = {
        "contact_name": "name",
        "contact_email": "email",
        "contact_phone": "phone",
        "contact_webhook": "webhook",
        "contact_webhook_kind": "webhook_kind",
    }
    try:
        return updated(Contact(), **{options[k]: v for k, v in values.items() if v is not None})
    except ContactProblem as problem:
        column = next((k for k, o in options.items() if f"--{o.replace('_', '-')}" == problem.option), "contact_email")
        r.problem(column, "invalid_field", str(problem).split(": ", 1)[-1])
        return None


def _evaluated_through(r: _Row, case: Case) -> None:
    """The column `evaluated_through`: the last year whose yearly evaluation is done (hitech-zone's
    each 1 April), so the first compliance run opens only the evaluations still to come."""
    raw = r.row.values.get("evaluated_through")
    if raw is None or raw == "":
        return
    text = str(raw).strip()
    yearly = [t for t in r.programme.definition.timers if t.anchor == "yearly"]
    if not yearly:
        r.problem(
            "evaluated_through",
            "invalid_field",
            f"{r.programme.code} has no yearly evaluation; leave evaluated_through empty",
        )
        return
    if not text.isdigit() or (case.approved_on is not None and int(text) < case.approved_on.year - 1):
        r.problem(
            "evaluated_through",
            "invalid_field",
            f"{raw!r} is not a year since the designation; give the last year evaluated, e.g. 2024",
        )
        return
    from lifecycle.domain.programme import yearly_mark

    for timer in yearly:  # the evaluation of year Y is held in Y+1 (each 1 April): that firing is done
        case.marks[yearly_mark(timer.trigger)] = int(text) + 1


def _reports_filed(r: _Row, case: Case) -> None:
    """The column `reports_filed`: the years whose annual report the office has on file
    ("2021,2022,2023" in CSV, a list in JSON Lines), so the first compliance run neither
    reminds of nor proposes a revocation for reports that were in fact filed."""
    raw = r.row.values.get("reports_filed")
    if raw is None or raw == "":
        return
    items = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
    years: list[int] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdigit():
            r.problem(
                "reports_filed",
                "invalid_field",
                f"{item!r} is not a year; list the years whose report is filed, e.g. 2021,2022,2023",
            )
            return
        years.append(int(text))
    first = case.approved_on.year if case.approved_on else None
    early = [y for y in years if first is None or y < first]
    if early:
        r.problem(
            "reports_filed",
            "invalid_field",
            f"{early[0]} is before the designation ({case.approved_on or 'never approved'}); no report is due for it",
        )
        return
    case.reports[:] = sorted(set(case.reports) | set(years))


def _fields(r: _Row) -> dict[str, Any]:
    """The programme's fields, each parsed as `--set` would, each problem at its column."""
    parsed: dict[str, Any] = {}
    invalid: set[str] = set()
    for key, raw in r.row.fields.items():
        values = parse_values(r.programme, None, {key: raw})
        for problem in values.problems:  # the column names the field: say it once
            r.problem(key, problem.code, problem.message.removeprefix(f"{key}: "), problem.clause, problem.default)
            invalid.add(key)
        parsed.update(values.fields)
    for name, spec in r.programme.definition.fields.items():
        if spec.required_at_create and name not in parsed and name not in invalid:
            choices = f" (one of: {', '.join(spec.choices)})" if spec.choices else ""
            r.problem(
                name,
                "missing_field",
                f"a {r.programme.code} case needs {name}{choices}; add a column {name}",
                spec.clause,
                spec.default,
            )
    return parsed


def _cycle(r: _Row) -> int | None:
    raw = r.row.values.get("cycle")
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not str(raw).strip().isdigit() or int(str(raw).strip()) < 1:
        r.problem(
            "cycle",
            "invalid_field",
            f"{raw!r} is not a cycle number (1 for the first cycle after approval, 2 after the first renewal, ...)",
        )
        return None
    return int(str(raw).strip())


@dataclass
class _Event:
    index: int
    trigger: str
    on: date
    from_state: str | None
    to_state: str
    reason: str | None
    params: dict[str, Any] = field(default_factory=dict)


def _events(r: _Row) -> list[_Event]:
    raw = r.row.values.get("events")
    if raw is None:
        return []
    example = (
        '[{"trigger": "create", "on": "2020-01-01", "to": "submitted"}, {"trigger": '
        '"approve", "on": "2021-06-01", "from": "under_review", "to": "approved"}]'
    )
    if not isinstance(raw, list) or not raw:
        r.problem("events", "invalid_field", f"events is a list of past events, e.g. {example}")
        return []
    events: list[_Event] = []
    before = len(r.problems)
    for index, item in enumerate(raw):
        where = f"events[{index}]"
        if not isinstance(item, dict):
            r.problem("events", "invalid_field", f"{where} is not an object; e.g. {example}")
            continue
        unknown = sorted(set(item) - set(EVENT_KEYS))
        if unknown:
            r.problem(
                "events",
                "unknown_field",
                f"{where}: unknown key {', '.join(unknown)}; an event has {', '.join(EVENT_KEYS)}",
            )
        missing = [key for key in ("trigger", "on", "to") if not item.get(key)]
        if missing:
            r.problem("events", "missing_field", f"{where} needs {', '.join(missing)}")
            continue
        try:
            on = parse_date(str(item["on"]))
        except ValueError as error:
            r.problem("events", "invalid_field", f"{where}.on: {error}")
            continue
        reason = item.get("reason")
        if reason:
            try:
                check_text(str(reason), "reason", MAX_REASON_LENGTH, allow_tab=True)
            except InvalidValue as error:
                r.problem("events", "invalid_field", f"{where}.reason: {error}")
                continue
        params = {key: item[key] for key in EVENT_PARAMS if item.get(key) not in (None, "")}
        events.append(
            _Event(
                index,
                str(item["trigger"]),
                on,
                item.get("from") or None,
                str(item["to"]),
                str(reason) if reason else None,
                params,
            )
        )
    return events if len(r.problems) == before else []


def _replay(r: _Row, name: str, fields: dict[str, Any], events: list[_Event]) -> tuple[Case | None, list[PastEvent]]:
    """Walk the events through the programme's routes, computing what each one sets."""
    programme = r.programme
    first = events[0]
    initial = programme.initial_state(fields, first.on)
    if first.trigger != CREATE or first.from_state is not None:
        r.problem(
            "events",
            "invalid_field",
            f"events[0]: a history starts when the case was "
            f'opened: {{"trigger": "create", "on": ..., "to": "{initial}"}}',
        )
        return None, []
    if first.to_state != initial:
        r.problem(
            "events",
            "wrong_state",
            f"events[0]: a {programme.code} case with these fields is opened in {initial}, not {first.to_state!r}",
            programme.definition.initial.clause,
            programme.definition.initial.default,
        )
        return None, []
    case = Case(
        programme=programme.code,
        name=name,
        state=initial,
        state_since=first.on,
        definition_version=programme.version,
        fields=dict(fields),
        created_on=first.on,
    )
    history = [
        PastEvent(
            CREATE,
            None,
            initial,
            first.on,
            first.reason,
            programme.definition.initial.clause,
            {"name": name, "fields": dict(fields)},
        )
    ]
    for event in events[1:]:
        where = f"events[{event.index}]"
        if event.on < history[-1].on:
            r.problem(
                "events",
                "invalid_field",
                f"{where} is dated {event.on}, before the event "
                f"before it ({history[-1].on}); list the events in date order",
            )
            return None, []
        if event.from_state is not None and event.from_state != case.state:
            r.problem(
                "events",
                "wrong_state",
                f"{where} starts from {event.from_state}, but the events before it leave the case in {case.state}",
            )
            return None, []
        past = _step(r, case, event)
        if past is None:
            return None, []
        history.append(past)
    return case, history


def _step(r: _Row, case: Case, event: _Event) -> PastEvent | None:
    """Move `case` along the route of `event.trigger` that leads to `event.to_state`."""
    programme = r.programme
    where = f"events[{event.index}]"
    trigger = programme.trigger(event.trigger)
    if trigger is None:
        r.problem(
            "events",
            "unknown_trigger",
            f"{where}: {programme.code} has no trigger "
            f"{event.trigger!r}; it has: {', '.join(programme.definition.triggers)}",
        )
        return None
    routes = programme.routes_from(trigger, case.state)
    route = next((x for x in routes if _destination(x, case) == event.to_state), None)
    if route is None:
        leads = ", ".join(sorted({str(_destination(x, case)) for x in routes})) or "nowhere"
        r.problem(
            "events",
            "no_route",
            f"{where}: {event.trigger} does not lead from "
            f"{case.state} to {event.to_state} in {programme.code}; from {case.state} it "
            f"leads to: {leads}",
            trigger.clause,
            trigger.default,
        )
        return None
    from_state = case.state
    params, problems = _event_params(r, trigger, event)
    if problems:
        return None
    mismatched = [
        k for k, v in (route.when or {}).items() if k in params and params[k] not in (v if isinstance(v, list) else [v])
    ]
    if mismatched:
        r.problem(
            "events",
            "no_route",
            f"{where}: {event.trigger} with {mismatched[0]} "
            f"{params[mismatched[0]]} does not lead from {case.state} to {event.to_state}",
            route.clause or trigger.clause,
            trigger.default,
        )
        return None
    if "record_report" in route.effects and "year" not in params:
        r.problem(
            "events",
            "missing_field",
            f'{where}: {event.trigger} records the report of a year: add "year": YYYY',
            route.clause or trigger.clause,
            trigger.default,
        )
        return None
    if "record_report" in route.effects:
        from lifecycle.domain.effects import effect_problems

        found = [p for p in effect_problems(programme, case, route, event.on, params) if p.code == "duplicate"]
        if found:
            r.problem("events", "duplicate", f"{where}: {found[0].message}", found[0].clause)
            return None
    if event.to_state != case.state:
        case.state = event.to_state
        case.state_since = event.on
        case.deadline_on = None
    kept = DATED_EFFECTS + (("record_report",) if "year" in params else ())
    dated = route.model_copy(update={"effects": [e for e in route.effects if e in kept]})
    computed = apply_effects(programme, case, dated, event.on, params)
    computed.update({k: v for k, v in event.params.items() if k not in computed})
    if trigger.due and programme.timer(trigger.due).once_per_cycle:
        case.marks[event.trigger] = case.cycle  # as deciding it would: once per cycle
    clause = route.clause or trigger.clause
    return PastEvent(event.trigger, from_state, event.to_state, event.on, event.reason, clause, computed)


def _event_params(r: _Row, trigger: Any, event: _Event) -> tuple[dict[str, Any], bool]:
    """The event's values parsed as the trigger's parameters (a grade among its choices, a year as
    a number); the decision's number is kept as text. True when one is wrong."""
    where = f"events[{event.index}]"
    raw = {k: str(v) for k, v in event.params.items() if k in trigger.params}
    unknown = sorted(k for k in event.params if k not in trigger.params and k != "decision_no")
    if unknown:
        r.problem(
            "events",
            "unknown_field",
            f"{where}: {event.trigger} takes no {', '.join(unknown)}"
            + (f"; it takes: {', '.join(trigger.params)}" if trigger.params else ""),
        )
        return {}, True
    values = parse_values(r.programme, trigger, raw)
    for problem in values.problems:
        r.problem("events", problem.code, f"{where}: {problem.message}", problem.clause, problem.default)
    params = {**r.programme.param_defaults(trigger), **values.params}
    return params, bool(values.problems)


def _destination(route: Route, case: Case) -> str:
    if route.to == "$same":
        return case.state
    if route.to == "$active":
        return "approved" if case.cycle <= 1 else "renewed"
    return route.to


def _agree_with_events(
    r: _Row, case: Case, state: str, dates: dict[str, date | None], history: list[PastEvent]
) -> None:
    if case.state != state:
        r.problem(
            "events",
            "wrong_state",
            f"the events end in {case.state}, but the row's state "
            f"is {state}; add the events that lead to {state}, or correct the state",
        )
    since = dates["state_since"]
    if since is not None and since != case.state_since:
        r.problem(
            "state_since",
            "invalid_field",
            f"{since} is not the day the events enter "
            f"{case.state} ({case.state_since}); leave state_since empty or correct it",
        )
    # Only a move is late: a report filed after the case entered its state is just history.
    late = [e for e in history if e.on > case.state_since and e.from_state != e.to_state]
    if late:
        r.problem(
            "events",
            "invalid_field",
            f"an event is dated {late[0].on}, after the case "
            f"entered {case.state} on {case.state_since}; an imported history ends when "
            "the case enters its current state",
        )
    approved = dates["approved_on"]
    if case.approved_on is None:
        case.approved_on = approved  # approved before the events the file gives
    elif approved is not None and approved != case.approved_on:
        r.problem(
            "approved_on",
            "invalid_field",
            f"{approved} is not the day of the approval "
            f"in the events ({case.approved_on}); leave approved_on empty or correct it",
        )
    created = dates["created_on"]
    if created is not None and created != case.created_on:
        r.problem(
            "created_on",
            "invalid_field",
            f"{created} is not the day of the create event ({case.created_on}); leave created_on empty or correct it",
        )


def _without_events(
    r: _Row, name: str, state: str, fields: dict[str, Any], dates: dict[str, date | None]
) -> tuple[Case, list[PastEvent]]:
    """A case in `state` since `state_since` (default: approved_on, or created_on before
    approval), with one history entry that brings it there."""
    approved, created = dates["approved_on"], dates["created_on"]
    since = dates["state_since"] or approved or created
    if since is None:
        if not approval_needed(r.programme, state):  # else: approved_on is what is missing
            r.problem(
                "state_since", "missing_field", f"give the day the case entered {state} (state_since), or created_on"
            )
        since = date.min
    case = Case(
        programme=r.programme.code,
        name=name,
        state=state,
        state_since=since,
        definition_version=r.programme.version,
        fields=dict(fields),
        approved_on=approved,
        created_on=created or min(since, approved or since),
    )
    return case, [PastEvent(None, None, state, since, None, None, {"name": name, "fields": dict(fields)})]


def approval_needed(programme: Programme, state: str) -> bool:
    """Whether a case in `state` has been approved: an active state, or a terminal one that
    only active states lead to (revoked, expired; not rejected, and not withdrawn, which a
    case may reach before approval as well as after)."""
    kind = programme.kind(state)
    if kind != "terminal":
        return kind == "active"
    sources = {
        source
        for trigger in programme.definition.triggers.values()
        for route in trigger.routes
        if route.to == state
        for source in programme.expand(route.sources)
    }
    return bool(sources) and all(programme.kind(s) == "active" for s in sources)


def _fill_dates(r: _Row, case: Case, dates: dict[str, date | None], cycle: int | None, *, replayed: bool) -> None:
    """Approval, cycle, validity and deadline: as given, else computed by the programme's rules."""
    programme = r.programme
    kind = programme.kind(case.state)
    approved = case.approved_on
    if kind == "pre" and approved is not None:
        r.problem(
            "approved_on",
            "invalid_field",
            f"a case in {case.state} (before approval) has "
            "not been approved; leave approved_on empty, or give the state it is in now",
        )
        return
    if approved is None:
        if approval_needed(programme, case.state):
            r.problem(
                "approved_on",
                "missing_field",
                f"a case in {case.state} has been approved: give approved_on (YYYY-MM-DD)",
            )
        for key in ("cycle", "cycle_start", "valid_until"):
            if (cycle if key == "cycle" else dates[key]) is not None:
                r.problem(key, "invalid_field", f"a case that was never approved has no {key}; leave it empty")
        _check_order(r, case)
        return
    _check_order(r, case)
    period = programme.definition.validity or programme.definition.cycle
    if cycle is not None:
        case.cycle = cycle
    elif case.cycle == 0:  # not replayed: the cycles elapsed by the day it entered its state
        elapsed = 0
        while add_years(approved, (elapsed + 1) * period.years) <= case.state_since:
            elapsed += 1
        case.cycle = max(elapsed + 1, 2 if case.state == "renewed" else 1)
        if case.state == "approved":
            case.cycle = 1
    if case.state == "approved" and case.cycle != 1:
        r.problem("cycle", "invalid_field", "approved is the first cycle; a case in a later cycle is renewed")
    if case.state == "renewed" and case.cycle < 2:
        r.problem(
            "cycle", "invalid_field", "renewed is a cycle after the first; give cycle 2 or more, or the state approved"
        )
    validity = programme.definition.validity
    # A validity runs through its anniversary (the civil code's count): a later cycle starts the
    # day after the previous one's last day.
    after = 1 if validity is not None and case.cycle > 1 else 0
    if dates["cycle_start"] is not None:
        case.cycle_start = dates["cycle_start"]
    elif cycle is not None or case.cycle_start is None:
        case.cycle_start = add_days(add_years(approved, (case.cycle - 1) * period.years), after)
    if cycle is None and dates["cycle_start"] is None:
        count_elapsed_cycles(programme, case)  # as `cases add` does: no evaluation before the plan
    if dates["valid_until"] is not None:
        if validity is None:
            r.problem(
                "valid_until",
                "invalid_field",
                f"{programme.code} designations have no validity period; leave valid_until empty",
            )
        case.valid_until = dates["valid_until"]
    elif validity is not None and (cycle is not None or dates["cycle_start"] is not None or case.valid_until is None):
        case.valid_until = add_years(add_days(case.cycle_start, -after), validity.years)
    if not replayed:
        _mark_reviews(programme, case)
    _deadline(r, case, dates["deadline_on"], computed=not replayed)


def _mark_reviews(programme: Programme, case: Case) -> None:
    """A once-per-cycle review that brought the case into its state has happened in this
    cycle: mark it, as deciding it would have, so that it is not due again."""
    for name, trigger in programme.definition.triggers.items():
        if (
            trigger.due
            and programme.timer(trigger.due).once_per_cycle
            and any(route.to == case.state for route in trigger.routes)
        ):
            case.marks[name] = case.cycle


def _check_order(r: _Row, case: Case) -> None:
    if case.approved_on is not None and case.approved_on > case.state_since:
        r.problem(
            "state_since",
            "invalid_field",
            f"{case.state_since} is before the approval "
            f"({case.approved_on}); a case approved on {case.approved_on} entered "
            f"{case.state} on that day or later",
        )
    if case.created_on is not None and case.created_on > min(case.state_since, case.approved_on or date.max):
        r.problem(
            "created_on",
            "invalid_field",
            f"{case.created_on} is after the day the case "
            f"was approved or entered {case.state}; a case is created first",
        )


def _deadline(r: _Row, case: Case, given: date | None, *, computed: bool) -> None:
    """The deadline of a state that has one (rectification): as given, else counted from the
    day the case entered it by the route that leads there."""
    routes = [
        route
        for trigger in r.programme.definition.triggers.values()
        for route in trigger.routes
        if route.to == case.state and route.deadline
    ]
    if given is not None:
        if not routes:
            r.problem(
                "deadline_on",
                "invalid_field",
                f"{case.state} has no deadline in {r.programme.code}; leave deadline_on empty",
            )
        elif given < case.state_since:
            r.problem(
                "deadline_on", "invalid_field", f"{given} is before the case entered {case.state} ({case.state_since})"
            )
        case.deadline_on = given
    elif computed and routes:
        deadline = routes[0].deadline
        assert deadline is not None
        case.deadline_on = add_days(case.state_since, deadline.days)


def _dates_of(case: Case) -> dict[str, Any]:
    """What the case holds after the import, for the audit entry that brings it there."""

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "reports_filed": list(case.reports),
        "state_since": iso(case.state_since),
        "approved_on": iso(case.approved_on),
        "cycle": case.cycle,
        "cycle_start": iso(case.cycle_start),
        "valid_until": iso(case.valid_until),
        "deadline_on": iso(case.deadline_on),
    }
