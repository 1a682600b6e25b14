"""Properties of the compliance run over random histories and random ways of splitting the days
into runs: no action is ever applied twice, repeating a run does nothing, and the date-driven
transitions get the same effective dates however the days were split (reminders are sent when
a run sends them, so what depends on them may differ, and is compared only before it could)."""

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
#: What an administrator may do in the random histories (not ending the case by hand).
ADMIN_STEPS = ("assess", "rectified", "file_report", "start_mid_term", "start_assessment")
Record = tuple[str, str, str, str, date]  # rule, period, kind, to_state, effective_on


def approved(programme: Programme, on: date) -> Case:
    if programme is BJ:
        case = open_case(BJ, "某某技术创新中心", date(2024, 9, 14), "admin", BJ_ELIGIBLE).case
        case = decide(BJ, case, "submit", date(2024, 9, 20), "admin").case
    else:
        case = open_case(
            NT,
            "长三角国家技术创新中心",
            date(2021, 3, 1),
            "admin",
            {"kind": "comprehensive", "independent_legal_entity": "true"},
        ).case
    case = decide(
        programme, case, "start_review", date(2024, 10, 1) if programme is BJ else date(2021, 4, 1), "admin"
    ).case
    case.id = 1
    return decide(programme, case, "approve", on, "admin").case


@st.composite
def histories(draw: st.DrawFn) -> tuple[Programme, Case, date]:
    """A designated case after a random walk of administrator actions; the day the walk ended."""
    programme = draw(st.sampled_from([BJ, NT]))
    first = date(2024, 10, 2) if programme is BJ else date(2021, 4, 2)
    day = first + timedelta(days=draw(st.integers(0, 3 * 365)))
    case = approved(programme, day)
    for _ in range(draw(st.integers(0, 6))):
        day += timedelta(days=draw(st.integers(1, 500)))
        allowed, _ = options(programme, case, day)
        candidates = [t for t in allowed if t in ADMIN_STEPS]
        if not candidates:
            continue
        trigger = draw(st.sampled_from(candidates))
        values: dict[str, str] = {}
        if trigger == "assess":
            spec = programme.param_spec(programme.definition.triggers["assess"], "grade")
            values["grade"] = draw(st.sampled_from(spec.choices or []))
        if trigger == "file_report":
            assert case.approved_on is not None
            values["year"] = str(draw(st.integers(case.approved_on.year, day.year)))
        try:
            case = decide(programme, case, trigger, day, "admin", values).case
        except Refused:
            continue  # e.g. that year's report already filed, or the grade fits no route
    return programme, case, day


def run_days(programme: Programme, case: Case, days: list[date]) -> tuple[Case, list[Record]]:
    done: list[Record] = []
    for day in days:
        settlement = settle(programme, case, day, "alice")
        assert not settlement.refused, settlement.refused
        done += [
            (s.due.rule, s.due.period, s.due.kind, s.proposal.to_state, s.proposal.effective_on)
            for s in settlement.steps
        ]
        case = settlement.case
    return case, done


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), span=st.integers(0, 9 * 365), cuts=st.lists(st.integers(0, 9 * 365), max_size=8))
def test_however_the_days_are_split_into_runs_the_dated_transitions_are_the_same(history, span, cuts):
    programme, case, start = history
    end = start + timedelta(days=span)
    split = sorted({start + timedelta(days=min(c, span)) for c in cuts} | {end})
    once_case, once = run_days(programme, case, [end])
    split_case, in_parts = run_days(programme, case, split)

    for records in (once, in_parts):  # no action twice
        keys = [(rule, period) for rule, period, *_ in records]
        assert len(keys) == len(set(keys))
    for final in (once_case, split_case):  # repeating a run, or running for an earlier day: nothing
        assert settle(programme, final, end, "alice").steps == []
        assert settle(programme, final, start, "alice").steps == []

    # A revocation for missing reports follows a reminder, dated by the run that sent it:
    # compare only what fell due before the first such revocation in either way of running.
    cutoff = min([r[4] for r in once + in_parts if r[2] == "revocation"], default=date.max)
    dated = [r for r in once if r[2] == "timer" and r[4] < cutoff]
    assert dated == [r for r in in_parts if r[2] == "timer" and r[4] < cutoff]
    if cutoff == date.max:
        assert (once_case.state, once_case.state_since) == (split_case.state, split_case.state_since)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), span=st.integers(0, 9 * 365))
def test_nothing_is_ever_due_before_the_next_due_day(history, span):
    programme, case, start = history
    first = next_due(programme, case)
    day = start + timedelta(days=span)
    if day < first:
        assert settle(programme, case, day, "alice").steps == []
    else:
        # The day itself may be conservative (nothing due yet), never late: check the run then.
        settlement = settle(programme, case, day, "alice")
        assert all(s.proposal.effective_on >= first or s.due.kind == "reminder" for s in settlement.steps)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.lists(st.integers(0, 3000), min_size=1, max_size=8))
def test_repeated_runs_on_any_dates_never_raise_a_proposal_twice_nor_take_a_designation_away(history, offsets):
    programme, case, start = history
    raised: list[tuple[str, str]] = []
    for offset in offsets:  # runs on dates in any order, each on the case as the last one left it
        settlement = settle(programme, case, start + timedelta(days=offset), "alice")
        raised += [(s.due.rule, s.due.period) for s in settlement.steps if s.decision is not None]
        assert all(s.proposal.to_state != "revoked" for s in settlement.steps)
        case = settlement.case
    assert len(raised) == len(set(raised))
