"""国家电子商务示范基地 (ecommerce-base), 商办电函〔2014〕767号: PROGRAMMES.md section 4, via the CLI."""

from __future__ import annotations

from scenario_office import Office, sets

CONDITIONS = dict(
    round=2,
    covered_by_existing_base=False,
    lawful_and_planned=True,
    clear_operator=True,
    it_infrastructure=True,
    linked_to_local_industry=True,
    talent_and_services=True,
    local_government_support=True,
)


def base(
    office: Office, name: str, province: str = "浙江", kind: str = "province", demo_cities: int = 0, **fields: object
) -> int:
    """A base meeting every condition of 一, its workplan in draft since 2014-10-01."""
    values: dict[str, object] = dict(
        CONDITIONS,
        province=province,
        province_kind=kind,
        demo_cities=demo_cities,
        operating_since="2013-06-01",
        office_area_m2=25000,
    )
    values.update(fields)
    return office.prepare("cases", "add", "ecommerce-base", "--name", name, "--on", "2014-10-01", *sets(**values))


def submitted(office: Office, name: str, province: str, kind: str = "province", demo_cities: int = 0) -> int:
    case = base(office, name, province, kind, demo_cities)
    office.prepare("advance", str(case), "submit", "--on", "2015-02-01")
    return case


def holders(run: object) -> list[int]:
    quota = run.reason("quota_full")  # type: ignore[attr-defined]
    return sorted(h["id"] for h in quota["details"]["cases"])


def test_a_base_goes_through_review_defence_and_notice_then_evaluations_rectification_and_revocation(office: Office):
    case = base(office, "杭州电子商务产业园")
    steps = [
        ("submit", "2015-02-28", "submitted"),
        ("start_review", "2015-03-10", "under_review"),
        ("advance_to_defence", "2015-04-01", "defence"),
        ("publish_notice", "2015-05-10", "public_notice"),
        ("approve", "2015-06-01", "approved"),
    ]
    for trigger, day, state in steps:
        moved = office.ok("advance", str(case), trigger, "--on", day)
        assert moved["to_state"] == state, moved

    report = office.ok("advance", str(case), "file_report", "--set", "year=2015", "--on", "2016-01-20")
    assert (report["from_state"], report["to_state"]) == ("approved", "approved")

    # performance evaluation 3 years after approval [default]
    early = office.refused("advance", str(case), "start_assessment", "--on", "2018-05-31")
    assert "2018-06-01" in early.json()["message"]
    office.prepare("advance", str(case), "start_assessment", "--on", "2018-06-01")
    failed = office.ok("advance", str(case), "assess", "--set", "grade=fail", "--on", "2018-07-01")
    assert failed["to_state"] == "rectification"
    assert office.show(case, as_of="2018-07-01")["deadline_on"] == "2018-12-28"  # 180 days
    rectified = office.ok("advance", str(case), "rectified", "--on", "2018-10-01")
    assert rectified["to_state"] == "renewed"
    view = office.show(case, as_of="2018-10-01")
    # the next cycle starts where the first ended, not on the day rectification was accepted
    assert (view["cycle"], view["cycle_start"], view["cycle_end"]) == (2, "2018-06-01", "2021-06-01")

    office.refused("advance", str(case), "start_assessment", "--on", "2021-05-31")
    office.prepare("advance", str(case), "start_assessment", "--on", "2021-06-01")
    passed = office.ok("advance", str(case), "assess", "--set", "grade=pass", "--on", "2021-07-01")
    assert passed["to_state"] == "renewed"
    assert office.show(case, as_of="2021-07-01")["cycle_start"] == "2021-06-01"

    office.prepare("advance", str(case), "start_assessment", "--on", "2024-06-01")
    office.prepare("advance", str(case), "assess", "--set", "grade=fail", "--on", "2024-06-10")
    # the deadline day (2024-06-10 + 180 days) is still in time; the day after it is late
    office.refused("advance", str(case), "revoke", "--set", "ground=rectification_failed", "--on", "2024-12-07")
    revoked = office.ok("advance", str(case), "revoke", "--set", "ground=rectification_failed", "--on", "2024-12-08")
    assert (revoked["from_state"], revoked["to_state"]) == ("rectification", "revoked")
    office.refused("advance", str(case), "rectified", "--on", "2024-12-09")
    office.audit_matches_ledger(fresh=True)


