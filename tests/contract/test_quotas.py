"""Quotas count other cases in the database: every rule at its limit, on SQLite and PostgreSQL.

export-base 六(三), ecommerce-base 一 and ai-scenario 一: the submission (or approval)
that would exceed a quota is refused naming the quota, the rule that set it and the
cases that fill it, and nothing is written.
"""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.errors import Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries
from lifecycle.services.cases import add_case, advance, show_case

EXPORT_NEW = dict(
    route="new",
    provincial_policy_and_funds="yes",
    hitech_exports_usd="2e8",
    export_growth_3y="20%",
    benchmark_growth_3y="10%",
    leading_enterprises_top_rank="yes",
)
ECOM_READY = dict(
    province_kind="province",
    demo_cities="0",
    covered_by_existing_base="no",
    operating_since="2012-01-01",
    office_area_m2="30000",
    lawful_and_planned="yes",
    clear_operator="yes",
    it_infrastructure="yes",
    linked_to_local_industry="yes",
    talent_and_services="yes",
    local_government_support="yes",
)


def export_base(app: Lifecycle, name: str, **fields: str) -> int:
    case = add_case(app, "alice", "export-base", name, date(2006, 3, 1), {**EXPORT_NEW, **fields}).case
    assert case.id is not None
    return case.id


def submit(app: Lifecycle, case_id: int, trigger: str = "submit", on: date = date(2006, 4, 20)) -> str:
    return advance(app, "alice", case_id, trigger, on).case.state


def quota_refusal(app: Lifecycle, case_id: int, trigger: str = "submit", on: date = date(2006, 4, 20)) -> dict:
    before = len(list(audit_entries(app, None)))
    with pytest.raises(Refused) as caught:
        advance(app, "alice", case_id, trigger, on)
    assert len(list(audit_entries(app, None))) == before, "a refused submission writes nothing"
    found = [r for r in caught.value.reasons if r.code == "quota_full"]
    assert len(found) == 1, caught.value.reasons
    return found[0].to_dict()


def test_an_eastern_province_with_bases_may_recommend_no_new_base_but_re_recognises_its_own(app: Lifecycle) -> None:
    new = export_base(app, "上海浦东新基地", province="上海", region="east", province_has_base="yes")
    refusal = quota_refusal(app, new)
    assert refusal["details"]["limit"] == 0
    assert "recommends no new one" in refusal["details"]["rule"] and refusal["clause"] == "六(三)"
    existing = add_case(
        app,
        "alice",
        "export-base",
        "上海软件出口基地",
        date(2006, 3, 1),
        {
            "route": "re-recognition",
            "province": "上海",
            "existing_base_type": "software-export",
            "has_policies": "yes",
            "has_project_funding": "yes",
            "has_characteristic_industry": "yes",
        },
    ).case
    assert existing.id is not None and submit(app, existing.id) == "submitted"


@pytest.mark.parametrize(
    ("region", "has_base"), [("central", "yes"), ("west", "yes"), ("northeast", "yes"), ("east", "no")]
)
def test_a_province_may_recommend_one_new_base_and_the_second_is_refused_naming_the_first(
    app: Lifecycle, region: str, has_base: str
) -> None:
    first = export_base(app, "第一基地", province="某省", region=region, province_has_base=has_base)
    second = export_base(app, "第二基地", province="某省", region=region, province_has_base=has_base)
    other_province = export_base(app, "邻省基地", province="邻省", region=region, province_has_base=has_base)
    assert submit(app, first) == "submitted"
    refusal = quota_refusal(app, second)
    assert refusal["details"]["limit"] == 1
    assert refusal["details"]["cases"] == [{"id": first, "name": "第一基地", "state": "submitted"}]
    assert refusal["details"]["group"] == {"province": "某省", "round": "2006"}
    assert submit(app, other_province) == "submitted"
    if region == "northeast":
        assert refusal["default"] is True, "the north-east limit is the project's reading, marked [default]"


def test_a_rejected_or_withdrawn_recommendation_frees_its_place_in_the_quota(app: Lifecycle) -> None:
    first = export_base(app, "甲基地", province="湖北", region="central", province_has_base="yes")
    second = export_base(app, "乙基地", province="湖北", region="central", province_has_base="yes")
    third = export_base(app, "丙基地", province="湖北", region="central", province_has_base="yes")
    submit(app, first)
    quota_refusal(app, second)
    assert advance(app, "alice", first, "reject", date(2006, 4, 25)).case.state == "rejected"
    assert submit(app, second, on=date(2006, 4, 26)) == "submitted"
    assert advance(app, "alice", second, "withdraw", date(2006, 4, 27)).case.state == "withdrawn"
    assert submit(app, third, on=date(2006, 4, 28)) == "submitted"


def test_cases_show_lists_a_full_quota_among_the_reasons_submit_is_blocked(app: Lifecycle) -> None:
    first = export_base(app, "甲", province="甘肃", region="west", province_has_base="no")
    second = export_base(app, "乙", province="甘肃", region="west", province_has_base="no")
    submit(app, first)
    view = show_case(app, second, date(2006, 4, 21))
    assert [r["code"] for r in view["blocked_reasons"]["submit"]] == ["quota_full"]


def ecommerce(app: Lifecycle, name: str, province: str, **fields: str) -> int:
    case = add_case(
        app, "alice", "ecommerce-base", name, date(2015, 1, 5), {**ECOM_READY, "province": province, **fields}
    ).case
    assert case.id is not None
    return case.id


@pytest.mark.parametrize(
    ("kind", "cities", "limit"),
    [
        ("province", "2", 3),
        ("province", "3", 4),
        ("municipality", "5", 2),
        ("separately-listed-city", "0", 2),
        ("xpcc", "0", 2),
    ],
)
def test_an_ecommerce_province_submits_up_to_its_quota_and_the_next_is_refused(
    app: Lifecycle, kind: str, cities: str, limit: int
) -> None:
    ids = [ecommerce(app, f"示范基地{i}", "某地", province_kind=kind, demo_cities=cities) for i in range(limit + 1)]
    for case_id in ids[:limit]:
        assert submit(app, case_id, on=date(2015, 2, 28)) == "submitted"
    refusal = quota_refusal(app, ids[limit], on=date(2015, 2, 28))
    assert refusal["details"]["limit"] == limit
    assert [c["id"] for c in refusal["details"]["cases"]] == ids[:limit]
    if limit == 4:
        assert "plus 1" in refusal["details"]["rule"]


def test_a_second_first_batch_scenario_of_one_category_cannot_be_approved_but_a_later_batch_can(app: Lifecycle) -> None:
    def reviewed(name: str, batch: str) -> int:
        case = add_case(
            app,
            "alice",
            "ai-scenario",
            name,
            date(2022, 9, 1),
            {"category": "smart-port", "recommender": "省科技厅", "batch": batch},
        ).case
        assert case.id is not None
        advance(app, "alice", case.id, "start_review", date(2022, 9, 10))
        return case.id

    first, second, later = reviewed("天津港", "1"), reviewed("青岛港", "1"), reviewed("宁波舟山港", "2")
    assert submit(app, first, "approve", date(2022, 10, 1)) == "approved"
    refusal = quota_refusal(app, second, "approve", date(2022, 10, 1))
    assert refusal["details"]["cases"][0]["name"] == "天津港"
    assert submit(app, later, "approve", date(2022, 10, 1)) == "approved"
