"""The schema of a programme definition (`states/*.yaml`).

A definition is data: states, fields, triggers and their routes, eligibility
criteria, timers, obligations and revocation grounds, each rule with the clause
it comes from and `default: true` where the documents leave the value open.
The models are frozen and forbid unknown keys, so a typo in a file is refused
with its key rather than silently ignored.
"""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle.domain.values import FIELD_TYPES

Role = Literal["admin", "system"]
StateKind = Literal["pre", "active", "terminal"]
Operator = Literal["==", "!=", ">=", ">", "<=", "<", "in", "not_in"]
#: What the compliance run does with an automatic rule: apply its transition, or propose it as
#: a decision due for an administrator (every revocation: the authority decides).
Action = Literal["apply", "propose"]
Anchor = Literal["approved_on", "cycle_start", "cycle_end", "valid_until", "state_since", "deadline",
                 "yearly"]

#: State groups usable in `from:` lists.
GROUPS = ("$pre", "$active", "$non_terminal")
#: Destinations with a meaning of their own: back to the active state of the
#: cycle (approved in the first, renewed later), or no change of state.
SPECIAL_DESTINATIONS = ("$active", "$same")
EFFECTS = ("designate", "renew", "deadline", "record_report", "request_change", "decide_change")


class Rule(BaseModel):
    """Anything that comes from a document: its clause, and whether the value is a [default]."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    clause: str | None = None
    default: bool = False
    note: str | None = None


class Names(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str
    en: str


class SourceDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    title: str
    number: str | None = None
    issuer: str
    date: dt.date | None = None
    file: str | None = None
    section: str | None = None


class InForce(Rule):
    date: dt.date
    #: "all": no trigger (and no case) may be dated earlier; else the triggers named.
    applies_to: Literal["all"] | list[str] = "all"


class StateDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str
    en: str
    kind: StateKind


class FieldDef(Rule):
    type: str
    zh: str | None = None
    en: str | None = None
    choices: list[str] | None = None
    default_value: Any = None
    #: The field must be given when the case is created (e.g. national-tic `kind`).
    required_at_create: bool = False
    #: Bounds of a number or ratio (a share is between 0 and 1: "60" is not 60%).
    min_value: Decimal | None = None
    max_value: Decimal | None = None

    @model_validator(mode="after")
    def _type_is_known(self) -> FieldDef:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"type {self.type!r} is not one of {', '.join(FIELD_TYPES)}")
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs `choices` (or use type `ground`)")
        return self


class Condition(BaseModel):
    """A declarative condition: a comparison, any_of / all_of, or a safe expression."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    field: str | None = None
    op: Operator | None = None
    value: Any = None
    any_of: list[Condition] | None = None
    all_of: list[Condition] | None = None
    #: Evaluated by simpleeval over the case's fields; never by eval().
    expression: str | None = None
    #: A date field at least `years` before the action's effective date
    #: (ecommerce-base 一(一): in operation for at least a year on submission).
    since: str | None = None
    years: int | None = None

    @model_validator(mode="after")
    def _exactly_one_form(self) -> Condition:
        forms = [self.field is not None, self.any_of is not None, self.all_of is not None,
                 self.expression is not None, self.since is not None]
        if sum(forms) != 1:
            raise ValueError("a condition is exactly one of: field/op/value, any_of, all_of, expression, "
                             "since/years")
        if self.since is not None and self.years is None:
            raise ValueError(f"condition since {self.since!r} needs `years`")
        if self.field is not None and self.op is None:
            raise ValueError(f"condition on {self.field!r} needs `op`")
        if self.expression is not None:
            try:
                ast.parse(self.expression, mode="eval")
            except SyntaxError as error:
                raise ValueError(f"expression {self.expression!r} does not parse: {error.msg}") from None
        return self

    def fields(self) -> set[str]:
        """Every field this condition reads."""
        if self.field is not None:
            return {self.field}
        if self.since is not None:
            return {self.since}
        if self.expression is not None:
            tree = ast.parse(self.expression, mode="eval")
            return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        found: set[str] = set()
        for part in self.any_of or self.all_of or []:
            found |= part.fields()
        return found


