"""A programme at run time: its definition, its version, and its one state machine."""

from __future__ import annotations

from datetime import date
from typing import Any

from transitions import EventData, Machine

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days, add_years, on_month_day
from lifecycle.domain.definition import Definition, FieldDef, Names, Route, Timer, TriggerDef
from lifecycle.domain.messages import Term, Terms, field_label, terms


class Programme:
    """One designation programme, built once and shared by every case that runs under it.

    The `transitions` machine has no models: cases are plain objects fired with
    `machine.events[name].trigger(case)`, which costs the same for the
    thousandth case as for the first (see DEVELOPERS.md on `add_model`).

    `fire` takes the machine's own transitions, in the machine's order, from a table built
    with it: the machine has no callbacks but the route's record, so a firing is "the first
    transition from the case's state whose conditions hold sets its destination", which the
    table does without `transitions`' event dispatch (~60 µs a firing, most of a compliance
    action's domain work). A state the table does not know goes to the machine itself, whose
    error it raises; a test fires every trigger from every state both ways.
    """

    def __init__(self, definition: Definition, version: str, origin: str) -> None:
        self.definition = definition
        self.version = version
        self.origin = origin
        self.code = definition.code
        self._expanded: dict[tuple[str, ...], list[str]] = {}
        self._defaults: dict[str, Any] | None = None
        self._ground_specs: dict[tuple[int, str], FieldDef] = {}
        # Looked up for every action of the compliance run: worked out once per programme.
        self._timers: dict[str, Timer] = {}
        for timer in definition.timers:
            self._timers.setdefault(timer.id, timer)  # the first of an id, as a scan finds it
        self._sources: dict[int, tuple[TriggerDef, list[str]]] = {}
        self._routes: dict[tuple[int, str], tuple[TriggerDef, list[Route]]] = {}
        self._state_sets: dict[int, tuple[list[str], frozenset[str]]] = {}
        self._param_defaults: dict[int, tuple[TriggerDef, dict[str, Any]]] = {}
        #: The triggers of the timers that end a validity (the only actions left after it ends).
        self.expiry_triggers = frozenset(t.trigger for t in definition.timers if t.anchor == "valid_until")
        #: Where a filing route remembers the year it files (`reports`, unless the yearly
        #: obligation that trigger fulfils names its own record): route identity -> list name.
        records = {
            o.fulfilled_by: o.record for o in definition.obligations if o.period == "year" and o.record is not None
        }
        self._records = {
            id(route): records[name]
            for name, trigger in definition.triggers.items()
            if name in records
            for route in trigger.routes
        }
        #: The triggers a decision due may propose (an administrator firing one settles it).
        self.proposed_triggers = frozenset(
            [t.trigger for t in definition.timers if self.timer_action(t) == "propose"]
            + [
                o.revocation.trigger
                for o in definition.obligations
                if o.revocation is not None and o.revocation.action == "propose"
            ]
        )
        #: Whether a dated rule counts from the cycle (else the cycle only numbers renewals).
        self.cycles_matter = any(t.anchor in ("cycle_start", "cycle_end") for t in definition.timers)
        self.machine = self._build_machine()

    # -- states -------------------------------------------------------------
    def kind(self, state: str) -> str:
        return self.definition.states[state].kind

    def states_of_kind(self, *kinds: str) -> list[str]:
        return [name for name, s in self.definition.states.items() if s.kind in kinds]

    def expand(self, names: list[str]) -> list[str]:
        """State names with the groups `$pre`, `$active`, `$non_terminal` spelled out."""
        key = tuple(names)
        cached = self._expanded.get(key)
        if cached is None:
            cached = self._expanded[key] = self._expand(names)
        return cached

    def in_states(self, state: str, names: list[str]) -> bool:
        """Whether `state` is one of `names` once expanded (`state in expand(names)`), with the
        set of a definition's list of names built once: the schedule asks for every timer."""
        cached = self._state_sets.get(id(names))
        if cached is None or cached[0] is not names:
            cached = self._state_sets[id(names)] = (names, frozenset(self.expand(names)))
        return state in cached[1]

    def _expand(self, names: list[str]) -> list[str]:
        groups = {
            "$pre": self.states_of_kind("pre"),
            "$active": self.states_of_kind("active"),
            "$non_terminal": self.states_of_kind("pre", "active"),
        }
        expanded: list[str] = []
        for name in names:
            for state in groups.get(name, [name]):
                if state not in expanded:
                    expanded.append(state)
        return expanded

    def label(self, state: str) -> str:
        s = self.definition.states.get(state)
        return f"{s.zh} {state}" if s else state

    def state_term(self, state: str, labelled: bool = False) -> Term:
        """A state in a message: its code (or, `labelled`, its label and code) in English,
        its `zh` label in Chinese."""
        s = self.definition.states.get(state)
        return Term(self.label(state) if labelled else state, s.zh if s else None)

    def states_term(self, states: list[str]) -> Terms:
        return terms([self.state_term(s) for s in states])

    def trigger_term(self, name: str) -> Term:
        t = self.definition.triggers.get(name)
        return Term(name, t.zh if t else None)

    def field_term(self, name: str) -> Term:
        f = self.definition.fields.get(name)
        return Term(name, field_label(f.zh) if f is not None and f.zh else None)

    def initial_state(self, fields: dict[str, Any], on: date | None = None) -> str | None:
        """The state a case opened with these fields on `on` starts in."""
        initial = self.definition.initial
        if on is not None and initial.existing is not None and on < initial.existing.before:
            return initial.existing.state
        if initial.state:
            return initial.state
        assert initial.by and initial.states is not None
        return initial.states.get(str(fields.get(initial.by)))

    # -- triggers and fields ------------------------------------------------
    def record_for(self, route: Route) -> str:
        """The list of filed years a `record_report` route writes to (see Obligation.record)."""
        return self._records.get(id(route), "reports")

    def trigger(self, name: str) -> TriggerDef | None:
        return self.definition.triggers.get(name)

    def sources(self, trigger: TriggerDef) -> list[str]:
        cached = self._sources.get(id(trigger))
        if cached is not None and cached[0] is trigger:
            return cached[1]
        found = self.expand([s for route in trigger.routes for s in route.sources])
        self._sources[id(trigger)] = (trigger, found)
        return found

    def routes_from(self, trigger: TriggerDef, state: str) -> list[Route]:
        key = (id(trigger), state)
        cached = self._routes.get(key)
        if cached is None or cached[0] is not trigger:
            cached = self._routes[key] = (trigger, [r for r in trigger.routes if state in self.expand(r.sources)])
        return list(cached[1])  # a fresh list: callers may filter it in place

    def param_defaults(self, trigger: TriggerDef) -> dict[str, Any]:
        """The trigger's parameters that have a default, with it (shared: merge, do not change)."""
        cached = self._param_defaults.get(id(trigger))
        if cached is None or cached[0] is not trigger:
            cached = self._param_defaults[id(trigger)] = (
                trigger,
                {n: p.default_value for n, p in trigger.params.items() if p.default_value is not None},
            )
        return cached[1]

    def param_spec(self, trigger: TriggerDef, name: str) -> FieldDef:
        spec = trigger.params[name]
        if spec.type == "ground":  # a revocation ground: one of the programme's grounds
            key = (id(trigger), name)
            cached = self._ground_specs.get(key)
            if cached is None:  # built once: a pydantic copy costs more than the decision itself
                cached = self._ground_specs[key] = spec.model_copy(
                    update={
                        "type": "choice",
                        "choices": list(self.definition.grounds),
                        "labels": {g: Names(zh=d.zh, en=d.en) for g, d in self.definition.grounds.items()},
                    }
                )
            return cached
        return spec

    def field_defaults(self) -> dict[str, Any]:
        """The fields' default values (a fresh dict: callers merge into it)."""
        if self._defaults is None:
            self._defaults = {
                n: f.default_value for n, f in self.definition.fields.items() if f.default_value is not None
            }
        return dict(self._defaults)

    # -- dates --------------------------------------------------------------
    def cycle_end(self, case: Case) -> date | None:
        """Where the current cycle ends: validity if the programme has one, else start + cycle;
        None where cycles drive no dated rule (hitech-zone: yearly evaluations on 1 April), so no
        meaningless end (a zone of 1991 "ending its cycle" in 1992) is ever shown."""
        if self.definition.validity is not None:
            return case.valid_until
        if case.cycle_start is None or not self.cycles_matter:
            return None
        return add_years(case.cycle_start, self.definition.cycle.years)

    def timer_action(self, timer: Timer) -> str:
        """apply or propose: what the compliance run does when the timer falls due. The run never
        takes a designation away by itself unless the definition says `apply`."""
        if timer.action is not None:
            return timer.action
        if timer.anchor == "valid_until":
            return "apply"  # expiry at the end of validity is a fact, not a decision
        trigger = self.trigger(timer.trigger)
        takes_away = trigger is not None and any(
            route.to not in ("$same", "$active") and self.definition.states[route.to].kind == "terminal"
            for route in trigger.routes
        )
        return "propose" if takes_away else "apply"

    def timer(self, timer_id: str) -> Timer:
        found = self._timers.get(timer_id)
        if found is None:
            return next(t for t in self.definition.timers if t.id == timer_id)
        return found

    def due_date(self, timer: Timer, case: Case) -> date | None:
        """The day a timer falls due for this case, or None when its anchor is not set."""
        if timer.anchor == "yearly":
            return self._yearly_due(timer, case)
        due = self._anchored_due(timer, case)
        start = self.in_force_for(timer.trigger)
        if due is not None and start is not None and due < start:
            # A rule cannot fall due before the document that makes it is in force.
            return start
        return due

    def in_force_for(self, trigger: str) -> date | None:
        """The date from which `trigger` may be dated, when the definition restricts it."""
        in_force = self.definition.in_force
        if in_force.applies_to == "all" or trigger in in_force.applies_to:
            return in_force.date
        return None  # the compliance run asks this for every case: keep it a lookup

    def _anchored_due(self, timer: Timer, case: Case) -> date | None:
        anchor_name = timer.anchor
        anchor: date | None
        if anchor_name == "cycle_end":
            anchor = self.cycle_end(case)
        elif anchor_name == "deadline":
            anchor = case.deadline_on
        else:  # approved_on, cycle_start, valid_until, state_since: the case's own dates
            anchor = getattr(case, anchor_name)
        if anchor is None:
            return None
        if timer.years:
            anchor = add_years(anchor, timer.years)
        return add_days(anchor, timer.days) if timer.days else anchor

    def _yearly_due(self, timer: Timer, case: Case) -> date | None:
        """The next `month`/`day` on which a yearly timer falls due (hitech-zone: each 1 April).

        The first falls in the year after approval (the first year to evaluate is
        the year of approval); each firing moves it on past the date it covered.
        """
        assert timer.month is not None and timer.day is not None
        if case.approved_on is None:
            return None
        year = case.approved_on.year + 1
        start = self.in_force_for(timer.trigger)
        if start is not None and on_month_day(year, timer.month, timer.day) < start:
            # The first falls on or after the day the plan that makes it came into force.
            year = start.year if on_month_day(start.year, timer.month, timer.day) >= start else start.year + 1
        last = case.marks.get(yearly_mark(timer.trigger))
        if last is not None:
            year = max(year, last + 1)
        return on_month_day(year, timer.month, timer.day)

    def yearly_covered(self, timer: Timer, on: date) -> int:
        """The year of the last `month`/`day` on or before `on`: what a firing on `on` covers."""
        assert timer.month is not None and timer.day is not None
        return on.year if (on.month, on.day) >= (timer.month, timer.day) else on.year - 1

    # -- the machine --------------------------------------------------------
    def _build_machine(self) -> Machine:
        transitions: list[dict[str, Any]] = []
        #: (trigger, source) -> the machine's transitions from there, in its order: (destination
        #: or None for an internal one, conditions, route). See `fire`.
        self._firing: dict[tuple[str, str], list[tuple[str | None, list[Any], Route]]] = {}
        for name, trigger in self.definition.triggers.items():
            for route in trigger.routes:
                for source in self.expand(route.sources):
                    for dest, conditions in self._destinations(route, source):
                        self._firing.setdefault((name, source), []).append((dest, conditions, route))
                        transitions.append(
                            {
                                "trigger": name,
                                "source": source,
                                "dest": dest,
                                "conditions": conditions,
                                "after": _record_route(route),
                            }
                        )
        return Machine(
            model=None,
            states=list(self.definition.states),
            transitions=transitions,
            initial=next(iter(self.definition.states)),
            send_event=True,
            auto_transitions=False,
        )

    def _destinations(self, route: Route, source: str) -> list[tuple[str | None, list[Any]]]:
        matches = _params_match(route.when or {})
        if route.to == "$same":
            return [(None, [matches])]  # internal transition: no exit, no entry
        if route.to == "$active":
            # Back to the active state of the cycle: approved in the first, renewed later.
            return [
                ("approved", [matches, lambda event: event.model.cycle <= 1]),
                ("renewed", [matches, lambda event: event.model.cycle > 1]),
            ]
        return [(route.to, [matches])]

    def fire(self, case: Case, trigger: str, params: dict[str, Any]) -> Route | None:
        """Move `case` (a copy the caller owns) along `trigger`.

        Returns the route the machine took, or None when no route matches the parameters.
        """
        table = self._firing.get((trigger, case.state))
        if table is None:
            return self.fire_machine(case, trigger, params)
        event = _Event(case, params)
        for dest, conditions, route in table:
            if all(condition(event) for condition in conditions):
                if dest is not None:
                    case.state = dest
                return route
        return None

    def fire_machine(self, case: Case, trigger: str, params: dict[str, Any]) -> Route | None:
        """`fire` through the `transitions` machine's event dispatch."""
        outcome: dict[str, Route] = {}
        self.machine.events[trigger].trigger(case, params=params, outcome=outcome)
        return outcome.get("route")


class _Event:
    """What a route's conditions read of `transitions`' EventData: the case and the parameters."""

    __slots__ = ("kwargs", "model")

    def __init__(self, case: Case, params: dict[str, Any]) -> None:
        self.model = case
        self.kwargs = {"params": params}


def yearly_mark(trigger: str) -> str:
    """The key in `Case.marks` of the last year a yearly timer's trigger covered."""
    return f"{trigger}@year"


def _record_route(route: Route) -> Any:
    def after(event: EventData) -> None:
        event.kwargs["outcome"]["route"] = route

    return after


def _params_match(when: dict[str, str | list[str]]) -> Any:
    def condition(event: EventData) -> bool:
        params = event.kwargs.get("params", {})
        for key, expected in when.items():
            allowed = expected if isinstance(expected, list) else [expected]
            if params.get(key) not in allowed:
                return False
        return True

    return condition
