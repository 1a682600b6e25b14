"""Properties of both state machines under random sequences of triggers, dates and parameters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifecycle.domain.case import Case
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.domain.programme import Programme
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic")
NT = CATALOGUE.current("national-tic")

BJ_ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3e9",
    "rd_ratio_3y": "12%",
    "domestic_rd_share": "70%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
STARTS = {
    "bj-tic": lambda: open_case(BJ, "某某技术创新中心", date(2024, 9, 14), "admin", BJ_ELIGIBLE).case,
    "national-tic/comprehensive": lambda: (
        open_case(
            NT,
            "长三角国家技术创新中心",
            date(2021, 3, 1),
            "admin",
            {"kind": "comprehensive", "independent_legal_entity": "true"},
        ).case
    ),
    "national-tic/domain": lambda: (
        open_case(
            NT,
            "国家新能源汽车技术创新中心",
            date(2021, 3, 1),
            "admin",
            {"kind": "domain", "independent_legal_entity": "true"},
        ).case
    ),
}
TEXTS = [
    "上海",
    "粤港澳大湾区国家技术创新中心",
    "国家合成生物技术创新中心",
    "Yangtze River Delta National Center of Technology Innovation",
    "National Center of Technology Innovation for Synthetic Biology",
]
#: Triggers that end a case: drawn less often, so that walks reach renewals and later cycles.
ENDINGS = {"withdraw", "reject", "revoke", "expire", "fail_rectification"}
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def programme_of(start: str) -> Programme:
    return BJ if start == "bj-tic" else NT


def param_value(programme: Programme, trigger: str, name: str, draw, on: date) -> str:
    spec = programme.param_spec(programme.definition.triggers[trigger], name)
    if spec.choices:
        return draw(st.sampled_from(spec.choices))
    if spec.type == "int":
        return str(on.year - draw(st.integers(0, 2)))
    return draw(st.sampled_from(TEXTS))


@st.composite
def step(draw, programme: Programme, case: Case):
    # mostly forward in time, sometimes on the very day, rarely before the state was entered
    offset = draw(st.one_of(st.integers(0, 5), st.integers(0, 2000), st.integers(1000, 1900), st.integers(-30, -1)))
    on = case.state_since + timedelta(days=offset)
    role = draw(st.sampled_from(["admin", "admin", "system", "auditor"]))
    # usually one the case allows (to get deep into the machine), else any trigger at all
    offered = options(programme, case, on, "admin")[0] + options(programme, case, on, "system")[0]
    onward = [t for t in offered if t not in ENDINGS]
    if onward and draw(st.integers(0, 5)) > 0:
        offered = onward
    if offered and draw(st.integers(0, 4)) > 0:
        trigger = draw(st.sampled_from(sorted(set(offered))))
        if draw(st.integers(0, 3)) > 0:
            role = "admin" if trigger in options(programme, case, on, "admin")[0] else "system"
    else:
        trigger = draw(st.sampled_from(list(programme.definition.triggers)))
    values = {}
    for name in programme.definition.triggers[trigger].params:
        if draw(st.integers(0, 9)) > 0:  # occasionally leave a parameter out
            values[name] = param_value(programme, trigger, name, draw, on)
    return trigger, on, role, values


def route_matches(programme: Programme, trigger: str, before: Case, after: Case) -> bool:
    for route in programme.routes_from(programme.definition.triggers[trigger], before.state):
        if route.to == "$same" and after.state == before.state:
            return True
        if route.to == "$active" and after.state == ("approved" if after.cycle <= 1 else "renewed"):
            return True
        if route.to == after.state:
            return True
    return False


@st.composite
def walk(draw, max_steps: int = 25):
    start = draw(st.sampled_from(sorted(STARTS)))
    programme = programme_of(start)
    case = STARTS[start]()
    history = []
    for _ in range(draw(st.integers(1, max_steps))):
        trigger, on, role, values = draw(step(programme, case))
        try:
            proposal = decide(programme, case, trigger, on, role, values)
        except Refused as refusal:
            assert refusal.reasons, "a refusal always gives a reason"
            history.append((case, trigger, on, None))
            continue
        history.append((case, trigger, on, proposal))
        case = proposal.case
    return programme, history


@PROPERTY_SETTINGS
@given(walk())
def test_random_sequences_respect_the_declared_machine(run):
    programme, history = run
    states = programme.definition.states
    for before, trigger, on, proposal in history:
        if proposal is None:
            continue
        after = proposal.case
        assert after.state in states, "never an undeclared state"
        assert programme.kind(before.state) != "terminal", "nothing leaves a terminal state"
        assert after.state_since >= before.state_since, "state_since never decreases"
        # A trigger that does not move the case (filing a report) may be dated earlier.
        assert on >= before.state_since or after.state == before.state, "never leaves a state before entering it"
        assert route_matches(programme, trigger, before, after), (trigger, before.state, after.state)
        assert proposal.from_state == before.state and proposal.to_state == after.state
        if programme.definition.triggers[trigger].internal:
            assert after.state == before.state and after.state_since == before.state_since
        if after.state != before.state:
            assert after.state_since == on
        assert after.cycle >= before.cycle
        if after.approved_on is not None:
            assert after.cycle >= 1
        assert on >= programme.definition.in_force.date or programme.definition.in_force.applies_to != "all"


@PROPERTY_SETTINGS
@given(walk(max_steps=15), st.integers(0, 2500), st.sampled_from(["admin", "system"]))
def test_every_trigger_options_allows_without_parameters_fires_when_fired(run, later, role):
    programme, history = run
    last_case, _, _, last = history[-1]
    case = last.case if last is not None else last_case
    on = case.state_since + timedelta(days=later)
    allowed, blocked = options(programme, case, on, role)
    assert set(allowed).isdisjoint(blocked)
    assert set(allowed) | set(blocked) == set(programme.definition.triggers)
    for trigger in allowed:
        params = programme.definition.triggers[trigger].params
        if any(spec.default_value is None for spec in params.values()):
            continue
        proposal = decide(programme, case, trigger, on, role)
        assert proposal.to_state in programme.definition.states


@PROPERTY_SETTINGS
@given(walk(max_steps=15), st.integers(0, 2500))
def test_a_trigger_options_blocks_is_refused_when_fired(run, later):
    programme, history = run
    last_case, _, _, last = history[-1]
    case = last.case if last is not None else last_case
    on = case.state_since + timedelta(days=later)
    _, blocked = options(programme, case, on, "admin")
    for trigger, reasons in blocked.items():
        assert reasons
        if {r.code for r in reasons} & {
            "terminal",
            "wrong_state",
            "role",
            "not_due",
            "already_done",
            "before_state_entry",
            "not_in_force",
        }:
            with pytest.raises(Refused):
                decide(programme, case, trigger, on, "admin")


@pytest.mark.parametrize("start", sorted(STARTS))
def test_an_auditor_is_offered_nothing(start):
    programme = programme_of(start)
    case = STARTS[start]()
    assert options(programme, case, case.state_since + timedelta(days=30), "auditor")[0] == []


def _param_choices(programme: Programme, trigger: str) -> list[dict[str, object]]:
    """Every combination of the values the trigger's routes test, and none given."""
    import itertools

    keys: dict[str, set[object]] = {}
    for route in programme.definition.triggers[trigger].routes:
        for key, expected in (route.when or {}).items():
            keys.setdefault(key, set()).update(expected if isinstance(expected, list) else [expected])
    for values in keys.values():
        values.add("no-such-value")
    names = sorted(keys)
    combos = [
        dict(zip(names, chosen, strict=True))
        for chosen in itertools.product(*(sorted(keys[n], key=str) for n in names))
    ]
    return [*combos, {}]


@pytest.mark.parametrize("code", CATALOGUE.codes())
def test_firing_takes_the_same_route_to_the_same_state_as_the_transitions_machine(code):
    """`Programme.fire` (its table of the machine's transitions) against the machine itself, for
    every trigger from every state, every combination of the parameters the routes test, and a
    first and a later cycle."""
    from transitions import MachineError

    programme = CATALOGUE.current(code)
    fired = 0
    for trigger in programme.definition.triggers:
        for state in programme.definition.states:
            for params in _param_choices(programme, trigger):
                for cycle in (1, 2):
                    base = Case(code, "某某中心", state, date(2025, 1, 1), programme.version, cycle=cycle)
                    fast, slow = base.copy(), base.copy()
                    try:
                        expected = programme.fire_machine(slow, trigger, dict(params))
                    except MachineError:
                        with pytest.raises(MachineError):
                            programme.fire(fast, trigger, dict(params))
                        continue
                    assert programme.fire(fast, trigger, dict(params)) is expected
                    assert fast.state == slow.state
                    fired += 1
    assert fired > 0