class Band(BaseModel):
    """One tier: applies when `min <= by < max`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    min: Decimal | None = None
    max: Decimal | None = None
    require: Condition


class Tiers(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    by: str
    bands: list[Band]


class Criterion(Rule):
    id: str
    zh: str | None = None
    en: str
    #: Applies only when this holds (e.g. 第六条 for a new legal entity).
    when: Condition | None = None
    unless: Condition | None = None
    require: Condition | None = None
    tiers: Tiers | None = None

    @model_validator(mode="after")
    def _one_requirement(self) -> Criterion:
        if (self.require is None) == (self.tiers is None):
            raise ValueError(f"criterion {self.id!r} needs exactly one of `require` or `tiers`")
        return self

    def fields(self) -> set[str]:
        found: set[str] = set()
        for condition in (self.when, self.unless, self.require):
            if condition is not None:
                found |= condition.fields()
        if self.tiers is not None:
            found.add(self.tiers.by)
            for band in self.tiers.bands:
                found |= band.require.fields()
        return found


class Deadline(Rule):
    days: int = 0
    #: Whole years, counted as the calendar rule says (hitech-zone: rectification within a year).
    years: int = 0


class Route(Rule):
    """One way a trigger can go: from these states, when these parameters hold, to that state."""

    sources: list[str] = Field(alias="from")
    to: str
    when: dict[str, str | list[str]] | None = None
    effects: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None
    #: Criteria groups this route alone needs (tech-transfer: a pilot below 70% cannot pass).
    check: list[str] = Field(default_factory=list)
    #: What the decision means besides the move (hitech-zone `good`: 通报表扬), for the log.
    outcome: Names | None = None
    #: The revocation ground a route to `revoked` records (export-base `fail`: evaluation_failed).
    ground: str | None = None

    @model_validator(mode="after")
    def _effects_are_known(self) -> Route:
        for effect in self.effects:
            if effect not in EFFECTS:
                raise ValueError(f"effect {effect!r} is not one of {', '.join(EFFECTS)}")
        if "deadline" in self.effects and self.deadline is None:
            raise ValueError("the `deadline` effect needs a `deadline: {days: N}` or `{years: N}`")
        return self


class TriggerDef(Rule):
    zh: str
    en: str
    by: list[Role]
    routes: list[Route]
    #: Parameters of the action itself (grade, ground, year): not case fields.
    params: dict[str, FieldDef] = Field(default_factory=dict)
    #: Criteria groups checked before the trigger may fire.
    check: list[str] = Field(default_factory=list)
    #: The timer that makes it due: it may not be fired before the due date.
    due: str | None = None
    #: Internal triggers record an event and never change the state.
    internal: bool = False


class Timer(Rule):
    """A dated rule of the compliance run: fire `trigger` in these states on the due date, or with
    `action: propose` raise it as a decision due for an administrator."""

    id: str
    en: str
    zh: str | None = None
    trigger: str
    #: apply: the run fires the trigger; propose: it raises a decision due. Unset: a timer whose
    #: trigger takes the designation away (to a terminal state, but for expiry at the end of
    #: validity) proposes, every other applies (see Programme.timer_action).
    action: Action | None = None
    #: A decision due with no transition the run could propose (national-tic: the evaluation
    #: result not recorded): `trigger` is the action that settles it, fired by a person.
    decision: Names | None = None
    states: list[str] = Field(alias="in")
    anchor: Anchor
    years: int = 0
    days: int = 0
    params: dict[str, str] = Field(default_factory=dict)
    #: Fires at most once per cycle (reviews), rather than whenever in state (expiry).
    once_per_cycle: bool = False
    #: For `anchor: yearly`: the day of the year it falls due (hitech-zone: each 1 April).
    month: int | None = None
    day: int | None = None

    @model_validator(mode="after")
    def _yearly_has_a_day(self) -> Timer:
        if self.decision is not None and self.action != "propose":
            raise ValueError(f"timer {self.id!r}: a `decision` is raised, so it needs `action: propose`")
        if self.anchor == "yearly":
            if self.month is None or self.day is None:
                raise ValueError(f"timer {self.id!r}: `anchor: yearly` needs `month` and `day`")
            dt.date(2000, self.month, self.day)  # 2000 is a leap year: 29 February is allowed
        return self


class DueDate(Rule):
    month: int | None = None
    day: int | None = None
    #: Years after the period's year (1: the report for Y is due in Y+1).
    year_offset: int = 0
    #: Or: days after the end of the period (quarterly data).
    days_after_period: int | None = None

    @model_validator(mode="after")
    def _one_form(self) -> DueDate:
        if (self.days_after_period is None) == (self.month is None or self.day is None):
            raise ValueError("a due date is either `month` and `day`, or `days_after_period`")
        return self


class Reminder(Rule):
    reply_days: int
    #: The internal trigger that records the reminder (takes the period as `year`).
    trigger: str = "remind"


class RevocationRule(Rule):
    consecutive_missing: int
    ground: str
    #: The trigger that revokes (takes the ground as `ground`).
    trigger: str = "revoke"
    #: A revocation is the authority's decision: the run proposes it unless an office's own
    #: programme says `apply`.
    action: Action = "propose"


class Obligation(Rule):
    id: str
    en: str
    zh: str | None = None
    period: Literal["year", "quarter"]
    due: DueDate
    fulfilled_by: str
    reminder: Reminder | None = None
    revocation: RevocationRule | None = None


class Ground(Rule):
    zh: str
    en: str
    by: list[Role]
    #: The timer whose date must have passed before the ground may be used.
    due: str | None = None
    #: The states in which the ground can apply (hitech-zone 整改不力: only in rectification).
    states: list[str] | None = Field(default=None, alias="in")


class Period(Rule):
    years: int


class Round(Rule):
    """An application round: submissions dated after `submit_by` are refused (逾期不予受理)."""

    zh: str | None = None
    en: str | None = None
    submit_by: dt.date
    #: The authority's own target date: shown, never a reason to refuse.
    decide_by: dt.date | None = None
    decide_by_clause: str | None = None


class Rounds(Rule):
    #: The case field that names the round (a choice of the round ids).
    field: str = "round"
    #: The triggers that count as a submission.
    triggers: list[str]
    rounds: dict[str, Round]


class QuotaLimit(Rule):
    """One way a quota's limit is set; the first whose `when` holds for the submitting case applies."""

    en: str
    zh: str | None = None
    when: Condition | None = None
    limit: int


