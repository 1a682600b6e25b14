"""The corrections of the policy (revised): clauses, [default] marks, dates as the civil code
counts them, a report filed after a later decision, and no product text citing the spec file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from lifecycle.domain.compliance import settle
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.quotas import Holder
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic")
NATIONAL = CATALOGUE.current("national-tic")
EXPORT = CATALOGUE.current("export-base")
ECOMMERCE = CATALOGUE.current("ecommerce-base")
HITECH = CATALOGUE.current("hitech-zone")
D = date.fromisoformat
ROOT = Path(__file__).parents[2]
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


def bj_approved(on: str = "2025-01-10"):
    case = open_case(BJ, "北京市集成电路技术创新中心", D("2024-09-20"), "admin", ELIGIBLE).case
    case.id = 1
    for trigger, day in (("submit", "2024-10-08"), ("start_review", "2024-11-05"), ("approve", on)):
        case = decide(BJ, case, trigger, D(day), "admin").case
    return case


def test_no_product_file_cites_the_specification_file():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("lifecycle", "states", "jobs")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".yaml", ".tcss")
        and "PROGRAMMES" + ".md" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "code", ["bj-tic", "national-tic", "export-base", "ecommerce-base", "hitech-zone", "tech-transfer", "ai-scenario"]
)
def test_every_shipped_revocation_rule_proposes_and_every_review_and_expiry_applies(code):
    programme = CATALOGUE.current(code)
    for timer in programme.definition.timers:
        takes_away = timer.trigger == "revoke" or timer.decision is not None
        assert programme.timer_action(timer) == ("propose" if takes_away else "apply"), timer.id
    for obligation in programme.definition.obligations:
        if obligation.revocation is not None:
            assert obligation.revocation.action == "propose"


def test_bj_tic_ground_labels_are_the_words_of_article_18():
    grounds = BJ.definition.grounds
    assert grounds["safety_accident"].zh == "发生一般及以上安全生产责任事故"
    assert grounds["false_materials"].zh == "提供虚假材料和数据"
    assert grounds["major_risk_or_terminated"].zh == "出现重大经营风险事件或被依法终止"
    assert grounds["no_annual_report"].zh == "连续2年未报送年度报告且经催告后仍逾期不报"


def test_bj_tic_withdrawal_cites_article_19_and_others_name_the_projects_rule_as_default():
    assert (BJ.trigger("withdraw").clause, BJ.trigger("withdraw").default) == ("第十九条", False)
    for programme in (NATIONAL, EXPORT, ECOMMERCE, HITECH):
        withdraw = programme.trigger("withdraw")
        assert withdraw.default is True and "project's own rule" in (withdraw.clause or "")


def test_a_validity_runs_through_its_anniversary_and_the_renewal_starts_the_next_day():
    case = bj_approved()
    assert case.valid_until == D("2030-01-10")
    case = decide(BJ, case, "start_assessment", D("2029-07-14"), "system").case
    renewed = decide(BJ, case, "assess", D("2029-10-01"), "admin", {"grade": "pass"}).case
    assert (renewed.cycle_start, renewed.valid_until) == (D("2030-01-11"), D("2035-01-10"))
    failed = decide(BJ, case, "assess", D("2029-10-01"), "admin", {"grade": "fail"}).case
    [step] = [s for s in settle(BJ, failed, D("2030-01-11"), "alice").steps if s.due.rule == "expiry"]
    assert (step.proposal.to_state, step.proposal.effective_on) == ("expired", D("2030-01-11"))
    assert [s for s in settle(BJ, failed, D("2030-01-10"), "alice").steps if s.due.rule == "expiry"] == []


def test_a_report_may_be_filed_with_a_date_before_the_current_state_was_entered():
    case = decide(BJ, bj_approved(), "start_mid_term", D("2028-01-10"), "system").case
    filed = decide(BJ, case, "file_report", D("2027-03-20"), "admin", {"year": "2026"})
    assert (filed.to_state, filed.effective_on, filed.case.reports) == ("mid_term_review", D("2027-03-20"), [2026])
    with pytest.raises(Refused) as moving:
        decide(BJ, case, "withdraw", D("2027-03-20"), "admin")
    assert moving.value.reasons[0].code == "before_state_entry"


def test_the_annual_evaluation_of_zones_cites_4_2_with_its_frequency_a_default():
    [timer] = [t for t in HITECH.definition.timers if t.id == "annual_evaluation"]
    assert (timer.clause, timer.default) == ("四(二)", True)
    assert HITECH.trigger("start_assessment").clause == "四(二)"


def test_export_base_revocation_on_a_failed_evaluation_and_fraud_are_marked_default():
    assert EXPORT.definition.grounds["evaluation_failed"].default is True
    assert (
        NATIONAL.definition.grounds["evaluation_fraud"].clause,
        NATIONAL.definition.grounds["evaluation_fraud"].default,
    ) == ("第三十一条", True)


EXPORT_NEW = {
    "route": "new",
    "province": "浙江省",
    "region": "east",
    "province_has_base": "false",
    "provincial_policy_and_funds": "true",
    "hitech_exports_usd": "2e8",
    "export_growth_3y": "30%",
    "benchmark_growth_3y": "20%",
    "leading_enterprises_top_rank": "true",
}


def test_the_export_base_quota_counts_the_bases_the_register_holds_in_the_province():
    case = open_case(EXPORT, "浙江省杭州市科技兴贸出口创新基地", D("2006-03-01"), "admin", EXPORT_NEW).case
    case.id = 9
    held = Holder(3, "浙江省宁波市科技兴贸出口创新基地", "approved", {"province": "浙江省", "route": "re-recognition"})

    def find(quota, values):
        return [held] if quota.group_by == ["province"] else []

    with pytest.raises(Refused) as refused:
        decide(EXPORT, case, "submit", D("2006-04-01"), "admin", find_holders=find)
    [full] = [r for r in refused.value.reasons if r.code == "quota_full"]
    assert full.details["limit"] == 0 and full.details["register"][0]["id"] == 3
    assert (
        decide(EXPORT, case, "submit", D("2006-04-01"), "admin", find_holders=lambda q, v: []).to_state == "submitted"
    )


def test_an_admin_may_exceed_the_ecommerce_quota_with_a_reason_recorded():
    fields = {
        "province": "河北省",
        "province_kind": "province",
        "demo_cities": "1",
        "covered_by_existing_base": "false",
        "operating_since": "2012-01-01",
        "office_area_m2": "30000",
        "lawful_and_planned": "true",
        "clear_operator": "true",
        "it_infrastructure": "true",
        "linked_to_local_industry": "true",
        "talent_and_services": "true",
        "local_government_support": "true",
    }
    case = open_case(ECOMMERCE, "河北省第四电子商务示范基地", D("2014-12-01"), "admin", fields).case
    case.id = 5
    holders = [Holder(i, f"基地{i}", "submitted", {"province": "河北省", "round": "2"}) for i in (1, 2, 3)]
    with pytest.raises(Refused) as refused:
        decide(ECOMMERCE, case, "submit", D("2015-01-05"), "admin", find_holders=lambda q, v: holders)
    assert "--exceed-quota" in refused.value.reasons[-1].message
    done = decide(
        ECOMMERCE, case, "submit", D("2015-01-05"), "admin", find_holders=lambda q, v: holders, exceed_quota=True
    )
    assert done.to_state == "submitted"
    assert done.payload["quota_exceeded"][0]["quota"] == "bases_per_province"


def test_a_national_centre_left_without_a_grade_is_never_proposed_for_revocation():
    case = open_case(NATIONAL, "京津冀国家技术创新中心", D("2021-03-01"), "admin", {"kind": "comprehensive"}).case
    case.id = 2
    case = decide(NATIONAL, case, "start_review", D("2021-04-12"), "admin", {"independent_legal_entity": "true"}).case
    case = decide(NATIONAL, case, "approve", D("2021-06-30"), "admin").case
    settlement = settle(NATIONAL, case, D("2024-06-30") + timedelta(days=2000), "alice")
    assert all(s.decision is None or s.decision.to_state is None for s in settlement.steps)
    assert settlement.case.state == "final_assessment"
