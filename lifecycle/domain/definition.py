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
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle.domain.expressions import ExpressionError, NameMissing, evaluate, parse_expression, sample_value
from lifecycle.domain.patterns import pattern
from lifecycle.domain.values import FIELD_TYPES

Role = Literal["admin", "system"]
StateKind = Literal["pre", "active", "terminal"]
Operator = Literal["==", "!=", ">=", ">", "<=", "<", "in", "not_in"]
#: What the compliance run does with an automatic rule: apply its transition, or propose it as
#: a decision due for an administrator (every revocation: the authority decides).
Action = Literal["apply", "propose"]
Anchor = Literal["approved_on", "cycle_start", "cycle_end", "valid_until", "state_since", "deadline", "yearly"]

#: State groups usable in `from:` lists.
GROUPS = ("$pre", "$active", "$non_terminal")
#: Destinations with a meaning of their own: back to the active state of the
#: cycle (approved in the first, renewed later), or no change of state.
SPECIAL_DESTINATIONS = ("$active", "$same")
#: What a case's progress already keeps under these names (see Case): not a record of reports.
RESERVED_PROGRESS = ("marks", "automatic", "pending_change", "quarters")
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


#: `类型(综合类/领域类)`: a Chinese label listing one name per choice, in order.
_LISTED_CHOICES = re.compile(r"[(（]([^()（）]+/[^()（）]+)[)）]\s*$")