class Quota(Rule):
    """At most `limit` cases per group (province and round, category and batch)."""

    id: str
    en: str
    zh: str | None = None
    #: The triggers that take a place in the quota.
    triggers: list[str]
    #: Cases are in the same group when these fields are equal.
    group_by: list[str]
    #: Only cases (the acting one, and those counted) for which this holds take part.
    when: Condition | None = None
    #: The states whose cases fill the quota: every state but these.
    excluding: list[str]
    limits: list[QuotaLimit]
    #: A limit set 原则上 (in principle) that the office may exceed 酌情 (at its discretion): an
    #: admin exceeds it with a stated reason, audited (ecommerce-base 一).
    exceedable: bool = False
    #: A bool field that is also true when the register already holds a designated case of the
    #: same `held_by` group (export-base 六(三): the province already has a base).
    held_flag: str | None = None
    held_by: list[str] = Field(default_factory=list)


class NamingRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh_pattern: str
    zh_example: str
    en_pattern: str | None = None
    en_example: str | None = None


class Naming(Rule):
    by: str
    rules: dict[str, NamingRule]


class Initial(Rule):
    state: str | None = None
    by: str | None = None
    states: dict[str, str] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Initial:
        if (self.state is None) == (self.by is None or self.states is None):
            raise ValueError("initial is either `state: S` or `by: FIELD` with `states: {value: S}`")
        return self


