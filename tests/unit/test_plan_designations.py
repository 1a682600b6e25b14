"""The three designations of the "十四五"技术要素市场专项规划 beyond the technology transfer
institutions — intl-tech-transfer (三(四)1), talent-base (三(四)2), transfer-zone (三(五)5, 专栏7) —
decided in the pure domain, every dated rule on the day before, the day and the day after."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import settle
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import obligations_view
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
INTL = CATALOGUE.current("intl-tech-transfer")
TALENT = CATALOGUE.current("talent-base")
ZONE = CATALOGUE.current("transfer-zone")
EVALUATED_EVERY_THREE_YEARS = [(INTL, "evaluation_failed", "三(四)1"), (TALENT, "assessment_failed", "三(四)2")]


def opened(programme: Programme, on: date, name: str = "示例", **values: object) -> Case:
    return open_case(programme, name, on, "admin", {k: str(v) for k, v in values.items()}).case


def fire(programme: Programme, case: Case, trigger: str, on: date, role: str = "admin", **values: object) -> Case:
    return decide(programme, case, trigger, on, role, {k: str(v) for k, v in values.items()}).case


def reasons(
    programme: Programme, case: Case, trigger: str, on: date, role: str = "admin", **values: object
) -> list[Reason]:
    with pytest.raises(Refused) as caught:
        decide(programme, case, trigger, on, role, {k: str(v) for k, v in values.items()})
    return caught.value.reasons


def codes(found: list[Reason]) -> set[str]:
    return {r.code for r in found}


def run(programme: Programme, case: Case, as_of: date) -> list[tuple[str, str, date]]:
    """What the compliance run does to the case by `as_of`: (rule, trigger, effective date)."""
    return [(s.due.rule, s.due.trigger, s.proposal.effective_on) for s in settle(programme, case, as_of, "t").steps]


def new_zone(approved_on: date = date(2023, 7, 20)) -> Case:
    case = opened(ZONE, date(2023, 3, 1), province="重庆")
    case = fire(ZONE, case, "start_review", date(2023, 4, 10))
    return fire(ZONE, case, "approve", approved_on)


# -- intl-tech-transfer and talent-base: evaluated every 3 years, out on a failed one ---------


@pytest.mark.parametrize(("programme", "ground", "clause"), EVALUATED_EVERY_THREE_YEARS)
def test_a_centre_or_base_opens_designated_and_is_evaluated_at_the_end_of_its_three_year_cycle(
    programme: Programme, ground: str, clause: str
) -> None:
    case = opened(programme, date(2023, 1, 10), province="北京")
    assert (case.state, case.approved_on, case.cycle) == ("approved", date(2023, 1, 10), 1)
    assert codes(reasons(programme, case, "start_assessment", date(2026, 1, 9))) == {"not_due"}
    assert fire(programme, case, "start_assessment", date(2026, 1, 10)).state == "final_assessment"
    assert fire(programme, case, "start_assessment", date(2026, 1, 11)).state == "final_assessment"
    assert run(programme, case, date(2026, 1, 9)) == []
    for as_of in (date(2026, 1, 10), date(2026, 1, 11)):
        assert [(t, on) for _, t, on in run(programme, case, as_of)] == [("start_assessment", date(2026, 1, 10))]


@pytest.mark.parametrize(("programme", "ground", "clause"), EVALUATED_EVERY_THREE_YEARS)
def test_a_pass_starts_the_next_cycle_where_the_last_ended_and_a_fail_takes_the_designation_away(
    programme: Programme, ground: str, clause: str
) -> None:
    evaluated = fire(programme, opened(programme, date(2023, 1, 10)), "start_assessment", date(2026, 1, 10))
    passed = fire(programme, evaluated, "assess", date(2026, 5, 20), grade="pass")
    assert (passed.state, passed.cycle, passed.cycle_start) == ("renewed", 2, date(2026, 1, 10))
    assert codes(reasons(programme, passed, "start_assessment", date(2029, 1, 9))) == {"not_due"}
    assert fire(programme, passed, "start_assessment", date(2029, 1, 10)).state == "final_assessment"
    failed = decide(programme, evaluated, "assess", date(2026, 5, 20), "admin", {"grade": "fail"})
    assert failed.case.state == "revoked" and failed.payload["ground"] == ground
    assert failed.clause == clause
    assert failed.default is (programme is TALENT)  # 优胜劣汰 names elimination, not its trigger
    assert options(programme, failed.case, date(2026, 5, 21), "admin")[0] == []


@pytest.mark.parametrize(("programme", "ground", "clause"), EVALUATED_EVERY_THREE_YEARS)
def test_the_grade_is_an_administrators_decision_never_the_compliance_runs(
    programme: Programme, ground: str, clause: str
) -> None:
    evaluated = fire(programme, opened(programme, date(2023, 1, 10)), "start_assessment", date(2026, 1, 10))
    assert codes(reasons(programme, evaluated, "assess", date(2026, 5, 20), "system", grade="fail")) == {"role"}
    assert run(programme, evaluated, date(2040, 1, 1)) == []  # nothing more happens by itself
    assert "revoke" not in programme.definition.triggers  # the plan gives no other exit


@pytest.mark.parametrize(("programme", "ground", "clause"), EVALUATED_EVERY_THREE_YEARS)
def test_a_designation_older_than_the_plan_is_first_evaluated_at_the_end_of_the_cycle_running_then(
    programme: Programme, ground: str, clause: str
) -> None:
    # 2013-09-03 + 3-year cycles: 2016, 2019, 2022-09-03 all ended before the plan (2022-09-30)
    old = opened(programme, date(2013, 9, 3), name="中国—东盟技术转移中心")
    assert (old.cycle, old.cycle_start) == (4, date(2022, 9, 3))
    assert codes(reasons(programme, old, "start_assessment", date(2025, 9, 2))) == {"not_due"}
    assert run(programme, old, date(2025, 9, 3)) == [
        (run(programme, old, date(2025, 9, 3))[0][0], "start_assessment", date(2025, 9, 3))
    ]
    # a rule of the plan cannot be dated before it was issued (2022-09-30); the cycle that ended
    # 2022-06-01 counts as done, so the next evaluation falls on 2025-06-01
    recent = opened(programme, date(2019, 6, 1))
    assert codes(reasons(programme, recent, "start_assessment", date(2022, 9, 29))) == {"not_in_force", "not_due"}
    assert codes(reasons(programme, recent, "start_assessment", date(2025, 5, 31))) == {"not_due"}
    assert fire(programme, recent, "start_assessment", date(2025, 6, 1)).state == "final_assessment"


@pytest.mark.parametrize("programme", [INTL, TALENT, ZONE])
def test_every_non_terminal_state_may_be_withdrawn_on_written_request_and_it_is_marked_default(
    programme: Programme,
) -> None:
    spec = programme.definition.triggers["withdraw"]
    assert spec.default and "PROGRAMMES.md" not in (spec.clause or "")
    states = set(programme.states_of_kind("pre", "active"))
    withdrawable = {s for route in spec.routes for s in programme.expand(route.sources)}
    assert withdrawable == states


# -- transfer-zone: rounds, monitoring evaluation, rectification, no revocation -----------------


def test_a_new_zone_is_designated_in_a_round_or_rejected_at_either_step() -> None:
    case = opened(ZONE, date(2022, 9, 30), province="重庆")
    assert case.state == "submitted"
    reviewed = fire(ZONE, case, "start_review", date(2022, 11, 1))
    approved = fire(ZONE, reviewed, "approve", date(2023, 3, 1))
    assert (approved.state, approved.approved_on, approved.cycle) == ("approved", date(2023, 3, 1), 1)
    assert codes(reasons(ZONE, reviewed, "approve", date(2022, 10, 31))) == {"before_state_entry"}
    assert fire(ZONE, reviewed, "reject", date(2023, 3, 1)).state == "rejected"
    assert fire(ZONE, case, "reject", date(2022, 10, 2)).state == "rejected"


@pytest.mark.parametrize(
    ("on", "state"),
    [(date(2022, 9, 29), "approved"), (date(2022, 9, 30), "submitted"), (date(2022, 10, 1), "submitted")],
)
def test_a_zone_opened_before_the_plan_already_exists_and_one_opened_from_it_on_is_an_application(
    on: date, state: str
) -> None:
    opening = open_case(ZONE, "某示范区", on, "admin", {"province": "河北"})
    assert opening.case.state == state
    if state == "approved":  # one of the zones built before the plan (9 at the end of 2020, 一(一)3)
        assert (opening.case.approved_on, opening.clause, opening.default) == (on, "一(一)3", True)
    else:
        assert opening.case.approved_on is None and opening.clause == "三(五)5"


def test_an_existing_zone_is_first_monitored_at_the_end_of_the_cycle_running_when_the_plan_came() -> None:
    zone = opened(ZONE, date(2016, 10, 19), name="河北·京南国家科技成果转移转化示范区", province="河北")
    assert (zone.state, zone.cycle_start) == ("approved", date(2019, 10, 19))
    assert run(ZONE, zone, date(2022, 10, 18)) == []
    assert run(ZONE, zone, date(2022, 10, 19)) == [("monitoring_evaluation", "start_assessment", date(2022, 10, 19))]


def test_a_zone_is_filed_under_its_province_which_can_also_be_given_later() -> None:
    case = open_case(ZONE, "某示范区", date(2023, 3, 1), "admin", {}).case
    assert case.state == "submitted" and "province" not in case.fields
    assert fire(ZONE, case, "start_review", date(2023, 4, 1), province="江西").fields["province"] == "江西"


def test_the_monitoring_evaluation_falls_due_at_the_end_of_each_three_year_cycle() -> None:
    zone = new_zone()
    assert codes(reasons(ZONE, zone, "start_assessment", date(2026, 7, 19))) == {"not_due"}
    assert run(ZONE, zone, date(2026, 7, 19)) == []
    for as_of in (date(2026, 7, 20), date(2026, 7, 21)):
        assert run(ZONE, zone, as_of) == [("monitoring_evaluation", "start_assessment", date(2026, 7, 20))]


def test_a_good_zone_is_renewed_and_a_fair_one_returns_to_its_state_and_both_are_evaluated_again() -> None:
    evaluated = fire(ZONE, new_zone(), "start_assessment", date(2026, 7, 20))
    good = fire(ZONE, evaluated, "assess", date(2026, 10, 15), grade="good")
    fair = fire(ZONE, evaluated, "assess", date(2026, 10, 15), grade="fair")
    assert (good.state, good.cycle, good.cycle_start) == ("renewed", 2, date(2026, 7, 20))
    assert (fair.state, fair.cycle, fair.cycle_start) == ("approved", 2, date(2026, 7, 20))
    for case in (good, fair):
        assert codes(reasons(ZONE, case, "start_assessment", date(2029, 7, 19))) == {"not_due"}
        assert run(ZONE, case, date(2029, 7, 20))[0][1:] == ("start_assessment", date(2029, 7, 20))
    again = fire(
        ZONE, fire(ZONE, fair, "start_assessment", date(2029, 7, 20)), "assess", date(2029, 9, 1), grade="fair"
    )
    assert again.state == "renewed"  # back to the active state of a later cycle


def test_a_poor_zone_has_a_year_to_rectify_and_a_missed_deadline_is_referred_to_the_office_not_revoked() -> None:
    evaluated = fire(ZONE, new_zone(), "start_assessment", date(2026, 7, 20))
    poor = decide(ZONE, evaluated, "assess", date(2026, 10, 15), "admin", {"grade": "poor"})
    rectifying = poor.case
    assert rectifying.state == "rectification" and rectifying.deadline_on == date(2027, 10, 15)
    assert poor.payload["deadline_default"] is True
    # the deadline day is in time: nothing is due; the day after the office has a decision due
    assert run(ZONE, rectifying, date(2027, 10, 15)) == []
    steps = settle(ZONE, rectifying, date(2027, 10, 16), "t").steps
    assert [(s.due.trigger, s.proposal.effective_on) for s in steps] == [
        ("refer_overdue_rectification", date(2027, 10, 16))
    ]
    referred = steps[0].proposal
    assert (referred.from_state, referred.to_state, referred.internal) == ("rectification", "rectification", True)
    assert referred.clause == "三(五)5" and referred.default is True
    after = settle(ZONE, rectifying, date(2027, 10, 16), "t").case
    assert run(ZONE, after, date(2030, 1, 1)) == []  # raised once, and nothing else ever by itself
    assert "revoked" not in ZONE.definition.states and "revoke" not in ZONE.definition.triggers
    assert codes(reasons(ZONE, rectifying, "refer_overdue_rectification", date(2027, 10, 16))) == {"role"}


@pytest.mark.parametrize("on", [date(2027, 10, 14), date(2027, 10, 15), date(2027, 10, 16)])
def test_the_office_may_accept_a_rectification_before_on_or_after_its_deadline(on: date) -> None:
    evaluated = fire(ZONE, new_zone(), "start_assessment", date(2026, 7, 20))
    rectifying = fire(ZONE, evaluated, "assess", date(2026, 10, 15), grade="poor")
    rectified = fire(ZONE, rectifying, "rectified", on)
    assert (rectified.state, rectified.cycle, rectified.cycle_start, rectified.deadline_on) == (
        "renewed",
        2,
        date(2026, 7, 20),
        None,
    )
    assert fire(ZONE, rectifying, "withdraw", on).state == "withdrawn"


def test_the_development_report_and_the_self_evaluation_are_two_duties_due_on_31_march() -> None:
    zone = new_zone()
    reported = fire(ZONE, zone, "file_report", date(2024, 3, 25), year=2023)

    def status(case: Case, as_of: date) -> dict[str, str | None]:
        return {row["kind"]: row["status"] for row in obligations_view(ZONE, case, as_of) if row["period"] == "2023"}

    # filing the report does not count as the self-evaluation (each remembers its own years)
    assert status(reported, date(2024, 3, 31)) == {"development_report": "fulfilled", "self_evaluation": "open"}
    assert status(reported, date(2024, 4, 1)) == {"development_report": "fulfilled", "self_evaluation": "overdue"}
    assert status(zone, date(2024, 3, 30)) == {"development_report": "open", "self_evaluation": "open"}
    both = fire(ZONE, reported, "file_self_evaluation", date(2024, 4, 2), year=2023)
    assert status(both, date(2024, 4, 2)) == {"development_report": "fulfilled", "self_evaluation": "fulfilled"}
    assert (both.reports, both.progress["self_evaluations"]) == ([2023], [2023])
    assert codes(reasons(ZONE, both, "file_self_evaluation", date(2024, 4, 3), year=2023)) == {"duplicate"}
    assert codes(reasons(ZONE, both, "file_report", date(2024, 4, 3), year=2023)) == {"duplicate"}
    assert codes(reasons(ZONE, both, "file_report", date(2024, 4, 3), year=2022)) == {"invalid_field"}
    # a missing report is shown overdue; the compliance run takes nothing away for it
    assert run(ZONE, zone, date(2026, 7, 19)) == []


def test_every_rule_of_the_three_programmes_names_a_clause_and_every_label_has_chinese() -> None:
    for programme in (INTL, TALENT, ZONE):
        d = programme.definition
        assert all(t.clause for t in d.triggers.values()) and all(t.clause for t in d.timers)
        assert all(state.zh for state in d.states.values()) and all(t.zh for t in d.triggers.values())
        assert all(t.zh for t in d.timers) and all(f.zh for f in d.fields.values())
        assert all(g.zh and g.clause for g in d.grounds.values()) and all(o.zh for o in d.obligations)
        assert all(p.zh for t in d.triggers.values() for p in t.params.values())
        assert d.cycle.default and d.cycle.years == 3
        assert "PROGRAMMES.md" not in programme.origin