def test_workplans_are_accepted_until_the_round_deadline_and_refused_the_day_after(office: Office):
    late, in_time = base(office, "迟到基地"), base(office, "准时基地")
    run = office.refused("advance", str(late), "submit", "--on", "2015-03-01")
    assert "2015-02-28" in run.json()["message"]
    assert "二" in run.clauses()
    assert "2015-02-28" in run.err
    assert office.ok("advance", str(in_time), "submit", "--on", "2015-02-28")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_every_failed_condition_is_reported_with_its_clause(office: Office):
    case = base(
        office,
        "条件不全基地",
        lawful_and_planned=False,
        clear_operator=False,
        it_infrastructure=False,
        linked_to_local_industry=False,
        talent_and_services=False,
        local_government_support=False,
        covered_by_existing_base=True,
        office_area_m2=100,
        operating_since="2014-12-01",
    )
    run = office.refused("advance", str(case), "submit", "--on", "2015-02-01")
    assert {"一(一)", "一(二)", "一(三)", "一(四)", "一(五)", "一"} <= run.clauses()
    assert len(run.reasons()) >= 9  # each of the nine failures, not only the first


def test_an_area_already_covered_by_a_national_base_may_not_apply(office: Office):
    case = base(office, "覆盖区基地", covered_by_existing_base=True)
    run = office.refused("advance", str(case), "submit", "--on", "2015-02-01")
    assert [r["clause"] for r in run.reasons()] == ["一"]
    assert "covered_by_existing_base" in run.reasons()[0]["message"]


def test_the_office_area_must_be_strictly_greater_than_20000_square_metres(office: Office):
    case = base(office, "面积基地", office_area_m2=20000)
    at = office.refused("advance", str(case), "submit", "--on", "2015-02-01")
    assert [r["clause"] for r in at.reasons()] == ["一(二)"]
    assert "20,000" in at.reasons()[0]["message"]
    assert (
        office.ok("advance", str(case), "submit", "--on", "2015-02-01", "--set", "office_area_m2=20000.01")["to_state"]
        == "submitted"
    )
    office.audit_matches_ledger()


def test_the_base_must_have_operated_one_full_year_on_the_submission_date(office: Office):
    case = base(office, "运营基地", operating_since="2014-02-28")
    before = office.refused("advance", str(case), "submit", "--on", "2015-02-27")
    assert [r["clause"] for r in before.reasons()] == ["一(一)"]
    assert office.ok("advance", str(case), "submit", "--on", "2015-02-28")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_a_province_has_three_places_and_a_rejection_frees_one(office: Office):
    held = [submitted(office, f"江苏基地{n}", "江苏") for n in range(3)]
    # submitted or further on: a base in defence and an approved one still hold their places
    for trigger, day in [
        ("start_review", "2015-03-10"),
        ("advance_to_defence", "2015-04-01"),
        ("publish_notice", "2015-05-10"),
        ("approve", "2015-06-01"),
    ]:
        office.prepare("advance", str(held[1]), trigger, "--on", day)
    for trigger, day in [("start_review", "2015-03-10"), ("advance_to_defence", "2015-04-01")]:
        office.prepare("advance", str(held[2]), trigger, "--on", day)
    fourth = base(office, "江苏第四基地", "江苏")
    run = office.refused("advance", str(fourth), "submit", "--on", "2015-02-10")
    quota = run.reason("quota_full")
    assert (quota["clause"], quota["details"]["limit"]) == ("一", 3)
    assert holders(run) == held
    assert all(f"江苏基地{n}" in quota["message"] for n in range(3))

    office.prepare("advance", str(held[0]), "reject", "--on", "2015-02-11")
    assert office.ok("advance", str(fourth), "submit", "--on", "2015-02-12")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_a_province_with_three_demonstration_cities_has_a_fourth_place_and_with_two_it_has_not(office: Office):
    held = [submitted(office, f"广东基地{n}", "广东", demo_cities=3) for n in range(4)]
    fifth = base(office, "广东第五基地", "广东", demo_cities=3)
    run = office.refused("advance", str(fifth), "submit", "--on", "2015-02-10")
    assert run.reason("quota_full")["details"]["limit"] == 4
    assert holders(run) == held

    [submitted(office, f"福建基地{n}", "福建", demo_cities=2) for n in range(3)]
    fourth = base(office, "福建第四基地", "福建", demo_cities=2)
    assert (
        office.refused("advance", str(fourth), "submit", "--on", "2015-02-10").reason("quota_full")["details"]["limit"]
        == 3
    )

    # one more place, not one per city
    [submitted(office, f"山东基地{n}", "山东", demo_cities=6) for n in range(4)]
    fifth = base(office, "山东第五基地", "山东", demo_cities=6)
    assert (
        office.refused("advance", str(fifth), "submit", "--on", "2015-02-10").reason("quota_full")["details"]["limit"]
        == 4
    )

    # the extra place is a province's: a municipality with 3 demonstration cities keeps 2
    [submitted(office, f"北京基地{n}", "北京", "municipality", demo_cities=3) for n in range(2)]
    third = base(office, "北京第三基地", "北京", "municipality", demo_cities=3)
    assert (
        office.refused("advance", str(third), "submit", "--on", "2015-02-10").reason("quota_full")["details"]["limit"]
        == 2
    )


