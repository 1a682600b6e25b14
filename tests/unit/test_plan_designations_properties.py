"""Properties of intl-tech-transfer, talent-base and transfer-zone over random histories: whatever an
administrator records and however the days are split into compliance runs, the run applies each
dated rule once, with the same dates, never takes a designation away, and always names a clause."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import settle
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import next_due
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
PROGRAMMES = [CATALOGUE.current(code) for code in ("intl-tech-transfer", "talent-base", "transfer-zone")]
#: What an administrator may do in the random histories (not ending the case by hand).
ADMIN_STEPS = ("assess", "rectified", "file_report", "file_self_evaluation", "start_assessment")
Record = tuple[str, str, str, str, date]  # rule, period, trigger, to_state, effective_on


def designated(programme: Programme, on: date) -> Case:
    if programme.code != "transfer-zone":
        case = open_case(programme, "某中心", on, "admin", {"province": "北京"}).case
    else:
        case = open_case(programme, "某示范区", on, "admin", {"province": "重庆"}).case
        case = decide(programme, case, "start_review", on, "admin").case
        case = decide(programme, case, "approve", on, "admin").case
    case.id = 1
    return case


@st.composite
def histories(draw: st.DrawFn) -> tuple[Programme, Case, date]:
    """A designated case after a random walk of administrator actions; the day the walk ended."""
    programme = draw(st.sampled_from(PROGRAMMES))
    earliest = date(2022, 9, 30) if programme.code == "transfer-zone" else date(2010, 1, 1)
    day = earliest + timedelta(days=draw(st.integers(0, 6 * 365)))
    case = designated(programme, day)
    for _ in range(draw(st.integers(0, 8))):
        day += timedelta(days=draw(st.integers(1, 600)))
        allowed, _ = options(programme, case, day)
        candidates = [t for t in allowed if t in ADMIN_STEPS]
        if not candidates:
            continue
        trigger = draw(st.sampled_from(candidates))
        values: dict[str, str] = {}
        if trigger == "assess":
            spec = programme.param_spec(programme.definition.triggers["assess"], "grade")
            values["grade"] = draw(st.sampled_from(spec.choices or []))
        if trigger.startswith("file_"):
            assert case.approved_on is not None
            values["year"] = str(draw(st.integers(case.approved_on.year, day.year)))
        try:
            case = decide(programme, case, trigger, day, "admin", values).case
        except Refused:
            continue  # e.g. that year's report already filed
    return programme, case, day


def run_days(programme: Programme, case: Case, days: list[date]) -> tuple[Case, list[Record]]:
    done: list[Record] = []
    for day in days:
        settlement = settle(programme, case, day, "alice")
        assert not settlement.refused, settlement.refused
        for step in settlement.steps:
            assert step.proposal.clause, step
            assert programme.kind(step.proposal.to_state) != "terminal", "the run took a designation away"
        done += [
            (s.due.rule, s.due.period, s.due.trigger, s.proposal.to_state, s.proposal.effective_on)
            for s in settlement.steps
        ]
        case = settlement.case
    return case, done


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), span=st.integers(0, 12 * 365), cuts=st.lists(st.integers(0, 12 * 365), max_size=8))
def test_however_the_days_are_split_the_run_does_the_same_once_and_never_revokes(history, span, cuts):
    programme, case, start = history
    end = start + timedelta(days=span)
    split = sorted({start + timedelta(days=min(c, span)) for c in cuts} | {end})
    once_case, once = run_days(programme, case, [end])
    split_case, in_parts = run_days(programme, case, split)
    assert once == in_parts  # nothing here is a communication dated by the run that sends it
    assert len({(rule, period) for rule, period, *_ in once}) == len(once)
    assert (once_case.state, once_case.state_since, once_case.cycle) == (
        split_case.state,
        split_case.state_since,
        split_case.cycle,
    )
    for final in (once_case, split_case):
        assert settle(programme, final, end, "alice").steps == []
        assert settle(programme, final, start, "alice").steps == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), span=st.integers(0, 12 * 365))
def test_nothing_is_ever_due_before_the_next_due_day_and_a_designation_is_always_evaluated_again(history, span):
    programme, case, start = history
    first = next_due(programme, case)
    day = start + timedelta(days=span)
    if day < first:
        assert settle(programme, case, day, "alice").steps == []
    else:
        assert all(s.proposal.effective_on >= first for s in settle(programme, case, day, "alice").steps)
    # whatever the grade, an active designation that is not being evaluated has an evaluation ahead
    if case.state in ("approved", "renewed"):
        assert first != date.max and first <= (case.cycle_start or start) + timedelta(days=3 * 366)