class Definition(BaseModel):
    """One programme, as its file declares it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: Names
    source: SourceDocument
    in_force: InForce
    initial: Initial
    states: dict[str, StateDef]
    fields: dict[str, FieldDef] = Field(default_factory=dict)
    criteria: dict[str, list[Criterion]] = Field(default_factory=dict)
    triggers: dict[str, TriggerDef]
    grounds: dict[str, Ground] = Field(default_factory=dict)
    timers: list[Timer] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    validity: Period | None = None
    cycle: Period
    naming: Naming | None = None
    rounds: Rounds | None = None
    quotas: list[Quota] = Field(default_factory=list)



Problem = tuple[str, str]  # (dotted key, what is wrong)


def reference_problems(d: Definition) -> list[Problem]:
    """Cross-references a schema alone cannot check: every name used is declared. Each part of
    the definition is checked by its own function, in the order the file reads."""
    found: list[str] = []
    for check in (_initial_problems, _trigger_problems, _criteria_problems, _timer_and_ground_problems,
                  _obligation_problems, _round_and_quota_problems, _naming_and_in_force_problems):
        found += check(d)
    return [(line.split(": ", 1)[0], line.split(": ", 1)[1]) for line in found]


def _state_problem(d: Definition, where: str, name: str, *, allow_groups: bool = False,
                   dest: bool = False) -> list[str]:
    """`name` used as a state at `where`: declared, a group (`$active`, where groups may be
    used), or a special destination (`$same`, for a route's `to`)?"""
    if name in d.states or (allow_groups and name in GROUPS) or (dest and name in SPECIAL_DESTINATIONS):
        return []
    return [f"{where}: state {name!r} is not declared under `states`"]


def _initial_problems(d: Definition) -> list[str]:
    found: list[str] = []
    initial_states = [d.initial.state] if d.initial.state else list((d.initial.states or {}).values())
    for name in initial_states:
        found += _state_problem(d, "initial", name)
    if d.initial.by and d.initial.by not in d.fields:
        found.append(f"initial.by: field {d.initial.by!r} is not declared under `fields`")
    return found


def _trigger_problems(d: Definition) -> list[str]:
    found: list[str] = []
    timers = {t.id for t in d.timers}
    for trigger_name, trigger in d.triggers.items():
        for index, route in enumerate(trigger.routes):
            where = f"triggers.{trigger_name}.routes[{index}]"
            for source in route.sources:
                found += _state_problem(d, where + ".from", source, allow_groups=True)
            found += _state_problem(d, where + ".to", route.to, dest=True)
            if route.ground is not None and route.ground not in d.grounds:
                found.append(f"{where}.ground: ground {route.ground!r} is not declared under `grounds`")
            for key in route.when or {}:
                if key not in trigger.params:
                    found.append(f"{where}.when: {key!r} is not a param of {trigger_name!r}")
        for group in trigger.check:
            if group not in d.criteria:
                found.append(f"triggers.{trigger_name}.check: no criteria group {group!r}")
        if trigger.due and trigger.due not in timers:
            found.append(f"triggers.{trigger_name}.due: no timer {trigger.due!r}")
        if trigger.internal and any(r.to != "$same" for r in trigger.routes):
            found.append(f"triggers.{trigger_name}: an internal trigger must go `to: $same`")
        for index, route in enumerate(trigger.routes):
            for group in route.check:
                if group not in d.criteria:
                    found.append(f"triggers.{trigger_name}.routes[{index}].check: no criteria group {group!r}")
    return found


def _criteria_problems(d: Definition) -> list[str]:
    return [f"criteria.{group}.{criterion.id}: field {name!r} is not declared"
            for group, criteria in d.criteria.items() for criterion in criteria
            for name in sorted(criterion.fields() - set(d.fields))]


def _timer_and_ground_problems(d: Definition) -> list[str]:
    found: list[str] = []
    for timer in d.timers:
        if timer.trigger not in d.triggers:
            found.append(f"timers.{timer.id}: trigger {timer.trigger!r} is not declared")
        for name in timer.states:
            found += _state_problem(d, f"timers.{timer.id}.in", name, allow_groups=True)
    timers = {t.id for t in d.timers}
    for ground_name, ground in d.grounds.items():
        if ground.due and ground.due not in timers:
            found.append(f"grounds.{ground_name}.due: no timer {ground.due!r}")
        for name in ground.states or []:
            found += _state_problem(d, f"grounds.{ground_name}.in", name, allow_groups=True)
    return found


def _obligation_problems(d: Definition) -> list[str]:
    found: list[str] = []
    for obligation in d.obligations:
        where = f"obligations.{obligation.id}"
        if obligation.fulfilled_by not in d.triggers:
            found.append(f"{where}: trigger {obligation.fulfilled_by!r} is not declared")
        revocation, reminder = obligation.revocation, obligation.reminder
        if revocation and revocation.ground not in d.grounds:
            found.append(f"{where}: ground {revocation.ground!r} is not declared")
        if revocation and revocation.trigger not in d.triggers:
            found.append(f"{where}.revocation: trigger {revocation.trigger!r} is not declared")
        if reminder and reminder.trigger not in d.triggers:
            found.append(f"{where}.reminder: trigger {reminder.trigger!r} is not declared")
    return found


def _naming_and_in_force_problems(d: Definition) -> list[str]:
    found: list[str] = []
    if d.naming and d.naming.by not in d.fields:
        found.append(f"naming.by: field {d.naming.by!r} is not declared")
    if d.in_force.applies_to != "all":
        found += [f"in_force.applies_to: trigger {name!r} is not declared"
                  for name in d.in_force.applies_to if name not in d.triggers]
    return found


def _round_and_quota_problems(d: Definition) -> list[str]:
    found: list[str] = []
    if d.rounds is not None:
        spec = d.fields.get(d.rounds.field)
        if spec is None:
            found.append(f"rounds.field: field {d.rounds.field!r} is not declared under `fields`")
        elif sorted(spec.choices or []) != sorted(d.rounds.rounds):
            found.append(f"fields.{d.rounds.field}.choices: must list the rounds {sorted(d.rounds.rounds)}")
        for name in d.rounds.triggers:
            if name not in d.triggers:
                found.append(f"rounds.triggers: trigger {name!r} is not declared")
    for quota in d.quotas:
        where = f"quotas.{quota.id}"
        for name in quota.triggers:
            if name not in d.triggers:
                found.append(f"{where}.triggers: trigger {name!r} is not declared")
        for name in quota.group_by:
            if name not in d.fields:
                found.append(f"{where}.group_by: field {name!r} is not declared")
        for name in quota.excluding:
            if name not in d.states:
                found.append(f"{where}.excluding: state {name!r} is not declared under `states`")
        conditions = [quota.when] + [limit.when for limit in quota.limits]
        for name in sorted({f for c in conditions if c is not None for f in c.fields()} - set(d.fields)):
            found.append(f"{where}: field {name!r} is not declared")
        if quota.held_flag is not None and (d.fields.get(quota.held_flag) is None
                                            or d.fields[quota.held_flag].type != "bool"):
            found.append(f"{where}.held_flag: {quota.held_flag!r} is not a bool field")
        for name in quota.held_by:
            if name not in d.fields:
                found.append(f"{where}.held_by: field {name!r} is not declared")
        if not quota.limits or quota.limits[-1].when is not None:
            found.append(f"{where}.limits: the last limit must have no `when` (it applies otherwise)")
    return found


def dump_for_hash(raw: Any) -> Any:
    """The parsed file content, made JSON-serialisable for hashing (dates as ISO text)."""
    if isinstance(raw, dict):
        return {str(k): dump_for_hash(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [dump_for_hash(v) for v in raw]
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return raw
