"""national-tic (国科发区〔2021〕17号): types, names, procedure, 3-year cycles, changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_years
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

NT = Catalogue.load().current("national-tic")
DAY = timedelta(days=1)
COMP = "长三角国家技术创新中心"
COMP_EN = "Yangtze River Delta National Center of Technology Innovation"
DOM = "国家新能源汽车技术创新中心"
DOM_EN = "National Center of Technology Innovation for New Energy Vehicles"
OPENED = date(2021, 3, 1)
APPROVED_ON = date(2021, 6, 1)


def fire(case: Case, trigger: str, on: date, role: str = "admin", **values: str) -> Case:
    return decide(NT, case, trigger, on, role, values).case


def refused(case: Case, trigger: str, on: date, role: str = "admin", **values: str) -> list:
    with pytest.raises(Refused) as caught:
        decide(NT, case, trigger, on, role, values)
    return caught.value.reasons


def open_refused(name: str, on: date = OPENED, **values: str) -> list:
    with pytest.raises(Refused) as caught:
        open_case(NT, name, on, "admin", values)
    return caught.value.reasons


def codes(reasons: list) -> list[str]:
    return [r.code for r in reasons]


def comprehensive(**values: str) -> Case:
    return open_case(
        NT, COMP, OPENED, "admin", {"kind": "comprehensive", "independent_legal_entity": "true", **values}
    ).case


def cultivation(**values: str) -> Case:
    return open_case(NT, DOM, OPENED, "admin", {"kind": "domain", "independent_legal_entity": "true", **values}).case


def under_review() -> Case:
    return fire(comprehensive(), "start_review", date(2021, 4, 1))


def approved(on: date = APPROVED_ON) -> Case:
    return fire(under_review(), "approve", on)


def final_assessment() -> Case:
    case = approved()
    return fire(case, "start_assessment", add_years(case.cycle_start, 3))


def rectification() -> Case:
    case = final_assessment()
    return fire(case, "assess", case.state_since + 30 * DAY, grade="poor")


def renewed() -> Case:
    case = final_assessment()
    return fire(case, "assess", case.state_since + 30 * DAY, grade="good")


def in_state(state: str) -> Case:
    makers = {
        "cultivation": cultivation,
        "submitted": comprehensive,
        "under_review": under_review,
        "approved": approved,
        "final_assessment": final_assessment,
        "rectification": rectification,
        "renewed": renewed,
        "rejected": lambda: fire(under_review(), "reject", date(2021, 5, 1)),
        "revoked": lambda: fire(rectification(), "fail_rectification", date(2024, 8, 1)),
        "withdrawn": lambda: fire(cultivation(), "withdraw", OPENED),
    }
    case = makers[state]()
    assert case.state == state
    return case


ALL_STATES = list(NT.definition.states)
TERMINAL = NT.states_of_kind("terminal")
NON_TERMINAL = NT.states_of_kind("pre", "active")


# -- in force (第三十四条) and types (第三条) ---------------------------------------------------


def test_no_case_can_be_opened_before_the_measures_were_issued():
    reasons = open_refused(COMP, date(2021, 2, 9), kind="comprehensive")
    assert codes(reasons) == ["not_in_force"]
    assert reasons[0].clause == "第三十四条"


def test_a_case_can_be_opened_on_the_day_of_issue():
    assert open_case(NT, COMP, date(2021, 2, 10), "admin", {"kind": "comprehensive"}).case


def test_no_trigger_may_be_dated_before_the_measures_were_issued():
    case = comprehensive()
    case.state_since = date(2021, 1, 1)  # as if recorded early by a broken import
    reasons = refused(case, "start_review", date(2021, 2, 9))
    assert "not_in_force" in codes(reasons)
    assert fire(case, "start_review", date(2021, 2, 10)).state == "under_review"


def test_a_comprehensive_centre_starts_submitted():
    proposal = open_case(NT, COMP, OPENED, "admin", {"kind": "comprehensive"})
    assert proposal.to_state == "submitted"
    assert proposal.case.state_since == OPENED


def test_a_domain_centre_starts_in_cultivation():
    assert open_case(NT, DOM, OPENED, "admin", {"kind": "domain"}).to_state == "cultivation"


def test_a_case_needs_its_kind():
    reasons = open_refused(COMP)
    assert codes(reasons) == ["missing_field"]
    assert reasons[0].clause == "第三条"


def test_an_unknown_kind_is_an_invalid_field():
    assert "invalid_field" in codes(open_refused(COMP, kind="regional"))


# -- names (第三十二条) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "name_en"),
    [
        ("comprehensive", COMP, COMP_EN),
        ("comprehensive", "京津冀国家技术创新中心", "Beijing-Tianjin-Hebei National Center of Technology Innovation"),
        ("domain", DOM, DOM_EN),
        ("domain", "国家合成生物技术创新中心", "National Center of Technology Innovation for Synthetic Biology"),
    ],
)
def test_a_name_and_english_name_that_fit_the_type_are_accepted(kind, name, name_en):
    case = open_case(NT, name, OPENED, "admin", {"kind": kind, "name_en": name_en}).case
    assert case.name == name
    assert case.fields["name_en"] == name_en


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("comprehensive", DOM),
        ("comprehensive", "长三角技术创新中心"),
        ("comprehensive", "国家长三角技术创新中心"),
        ("domain", COMP),
        ("domain", "新能源汽车技术创新中心"),
    ],
)
def test_a_name_that_does_not_fit_the_type_is_refused_with_article_32(kind, name):
    reasons = open_refused(name, kind=kind)
    assert [(r.code, r.clause) for r in reasons] == [("name_rule", "第三十二条")]


@pytest.mark.parametrize(
    ("kind", "name", "name_en"),
    [
        ("comprehensive", COMP, DOM_EN),
        ("comprehensive", COMP, "Yangtze River Delta Technology Innovation Center"),
        ("domain", DOM, COMP_EN),
        ("domain", DOM, "New Energy Vehicles Innovation Center"),
    ],
)
def test_an_english_name_that_does_not_fit_the_type_is_refused_with_article_32(kind, name, name_en):
    reasons = open_refused(name, kind=kind, name_en=name_en)
    assert [(r.code, r.clause) for r in reasons] == [("name_rule", "第三十二条")]
    assert "name_en" in reasons[0].details


def test_both_names_wrong_gives_two_reasons():
    reasons = open_refused(DOM, kind="comprehensive", name_en=DOM_EN)
    assert codes(reasons) == ["name_rule", "name_rule"]


def test_setting_an_english_name_that_does_not_fit_on_a_later_trigger_is_refused():
    reasons = refused(comprehensive(), "start_review", date(2021, 4, 1), name_en=DOM_EN)
    assert [(r.code, r.clause) for r in reasons] == [("name_rule", "第三十二条")]
    case = fire(comprehensive(), "start_review", date(2021, 4, 1), name_en=COMP_EN)
    assert case.fields["name_en"] == COMP_EN


# -- procedure and the legal entity (第四条, 第十二条, 第十六条) ------------------------------------


def test_a_domain_centre_goes_from_cultivation_through_recommendation_to_approval():
    case = cultivation()
    case = fire(case, "recommend", date(2021, 4, 1))
    assert case.state == "submitted"
    case = fire(case, "start_review", date(2021, 5, 1))
    assert case.state == "under_review"
    case = fire(case, "approve", date(2021, 6, 1))
    assert (case.state, case.approved_on, case.cycle, case.cycle_start) == (
        "approved",
        date(2021, 6, 1),
        1,
        date(2021, 6, 1),
    )
    assert case.valid_until is None


def test_a_comprehensive_centre_goes_straight_to_review_and_may_be_rejected():
    case = fire(comprehensive(), "start_review", date(2021, 4, 1))
    assert fire(case, "reject", date(2021, 5, 1)).state == "rejected"


@pytest.mark.parametrize(("make", "trigger"), [(cultivation, "recommend"), (comprehensive, "start_review")])
def test_the_independent_legal_entity_of_article_4_is_checked(make, trigger):
    case = make(independent_legal_entity="false")
    reasons = refused(case, trigger, date(2021, 4, 1))
    assert [(r.code, r.clause) for r in reasons] == [("criterion_failed", "第四条")]
    assert fire(case, trigger, date(2021, 4, 1), independent_legal_entity="true").state


@pytest.mark.parametrize(
    ("kind", "name", "trigger"), [("domain", DOM, "recommend"), ("comprehensive", COMP, "start_review")]
)
def test_a_missing_legal_entity_attestation_is_refused_with_article_4(kind, name, trigger):
    case = open_case(NT, name, OPENED, "admin", {"kind": kind}).case
    reasons = refused(case, trigger, date(2021, 4, 1))
    assert [(r.code, r.clause) for r in reasons] == [("missing_field", "第四条")]


def test_a_transition_dated_before_the_state_was_entered_is_refused():
    assert codes(refused(comprehensive(), "start_review", OPENED - DAY)) == ["before_state_entry"]


# -- every trigger -----------------------------------------------------------------------------


def _valid_call(trigger: str, case: Case) -> tuple[date, str, dict[str, str]]:
    on, role, values = case.state_since + DAY, "admin", {}
    if trigger == "start_assessment" and case.cycle_start:
        on = max(on, add_years(case.cycle_start, 3))
    elif trigger == "assess":
        values = {"grade": "excellent"}
    elif trigger == "revoke":
        values = {"ground": "evaluation_fraud"}
    elif trigger == "file_report":
        values = {"year": str(on.year)}
    elif trigger == "request_change":
        values = {"change": "place", "new_value": "上海"}
    elif trigger == "decide_change":
        case.progress["pending_change"] = {
            "change": "place",
            "new_value": "上海",
            "requested_on": case.state_since.isoformat(),
        }
        values = {"decision": "approved"}
    return on, role, values


ALLOWED = {name: NT.sources(t) for name, t in NT.definition.triggers.items()}


def test_the_declared_sources_of_each_trigger_are_those_of_the_policy():
    active = NT.states_of_kind("active")
    assert {
        "recommend": ["cultivation"],
        "start_review": ["submitted"],
        "approve": ["under_review"],
        "reject": ["under_review"],
        "start_assessment": ["approved", "renewed"],
        "assess": ["final_assessment"],
        "rectified": ["rectification"],
        "fail_rectification": ["rectification"],
        "revoke": active,
        "withdraw": NON_TERMINAL,
        "file_report": active,
        "request_change": active,
        "decide_change": active,
    } == ALLOWED


@pytest.mark.parametrize(("trigger", "state"), [(t, s) for t in NT.definition.triggers for s in ALL_STATES])
def test_every_trigger_fires_from_its_declared_states_and_nowhere_else(trigger, state):
    case = in_state(state)
    on, role, values = _valid_call(trigger, case)
    if state in TERMINAL:
        assert codes(refused(case, trigger, on, role, **values)) == ["terminal"]
    elif state in ALLOWED[trigger]:
        proposal = decide(NT, case, trigger, on, role, values)
        assert proposal.from_state == state
        assert proposal.to_state in NT.definition.states
    else:
        reasons = refused(case, trigger, on, role, **values)
        assert codes(reasons) == ["wrong_state"]


@pytest.mark.parametrize("state", TERMINAL)
def test_a_terminal_state_offers_no_trigger(state):
    case = in_state(state)
    assert options(NT, case, case.state_since + DAY)[0] == []


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_withdraw_is_allowed_from_every_non_terminal_state(state):
    case = in_state(state)
    assert fire(case, "withdraw", case.state_since).state == "withdrawn"


# -- the 3-year cycle (第二十九条, 第三十条) -------------------------------------------------------


def test_the_performance_evaluation_is_due_at_the_end_of_the_three_year_cycle():
    case = approved(date(2021, 6, 1))
    reasons = refused(case, "start_assessment", date(2024, 5, 31), role="system")
    assert codes(reasons) == ["not_due"]
    assert reasons[0].clause == "第二十九条"
    assert fire(case, "start_assessment", date(2024, 6, 1), role="system").state == "final_assessment"


@pytest.mark.parametrize("grade", ["excellent", "good"])
def test_an_excellent_or_good_grade_renews_for_the_next_cycle_from_the_old_cycle_end(grade):
    case = final_assessment()
    proposal = decide(NT, case, "assess", case.state_since + 45 * DAY, "admin", {"grade": grade})
    assert proposal.to_state == "renewed"
    assert proposal.clause == "第三十条"
    assert proposal.case.cycle == 2
    assert proposal.case.cycle_start == date(2024, 6, 1)


def test_the_next_evaluation_is_due_three_years_after_the_renewed_cycle_started():
    case = renewed()
    assert codes(refused(case, "start_assessment", date(2027, 5, 31))) == ["not_due"]
    assert fire(case, "start_assessment", date(2027, 6, 1)).state == "final_assessment"


def test_a_second_evaluation_in_the_same_cycle_is_refused():
    case = final_assessment()
    case.state = "approved"  # as if it had returned without a renewal
    assert codes(refused(case, "start_assessment", case.state_since + DAY)) == ["already_done"]


def test_a_poor_grade_opens_a_rectification_with_a_180_day_deadline():
    case = final_assessment()
    proposal = decide(NT, case, "assess", date(2024, 7, 1), "admin", {"grade": "poor"})
    assert proposal.to_state == "rectification"
    assert proposal.case.deadline_on == date(2024, 7, 1) + 180 * DAY


def test_the_bj_tic_grades_are_not_accepted():
    assert "invalid_field" in codes(refused(final_assessment(), "assess", date(2024, 7, 1), grade="pass"))


def test_a_passed_rectification_check_renews():
    case = rectification()
    proposal = decide(NT, case, "rectified", case.deadline_on, "admin")
    assert proposal.to_state == "renewed"
    assert proposal.case.cycle == 2
    assert proposal.case.cycle_start == date(2024, 6, 1)


def test_a_failed_rectification_check_revokes_with_ground_rectification_failed():
    case = rectification()
    proposal = decide(NT, case, "fail_rectification", case.state_since + DAY, "admin")
    assert proposal.to_state == "revoked"
    assert proposal.payload["ground"] == "rectification_failed"
    assert proposal.clause == "第三十条"


def test_the_compliance_run_may_not_revoke_for_a_failed_rectification_on_the_deadline_day():
    case = rectification()
    assert codes(refused(case, "revoke", case.deadline_on, role="system", ground="rectification_failed")) == ["not_due"]


def test_the_compliance_run_may_revoke_for_a_failed_rectification_after_the_deadline():
    case = rectification()
    proposal = decide(NT, case, "revoke", case.deadline_on + DAY, "system", {"ground": "rectification_failed"})
    assert proposal.to_state == "revoked"
    assert proposal.clause == "第三十条"


def test_rectification_failed_is_not_a_ground_for_a_case_outside_rectification():
    assert codes(refused(approved(), "revoke", date(2022, 1, 1), ground="rectification_failed")) == ["not_due"]


def test_not_taking_part_in_the_evaluation_is_an_administrators_ground_never_the_runs():
    case = final_assessment()
    proposal = decide(NT, case, "revoke", case.state_since + 180 * DAY, "admin", {"ground": "evaluation_refused"})
    assert (proposal.to_state, proposal.clause) == ("revoked", "第三十条")
    assert codes(refused(case, "revoke", case.state_since + 180 * DAY, role="system", ground="evaluation_refused")) == [
        "role"
    ]


def test_fraud_in_evaluation_is_marked_as_the_projects_reading():
    proposal = decide(NT, final_assessment(), "revoke", date(2024, 7, 1), "admin", {"ground": "evaluation_fraud"})
    assert proposal.default is True and proposal.payload["default"] is True


def test_fraud_in_evaluation_is_an_administrators_ground_of_article_31():
    proposal = decide(NT, final_assessment(), "revoke", date(2024, 7, 1), "admin", {"ground": "evaluation_fraud"})
    assert proposal.clause == "第三十一条"
    assert codes(refused(final_assessment(), "revoke", date(2024, 7, 1), role="system", ground="evaluation_fraud")) == [
        "role"
    ]


# -- annual reports (第二十五条) ------------------------------------------------------------------


def test_a_report_is_filed_once_per_year():
    case = fire(approved(), "file_report", date(2022, 3, 1), year="2021")
    assert case.state == "approved" and case.reports == [2021]
    assert codes(refused(case, "file_report", date(2022, 3, 2), year="2021")) == ["duplicate"]
    assert fire(case, "file_report", date(2023, 3, 1), year="2022").reports == [2021, 2022]


# -- major changes (第二十六条) -------------------------------------------------------------------


def test_an_approved_name_change_that_fits_article_32_renames_the_centre():
    case = fire(approved(), "request_change", date(2022, 1, 1), change="name", new_value="粤港澳大湾区国家技术创新中心")
    assert case.name == COMP and case.pending_change["new_value"] == "粤港澳大湾区国家技术创新中心"
    proposal = decide(NT, case, "decide_change", date(2022, 2, 1), "admin", {"decision": "approved"})
    assert proposal.case.name == "粤港澳大湾区国家技术创新中心"
    assert proposal.payload["old_value"] == COMP
    assert proposal.case.pending_change is None
    assert proposal.internal


def test_a_requested_name_that_breaks_article_32_is_refused():
    reasons = refused(approved(), "request_change", date(2022, 1, 1), change="name", new_value=DOM)
    assert [(r.code, r.clause) for r in reasons] == [("name_rule", "第三十二条")]


def test_a_requested_english_name_that_breaks_article_32_is_refused():
    reasons = refused(approved(), "request_change", date(2022, 1, 1), change="name_en", new_value=DOM_EN)
    assert [(r.code, r.clause) for r in reasons] == [("name_rule", "第三十二条")]


def test_an_approved_english_name_change_sets_name_en():
    case = fire(approved(), "request_change", date(2022, 1, 1), change="name_en", new_value=COMP_EN)
    case = fire(case, "decide_change", date(2022, 2, 1), decision="approved")
    assert case.fields["name_en"] == COMP_EN


def test_a_rejected_change_leaves_the_case_as_it_was():
    case = fire(approved(), "request_change", date(2022, 1, 1), change="place", new_value="上海")
    case = fire(case, "decide_change", date(2022, 2, 1), decision="rejected")
    assert "registered_place" not in case.fields
    assert case.pending_change is None


def test_an_approved_place_change_sets_the_registered_place():
    case = fire(approved(), "request_change", date(2022, 1, 1), change="place", new_value="上海")
    assert fire(case, "decide_change", date(2022, 2, 1), decision="approved").fields["registered_place"] == "上海"


def test_a_second_request_while_one_is_pending_is_refused():
    case = fire(approved(), "request_change", date(2022, 1, 1), change="place", new_value="上海")
    reasons = refused(case, "request_change", date(2022, 1, 2), change="place", new_value="北京")
    assert codes(reasons) == ["pending"]


def test_deciding_without_a_pending_request_is_refused_and_not_offered():
    case = approved()
    assert codes(refused(case, "decide_change", date(2022, 1, 1), decision="approved")) == ["pending"]
    allowed, blocked = options(NT, case, date(2022, 1, 1))
    assert "decide_change" not in allowed
    assert codes(blocked["decide_change"]) == ["pending"]


def test_a_duplicate_report_is_refused_with_the_clause_of_article_25():
    case = fire(approved(), "file_report", date(2022, 3, 1), year="2021")
    reasons = refused(case, "file_report", date(2022, 3, 2), year="2021")
    assert [(r.code, r.clause) for r in reasons] == [("duplicate", "第二十五条")]
