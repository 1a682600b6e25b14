"""The compliance run's dated rules, case by case, at their boundary dates (the day before a
deadline, the day itself, the day after), for bj-tic (京科创发〔2024〕143号) and national-tic
(国科发区〔2021〕17号), as PROGRAMMES.md states them: automatic transitions carry the first day
their condition held; reminders carry the day of the run that sends them; catch-up applies
missed steps in date order."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import Settlement, settle
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import next_due, obligations_view
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic")
NATIONAL = CATALOGUE.current("national-tic")
ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3e9",
    "rd_ratio_3y": "12%",
    "domestic_rd_share": "70%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
D = date.fromisoformat
DAY = timedelta(days=1)


def fire(programme: Programme, case: Case, trigger: str, on: date, **values: str) -> Case:
    return decide(programme, case, trigger, on, "admin", values).case


def bj_approved(on: date = D("2025-01-10"), *, reports: tuple[int, ...] = ()) -> Case:
    case = open_case(BJ, "北京市集成电路技术创新中心", D("2024-09-20"), "admin", ELIGIBLE).case
    case.id = 1
    case = fire(BJ, case, "submit", D("2024-10-08"))
    case = fire(BJ, case, "start_review", D("2024-11-05"))
    case = fire(BJ, case, "approve", on)
    for year in reports:
        case = fire(BJ, case, "file_report", D(f"{year + 1}-03-01"), year=str(year))
    return case


def national_approved(on: date = D("2021-06-30")) -> Case:
    case = open_case(NATIONAL, "京津冀国家技术创新中心", D("2021-03-01"), "admin", {"kind": "comprehensive"}).case
    case.id = 2
    case = fire(NATIONAL, case, "start_review", D("2021-04-12"), independent_legal_entity="true")
    return fire(NATIONAL, case, "approve", on)


def steps(settlement: Settlement, rule: str | None = None) -> list[tuple[str, str, str | None, date]]:
    """(rule, trigger, to_state, effective_on) of each step, optionally of one rule only; a
    decision due raised instead of an action reads ("propose revoke", to_state, first day held)."""
    return [
        (s.due.rule, f"propose {s.decision.trigger}", s.decision.to_state, s.decision.due_on)
        if s.decision
        else (s.due.rule, s.proposal.trigger, s.proposal.to_state, s.proposal.effective_on)
        for s in settlement.steps
        if rule is None or s.due.rule == rule
    ]


def run(programme: Programme, case: Case, day: str | date) -> Settlement:
    return settle(programme, case, D(day) if isinstance(day, str) else day, "alice")


# -- bj-tic --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2028-01-09", []),
        ("2028-01-10", [("mid_term", "start_mid_term", "mid_term_review", D("2028-01-10"))]),
        ("2028-01-11", [("mid_term", "start_mid_term", "mid_term_review", D("2028-01-10"))]),
    ],
)
def test_bj_tic_mid_term_review_opens_three_years_after_approval(day, expected):
    assert steps(run(BJ, bj_approved(), day), "mid_term") == expected


@pytest.mark.parametrize(("day", "opens"), [("2029-07-13", False), ("2029-07-14", True), ("2029-07-15", True)])
def test_bj_tic_full_assessment_opens_180_days_before_validity_ends(day, opens):
    case = fire(BJ, bj_approved(), "start_mid_term", D("2028-01-10"))
    case = fire(BJ, case, "assess", D("2028-03-01"), grade="pass")
    expected = [("full_assessment", "start_assessment", "final_assessment", D("2029-07-14"))] if opens else []
    assert steps(run(BJ, case, day), "full_assessment") == expected


@pytest.mark.parametrize(("day", "expires"), [("2030-01-10", False), ("2030-01-11", True), ("2030-01-12", True)])
def test_bj_tic_expires_the_day_after_validity_ends_after_a_failed_assessment(day, expires):
    case = fire(BJ, bj_approved(), "start_mid_term", D("2028-01-10"))
    case = fire(BJ, case, "assess", D("2028-03-01"), grade="pass")
    case = fire(BJ, case, "start_assessment", D("2029-07-14"))
    case = fire(BJ, case, "assess", D("2029-11-01"), grade="fail")
    settlement = run(BJ, case, day)
    assert steps(settlement, "expiry") == ([("expiry", "expire", "expired", D("2030-01-11"))] if expires else [])
    assert settlement.case.state == ("expired" if expires else "final_assessment")


@pytest.mark.parametrize(("day", "revoked"), [("2028-07-30", False), ("2028-07-31", True), ("2028-08-01", True)])
def test_bj_tic_proposes_revocation_the_day_after_the_rectification_deadline(day, revoked):
    case = fire(BJ, bj_approved(reports=(2025, 2026, 2027)), "start_mid_term", D("2028-01-10"))
    case = fire(BJ, case, "assess", D("2028-02-01"), grade="fail")
    assert case.deadline_on == D("2028-07-30")
    settlement = run(BJ, case, day)
    expected = [("rectification_deadline", "propose revoke", "revoked", D("2028-07-31"))] if revoked else []
    assert steps(settlement) == expected
    assert settlement.case.state == "rectification"  # proposed, never applied
    if revoked:
        decision = settlement.steps[0].decision
        assert decision is not None
        assert (decision.clause, decision.default, decision.ground) == ("第十六条", True, "rectification_failed")
        assert settlement.steps[0].proposal.payload["default"] is True
        assert steps(run(BJ, settlement.case, "2028-09-01")) == []  # raised once


def test_bj_tic_the_worked_example_of_reminders_and_revocation():
    """PROGRAMMES.md: approved 2025-01-10, reports for 2025 and 2026 missing."""
    case = bj_approved()
    assert steps(run(BJ, case, "2026-03-31")) == []
    first = run(BJ, case, "2026-04-01")
    assert steps(first) == [("annual_report.reminder", "remind", "approved", D("2026-04-01"))]
    assert first.steps[0].proposal.payload["year"] == 2025
    case = first.case
    assert steps(run(BJ, case, "2027-03-31")) == []
    second = run(BJ, case, "2027-04-01")
    assert steps(second) == [("annual_report.reminder", "remind", "approved", D("2027-04-01"))]
    case = second.case
    assert steps(run(BJ, case, "2027-05-01")) == []
    revoked = run(BJ, case, "2027-05-02")
    assert steps(revoked) == [("annual_report.revocation", "propose revoke", "revoked", D("2027-05-02"))]
    assert revoked.case.state == "approved"
    assert revoked.steps[0].proposal.clause == "第十八条(一)"
    assert revoked.steps[0].proposal.payload["ground"] == "no_annual_report"
    assert steps(run(BJ, revoked.case, "2027-12-01")) == []
    filed = fire(BJ, case, "file_report", D("2027-04-20"), year="2026")
    assert steps(run(BJ, filed, "2027-05-02")) == []


def test_bj_tic_one_missing_year_gets_a_reminder_and_never_a_revocation():
    case = bj_approved(reports=(2026, 2027, 2028))
    reminded = run(BJ, case, "2026-04-01")
    assert steps(reminded) == [("annual_report.reminder", "remind", "approved", D("2026-04-01"))]
    assert steps(run(BJ, reminded.case, "2029-06-01")) == [
        ("mid_term", "start_mid_term", "mid_term_review", D("2028-01-10"))
    ]


def test_a_catch_up_run_sends_reminders_late_and_revokes_only_after_the_full_window():
    case = bj_approved(reports=())
    late = run(BJ, case, "2027-06-01")
    assert steps(late) == [
        ("annual_report.reminder", "remind", "approved", D("2027-06-01")),
        ("annual_report.reminder", "remind", "approved", D("2027-06-01")),
    ]
    assert [s.proposal.payload["year"] for s in late.steps] == [2025, 2026]
    assert steps(run(BJ, late.case, "2027-07-01")) == []
    assert steps(run(BJ, late.case, "2027-07-02")) == [
        ("annual_report.revocation", "propose revoke", "revoked", D("2027-07-02"))
    ]


def test_catch_up_after_years_of_downtime_applies_every_missed_transition_in_date_order():
    case = bj_approved(reports=(2025, 2026, 2027, 2028))
    settlement = run(BJ, case, "2032-06-01")
    assert steps(settlement) == [
        ("mid_term", "start_mid_term", "mid_term_review", D("2028-01-10")),
        ("expiry", "expire", "expired", D("2030-01-11")),
    ]
    assert [e.proposal.from_state for e in settlement.steps] == ["approved", "mid_term_review"]


def test_catch_up_sends_transitions_with_their_dates_before_the_run_day_reminders():
    case = bj_approved(reports=())
    settlement = run(BJ, case, "2029-01-01")
    assert steps(settlement) == [
        ("mid_term", "start_mid_term", "mid_term_review", D("2028-01-10")),
        ("annual_report.reminder", "remind", "mid_term_review", D("2029-01-01")),
        ("annual_report.reminder", "remind", "mid_term_review", D("2029-01-01")),
        ("annual_report.reminder", "remind", "mid_term_review", D("2029-01-01")),
    ]
    assert steps(run(BJ, settlement.case, "2029-02-01")) == [
        ("annual_report.revocation", "propose revoke", "revoked", D("2029-02-01"))
    ]


def test_a_29_february_approval_falls_due_on_28_february():
    case = bj_approved(D("2028-02-29"))
    assert case.valid_until == D("2033-02-28")
    assert steps(run(BJ, case, "2031-02-27"), "mid_term") == []
    assert steps(run(BJ, case, "2031-02-28"), "mid_term") == [
        ("mid_term", "start_mid_term", "mid_term_review", D("2031-02-28"))
    ]
    national = national_approved(D("2024-02-29"))
    assert steps(run(NATIONAL, national, "2027-02-27")) == []
    assert steps(run(NATIONAL, national, "2027-02-28")) == [
        ("cycle_evaluation", "start_assessment", "final_assessment", D("2027-02-28"))
    ]


def test_an_automatic_transition_is_never_dated_before_the_case_entered_its_state():
    # Mid-term passed late: the full assessment fell due while the case was still in review.
    case = fire(BJ, bj_approved(), "start_mid_term", D("2028-01-10"))
    case = fire(BJ, case, "assess", D("2029-09-01"), grade="pass")
    assert steps(run(BJ, case, "2029-09-05"), "full_assessment") == [
        ("full_assessment", "start_assessment", "final_assessment", D("2029-09-01"))
    ]


def test_every_automatic_action_is_decided_as_system_and_names_its_rule_and_invoker():
    settlement = run(BJ, bj_approved(reports=(2025, 2026)), "2028-01-10")
    proposal = settlement.steps[-1].proposal
    assert (proposal.payload["rule"], proposal.payload["invoked_by"]) == ("mid_term", "alice")
    assert settlement.before.state == "approved"  # the original is left alone


# -- national-tic ---------------------------------------------------------------------------
@pytest.mark.parametrize(("day", "opens"), [("2024-06-29", False), ("2024-06-30", True), ("2024-07-01", True)])
def test_national_tic_evaluation_opens_at_the_end_of_the_three_year_cycle(day, opens):
    expected = [("cycle_evaluation", "start_assessment", "final_assessment", D("2024-06-30"))] if opens else []
    assert steps(run(NATIONAL, national_approved(), day)) == expected


@pytest.mark.parametrize(("day", "revoked"), [("2024-12-26", False), ("2024-12-27", True), ("2024-12-28", True)])
def test_national_tic_raises_evaluation_result_not_recorded_after_180_days_never_a_revocation(day, revoked):
    case = fire(NATIONAL, national_approved(), "start_assessment", D("2024-06-30"))
    expected = [("evaluation_result_missing", "propose assess", None, D("2024-12-27"))] if revoked else []
    settlement = run(NATIONAL, case, day)
    assert steps(settlement) == expected
    assert settlement.case.state == "final_assessment"
    if revoked:
        decision = settlement.steps[0].decision
        assert decision is not None
        assert decision.name == "评估结果未录入 evaluation result not recorded"
        assert (decision.ground, decision.default) == (None, True)


@pytest.mark.parametrize(("day", "revoked"), [("2025-05-14", False), ("2025-05-15", True), ("2025-05-16", True)])
def test_national_tic_proposes_revocation_the_day_after_the_rectification_deadline(day, revoked):
    case = fire(NATIONAL, national_approved(), "start_assessment", D("2024-06-30"))
    case = fire(NATIONAL, case, "assess", D("2024-11-15"), grade="poor")
    expected = [("rectification_deadline", "propose revoke", "revoked", D("2025-05-15"))] if revoked else []
    assert steps(run(NATIONAL, case, day)) == expected


def test_national_tic_renewal_starts_the_next_cycle_where_the_last_one_ended():
    case = fire(NATIONAL, national_approved(), "start_assessment", D("2024-06-30"))
    case = fire(NATIONAL, case, "assess", D("2024-11-15"), grade="good")
    assert steps(run(NATIONAL, case, "2027-06-29")) == []
    assert steps(run(NATIONAL, case, "2027-06-30")) == [
        ("cycle_evaluation", "start_assessment", "final_assessment", D("2027-06-30"))
    ]


def test_national_tic_overdue_reports_show_as_overdue_and_cause_no_action():
    case = national_approved()
    assert steps(run(NATIONAL, case, "2023-01-01")) == []
    statuses = {row["period"]: row["status"] for row in obligations_view(NATIONAL, case, D("2023-01-01"))}
    assert statuses == {"2021": "overdue", "2022": "open", "2023": "open"}
    filed = fire(NATIONAL, case, "file_report", D("2023-02-01"), year="2021")
    assert obligations_view(NATIONAL, filed, D("2023-02-01"))[0]["status"] == "fulfilled"


def test_bj_tic_obligations_are_open_overdue_reminded_or_fulfilled():
    case = bj_approved(reports=(2026,))
    case = run(BJ, case, "2026-04-01").case
    view = obligations_view(BJ, case, D("2028-04-02"))
    assert [(row["period"], row["due_on"], row["status"]) for row in view] == [
        ("2025", "2026-03-31", "reminded"),
        ("2026", "2027-03-31", "fulfilled"),
        ("2027", "2028-03-31", "overdue"),
        ("2028", "2029-03-31", "open"),
    ]


def test_the_next_due_day_is_never_later_than_the_first_action():
    case = bj_approved(reports=(2025, 2026, 2027))
    assert next_due(BJ, case) == D("2028-01-10")
    for day in (D("2028-01-09"), D("2028-01-10")):
        assert bool(run(BJ, case, day).steps) == (day >= next_due(BJ, case))
    assert next_due(BJ, fire(BJ, case, "withdraw", D("2026-06-30"))) == date.max


# -- a programme with a yearly timer (anchor: yearly) ---------------------------------------
YEARLY = """
timers:
  - id: annual_evaluation
    en: evaluation every 1 April
    trigger: start_assessment
    in: [approved, renewed]
    anchor: yearly
    month: 4
    day: 1
    clause: 四(二)
    default: true
