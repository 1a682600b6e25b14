"""A programme at run time: its definition, its version, and its one state machine."""

from __future__ import annotations

from datetime import date
from typing import Any

from transitions import EventData, Machine

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days, add_years, on_month_day
from lifecycle.domain.definition import Definition, FieldDef, Route, Timer, TriggerDef


class Programme:
    """One designation programme, built once and shared by every case that runs under it.

    The `transitions` machine has no models: cases are plain objects fired with
    `machine.events[name].trigger(case)`, which costs the same for the
    thousandth case as for the first (see DEVELOPERS.md on `add_model`).
    """

    def __init__(self, definition: Definition, version: str, origin: str) -> None:
        self.definition = definition
        self.version = version
        self.origin = origin
        self.code = definition.code
        self._expanded: dict[tuple[str, ...], list[str]] = {}
        self._ground_specs: dict[tuple[int, str], FieldDef] = {}
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

    def initial_state(self, fields: dict[str, Any]) -> str | None:
        initial = self.definition.initial
        if initial.state:
            return initial.state
        assert initial.by and initial.states is not None
        return initial.states.get(str(fields.get(initial.by)))

    # -- triggers and fields ------------------------------------------------
    def trigger(self, name: str) -> TriggerDef | None:
        return self.definition.triggers.get(name)

    def sources(self, trigger: TriggerDef) -> list[str]:
        return self.expand([s for route in trigger.routes for s in route.sources])

    def routes_from(self, trigger: TriggerDef, state: str) -> list[Route]:
        return [r for r in trigger.routes if state in self.expand(r.sources)]

    def param_spec(self, trigger: TriggerDef, name: str) -> FieldDef:
        spec = trigger.params[name]
        if spec.type == "ground":  # a revocation ground: one of the programme's grounds
            key = (id(trigger), name)
            cached = self._ground_specs.get(key)
            if cached is None:  # built once: a pydantic copy costs more than the decision itself
                cached = self._ground_specs[key] = spec.model_copy(
                    update={"type": "choice", "choices": list(self.definition.grounds)})
            return cached
        return spec

    def field_defaults(self) -> dict[str, Any]:
        return {n: f.default_value for n, f in self.definition.fields.items() if f.default_value is not None}

    # -- dates --------------------------------------------------------------
    def cycle_end(self, case: Case) -> date | None:
        """Where the current cycle ends: validity if the programme has one, else start + cycle."""
        if self.definition.validity is not None:
            return case.valid_until
        if case.cycle_start is None:
            return None
        return add_years(case.cycle_start, self.definition.cycle.years)

    def timer(self, timer_id: str) -> Timer:
        return next(t for t in self.definition.timers if t.id == timer_id)

    def due_date(self, timer: Timer, case: Case) -> date | None:
        """The day a timer falls due for this case, or None when its anchor is not set."""
        anchor_name = timer.anchor
        anchor: date | None
        if anchor_name == "yearly":
            return self._next_yearly(timer, case)
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

    def _next_yearly(self, timer: Timer, case: Case) -> date:
        """A yearly timer's next day: its month and day on or after the day the case entered its
        state, in the first year not yet handled (the year is the period of each occurrence)."""
        assert timer.month is not None and timer.day is not None
        handled = case.automatic.get(timer.id, {})
        year = case.state_since.year
        while True:
            day = on_month_day(year, timer.month, timer.day)
            if day >= case.state_since and str(year) not in handled:
                return day
            year += 1

    # -- the machine --------------------------------------------------------
    def _build_machine(self) -> Machine:
        transitions: list[dict[str, Any]] = []
        for name, trigger in self.definition.triggers.items():
            for route in trigger.routes:
                for source in self.expand(route.sources):
                    for dest, conditions in self._destinations(route, source):
                        transitions.append({
                            "trigger": name,
                            "source": source,
                            "dest": dest,
                            "conditions": conditions,
                            "after": _record_route(route),
                        })
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
        outcome: dict[str, Route] = {}
        self.machine.events[trigger].trigger(case, params=params, outcome=outcome)
        return outcome.get("route")


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