class FieldDef(Rule):
    type: str
    zh: str | None = None
    en: str | None = None
    choices: list[str] | None = None
    #: What each choice means, in Chinese and English, for forms (choice -> names); the Chinese
    #: name is accepted where a value is typed. Without it, a `zh` label ending in one name per
    #: choice, `类型(综合类/领域类)`, gives the Chinese names.
    labels: dict[str, Names] | None = None
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
        unknown = sorted(set(self.labels or {}) - set(self.choices or []))
        if unknown:
            raise ValueError(f"labels name {', '.join(unknown)}, which are not among the choices")
        return self

    def choice_labels(self) -> dict[str, str]:
        """Each choice's Chinese label (code -> label), from `labels` or the `zh` label."""
        found = {code: names.zh for code, names in (self.labels or {}).items()}
        listed = _LISTED_CHOICES.search(self.zh or "")
        if listed and self.choices:
            names = [n.strip() for n in listed.group(1).split("/")]
            if len(names) == len(self.choices):
                for code, name in zip(self.choices, names, strict=True):
                    found.setdefault(code, name)
        return found

    def label_names(self) -> dict[str, str]:
        """What a person may type for a choice besides its code: label -> code."""
        return {label: code for code, label in self.choice_labels().items()}


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
        forms = [
            self.field is not None,
            self.any_of is not None,
            self.all_of is not None,
            self.expression is not None,
            self.since is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("a condition is exactly one of: field/op/value, any_of, all_of, expression, since/years")
        if self.since is not None and self.years is None:
            raise ValueError(f"condition since {self.since!r} needs `years`")
        if self.field is not None and self.op is None:
            raise ValueError(f"condition on {self.field!r} needs `op`")
        if self.expression is not None:
            parse_expression(self.expression)  # ExpressionError is a ValueError: pydantic reports it
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
    #: The route stays open after the case's deadline has passed (transfer-zone: the plan has
    #: no revocation, so a rectification the office accepts late still ends in `renewed`).
    after_deadline: bool = False

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
    #: Where the filed periods are remembered: `reports` for a yearly obligation, `quarters` for
    #: a quarterly one, unless named here; a second yearly duty with its own filing trigger
    #: names a list of its own (transfer-zone: the self-evaluation beside the development report).
    record: str | None = None
    reminder: Reminder | None = None
    revocation: RevocationRule | None = None


class LeadTimes(Rule):
    """When to tell someone about a day that concerns them: days relative to that day
    (-30: thirty days before, 0: on the day, 1: the day after)."""

    days: list[int] = Field(default_factory=lambda: [-30, -7, 0, 1])

    @model_validator(mode="after")
    def _days_are_distinct(self) -> LeadTimes:
        if len(set(self.days)) != len(self.days):
            raise ValueError(f"lead days {self.days} name a day twice")
        return self


def _default_leads() -> LeadTimes:
    return LeadTimes(default=True, note="lead times the documents leave open")


class NotificationRules(Rule):
    """Who is told what, and when (`notifications:` in a programme file). Every value left out is
    the project's [default]: 30 and 7 days before, on the day and the day after; the 催告 itself
    the day it is recorded; a notice never sent more than `stale_after_days` after its day."""

    #: A periodic obligation's due day (a report, quarterly data).
    obligations: LeadTimes = Field(default_factory=_default_leads)
    #: A review opening (a timer fired once per cycle, or each year).
    evaluations: LeadTimes = Field(default_factory=_default_leads)
    #: The last day of a rectification.
    rectification: LeadTimes = Field(default_factory=_default_leads)
    #: Send the reminder (催告) itself, with the year concerned and the reply-by day.
    reminders: bool = True
    #: Tell the office's administrators of each decision due the run raises, the day it does.
    decisions: bool = True
    #: A notice the run could not send on its day (the run did not happen) is still sent this
    #: many days later, and not after: a stale "30 days before" helps nobody.
    stale_after_days: int = 7


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


class Target(Rule):
    """A count the plan sets for the programme's designations, shown against the designations
    the register holds now: a `baseline` (国家技术转移机构 420 at the end of 2020, 一(一)3) or a
    `target` (500 by 2025, 二(三)3); `more_than` where the plan says 超过 (more than 60)."""

    kind: Literal["baseline", "target"] = "target"
    count: int = Field(ge=0, le=1_000_000)
    year: int = Field(ge=1949, le=2100)
    #: at_least: met with `count` designations (达到); more_than: met with one more (超过).
    comparison: Literal["at_least", "more_than"] = "at_least"
    #: The plan's own words: 国家技术转移机构达到 500 家.
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _cites_its_clause(self) -> Target:
        if not self.clause or not self.clause.strip():
            raise ValueError("a plan target needs the `clause` of the plan that sets it (二(三)3)")
        if self.kind == "baseline" and self.comparison != "at_least":
            raise ValueError("a baseline is a count at a date: `comparison` applies to targets only")
        return self


class NamingRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh_pattern: str
    zh_example: str
    en_pattern: str | None = None
    en_example: str | None = None

    @model_validator(mode="after")
    def _patterns_are_linear(self) -> NamingRule:
        """Compiled by RE2 (linear time): a pattern that needs backtracking is refused here."""
        pattern(self.zh_pattern)
        if self.en_pattern is not None:
            pattern(self.en_pattern, ignore_case=True)
        return self


class Naming(Rule):
    by: str
    rules: dict[str, NamingRule]


class ExistingDesignations(Rule):
    """A case opened with a date before `before` is a designation that already existed then: it
    opens in `state` (an active state), the date being its approval date (transfer-zone: a zone
    built before the plan; from the plan on, new zones are designated in rounds)."""

    before: dt.date
    state: str


class Initial(Rule):
    state: str | None = None
    by: str | None = None
    states: dict[str, str] | None = None
    existing: ExistingDesignations | None = None

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
    #: The plan's counts for the programme: where it stood and what it should reach.
    targets: list[Target] = Field(default_factory=list)
    notifications: NotificationRules = Field(default_factory=lambda: NotificationRules(default=True))


Problem = tuple[str, str]  # (dotted key, what is wrong)


#: What `programmes check` asks of every label a person sees, by the part of the definition.
CHINESE_LABEL = "no Chinese label: add `zh: …` (the words of the source document)"


def missing_chinese_labels(d: Definition) -> list[Problem]:
    """Every label a person sees that has no Chinese (`zh`) text: the programme's name, states,
    triggers, fields (and each choice of a choice field), criteria, grounds, timers, obligations,
    quotas and rounds. `programmes check` refuses a definition with any; loading one for use does
    not (an older stored version still runs its cases; its labels fall back to English)."""
    found: list[Problem] = []

    def need(key: str, zh: str | None, what: str = CHINESE_LABEL) -> None:
        if not (zh or "").strip():
            found.append((key, what))

    need("name.zh", d.name.zh)
    for name, state in d.states.items():
        need(f"states.{name}.zh", state.zh)
    for name, trigger in d.triggers.items():
        need(f"triggers.{name}.zh", trigger.zh)
    for name, spec in d.fields.items():
        need(f"fields.{name}.zh", spec.zh)
        if spec.type == "choice" and spec.zh:
            labels = spec.choice_labels()
            if d.rounds is not None and d.rounds.field == name:  # a round is named under `rounds`
                labels = {code: r.zh or "" for code, r in d.rounds.rounds.items()} | labels
            for choice in spec.choices or []:
                if not labels.get(choice):
                    found.append(
                        (
                            f"fields.{name}.labels.{choice}",
                            f"choice {choice!r} has no Chinese name: add `labels: {{{choice}: {{zh: …, en: …}}}}`"
                            " or list the names in the label, `类型(甲/乙)`",
                        )
                    )
    for group, criteria in d.criteria.items():
        for criterion in criteria:
            need(f"criteria.{group}.{criterion.id}.zh", criterion.zh)
    for name, ground in d.grounds.items():
        need(f"grounds.{name}.zh", ground.zh)
    for timer in d.timers:
        need(f"timers.{timer.id}.zh", timer.zh)
    for obligation in d.obligations:
        need(f"obligations.{obligation.id}.zh", obligation.zh)
    for quota in d.quotas:
        need(f"quotas.{quota.id}.zh", quota.zh)
    if d.rounds is not None:
        for name, round_ in d.rounds.rounds.items():
            need(f"rounds.rounds.{name}.zh", round_.zh)
    return found


def reference_problems(d: Definition) -> list[Problem]:
    """Cross-references a schema alone cannot check: every name used is declared. Each part of
    the definition is checked by its own function, in the order the file reads."""
    found: list[str] = []
    for check in (
        _initial_problems,
        _trigger_problems,
        _criteria_problems,
        _timer_and_ground_problems,
        _obligation_problems,
        _round_and_quota_problems,
        _record_and_target_problems,
        _naming_and_in_force_problems,
        _expression_problems,
    ):
        found += check(d)
    return [(line.split(": ", 1)[0], line.split(": ", 1)[1]) for line in found]


def _state_problem(
    d: Definition, where: str, name: str, *, allow_groups: bool = False, dest: bool = False
) -> list[str]:
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
    existing = d.initial.existing
    if existing is not None and existing.state in d.states and d.states[existing.state].kind != "active":
        found.append(
            f"initial.existing.state: {existing.state!r} is not an active state (an existing "
            "designation opens designated)"
        )
    elif existing is not None:
        found += _state_problem(d, "initial.existing.state", existing.state)
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
    return [
        f"criteria.{group}.{criterion.id}: field {name!r} is not declared"
        for group, criteria in d.criteria.items()
        for criterion in criteria
        for name in sorted(criterion.fields() - set(d.fields))
    ]


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
        found += [
            f"in_force.applies_to: trigger {name!r} is not declared"
            for name in d.in_force.applies_to
            if name not in d.triggers
        ]
    return found


def _conditions(node: Any, path: list[str]) -> list[tuple[str, Condition]]:
    """Every condition in the definition, with the dotted key of the YAML that holds it."""
    found: list[tuple[str, Condition]] = []
    stack: list[tuple[Any, list[str]]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, Condition):
            found.append((".".join(where), item))
        if isinstance(item, BaseModel):
            for name, info in type(item).model_fields.items():
                stack.append((getattr(item, name), [*where, info.alias or name]))
        elif isinstance(item, dict):
            stack.extend((value, [*where, str(key)]) for key, value in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((value, [*where, str(index)]) for index, value in enumerate(item))
    return found


def _expression_problems(d: Definition) -> list[str]:
    """Each expression tried on typed sample values of the fields it reads: what would fail
    at submit (a power too large, a date compared with a number) fails when the file loads."""
    samples = {name: sample_value(spec.type, spec.choices) for name, spec in d.fields.items()}
    found = []
    for key, condition in _conditions(d, []):
        if condition.expression is None or condition.fields() - set(d.fields):
            continue  # an undeclared field is reported on its own
        try:
            evaluate(condition.expression, samples)
        except (ExpressionError, NameMissing) as error:
            found.append(f"{key}.expression: {error} (tried with sample values of its fields)")
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
        if quota.held_flag is not None and (
            d.fields.get(quota.held_flag) is None or d.fields[quota.held_flag].type != "bool"
        ):
            found.append(f"{where}.held_flag: {quota.held_flag!r} is not a bool field")
        for name in quota.held_by:
            if name not in d.fields:
                found.append(f"{where}.held_by: field {name!r} is not declared")
        if not quota.limits or quota.limits[-1].when is not None:
            found.append(f"{where}.limits: the last limit must have no `when` (it applies otherwise)")
    return found


def _record_and_target_problems(d: Definition) -> list[str]:
    found: list[str] = []
    lists: dict[str, str] = {}
    for obligation in d.obligations:
        if obligation.period != "year":
            if obligation.record is not None:
                found.append(
                    f"obligations.{obligation.id}.record: only a yearly obligation names its "
                    "own record (quarterly data are remembered by quarter)"
                )
            continue
        record = obligation.record or "reports"
        if record in RESERVED_PROGRESS:
            found.append(
                f"obligations.{obligation.id}.record: {record!r} is used by the rules themselves; choose another name"
            )
            continue
        other = lists.setdefault(record, obligation.fulfilled_by)
        if other != obligation.fulfilled_by:
            found.append(
                f"obligations.{obligation.id}.record: {record!r} already remembers what "
                f"{other!r} files; give this obligation a `record` of its own"
            )
    baselines = [(i, t) for i, t in enumerate(d.targets) if t.kind == "baseline"]
    for index, _ in baselines[1:]:
        found.append(f"targets[{index}].kind: a programme has at most one baseline")
    seen: set[int] = set()
    for index, target in enumerate(d.targets):
        if target.kind != "target":
            continue
        if target.year in seen:
            found.append(f"targets[{index}].year: a second target for {target.year}")
        seen.add(target.year)
        for _, baseline in baselines[:1]:
            if target.year <= baseline.year:
                found.append(
                    f"targets[{index}].year: the target year {target.year} must come after "
                    f"the baseline's {baseline.year}"
                )
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