"""


@pytest.fixture(scope="module")
def yearly() -> Programme:
    from lifecycle.programmes.loader import load_text

    text = (Path(__file__).parents[2] / "states" / "national-tic.yaml").read_text(encoding="utf-8")
    text = text.replace("due: cycle_evaluation", "due: annual_evaluation")
    head, _, rest = text.partition("timers:\n")
    rest = rest[rest.index("  - id: evaluation_result_missing") :]
    return load_text(head + YEARLY.strip() + "\n" + rest.replace("timers:\n", "", 1), "yearly-test")


def test_a_yearly_timer_fires_every_year_on_its_day_while_the_case_is_in_its_states(yearly):
    case = national_approved()
    case.definition_version = yearly.version
    first = run(yearly, case, "2022-04-01")
    assert steps(first, "annual_evaluation") == [
        ("annual_evaluation", "start_assessment", "final_assessment", D("2022-04-01"))
    ]
    assert first.steps[0].due.period == "2022"
    case = fire(yearly, first.case, "assess", D("2022-06-01"), grade="good")
    assert steps(run(yearly, case, "2023-03-31"), "annual_evaluation") == []
    second = run(yearly, case, "2023-04-01")
    assert [(s.due.period, s.proposal.effective_on) for s in second.steps] == [("2023", D("2023-04-01"))]
    # Back in its state on the day itself, after that year's evaluation: not again that year.
    case = fire(yearly, second.case, "assess", D("2023-04-01"), grade="excellent")
    assert steps(run(yearly, case, "2023-12-31"), "annual_evaluation") == []
    assert [s.due.period for s in run(yearly, case, "2024-04-01").steps] == ["2024"]
