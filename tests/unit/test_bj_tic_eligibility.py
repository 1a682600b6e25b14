"""bj-tic eligibility at `submit` (京科创发〔2024〕143号 第五条, 第六条)."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.decide import decide, open_case
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

BJ = Catalogue.load().current("bj-tic")
CREATED = date(2024, 9, 1)
SUBMIT_ON = date(2024, 10, 1)

ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3e9",
    "rd_ratio_3y": "10%",
    "rd_growth_last_year": "0%",
    "domestic_rd_share": "60%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}


def draft():
    return open_case(BJ, "某某技术创新中心", CREATED, "admin").case


def submit(**changes: str):
    values = {**ELIGIBLE, **changes}
    values = {k: v for k, v in values.items() if v is not None}
    return decide(BJ, draft(), "submit", SUBMIT_ON, "admin", values)


def refusal(**changes: str) -> list:
    with pytest.raises(Refused) as caught:
        submit(**changes)
    return caught.value.reasons


def failed_criteria(reasons: list) -> set[str]:
    return {r.details.get("criterion") for r in reasons if r.code in ("criterion_failed", "missing_field")}


def test_a_fully_eligible_host_is_submitted():
    proposal = submit()
    assert proposal.to_state == "submitted"
    assert proposal.from_state == "draft"
    assert proposal.clause == "第七条(二)"


@pytest.mark.parametrize(
    ("revenue", "ratio", "growth", "ok"),
    [
        # tier >= 3,000,000,000: 10% or 5%
        ("3000000000", "10%", "0%", True),
        ("3000000000", "9.99%", "0%", False),
        ("3000000000", "0%", "5%", True),
        ("3000000000", "0%", "4.99%", False),
        ("3e9", "9.99%", "4.99%", False),
        # just below 3,000,000,000 the middle tier applies: 15% or 10%
        ("2999999999", "10%", "5%", False),
        ("2999999999", "15%", "0%", True),
        ("2999999999", "14.99%", "0%", False),
        ("2999999999", "0%", "10%", True),
        ("2999999999", "0%", "9.99%", False),
        # exactly 1,000,000,000 is still the middle tier
        ("1000000000", "15%", "0%", True),
        ("1000000000", "0%", "10%", True),
        ("1000000000", "14.99%", "9.99%", False),
        # just below 1,000,000,000: 20% or 15%
        ("999999999", "15%", "10%", False),
        ("999999999", "20%", "0%", True),
        ("999999999", "19.99%", "0%", False),
        ("999999999", "0%", "15%", True),
        ("999999999", "0%", "14.99%", False),
        ("0", "20%", "0%", True),
    ],
)
def test_rd_intensity_follows_the_three_revenue_tiers_of_article_5_3(revenue, ratio, growth, ok):
    if ok:
        assert submit(avg_revenue_3y=revenue, rd_ratio_3y=ratio, rd_growth_last_year=growth).to_state == "submitted"
    else:
        reasons = refusal(avg_revenue_3y=revenue, rd_ratio_3y=ratio, rd_growth_last_year=growth)
        assert [(r.code, r.clause, r.details["criterion"]) for r in reasons] == [
            ("criterion_failed", "第五条(三)", "rd_intensity")
        ]


def test_ratios_may_be_given_as_fractions_as_well_as_percentages():
    assert submit(avg_revenue_3y="1e9", rd_ratio_3y="0.15").to_state == "submitted"
    refusal(avg_revenue_3y="1e9", rd_ratio_3y="0.1499")


def test_one_rd_alternative_is_enough_when_the_other_is_missing():
    assert submit(rd_growth_last_year=None, rd_ratio_3y="10%").to_state == "submitted"
    assert submit(rd_ratio_3y=None, rd_growth_last_year="5%").to_state == "submitted"


def test_a_missing_revenue_is_reported_under_article_5_3():
    reasons = refusal(avg_revenue_3y=None)
    assert [(r.code, r.clause) for r in reasons] == [("missing_field", "第五条(三)")]
    assert reasons[0].details["missing"] == ["avg_revenue_3y"]


def test_domestic_share_of_sixty_percent_passes_and_just_below_fails():
    assert submit(domestic_rd_share="60%").to_state == "submitted"
    assert submit(domestic_rd_share="0.6").to_state == "submitted"
    reasons = refusal(domestic_rd_share="59.99%")
    assert [(r.code, r.clause, r.details["criterion"]) for r in reasons] == [
        ("criterion_failed", "第五条(四)", "domestic_rd_share")
    ]


@pytest.mark.parametrize(
    ("field", "bad", "criterion", "clause"),
    [
        ("registered_in_beijing", "false", "registered_in_beijing", "第五条(一)"),
        ("good_credit", "false", "good_credit", "第五条(一)"),
        ("integrates_resources", "no", "integrates_resources", "第五条(二)"),
        ("safety_accident_3y", "true", "no_safety_accident", "第五条(五)"),
        ("has_core_team", "false", "core_team", "第五条(六)"),
    ],
)
def test_each_boolean_condition_of_article_5_is_refused_with_its_clause(field, bad, criterion, clause):
    reasons = refusal(**{field: bad})
    assert [(r.code, r.clause, r.details["criterion"]) for r in reasons] == [("criterion_failed", clause, criterion)]


def test_a_refusal_lists_every_failed_criterion_with_its_clause():
    reasons = refusal(
        registered_in_beijing="false",
        good_credit="false",
        integrates_resources="false",
        avg_revenue_3y="5e8",
        rd_ratio_3y="19%",
        rd_growth_last_year="14%",
        domestic_rd_share="59%",
        safety_accident_3y="true",
        has_core_team="false",
    )
    assert sorted((r.details["criterion"], r.clause) for r in reasons) == sorted(
        [
            ("registered_in_beijing", "第五条(一)"),
            ("good_credit", "第五条(一)"),
            ("integrates_resources", "第五条(二)"),
            ("rd_intensity", "第五条(三)"),
            ("domestic_rd_share", "第五条(四)"),
            ("no_safety_accident", "第五条(五)"),
            ("core_team", "第五条(六)"),
        ]
    )
    assert all(r.code == "criterion_failed" for r in reasons)


def test_a_draft_with_no_fields_at_all_is_refused_for_every_criterion():
    with pytest.raises(Refused) as caught:
        decide(BJ, draft(), "submit", SUBMIT_ON, "admin", {})
    reasons = caught.value.reasons
    assert failed_criteria(reasons) == {
        "registered_in_beijing",
        "good_credit",
        "integrates_resources",
        "rd_intensity",
        "domestic_rd_share",
        "no_safety_accident",
        "core_team",
    }
    assert all(r.clause for r in reasons)


def test_the_refusal_text_names_the_clause():
    with pytest.raises(Refused) as caught:
        submit(domestic_rd_share="50%")
    assert "第五条(四)" in str(caught.value)
    assert "50%" in str(caught.value)


def test_fields_given_earlier_on_the_case_count_at_submit():
    case = open_case(BJ, "某某技术创新中心", CREATED, "admin", ELIGIBLE).case
    assert decide(BJ, case, "submit", SUBMIT_ON, "admin").to_state == "submitted"


def test_fields_given_at_submit_are_stored_on_the_case():
    proposal = submit()
    assert proposal.case.fields["rd_ratio_3y"] == pytest.approx(0.10)
    assert proposal.case.fields["avg_revenue_3y"] == 3_000_000_000


# -- 第六条: a newly established independent legal entity ----------------------------------

NEW_ENTITY = {"new_legal_entity": "true", "avg_revenue_3y": None, "rd_ratio_3y": None, "rd_growth_last_year": None}


def test_a_new_legal_entity_skips_the_rd_tiers_when_it_commits_twenty_million():
    proposal = submit(**NEW_ENTITY, committed_rd_3y_avg="20000000")
    assert proposal.to_state == "submitted"


def test_a_new_legal_entity_skips_the_rd_tiers_even_with_weak_rd_figures():
    proposal = submit(
        new_legal_entity="true",
        avg_revenue_3y="1",
        rd_ratio_3y="0%",
        rd_growth_last_year="0%",
        committed_rd_3y_avg="2e7",
    )
    assert proposal.to_state == "submitted"


def test_a_new_legal_entity_committing_one_yuan_less_is_refused_under_article_6():
    reasons = refusal(**NEW_ENTITY, committed_rd_3y_avg="19999999")
    assert [(r.code, r.clause, r.details["criterion"]) for r in reasons] == [
        ("criterion_failed", "第六条", "committed_rd")
    ]


def test_a_new_legal_entity_without_a_commitment_is_refused_under_article_6():
    reasons = refusal(**NEW_ENTITY)
    assert [(r.code, r.clause) for r in reasons] == [("missing_field", "第六条")]


def test_a_new_legal_entity_must_still_meet_the_other_conditions():
    reasons = refusal(**NEW_ENTITY, committed_rd_3y_avg="19999999", domestic_rd_share="59.99%", good_credit="false")
    assert sorted(r.clause for r in reasons) == sorted(["第六条", "第五条(四)", "第五条(一)"])


def test_an_established_host_is_not_asked_for_a_commitment():
    proposal = submit(new_legal_entity="false")
    assert proposal.to_state == "submitted"
    assert "committed_rd_3y_avg" not in proposal.case.fields
