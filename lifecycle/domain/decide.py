"""Decisions: which triggers a case allows on a date, why each other one is refused, and
what firing one does. Every check runs, so a refusal lists every reason, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.criteria import Evaluator
from lifecycle.domain.definition import SPECIAL_DESTINATIONS, FieldDef, Route, Rule, TriggerDef
from lifecycle.domain.effects import apply_effects, count_elapsed_cycles, designate, effect_problems
from lifecycle.domain.messages import N_, Term, day_term, terms
from lifecycle.domain.naming import name_problems
from lifecycle.domain.programme import Programme, yearly_mark
from lifecycle.domain.quotas import FindHolders, frozen_field_reasons, quota_reasons, round_reasons
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import next_due
from lifecycle.domain.values import InvalidValue, comparable, default_bounds, parse_value, show
from lifecycle.errors import Refused

#: Rules every programme shares (terminal states, dates of states): the project's own rules,
#: not any policy document's, so every reason citing them is marked [default].
SHARED_RULES = N_("the project's own rule")


@dataclass
class Proposal:
    """A decided action, not yet stored: the changed case and what the audit entry says."""

    trigger: str
    from_state: str | None
    to_state: str
    effective_on: date
    clause: str | None
    default: bool
    payload: dict[str, Any]
    case: Case
    internal: bool = False


@dataclass
class Values:
    """What `--set` gave, split into the action's parameters and the case's fields."""

    params: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[Reason] = field(default_factory=list)


def parse_values(programme: Programme, trigger: TriggerDef | None, raw: dict[str, Any]) -> Values:
    values = Values()
    for key, text in raw.items():
        spec: FieldDef | None
        if trigger is not None and key in trigger.params:
            spec, target = programme.param_spec(trigger, key), values.params
        else:
            spec, target = programme.definition.fields.get(key), values.fields
        if spec is None:
            known = sorted(programme.definition.fields) + sorted(trigger.params if trigger else [])
            values.problems.append(
                Reason.of(
                    "unknown_field",
                    N_("{key} is not a field of {programme}; known: {known}"),
                    {"key": repr(key), "programme": programme.code, "known": terms(known, "comma")},
                )
            )
            continue
        try:
            target[key] = parse_value(
                spec.type, text, choices=spec.choices, labels=spec.label_names() if spec.choices else None
            )
            check_bounds(spec, target[key])
        except InvalidValue as error:
            values.problems.append(
                Reason.of(
                    "invalid_field",
                    N_("{field}: {error}"),
                    {"field": Term(key, programme.field_term(key).zh), "error": error.term()},
                    spec.clause,
                    spec.default,
                    {"field": key},
                )
            )
    return values


def check_bounds(spec: FieldDef, value: Any) -> None:
    """The definition's range, else the type's (a share is 0 to 100% unless it says otherwise)."""
    lowest, highest = default_bounds(spec.type)
    lowest = spec.min_value if spec.min_value is not None else lowest
    highest = spec.max_value if spec.max_value is not None else highest
    if lowest is not None and comparable(value) < lowest:
        raise InvalidValue(
            N_("{value} is below {lowest}"), {"value": show(value, spec.type), "lowest": show(lowest, spec.type)}
        )
    if highest is not None and comparable(value) > highest:
        values = {"value": show(value, spec.type), "highest": show(highest, spec.type)}
        if spec.type == "ratio":
            raise InvalidValue(N_("{value} is above {highest} (a share is written 0.6 or 60%)"), values)
        raise InvalidValue(N_("{value} is above {highest}"), values)


def _role_reason(role: str, allowed: list[str], what: Any, clause: str | None) -> Reason | None:
    if role in allowed:
        return None
    if role == "auditor":
        message = N_("an auditor may only read; {what} needs the role {allowed}")
    elif allowed == ["system"]:
        message = N_("{what} is applied by the compliance run (actor system), not by hand")
    else:
        message = N_("{what} needs the role {allowed}; you act as {role}")
    return Reason.of(
        "role",
        message,
        {"what": what, "allowed": terms(allowed), "role": role},
        clause,
        details={"role": role, "allowed": allowed},
    )


def _date_reasons(programme: Programme, case: Case, trigger_name: str, on: date) -> list[Reason]:
    reasons = []
    in_force = programme.definition.in_force
    applies = in_force.applies_to == "all" or trigger_name in in_force.applies_to
    if applies and on < in_force.date:
        reasons.append(
            Reason.of(
                "not_in_force",
                N_("{programme} is in force from {in_force}; {trigger} cannot be dated {on}"),
                {
                    "programme": programme.code,
                    "in_force": day_term(in_force.date),
                    "trigger": programme.trigger_term(trigger_name),
                    "on": day_term(on),
                },
                in_force.clause,
                in_force.default,
                {"in_force": in_force.date.isoformat(), "on": on.isoformat()},
            )
        )
    validity = programme.definition.validity
    if (
        validity is not None
        and case.valid_until is not None
        and on > case.valid_until
        and programme.kind(case.state) == "active"
        and trigger_name not in programme.expiry_triggers
    ):
        reasons.append(
            Reason.of(
                "validity_ended",
                N_("the designation's validity ran through {valid_until}; on {on} the case can only expire"),
                {"valid_until": day_term(case.valid_until), "on": day_term(on)},
                validity.clause,
                validity.default,
                {"valid_until": case.valid_until.isoformat(), "on": on.isoformat()},
            )
        )
    trigger = programme.trigger(trigger_name)
    moves = trigger is None or not trigger.internal
    # A trigger that does not move the case (filing a report) may carry an earlier date: documents
    # often arrive after a later decision was recorded.
    if moves and on < case.state_since:
        reasons.append(
            Reason.of(
                "before_state_entry",
                N_("the case entered {state} on {since}; it cannot leave it on an earlier date ({on})"),
                {"state": programme.state_term(case.state), "since": day_term(case.state_since), "on": day_term(on)},
                SHARED_RULES,
                True,
                details={"state_since": case.state_since.isoformat(), "on": on.isoformat()},
            )
        )
    return reasons


def _timer_reasons(
    programme: Programme, case: Case, what: Any, timer_id: str | None, on: date, once_key: str | None
) -> list[Reason]:
    if timer_id is None:
        return []
    timer = programme.timer(timer_id)
    due = programme.due_date(timer, case)
    if due is None or on < due:
        return [
            Reason.of(
                "not_due",
                N_("{what} is not due until {due} ({timer}); it cannot be dated {on}")
                if due
                else N_("{what} is not due yet ({timer}); it cannot be dated {on}"),
                {"what": what, "due": day_term(due), "timer": Term(timer.en, timer.zh), "on": day_term(on)},
                timer.clause,
                timer.default,
                {"due_on": due.isoformat() if due else None, "on": on.isoformat()},
            )
        ]
    if once_key and timer.once_per_cycle and case.marks.get(once_key) == case.cycle:
        return [
            Reason.of(
                "already_done",
                N_("{what} already happened in cycle {cycle}"),
                {"what": what, "cycle": case.cycle},
                timer.clause,
                timer.default,
            )
        ]
    return []


def check(
    programme: Programme,
    case: Case,
    trigger_name: str,
    on: date,
    role: str,
    values: Values | None = None,
    *,
    with_params: bool = True,
    find_holders: FindHolders | None = None,
    exceed_quota: bool = False,
) -> list[Reason]:
    """Every reason `trigger_name` cannot fire on `on`; empty when it can.

    With `with_params=False` (what `cases show` asks) the action's own
    parameters are not required: they are chosen when it is fired.
    """
    trigger = programme.trigger(trigger_name)
    if trigger is None:
        return [
            Reason.of(
                "unknown_trigger",
                N_("{programme} has no trigger {trigger}; it has: {triggers}"),
                {
                    "programme": programme.code,
                    "trigger": repr(trigger_name),
                    "triggers": terms(programme.definition.triggers, "comma"),
                },
            )
        ]
    if programme.kind(case.state) == "terminal":
        return [
            Reason.of(
                "terminal",
                N_("the case is {state}, a terminal state: it accepts no trigger"),
                {"state": programme.state_term(case.state, labelled=True)},
                SHARED_RULES,
                True,
            )
        ]
    sources = programme.sources(trigger)
    if case.state not in sources:
        return [
            Reason.of(
                "wrong_state",
                N_("{trigger} needs the case in {allowed}; it is in {state}"),
                {
                    "trigger": programme.trigger_term(trigger_name),
                    "allowed": programme.states_term(sources),
                    "state": programme.state_term(case.state, labelled=True),
                },
                trigger.clause,
                trigger.default,
                {"state": case.state, "allowed_from": sources},
            )
        ]
    values = values or Values()
    reasons = list(values.problems)
    role_reason = _role_reason(role, list(trigger.by), programme.trigger_term(trigger_name), trigger.clause)
    if role_reason:
        reasons.append(role_reason)
    reasons += _date_reasons(programme, case, trigger_name, on)
    reasons += _timer_reasons(programme, case, programme.trigger_term(trigger_name), trigger.due, on, trigger_name)
    definition = programme.definition
    naming = definition.naming
    renames = "name_en" in values.fields or (naming is not None and naming.by in values.fields)
    # The compliance run decides a hundred thousand actions that read no field: build the
    # merged fields only when a criterion, a quota, a round or a name rule will read them.
    reads_fields = bool(
        trigger.check
        or definition.quotas
        or definition.rounds
        or renames
        or (with_params and any(route.check for route in trigger.routes))
    )
    merged = {**programme.field_defaults(), **case.fields, **values.fields} if reads_fields else {}
    evaluator = Evaluator(merged, definition.fields, on)
    if with_params:
        reasons += _param_reasons(programme, case, trigger, values, on, role, evaluator)
    else:  # what an effect refuses whatever the parameters (no pending change to decide)
        for route in programme.routes_from(trigger, case.state):
            if not route.when:
                reasons += _with_clause(
                    [r for r in effect_problems(programme, case, route, on, {}) if r.code == "pending"], trigger
                )
                reasons += _late_for_deadline(programme, case, route, on)
    if trigger.check:
        reasons += _criteria_reasons(programme, trigger.check, evaluator)
    if definition.quotas or definition.rounds:
        reasons += frozen_field_reasons(
            definition, case.state, {**programme.field_defaults(), **case.fields}, values.fields
        )
        reasons += round_reasons(definition, trigger_name, merged, on)
        reasons += quota_reasons(definition, trigger_name, merged, on, find_holders, exceed=exceed_quota)
    if renames:
        reasons += [r for r in name_problems(naming, case.name, merged) if r.code == "name_rule"]
    return reasons


def _criteria_reasons(programme: Programme, groups: list[str], evaluator: Evaluator) -> list[Reason]:
    reasons = []
    for group in groups:
        for criterion in programme.definition.criteria[group]:
            failed = evaluator.check(criterion)
            if failed:
                reasons.append(failed)
    return reasons


def _param_reasons(
    programme: Programme, case: Case, trigger: TriggerDef, values: Values, on: date, role: str, evaluator: Evaluator
) -> list[Reason]:
    reasons = []
    invalid = {r.details.get("field") for r in values.problems}
    for name, spec in trigger.params.items():
        if name not in values.params and spec.default_value is None and name not in invalid:
            choices = programme.param_spec(trigger, name).choices
            reasons.append(
                Reason.of(
                    "missing_field",
                    N_("{trigger} needs --set {field}=… (one of: {choices})")
                    if choices
                    else N_("{trigger} needs --set {field}=…"),
                    {"trigger": Term(trigger.en, trigger.zh), "field": name, "choices": terms(choices or [], "comma")},
                    spec.clause or trigger.clause,
                    details={"field": name},
                )
            )
    ground_name = values.params.get("ground")
    ground = programme.definition.grounds.get(ground_name) if ground_name else None
    if ground is not None:
        revocation = Term(f"revocation on ground {ground_name}", f"以“{ground.zh}”为由撤销")
        role_reason = _role_reason(role, list(ground.by), revocation, ground.clause)
        if role_reason:
            reasons.append(role_reason)
        reasons += _timer_reasons(programme, case, revocation, ground.due, on, None)
        if ground.states is not None and case.state not in programme.expand(ground.states):
            reasons.append(
                Reason.of(
                    "wrong_state",
                    N_("revocation on ground {ground} ({ground_name}) applies in {allowed}; the case is in {state}"),
                    {
                        "ground": Term(str(ground_name), ground.zh),
                        "ground_name": Term(ground.en, ground.zh),
                        "allowed": programme.states_term(programme.expand(ground.states)),
                        "state": programme.state_term(case.state, labelled=True),
                    },
                    ground.clause,
                    ground.default,
                    {"state": case.state, "allowed_from": ground.states},
                )
            )
    routes = programme.routes_from(trigger, case.state)
    params = {**programme.param_defaults(trigger), **values.params}
    matching = [
        r
        for r in routes
        if all(params.get(k) in (v if isinstance(v, list) else [v]) for k, v in (r.when or {}).items())
    ]
    if not matching and not any(r.code == "missing_field" for r in reasons):
        possible = sorted(
            {
                f"{k}={v}"
                for r in routes
                for k, vs in (r.when or {}).items()
                for v in (vs if isinstance(vs, list) else [vs])
            }
        )
        reasons.append(
            Reason.of(
                "no_route",
                N_("in {state}, {trigger} takes {accepted}"),
                {
                    "state": programme.state_term(case.state),
                    "trigger": Term(trigger.en, trigger.zh),
                    "accepted": terms(possible),
                },
                trigger.clause,
                details={"state": case.state, "accepted": possible},
            )
        )
    for route in matching[:1]:
        reasons += _with_clause(effect_problems(programme, case, route, on, params), trigger)
        if route.check:
            reasons += _criteria_reasons(programme, route.check, evaluator)
        reasons += _late_for_deadline(programme, case, route, on)
    return reasons


def _late_for_deadline(programme: Programme, case: Case, route: Route, on: date) -> list[Reason]:
    """After a deadline (rectification) only an ending remains: the deadline day is in time,
    the day after is late, so a case cannot be declared rectified then (unless the route says
    otherwise: transfer-zone has no revocation, so the office may still accept it late)."""
    if case.deadline_on is None or on <= case.deadline_on or route.to == "$same" or route.after_deadline:
        return []
    if route.to not in SPECIAL_DESTINATIONS and programme.kind(route.to) == "terminal":
        return []
    return [
        Reason.of(
            "deadline_passed",
            N_("the deadline was {deadline}; on {on} it has passed, and the case can only be revoked or withdrawn"),
            {"deadline": day_term(case.deadline_on), "on": day_term(on)},
            SHARED_RULES,
            True,
            details={"deadline_on": case.deadline_on.isoformat(), "on": on.isoformat()},
        )
    ]


def _with_clause(reasons: list[Reason], trigger: TriggerDef) -> list[Reason]:
    """Effects refuse under the route's clause, else the trigger's."""
    return [r if r.clause else replace(r, clause=trigger.clause, default=trigger.default) for r in reasons]


def options(
    programme: Programme, case: Case, on: date, role: str = "admin", find_holders: FindHolders | None = None
) -> tuple[list[str], dict[str, list[Reason]]]:
    """The triggers allowed on `on` for `role`, and for every other one the reasons it is not."""
    allowed: list[str] = []
    blocked: dict[str, list[Reason]] = {}
    for name in programme.definition.triggers:
        reasons = check(programme, case, name, on, role, with_params=False, find_holders=find_holders)
        if reasons:
            blocked[name] = reasons
        else:
            allowed.append(name)
    return allowed, blocked


def decide(
    programme: Programme,
    case: Case,
    trigger_name: str,
    on: date,
    role: str,
    raw_values: dict[str, Any] | None = None,
    find_holders: FindHolders | None = None,
    *,
    plan: bool = True,
    exceed_quota: bool = False,
) -> Proposal:
    """What firing `trigger_name` does, or Refused with every reason it may not.

    `find_holders` finds the cases that fill a quota; without it quotas are not checked.
    With `plan` the moved case also gets its next due day; the compliance run, which takes
    several steps in a row, asks for it once at the end instead."""
    trigger = programme.trigger(trigger_name)
    values = parse_values(programme, trigger, raw_values or {})
    reasons = check(
        programme, case, trigger_name, on, role, values, find_holders=find_holders, exceed_quota=exceed_quota
    )
    if reasons:
        raise Refused(
            N_("{trigger} on case {case}"), reasons, {"trigger": programme.trigger_term(trigger_name), "case": case.id}
        )
    assert trigger is not None
    exceeded: list[dict[str, Any]] = []
    if exceed_quota and programme.definition.quotas:
        merged = {**programme.field_defaults(), **case.fields, **values.fields}
        exceeded = [
            {"quota": r.details["quota"], "limit": r.details["limit"], "clause": r.clause}
            for r in quota_reasons(programme.definition, trigger_name, merged, on, find_holders)
            if r.code == "quota_full" and r.details.get("exceedable")
        ]
    moved = case.copy()
    moved.fields.update(values.fields)
    params = {**programme.param_defaults(trigger), **values.params}
    route = programme.fire(moved, trigger_name, params)
    if route is None:  # check() found a matching route, so the machine must take one
        raise Refused(
            N_("{trigger} on case {case}"),
            [
                Reason.of(
                    "no_route",
                    N_("no route of {trigger} matches {params}"),
                    {"trigger": programme.trigger_term(trigger_name), "params": params},
                )
            ],
            {"trigger": programme.trigger_term(trigger_name), "case": case.id},
        )
    computed: dict[str, Any] = {}
    if moved.state != case.state:
        moved.state_since = on
        moved.deadline_on = None
    computed.update(apply_effects(programme, moved, route, on, params))
    if trigger.due and programme.timer(trigger.due).once_per_cycle:
        moved.marks[trigger_name] = moved.cycle
    if trigger.due and programme.timer(trigger.due).anchor == "yearly":
        moved.marks[yearly_mark(trigger_name)] = programme.yearly_covered(programme.timer(trigger.due), on)
    clause, default = trigger.clause, trigger.default
    if route.clause:
        clause, default = route.clause, route.default
    if route.ground is not None:
        computed["ground"] = route.ground
    ground = programme.definition.grounds.get(params.get("ground", ""))
    if ground is not None:
        clause, default = ground.clause, ground.default
    if route.outcome is not None:
        computed["outcome"] = route.outcome.en
        computed["outcome_zh"] = route.outcome.zh
    if route.deadline is not None:
        computed["deadline_clause"] = route.deadline.clause
        computed["deadline_default"] = route.deadline.default
    moved.next_due_on = next_due(programme, moved) if plan else None
    if default:  # rests on a rule the documents leave open: said wherever the entry is shown
        computed["default"] = True
    if exceeded:  # 原则上…酌情: the office exceeded the quota at its discretion, with its reason
        computed["quota_exceeded"] = exceeded
    payload = {**values.fields, **params, **computed}
    return Proposal(
        trigger_name, case.state, moved.state, on, clause, default, payload, moved, internal=trigger.internal
    )


def _grouping_fields(programme: Programme) -> list[str]:
    names = [name for quota in programme.definition.quotas for name in quota.group_by]
    if programme.definition.rounds is not None:
        names.append(programme.definition.rounds.field)
    return names


def open_case(
    programme: Programme, name: str, on: date, role: str, raw_values: dict[str, Any] | None = None
) -> Proposal:
    """A new case in the programme's initial state, entered on `on`; Refused with every reason."""
    name = name.strip()
    values = parse_values(programme, None, raw_values or {})
    reasons = list(values.problems)
    role_reason = _role_reason(role, ["admin"], "opening a case", None)
    if role_reason:
        reasons.append(role_reason)
    in_force = programme.definition.in_force
    if in_force.applies_to == "all" and on < in_force.date:
        reasons.append(
            Reason.of(
                "not_in_force",
                N_("{programme} is in force from {in_force}; no case can be opened on {on}"),
                {"programme": programme.code, "in_force": day_term(in_force.date), "on": day_term(on)},
                in_force.clause,
                in_force.default,
            )
        )
    for field_name, spec in programme.definition.fields.items():
        if spec.required_at_create and field_name not in values.fields:
            reasons.append(
                Reason.of(
                    "missing_field",
                    N_("a {programme} case needs --set {field}=… (one of: {choices})")
                    if spec.choices
                    else N_("a {programme} case needs --set {field}=…"),
                    {"programme": programme.code, "field": field_name, "choices": terms(spec.choices or [], "comma")},
                    spec.clause,
                    spec.default,
                    {"field": field_name},
                )
            )
    reasons += name_problems(programme.definition.naming, name, values.fields)
    initial = programme.initial_state(values.fields, on)
    if initial is None and not any(r.code == "missing_field" for r in reasons):
        reasons.append(Reason.of("invalid_field", N_("no initial state for these fields")))
    if reasons:
        raise Refused(N_("opening {name} in {programme}"), reasons, {"name": repr(name), "programme": programme.code})
    assert initial is not None
    fields = dict(values.fields)
    for field_name in _grouping_fields(programme):
        # Stored, not left to the default: quotas find the cases of a round by it.
        default = programme.definition.fields[field_name].default_value
        if field_name not in fields and default is not None:
            fields[field_name] = default
    case = Case(
        programme=programme.code,
        name=name,
        state=initial,
        state_since=on,
        definition_version=programme.version,
        fields=fields,
        created_on=on,
    )
    computed: dict[str, Any] = {}
    if programme.kind(initial) == "active":
        # Programmes of existing designations (hitech-zone, tech-transfer) open cases
        # already designated: `--on` is the approval date.
        computed = designate(programme, case, on)
        count_elapsed_cycles(programme, case)
        computed.update(cycle=case.cycle, cycle_start=case.cycle_start.isoformat() if case.cycle_start else None)
    case.next_due_on = next_due(programme, case)
    opened_by: Rule = programme.definition.initial
    existing = programme.definition.initial.existing
    if existing is not None and initial == existing.state and on < existing.before:
        opened_by = existing  # its own clause: the count of existing designations
    return Proposal(
        "create",
        None,
        initial,
        on,
        opened_by.clause,
        opened_by.default,
        {"name": name, **values.fields, **computed},
        case,
    )
