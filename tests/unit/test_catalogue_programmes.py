"""Five of the programmes beyond the technology innovation centres, decided in the pure domain:
thresholds at and around their values, rounds, categories, outcomes and dated rules."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.case import Case
from lifecycle.domain.decide import decide, open_case, options
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
EXPORT = CATALOGUE.current("export-base")
ECOM = CATALOGUE.current("ecommerce-base")
ZONE = CATALOGUE.current("hitech-zone")
TRANSFER = CATALOGUE.current("tech-transfer")
AI = CATALOGUE.current("ai-scenario")


def opened(programme: Programme, on: date, name: str = "示例", **values: object) -> Case:
    return open_case(programme, name, on, "admin", {k: str(v) for k, v in values.items()}).case


def fire(programme: Programme, case: Case, trigger: str, on: date, **values: object) -> Case:
    return decide(programme, case, trigger, on, "admin", {k: str(v) for k, v in values.items()}).case


def reasons(
    programme: Programme, case: Case, trigger: str, on: date, role: str = "admin", **values: object
) -> list[Reason]:
    with pytest.raises(Refused) as caught:
        decide(programme, case, trigger, on, role, {k: str(v) for k, v in values.items()})
    return caught.value.reasons


def codes(found: list[Reason]) -> set[str]:
    return {r.code for r in found}


def criteria(found: list[Reason]) -> set[str]:
    return {r.details.get("criterion") for r in found if r.code == "criterion_failed"}


# -- export-base ---------------------------------------------------------------------------

NEW_BASE = dict(
    route="new",
    province="四川",
    region="west",
    province_has_base="false",
    provincial_policy_and_funds="yes",
    hitech_exports_usd=10_000_000,
    export_growth_3y="12%",
    benchmark_growth_3y="11.9%",
    leading_enterprises_top_rank="yes",
)


@pytest.mark.parametrize(
    ("region", "threshold"),
    [("east", 100_000_000), ("central", 50_000_000), ("northeast", 50_000_000), ("west", 10_000_000)],
)
def test_a_new_export_base_needs_the_export_threshold_of_its_region_and_meeting_it_exactly_is_enough(
    region: str, threshold: int
) -> None:
    at = opened(EXPORT, date(2006, 3, 1), **{**NEW_BASE, "region": region, "hitech_exports_usd": threshold})
    assert fire(EXPORT, at, "submit", date(2006, 4, 1)).state == "submitted"
    below = opened(EXPORT, date(2006, 3, 1), **{**NEW_BASE, "region": region, "hitech_exports_usd": threshold - 1})
    failed = reasons(EXPORT, below, "submit", date(2006, 4, 1))
    assert len([r for r in failed if r.code == "criterion_failed"]) == 1
    assert any(f"{threshold:,}" in r.message and r.clause == "六(二)(2)" for r in failed)


def test_export_growth_equal_to_the_benchmark_is_not_above_it() -> None:
    equal = opened(EXPORT, date(2006, 3, 1), **{**NEW_BASE, "export_growth_3y": "11.9%"})
    assert criteria(reasons(EXPORT, equal, "submit", date(2006, 4, 1))) == {"growth_above_benchmark"}


def test_re_recognition_needs_an_existing_base_and_its_three_conditions_but_no_export_figures() -> None:
    base = opened(EXPORT, date(2006, 3, 1), route="re-recognition", province="上海")
    assert criteria(reasons(EXPORT, base, "submit", date(2006, 4, 1))) == set()
    assert codes(reasons(EXPORT, base, "submit", date(2006, 4, 1))) == {"missing_field"}
    ready = opened(
        EXPORT,
        date(2006, 3, 1),
        route="re-recognition",
        province="上海",
        existing_base_type="software-export",
        has_policies="yes",
        has_project_funding="yes",
        has_characteristic_industry="no",
    )
    assert criteria(reasons(EXPORT, ready, "submit", date(2006, 4, 1))) == {"characteristic_industry"}


def test_the_2006_round_takes_submissions_on_30_april_and_refuses_them_on_1_may() -> None:
    case = opened(EXPORT, date(2006, 3, 1), **NEW_BASE)
    assert fire(EXPORT, case, "submit", date(2006, 4, 30)).fields["round"] == "2006"
    late = reasons(EXPORT, case, "submit", date(2006, 5, 1))
    assert codes(late) == {"round_closed"}
    assert "2006-04-30" in late[0].message and late[0].clause == "六(三)"


def test_an_export_base_passes_its_five_year_evaluation_or_is_revoked_for_failing_it() -> None:
    case = opened(EXPORT, date(2006, 3, 1), **NEW_BASE)
    for trigger, on in [
        ("submit", date(2006, 4, 1)),
        ("start_review", date(2006, 5, 2)),
        ("publish_notice", date(2006, 5, 20)),
        ("approve", date(2006, 6, 1)),
    ]:
        case = fire(EXPORT, case, trigger, on)
    assert codes(reasons(EXPORT, case, "start_assessment", date(2011, 5, 31))) == {"not_due"}
    evaluated = fire(EXPORT, case, "start_assessment", date(2011, 6, 1))
    assert fire(EXPORT, evaluated, "assess", date(2011, 9, 1), grade="pass").state == "renewed"
    failed = decide(EXPORT, evaluated, "assess", date(2011, 9, 1), "admin", {"grade": "fail"})
    assert failed.case.state == "revoked" and failed.payload["ground"] == "evaluation_failed"


def test_quarterly_data_is_filed_once_per_quarter() -> None:
    case = opened(EXPORT, date(2006, 3, 1), **NEW_BASE)
    for trigger, on in [
        ("submit", date(2006, 4, 1)),
        ("start_review", date(2006, 5, 2)),
        ("publish_notice", date(2006, 5, 20)),
        ("approve", date(2006, 6, 1)),
    ]:
        case = fire(EXPORT, case, trigger, on)
    filed = fire(EXPORT, case, "file_data", date(2006, 10, 10), year=2006, quarter=3)
    assert filed.quarters == ["2006-Q3"] and filed.reports == []
    assert codes(reasons(EXPORT, filed, "file_data", date(2006, 10, 11), year=2006, quarter=3)) == {"duplicate"}
    assert codes(reasons(EXPORT, filed, "file_data", date(2006, 10, 11), year=2006, quarter=5)) == {"invalid_field"}


# -- ecommerce-base ------------------------------------------------------------------------

READY_BASE = dict(
    province="浙江",
    province_kind="province",
    demo_cities=2,
    covered_by_existing_base="no",
    operating_since="2013-06-01",
    office_area_m2="20000.01",
    lawful_and_planned="yes",
    clear_operator="yes",
    it_infrastructure="yes",
    linked_to_local_industry="yes",
    talent_and_services="yes",
    local_government_support="yes",
)


def test_an_ecommerce_base_needs_strictly_more_than_20000_square_metres() -> None:
    case = opened(ECOM, date(2015, 1, 5), **READY_BASE)
    assert fire(ECOM, case, "submit", date(2015, 2, 28)).state == "submitted"
    exact = opened(ECOM, date(2015, 1, 5), **{**READY_BASE, "office_area_m2": 20000})
    assert criteria(reasons(ECOM, exact, "submit", date(2015, 2, 28))) == {"office_area"}


def test_an_ecommerce_base_must_have_operated_a_full_year_on_the_day_it_is_submitted() -> None:
    case = opened(ECOM, date(2015, 1, 5), **{**READY_BASE, "operating_since": "2014-02-27"})
    assert fire(ECOM, case, "submit", date(2015, 2, 27)).state == "submitted"
    young = opened(ECOM, date(2015, 1, 5), **{**READY_BASE, "operating_since": "2014-02-28"})
    failed = reasons(ECOM, young, "submit", date(2015, 2, 27))
    assert criteria(failed) == {"operating_one_year"} and failed[0].clause == "一(一)"


def test_second_batch_workplans_are_not_accepted_after_28_february_2015() -> None:
    case = opened(ECOM, date(2015, 1, 5), **READY_BASE)
    assert codes(reasons(ECOM, case, "submit", date(2015, 3, 1))) == {"round_closed"}


def test_an_area_already_covered_by_a_national_base_may_not_apply() -> None:
    case = opened(ECOM, date(2015, 1, 5), **{**READY_BASE, "covered_by_existing_base": "yes"})
    assert criteria(reasons(ECOM, case, "submit", date(2015, 2, 1))) == {"not_covered"}


def test_an_ecommerce_base_goes_through_defence_and_notice_and_a_failed_evaluation_means_rectification() -> None:
    case = opened(ECOM, date(2015, 1, 5), **READY_BASE)
    steps = [
        ("submit", date(2015, 2, 1)),
        ("start_review", date(2015, 3, 10)),
        ("advance_to_defence", date(2015, 4, 1)),
        ("publish_notice", date(2015, 5, 1)),
        ("approve", date(2015, 5, 20)),
    ]
    for trigger, on in steps:
        case = fire(ECOM, case, trigger, on)
    assert (case.state, case.approved_on) == ("approved", date(2015, 5, 20))
    assert codes(reasons(ECOM, case, "start_assessment", date(2018, 5, 19))) == {"not_due"}
    case = fire(ECOM, case, "start_assessment", date(2018, 5, 20))
    rectifying = fire(ECOM, case, "assess", date(2018, 7, 1), grade="fail")
    assert rectifying.state == "rectification" and rectifying.deadline_on == date(2018, 12, 28)
    assert fire(ECOM, rectifying, "rectified", date(2018, 12, 1)).state == "renewed"


def test_a_rejection_is_possible_from_every_step_before_approval() -> None:
    case = opened(ECOM, date(2015, 1, 5), **READY_BASE)
    for trigger, on in [
        ("submit", date(2015, 2, 1)),
        ("start_review", date(2015, 3, 10)),
        ("advance_to_defence", date(2015, 4, 1)),
        ("publish_notice", date(2015, 5, 1)),
    ]:
        assert fire(ECOM, case, "reject", on).state == "rejected"
        case = fire(ECOM, case, trigger, on)
    assert fire(ECOM, case, "reject", date(2015, 5, 2)).state == "rejected"


# -- hitech-zone ---------------------------------------------------------------------------


def test_a_high_tech_zone_is_opened_designated_on_its_approval_date_even_before_the_plan() -> None:
    zone = opened(ZONE, date(1991, 3, 6), "南京高新技术产业开发区", category="innovative-tech", province="江苏")
    assert (zone.state, zone.approved_on, zone.cycle) == ("approved", date(1991, 3, 6), 1)


def test_a_zone_category_outside_the_three_of_the_plan_is_refused_with_the_list() -> None:
    with pytest.raises(Refused) as caught:
        open_case(ZONE, "某高新区", date(2020, 1, 1), "admin", {"category": "science-city"})
    message = caught.value.reasons[0].message
    assert "world-leading, innovative-tech, innovative-characteristic" in message


def test_the_annual_evaluation_falls_due_each_1_april_and_covers_each_year_once() -> None:
    zone = opened(ZONE, date(2021, 6, 1), category="innovative-characteristic")
    assert codes(reasons(ZONE, zone, "start_assessment", date(2022, 3, 31))) == {"not_due"}
    evaluated = fire(ZONE, zone, "start_assessment", date(2022, 4, 1))
    back = fire(ZONE, evaluated, "assess", date(2022, 6, 1), grade="fair")
    assert back.state == "approved"
    assert codes(reasons(ZONE, back, "start_assessment", date(2023, 3, 31))) == {"not_due"}
    assert fire(ZONE, back, "start_assessment", date(2023, 4, 1)).state == "final_assessment"


def test_a_good_zone_is_commended_a_poor_one_warned_and_given_a_year_to_rectify() -> None:
    zone = fire(ZONE, opened(ZONE, date(2010, 5, 1), category="world-leading"), "start_assessment", date(2022, 4, 1))
    good = decide(ZONE, zone, "assess", date(2022, 6, 1), "admin", {"grade": "good"})
    assert good.case.state == "approved" and good.payload["outcome"] == "commended"
    poor = decide(ZONE, zone, "assess", date(2022, 6, 1), "admin", {"grade": "poor"})
    assert poor.case.state == "rectification" and poor.payload["outcome"] == "warned"
    assert poor.case.deadline_on == date(2023, 6, 1)
    assert fire(ZONE, poor.case, "rectified", date(2023, 5, 1)).state == "renewed"
    assert codes(reasons(ZONE, poor.case, "revoke", date(2023, 6, 1), ground="rectification_deadline_passed")) == {
        "not_due"
    }
    assert fire(ZONE, poor.case, "revoke", date(2023, 6, 2), ground="rectification_deadline_passed").state == "revoked"
    assert fire(ZONE, poor.case, "revoke", date(2022, 9, 1), ground="rectification_failed").state == "revoked"


# -- tech-transfer -------------------------------------------------------------------------


def test_a_university_pilot_below_70_percent_trained_staff_cannot_pass_its_evaluation() -> None:
    institution = opened(TRANSFER, date(2023, 1, 10), university_pilot="yes", trained_staff_share="69.9%")
    evaluated = fire(TRANSFER, institution, "start_assessment", date(2026, 1, 10))
    failed = reasons(TRANSFER, evaluated, "assess", date(2026, 3, 1), grade="pass")
    assert criteria(failed) == {"trained_staff"} and failed[0].clause == "专栏4"
    assert (
        fire(TRANSFER, evaluated, "assess", date(2026, 3, 1), grade="pass", trained_staff_share="70%").state
        == "renewed"
    )
    assert fire(TRANSFER, evaluated, "assess", date(2026, 3, 1), grade="fail").state == "revoked"


def test_an_institution_that_is_not_a_pilot_passes_without_the_staff_share() -> None:
    institution = opened(TRANSFER, date(2023, 1, 10))
    evaluated = fire(TRANSFER, institution, "start_assessment", date(2026, 1, 10))
    assert fire(TRANSFER, evaluated, "assess", date(2026, 3, 1), grade="pass").state == "renewed"


# -- ai-scenario ---------------------------------------------------------------------------


def test_an_ai_scenario_needs_one_of_the_ten_categories_and_a_recommender() -> None:
    with pytest.raises(Refused) as caught:
        open_case(AI, "智慧城市大脑", date(2022, 9, 1), "admin", {"category": "smart-city"})
    found = caught.value.reasons
    assert any("smart-farm" in r.message and "smart-supply-chain" in r.message for r in found)
    assert any(r.details.get("field") == "recommender" for r in found)


def test_a_supported_scenario_is_assessed_after_two_years_and_promoted_or_ends() -> None:
    case = opened(AI, date(2022, 9, 1), "天津港智能港口示范应用场景", category="smart-port", recommender="天津市科技局")
    case = fire(AI, fire(AI, case, "start_review", date(2022, 9, 20)), "approve", date(2022, 11, 1))
    assert codes(reasons(AI, case, "start_assessment", date(2024, 10, 31))) == {"not_due"}
    assessed = fire(AI, case, "start_assessment", date(2024, 11, 1))
    promoted = decide(AI, assessed, "assess", date(2025, 1, 1), "admin", {"grade": "pass"})
    assert promoted.case.state == "renewed" and promoted.payload["outcome"] == "promoted"
    assert fire(AI, assessed, "assess", date(2025, 1, 1), grade="fail").state == "expired"
    allowed, _ = options(AI, promoted.case, date(2030, 1, 1))
    assert "start_assessment" not in allowed


def test_an_institution_designated_long_before_the_plan_is_first_evaluated_at_the_end_of_the_cycle_then_running() -> (
    None
):
    institution = opened(TRANSFER, date(2009, 12, 1))
    assert (institution.cycle, institution.cycle_start) == (5, date(2021, 12, 1))
    assert codes(reasons(TRANSFER, institution, "start_assessment", date(2024, 11, 30))) == {"not_due"}
    assert fire(TRANSFER, institution, "start_assessment", date(2024, 12, 1)).state == "final_assessment"


def test_an_old_zone_is_first_evaluated_on_the_first_1_april_of_the_plan_not_decades_back() -> None:
    zone = opened(ZONE, date(1991, 3, 6), category="world-leading")
    assert codes(reasons(ZONE, zone, "start_assessment", date(2021, 3, 31))) == {"not_due"}
    assert codes(reasons(ZONE, zone, "start_assessment", date(2020, 4, 1))) == {"not_in_force", "not_due"}
    assert fire(ZONE, zone, "start_assessment", date(2021, 4, 1)).state == "final_assessment"


def test_after_the_rectification_deadline_a_case_can_no_longer_be_declared_rectified() -> None:
    case = opened(ECOM, date(2015, 1, 5), **READY_BASE)
    for trigger, on in [
        ("submit", date(2015, 2, 1)),
        ("start_review", date(2015, 3, 10)),
        ("advance_to_defence", date(2015, 4, 1)),
        ("publish_notice", date(2015, 5, 1)),
        ("approve", date(2015, 5, 20)),
        ("start_assessment", date(2018, 5, 20)),
    ]:
        case = fire(ECOM, case, trigger, on)
    rectifying = fire(ECOM, case, "assess", date(2018, 7, 1), grade="fail")
    assert fire(ECOM, rectifying, "rectified", date(2018, 12, 28)).state == "renewed"
    late = reasons(ECOM, rectifying, "rectified", date(2018, 12, 29))
    assert codes(late) == {"deadline_passed"} and "2018-12-28" in late[0].message
    assert fire(ECOM, rectifying, "withdraw", date(2018, 12, 29)).state == "withdrawn"


def test_a_zone_is_revoked_for_ineffective_rectification_only_while_rectifying() -> None:
    zone = opened(ZONE, date(2010, 5, 1), category="world-leading")
    refused = reasons(ZONE, zone, "revoke", date(2022, 9, 1), ground="rectification_failed")
    assert codes(refused) == {"wrong_state"} and "rectification" in refused[0].message


def test_a_failed_evaluation_is_the_only_way_an_export_base_or_transfer_institution_is_revoked() -> None:
    assert "revoke" not in EXPORT.definition.triggers and "revoke" not in TRANSFER.definition.triggers


def test_a_submitted_base_cannot_move_to_another_province_and_free_its_quota_place() -> None:
    submitted = fire(EXPORT, opened(EXPORT, date(2006, 3, 1), **NEW_BASE), "submit", date(2006, 4, 1))
    moved = reasons(EXPORT, submitted, "start_review", date(2006, 5, 1), province="贵州")
    assert codes(moved) == {"invalid_field"} and "new_bases_per_province" in moved[0].message
    assert fire(EXPORT, submitted, "start_review", date(2006, 5, 1), province="四川").state == "under_review"
    draft = opened(EXPORT, date(2006, 3, 1), **NEW_BASE)
    assert fire(EXPORT, draft, "submit", date(2006, 4, 1), province="贵州").fields["province"] == "贵州"