def test_a_municipality_a_separately_listed_city_and_the_xpcc_have_two_places_freed_by_withdrawal(office: Office):
    for province, kind in [("上海", "municipality"), ("深圳", "separately-listed-city"), ("新疆生产建设兵团", "xpcc")]:
        held = [submitted(office, f"{province}基地{n}", province, kind) for n in range(2)]
        third = base(office, f"{province}第三基地", province, kind)
        run = office.refused("advance", str(third), "submit", "--on", "2015-02-10")
        quota = run.reason("quota_full")
        assert (quota["clause"], quota["details"]["limit"]) == ("一", 2), run
        assert holders(run) == held
        office.prepare("advance", str(held[1]), "withdraw", "--on", "2015-02-11")
        assert office.ok("advance", str(third), "submit", "--on", "2015-02-12")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_an_application_is_rejected_from_every_state_before_approval(office: Office):
    path = [
        ("submit", "2015-02-01"),
        ("start_review", "2015-03-10"),
        ("advance_to_defence", "2015-04-01"),
        ("publish_notice", "2015-05-10"),
    ]
    states = ["draft", "submitted", "under_review", "defence", "public_notice"]
    provinces = ["山东", "河北", "河南", "湖南", "安徽"]
    for steps, (state, province) in enumerate(zip(states, provinces, strict=True)):
        case = base(office, f"驳回{state}", province)
        for trigger, day in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day)
        rejected = office.ok("advance", str(case), "reject", "--on", "2015-05-20")
        assert (rejected["from_state"], rejected["to_state"]) == (state, "rejected")
    office.audit_matches_ledger()


def test_a_base_may_be_withdrawn_from_every_state_that_is_not_terminal(office: Office):
    path = [
        ("submit", "2015-02-01", []),
        ("start_review", "2015-03-10", []),
        ("advance_to_defence", "2015-04-01", []),
        ("publish_notice", "2015-05-10", []),
        ("approve", "2015-06-01", []),
        ("start_assessment", "2018-06-01", []),
        ("assess", "2018-07-01", sets(grade="fail")),
        ("rectified", "2018-08-01", []),
    ]
    states = [
        "draft",
        "submitted",
        "under_review",
        "defence",
        "public_notice",
        "approved",
        "final_assessment",
        "rectification",
        "renewed",
    ]
    for steps, state in enumerate(states):
        case = base(office, f"撤回{state}", f"省{steps}")
        for trigger, day, extra in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
        withdrawn = office.ok("advance", str(case), "withdraw", "--on", "2018-09-01")
        assert (withdrawn["from_state"], withdrawn["to_state"]) == (state, "withdrawn")
        office.refused("advance", str(case), "withdraw", "--on", "2018-09-02")
    office.audit_matches_ledger()


def test_a_rectification_recorded_after_its_deadline_is_refused(office: Office):
    cases = [base(office, name, province) for name, province in [("甲", "陕西"), ("乙", "宁夏")]]
    for case in cases:
        for trigger, day, extra in [
            ("submit", "2015-02-01", []),
            ("start_review", "2015-03-01", []),
            ("advance_to_defence", "2015-04-01", []),
            ("publish_notice", "2015-05-01", []),
            ("approve", "2015-06-01", []),
            ("start_assessment", "2018-06-01", []),
            ("assess", "2018-07-01", sets(grade="fail")),
        ]:
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
    on_the_day = office.ok("advance", str(cases[0]), "rectified", "--on", "2018-12-28")
    assert on_the_day["to_state"] == "renewed"
    late = office("advance", str(cases[1]), "rectified", "--on", "2018-12-29", "--json")
    assert late.code == 3, late


def test_a_submitted_base_cannot_be_moved_into_a_province_whose_places_are_taken(office: Office):
    held = [submitted(office, f"上海基地{n}", "上海", "municipality") for n in range(2)]
    other = submitted(office, "杭州基地", "浙江")
    moved = office(
        "advance",
        str(other),
        "start_review",
        "--on",
        "2015-03-10",
        *sets(province="上海", province_kind="municipality"),
        "--json",
    )
    in_shanghai = [c for c in (*held, other) if office.show(c)["fields"]["province"] == "上海"]
    assert len(in_shanghai) <= 2, moved
