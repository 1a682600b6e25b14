"""bj-tic procedure, dates, evaluations, renewal, revocation and withdrawal
(京科创发〔2024〕143号 第七条, 第十六条, 第十八条, 第十九条, 第二十条)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_years
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

BJ = Catalogue.load().current("bj-tic")
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
DAY = timedelta(days=1)
APPROVED_ON = date(2025, 1, 10)


def fire(case: Case, trigger: str, on: date, role: str = "admin", **values: str) -> Case:
    return decide(BJ, case, trigger, on, role, values).case


def refused(case: Case, trigger: str, on: date, role: str = "admin", **values: str) -> list:
    with pytest.raises(Refused) as caught:
        decide(BJ, case, trigger, on, role, values)
    return caught.value.reasons


def codes(reasons: list) -> list[str]:
    return [r.code for r in reasons]


def new_draft(on: date = date(2024, 9, 1)) -> Case:
    return open_case(BJ, "某某技术创新中心", on, "admin", ELIGIBLE).case


def submitted(on: date = date(2024, 10, 1)) -> Case:
    return fire(new_draft(), "submit", on)


def under_review(on: date = date(2024, 11, 1)) -> Case:
    return fire(submitted(), "start_review", on)


def approved(on: date = APPROVED_ON) -> Case:
    return fire(under_review(), "approve", on)


def mid_term(approved_on: date = APPROVED_ON) -> Case:
    case = approved(approved_on)
    return fire(case, "start_mid_term", add_years(case.cycle_start, 3))


def rectification(approved_on: date = APPROVED_ON) -> Case:
    case = mid_term(approved_on)
    return fire(case, "assess", case.state_since + 10 * DAY, grade="fail")


def final_assessment(approved_on: date = APPROVED_ON) -> Case:
    case = approved(approved_on)
    return fire(case, "start_assessment", case.valid_until - 180 * DAY)


def renewed() -> Case:
    case = final_assessment()
    return fire(case, "assess", case.state_since + 30 * DAY, grade="pass")


def rejected() -> Case:
    return fire(under_review(), "reject", date(2024, 12, 1))


def in_state(state: str) -> Case:
    """A case in `state`, reached along the declared procedure."""
    makers = {
        "draft": new_draft,
        "submitted": submitted,
        "under_review": under_review,
        "approved": approved,
        "mid_term_review": mid_term,
        "final_assessment": final_assessment,
        "rectification": rectification,
        "renewed": renewed,
        "rejected": rejected,
        "revoked": lambda: fire(approved(), "revoke", date(2025, 6, 1), ground="false_materials"),
        "withdrawn": lambda: fire(new_draft(), "withdraw", date(2024, 9, 5)),
        "expired": lambda: fire(approved(), "expire", date(2030, 1, 11), role="system"),
    }
    case = makers[state]()
    assert case.state == state
    return case


ALL_STATES = list(BJ.definition.states)
TERMINAL = BJ.states_of_kind("terminal")
NON_TERMINAL = BJ.states_of_kind("pre", "active")


# -- in force (第二十条) -------------------------------------------------------------------


def test_a_case_can_be_opened_in_draft_before_the_guide_is_in_force():
    proposal = open_case(BJ, "某某技术创新中心", date(2024, 9, 1), "admin")
    assert proposal.to_state == "draft"
    assert proposal.case.state_since == date(2024, 9, 1)
    assert proposal.clause == "第七条(一)"


def test_submit_is_refused_on_the_day_before_the_guide_is_in_force():
    reasons = refused(new_draft(), "submit", date(2024, 9, 13))
    assert codes(reasons) == ["not_in_force"]
    assert reasons[0].clause == "第二十条"


def test_submit_is_allowed_on_the_day_the_guide_comes_into_force():
    assert fire(new_draft(), "submit", date(2024, 9, 14)).state == "submitted"


def test_an_ineligible_submission_before_the_guide_is_in_force_lists_both_reasons():
    case = open_case(BJ, "某某技术创新中心", date(2024, 9, 1), "admin").case
    reasons = refused(case, "submit", date(2024, 9, 13), domestic_rd_share="10%")
    assert "not_in_force" in codes(reasons)
    assert "第五条(四)" in [r.clause for r in reasons]


# -- procedure (第七条) ----------------------------------------------------------------------


def test_the_procedure_runs_draft_submitted_under_review_approved():
    case = new_draft()
    case = fire(case, "submit", date(2024, 10, 1))
    assert (case.state, case.state_since) == ("submitted", date(2024, 10, 1))
    case = fire(case, "start_review", date(2024, 11, 1))
    assert case.state == "under_review"
    proposal = decide(BJ, case, "approve", APPROVED_ON, "admin")
    assert proposal.to_state == "approved"
    assert proposal.clause == "第七条(四)"


def test_a_review_may_end_in_rejection():
    proposal = decide(BJ, under_review(), "reject", date(2024, 12, 1), "admin")
    assert proposal.to_state == "rejected"


def test_approval_sets_approved_on_and_five_years_of_validity():
    case = approved(date(2025, 1, 10))
    assert case.approved_on == date(2025, 1, 10)
    assert case.valid_until == date(2030, 1, 10)
    assert case.cycle == 1
    assert case.cycle_start == date(2025, 1, 10)


def test_approval_on_29_february_is_valid_until_28_february_five_years_later():
    case = approved(date(2028, 2, 29))
    assert case.valid_until == date(2033, 2, 28)


def test_an_effective_date_before_the_current_state_was_entered_is_refused():
    case = submitted(date(2024, 10, 1))
    reasons = refused(case, "start_review", date(2024, 9, 30))
    assert codes(reasons) == ["before_state_entry"]
    assert fire(case, "start_review", date(2024, 10, 1)).state == "under_review"


def test_an_auditor_may_not_fire_any_trigger():
    reasons = refused(submitted(), "start_review", date(2024, 11, 1), role="auditor")
    assert codes(reasons) == ["role"]


def test_an_auditor_may_not_open_a_case():
    with pytest.raises(Refused) as caught:
        open_case(BJ, "某某技术创新中心", date(2024, 9, 1), "auditor")
    assert codes(caught.value.reasons) == ["role"]


def test_the_compliance_run_may_not_approve():
    assert codes(refused(under_review(), "approve", APPROVED_ON, role="system")) == ["role"]


def test_an_unknown_trigger_is_refused_by_name():
    assert codes(refused(new_draft(), "promote", date(2024, 10, 1))) == ["unknown_trigger"]


# -- every trigger: allowed from its states, refused elsewhere -----------------------------


def _valid_call(trigger: str, case: Case) -> tuple[date, str, dict[str, str]]:
    """An on-date, role and parameters with which `trigger` should fire from `case`."""
    on = case.state_since + DAY
    role = "admin"
    values: dict[str, str] = {}
    if trigger == "start_mid_term" and case.cycle_start:
        on = max(on, add_years(case.cycle_start, 3))
    elif trigger == "start_assessment" and case.valid_until:
        on = max(on, case.valid_until - 180 * DAY)
    elif trigger == "expire" and case.valid_until:
        on, role = max(on, case.valid_until + DAY), "system"
    elif trigger == "assess":
        values = {"grade": "pass"}
    elif trigger == "revoke":
        values = {"ground": "major_violation"}
    elif trigger in ("file_report", "remind"):
        values = {"year": str(on.year)}
        role = "system" if trigger == "remind" else "admin"
    elif trigger == "submit":
        on = max(on, date(2024, 9, 14))
    return on, role, values


ALLOWED = {name: BJ.sources(trigger) for name, trigger in BJ.definition.triggers.items()}
TRIGGER_STATE_PAIRS = [(t, s) for t in BJ.definition.triggers for s in ALL_STATES]


@pytest.mark.parametrize(("trigger", "state"), TRIGGER_STATE_PAIRS)
def test_every_trigger_fires_from_its_declared_states_and_nowhere_else(trigger, state):
    case = in_state(state)
    on, role, values = _valid_call(trigger, case)
    if state in TERMINAL:
        assert codes(refused(case, trigger, on, role, **values)) == ["terminal"]
    elif state in ALLOWED[trigger]:
        proposal = decide(BJ, case, trigger, on, role, values)
        assert proposal.from_state == state
        assert proposal.to_state in BJ.definition.states
    else:
        reasons = refused(case, trigger, on, role, **values)
        assert codes(reasons) == ["wrong_state"]
        assert reasons[0].details["allowed_from"] == ALLOWED[trigger]


def test_the_declared_sources_of_each_trigger_are_those_of_the_policy():
    assert {
        "submit": ["draft"],
        "start_review": ["submitted"],
        "approve": ["under_review"],
        "reject": ["under_review"],
        "start_mid_term": ["approved", "renewed"],
        "start_assessment": ["approved", "renewed"],
        "assess": ["mid_term_review", "final_assessment"],
        "rectified": ["rectification"],
        "expire": BJ.states_of_kind("active"),
        "revoke": BJ.states_of_kind("active"),
        "withdraw": NON_TERMINAL,
        "file_report": BJ.states_of_kind("active"),
        "remind": BJ.states_of_kind("active"),
    } == ALLOWED


@pytest.mark.parametrize("state", TERMINAL)
def test_a_terminal_state_accepts_no_trigger_and_offers_none(state):
    case = in_state(state)
    allowed, blocked = options(BJ, case, case.state_since + 400 * DAY, "admin")
    assert allowed == []
    assert all(codes(r) == ["terminal"] for r in blocked.values())


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_withdraw_is_allowed_from_every_non_terminal_state(state):
    case = in_state(state)
    proposal = decide(BJ, case, "withdraw", case.state_since, "admin")
    assert proposal.to_state == "withdrawn"
    assert proposal.clause == "第十九条"
    assert proposal.case.state_since == case.state_since


# -- mid-term evaluation (第十六条) ------------------------------------------------------------


def test_the_mid_term_evaluation_is_refused_the_day_before_it_is_due():
    case = approved(date(2025, 1, 10))
    reasons = refused(case, "start_mid_term", date(2028, 1, 9), role="system")
    assert codes(reasons) == ["not_due"]
    assert reasons[0].details["due_on"] == "2028-01-10"


def test_the_mid_term_evaluation_is_due_exactly_three_years_after_approval():
    case = approved(date(2025, 1, 10))
    for role in ("system", "admin"):
        proposal = decide(BJ, case, "start_mid_term", date(2028, 1, 10), role)
        assert proposal.to_state == "mid_term_review"


def test_the_mid_term_of_a_29_february_approval_is_due_on_28_february():
    case = approved(date(2028, 2, 29))
    assert codes(refused(case, "start_mid_term", date(2031, 2, 27))) == ["not_due"]
    assert fire(case, "start_mid_term", date(2031, 2, 28)).state == "mid_term_review"


def test_a_second_mid_term_in_the_same_cycle_is_refused():
    case = fire(mid_term(), "assess", date(2028, 3, 1), grade="pass")
    assert case.state == "approved"
    reasons = refused(case, "start_mid_term", date(2028, 4, 1))
    assert codes(reasons) == ["already_done"]


def test_a_passed_mid_term_returns_to_approved_in_the_first_cycle():
    proposal = decide(BJ, mid_term(), "assess", date(2028, 3, 1), "admin", {"grade": "pass"})
    assert proposal.to_state == "approved"
    assert proposal.case.valid_until == date(2030, 1, 10)


def test_a_failed_mid_term_opens_a_rectification_of_180_days():
    proposal = decide(BJ, mid_term(), "assess", date(2028, 3, 1), "admin", {"grade": "fail"})
    assert proposal.to_state == "rectification"
    assert proposal.case.deadline_on == date(2028, 3, 1) + 180 * DAY
    assert proposal.payload["deadline_on"] == "2028-08-28"
    assert proposal.payload["deadline_default"] is True


def test_assess_needs_a_grade_and_refuses_an_unknown_one():
    assert codes(refused(mid_term(), "assess", date(2028, 3, 1))) == ["missing_field"]
    reasons = refused(mid_term(), "assess", date(2028, 3, 1), grade="good")
    assert codes(reasons)[0] == "invalid_field"
    assert reasons[0].details == {"field": "grade"}


# -- rectification -------------------------------------------------------------------------


def test_rectified_returns_to_approved_in_the_first_cycle():
    case = rectification()
    assert fire(case, "rectified", case.deadline_on).state == "approved"


def test_rectified_returns_to_renewed_in_the_second_cycle():
    case = renewed()
    case = fire(case, "start_mid_term", add_years(case.cycle_start, 3))
    case = fire(case, "assess", case.state_since, grade="fail")
    assert case.state == "rectification" and case.cycle == 2
    proposal = decide(BJ, case, "rectified", case.state_since + DAY, "admin")
    assert proposal.to_state == "renewed"


def test_revocation_for_a_failed_rectification_is_refused_on_the_deadline_day():
    case = rectification()
    reasons = refused(case, "revoke", case.deadline_on, role="system", ground="rectification_failed")
    assert codes(reasons) == ["not_due"]


def test_revocation_for_a_failed_rectification_is_allowed_the_day_after_the_deadline():
    case = rectification()
    for role in ("system", "admin"):
        proposal = decide(BJ, case, "revoke", case.deadline_on + DAY, role, {"ground": "rectification_failed"})
        assert proposal.to_state == "revoked"
        assert proposal.clause == "第十六条"
        assert proposal.default is True


def test_rectification_failed_is_not_a_ground_outside_rectification():
    case = approved()
    reasons = refused(case, "revoke", date(2026, 1, 1), ground="rectification_failed")
    assert codes(reasons) == ["not_due"]


# -- full assessment and renewal ---------------------------------------------------------------


def test_the_full_assessment_opens_180_days_before_validity_ends():
    case = approved(date(2025, 1, 10))
    due = date(2030, 1, 10) - 180 * DAY
    assert codes(refused(case, "start_assessment", due - DAY, role="system")) == ["not_due"]
    proposal = decide(BJ, case, "start_assessment", due, "system")
    assert proposal.to_state == "final_assessment"


def test_a_second_full_assessment_in_the_same_cycle_is_refused():
    case = final_assessment()
    case.state = "approved"  # as if it had returned to approved in the same cycle
    assert codes(refused(case, "start_assessment", case.state_since + DAY)) == ["already_done"]


def test_a_failed_full_assessment_is_recorded_and_the_case_stays_in_final_assessment():
    case = final_assessment()
    proposal = decide(BJ, case, "assess", case.state_since + 30 * DAY, "admin", {"grade": "fail"})
    assert proposal.from_state == proposal.to_state == "final_assessment"
    assert proposal.case.state_since == case.state_since
    assert proposal.case.valid_until == case.valid_until


def test_after_a_failed_full_assessment_the_case_expires_the_day_after_validity_ends():
    case = final_assessment()
    case = fire(case, "assess", case.state_since + 30 * DAY, grade="fail")
    assert codes(refused(case, "expire", case.valid_until, role="system")) == ["not_due"]
    assert fire(case, "expire", case.valid_until + DAY, role="system").state == "expired"


@pytest.mark.parametrize("graded_after", [1, 90, 179])
def test_a_renewal_starts_the_next_cycle_the_day_after_the_old_validity_whatever_day_it_was_graded(graded_after):
    case = final_assessment(date(2025, 1, 10))
    proposal = decide(BJ, case, "assess", case.state_since + graded_after * DAY, "admin", {"grade": "pass"})
    renewed_case = proposal.case
    assert proposal.to_state == "renewed"
    assert renewed_case.cycle == 2
    assert renewed_case.cycle_start == date(2030, 1, 11)
    assert renewed_case.valid_until == date(2035, 1, 10)
    assert renewed_case.approved_on == date(2025, 1, 10)


def test_the_timers_run_again_in_the_next_cycle_counted_from_its_start():
    case = renewed()
    assert codes(refused(case, "start_mid_term", date(2033, 1, 10))) == ["not_due"]
    assert fire(case, "start_mid_term", date(2033, 1, 11)).state == "mid_term_review"
    due = date(2035, 1, 10) - 180 * DAY
    assert codes(refused(case, "start_assessment", due - DAY)) == ["not_due"]
    assert fire(case, "start_assessment", due).state == "final_assessment"


def test_validity_runs_through_its_anniversary_and_expiry_takes_effect_the_day_after():
    case = approved(date(2025, 1, 10))
    assert case.valid_until == date(2030, 1, 10)
    assert codes(refused(case, "expire", date(2030, 1, 10), role="system")) == ["not_due"]
    assert fire(case, "expire", date(2030, 1, 11), role="system").state == "expired"


@pytest.mark.parametrize("state", ["approved", "mid_term_review", "rectification", "final_assessment", "renewed"])
def test_expiry_at_the_end_of_validity_applies_in_every_active_state(state):
    case = in_state(state)
    assert fire(case, "expire", max(case.valid_until + DAY, case.state_since), role="system").state == "expired"


# -- revocation grounds (第十八条) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("ground", "clause"),
    [
        ("false_materials", "第十八条(二)"),
        ("major_risk_or_terminated", "第十八条(三)"),
        ("major_violation", "第十八条(四)"),
        ("safety_accident", "第十八条(五)"),
        ("integrity_violation", "第十八条(六)"),
    ],
)
def test_an_administrator_may_revoke_on_each_ground_of_article_18(ground, clause):
    proposal = decide(BJ, approved(), "revoke", date(2026, 1, 1), "admin", {"ground": ground})
    assert proposal.to_state == "revoked"
    assert proposal.clause == clause
    assert proposal.payload["ground"] == ground


def test_an_administrator_may_not_revoke_for_missing_annual_reports():
    reasons = refused(approved(), "revoke", date(2027, 6, 1), ground="no_annual_report")
    assert codes(reasons) == ["role"]
    assert reasons[0].clause == "第十八条(一)"


def test_the_compliance_run_may_revoke_for_missing_annual_reports():
    proposal = decide(BJ, approved(), "revoke", date(2027, 6, 1), "system", {"ground": "no_annual_report"})
    assert proposal.to_state == "revoked"
    assert proposal.clause == "第十八条(一)"


def test_the_compliance_run_may_not_revoke_on_an_administrators_ground():
    reasons = refused(approved(), "revoke", date(2026, 1, 1), role="system", ground="false_materials")
    assert codes(reasons) == ["role"]


def test_revoke_needs_a_known_ground():
    assert codes(refused(approved(), "revoke", date(2026, 1, 1))) == ["missing_field"]
    reasons = refused(approved(), "revoke", date(2026, 1, 1), ground="dislike")
    assert codes(reasons)[0] == "invalid_field"
    assert "false_materials" in reasons[0].message


# -- annual report and reminders (internal) ----------------------------------------------


def test_filing_an_annual_report_records_it_without_changing_the_state():
    case = approved()
    proposal = decide(BJ, case, "file_report", date(2026, 3, 1), "admin", {"year": "2025"})
    assert proposal.to_state == proposal.from_state == "approved"
    assert proposal.internal is True
    assert proposal.case.reports == [2025]
    assert proposal.case.state_since == case.state_since


def test_a_report_for_the_same_year_cannot_be_filed_twice():
    case = fire(approved(), "file_report", date(2026, 3, 1), year="2025")
    assert codes(refused(case, "file_report", date(2026, 3, 2), year="2025")) == ["duplicate"]


def test_a_report_for_a_year_before_designation_or_not_yet_begun_is_refused():
    case = approved(date(2025, 1, 10))
    assert codes(refused(case, "file_report", date(2026, 3, 1), year="2024")) == ["invalid_field"]
    assert codes(refused(case, "file_report", date(2026, 3, 1), year="2027")) == ["invalid_field"]


def test_a_reminder_is_sent_by_the_compliance_run_only():
    case = approved()
    assert decide(BJ, case, "remind", date(2026, 4, 1), "system", {"year": "2025"}).internal
    assert codes(refused(case, "remind", date(2026, 4, 1), year="2025")) == ["role"]


def test_once_validity_has_ended_a_pass_comes_too_late_and_the_case_can_only_expire():
    case = fire(approved(), "start_assessment", date(2029, 7, 14))
    late = refused(case, "assess", date(2030, 1, 11), grade="pass")
    assert codes(late) == ["validity_ended"]
    assert late[0].clause == "第七条(四)"
    assert fire(case, "assess", date(2030, 1, 10), grade="pass").state == "renewed"
    assert fire(case, "expire", date(2030, 1, 11)).state == "expired"


def test_after_validity_ends_even_a_withdrawal_is_refused_until_the_case_expires():
    case = approved()
    assert "validity_ended" in codes(refused(case, "withdraw", date(2030, 2, 1)))
    allowed, _ = options(BJ, case, date(2030, 2, 1))
    assert allowed == ["expire"]
