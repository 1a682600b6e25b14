"""科技兴贸出口创新基地 (export-base), 商技发〔2006〕6号: PROGRAMMES.md section 3, through the CLI."""

from __future__ import annotations

from scenario_office import Office, sets

NEW = sets(route="new", round=2006, provincial_policy_and_funds=True, leading_enterprises_top_rank=True)


def new_base(
    office: Office,
    name: str,
    province: str,
    region: str,
    has_base: bool,
    exports: str,
    growth: str = "12%",
    benchmark: str = "10%",
) -> int:
    """A new-route application in draft, opened on 2006-03-01."""
    return office.prepare(
        "cases",
        "add",
        "export-base",
        "--name",
        name,
        "--on",
        "2006-03-01",
        *NEW,
        *sets(
            province=province,
            region=region,
            province_has_base=has_base,
            hitech_exports_usd=exports,
            export_growth_3y=growth,
            benchmark_growth_3y=benchmark,
        ),
    )


def re_recognition(office: Office, name: str, province: str, **fields: object) -> int:
    values: dict[str, object] = dict(
        route="re-recognition",
        round=2006,
        province=province,
        region="east",
        province_has_base=True,
        existing_base_type="software-export",
        has_policies=True,
        has_project_funding=True,
        has_characteristic_industry=True,
    )
    values.update(fields)
    return office.prepare("cases", "add", "export-base", "--name", name, "--on", "2006-03-01", *sets(**values))


def test_a_new_base_is_submitted_on_the_last_day_noticed_approved_renewed_and_revoked_on_a_failed_evaluation(
    office: Office,
):
    base = new_base(office, "兰州科技兴贸出口创新基地", "甘肃", "west", False, "1e7")

    submitted = office.ok("advance", str(base), "submit", "--on", "2006-04-30")
    assert (submitted["from_state"], submitted["to_state"]) == ("draft", "submitted")
    office.prepare("advance", str(base), "start_review", "--on", "2006-05-08")
    noticed = office.ok("advance", str(base), "publish_notice", "--on", "2006-05-20")
    assert noticed["to_state"] == "public_notice"
    # 2006-05-31 is MOFCOM's own target, not a reason to refuse a later approval (六(三)).
    # a case cannot leave a state before it entered it
    office.refused("advance", str(base), "approve", "--on", "2006-05-19")
    approved = office.ok("advance", str(base), "approve", "--on", "2006-06-15")
    assert approved["to_state"] == "approved"

    # obligations (四(四)): the yearly report and the quarterly data record events, no move
    report = office.ok("advance", str(base), "file_report", "--set", "year=2006", "--on", "2006-12-20")
    data = office.ok(
        "advance", str(base), "file_data", "--set", "year=2006", "--set", "quarter=3", "--on", "2006-10-12"
    )
    assert (report["from_state"], report["to_state"], report["clause"]) == ("approved", "approved", "四(四)")
    assert (data["from_state"], data["to_state"]) == ("approved", "approved")

    # periodic evaluation every 5 years [default], counted from approval
    early = office.refused("advance", str(base), "start_assessment", "--on", "2011-06-14")
    assert "2011-06-15" in early.json()["message"]
    office.prepare("advance", str(base), "start_assessment", "--on", "2011-06-15")
    renewed = office.ok("advance", str(base), "assess", "--set", "grade=pass", "--on", "2011-09-01")
    assert renewed["to_state"] == "renewed"
    view = office.show(base, as_of="2011-09-01")
    assert (view["state"], view["cycle"], view["cycle_start"]) == ("renewed", 2, "2011-06-15")
    assert view["approved_on"] == "2006-06-15"

    # the second period runs from the end of the first, whatever day the grade was recorded
    office.refused("advance", str(base), "start_assessment", "--on", "2016-06-14")
    office.prepare("advance", str(base), "start_assessment", "--on", "2016-06-15")
    revoked = office.ok("advance", str(base), "assess", "--set", "grade=fail", "--on", "2016-08-01")
    assert revoked["to_state"] == "revoked"
    assert revoked["payload"].get("ground") == "evaluation_failed"

    # a terminal state accepts no trigger, not even a withdrawal
    office.refused("advance", str(base), "withdraw", "--on", "2016-09-01")
    office.audit_matches_ledger(fresh=True)


def test_a_base_is_revoked_only_by_a_failed_periodic_evaluation(office: Office):
    base = new_base(office, "南宁基地", "广西", "west", False, "2e7")
    for trigger, day in [
        ("submit", "2006-04-01"),
        ("start_review", "2006-05-08"),
        ("publish_notice", "2006-05-20"),
        ("approve", "2006-05-31"),
    ]:
        office.prepare("advance", str(base), trigger, "--on", day)
    run = office("advance", str(base), "revoke", "--set", "ground=evaluation_failed", "--on", "2008-03-01", "--json")
    assert run.code == 3, run


def test_a_submission_after_the_round_deadline_is_refused_naming_the_deadline_and_the_clause(office: Office):
    base = new_base(office, "西宁科技兴贸出口创新基地", "青海", "west", False, "2e7")

    late = office.refused("advance", str(base), "submit", "--on", "2006-05-01")
    assert "2006-04-30" in late.json()["message"]
    assert "六(三)" in late.clauses()
    assert "2006-04-30" in late.err or "2006-04-30" in late.out
    assert office.show(base)["state"] == "draft"
    office.audit_matches_ledger()


def test_the_yearly_export_threshold_depends_on_the_region_and_is_met_exactly_at_its_value(office: Office):
    thresholds = {
        "east": ("上海", 100_000_000),
        "central": ("湖北", 50_000_000),
        "northeast": ("吉林", 50_000_000),
        "west": ("四川", 10_000_000),
    }
    for region, (province, limit) in thresholds.items():
        base = new_base(office, f"{province}基地", province, region, False, str(limit - 1))
        below = office.refused("advance", str(base), "submit", "--on", "2006-04-01")
        exports = [r for r in below.reasons() if r["clause"] == "六(二)(2)"]
        assert len(exports) == 1 and exports[0]["code"] == "criterion_failed", below
        assert f"{limit:,}" in exports[0]["message"], below
        at = office.ok("advance", str(base), "submit", "--on", "2006-04-01", "--set", f"hitech_exports_usd={limit}")
        assert at["to_state"] == "submitted"
        # just above, in another province of the same region (each has one place)
        above = new_base(office, f"{province}第二基地", f"{province}以外", region, False, str(limit + 1))
        office.prepare("advance", str(above), "submit", "--on", "2006-04-01")
    office.audit_matches_ledger()


def test_export_growth_must_be_strictly_above_the_benchmark(office: Office):
    base = new_base(office, "贵阳基地", "贵州", "west", False, "3e7", growth="10%", benchmark="10%")
    equal = office.refused("advance", str(base), "submit", "--on", "2006-04-01")
    assert [r["clause"] for r in equal.reasons()] == ["六(二)(3)"]
    below = office.refused("advance", str(base), "submit", "--on", "2006-04-01", "--set", "export_growth_3y=9.99%")
    assert [r["clause"] for r in below.reasons()] == ["六(二)(3)"]
    above = office.ok("advance", str(base), "submit", "--on", "2006-04-01", "--set", "export_growth_3y=10.01%")
    assert above["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_every_failed_condition_of_a_new_base_is_reported_with_its_clause(office: Office):
    base = office.prepare(
        "cases",
        "add",
        "export-base",
        "--name",
        "昆明基地",
        "--on",
        "2006-03-01",
        *sets(
            route="new",
            round=2006,
            province="云南",
            region="west",
            province_has_base=False,
            provincial_policy_and_funds=False,
            hitech_exports_usd="5e6",
            export_growth_3y="1%",
            benchmark_growth_3y="2%",
            leading_enterprises_top_rank=False,
        ),
    )
    run = office.refused("advance", str(base), "submit", "--on", "2006-04-01")
    assert {"六(二)(1)", "六(二)(2)", "六(二)(3)", "六(二)(4)"} <= run.clauses()


def test_re_recognition_needs_its_three_conditions_and_an_existing_base_but_no_quota_place(office: Office):
    # 江苏 is eastern and already has bases: no new base at all, re-recognition unlimited
    lacking = re_recognition(
        office,
        "苏州软件出口基地",
        "江苏",
        has_policies=False,
        has_project_funding=False,
        has_characteristic_industry=False,
    )
    run = office.refused("advance", str(lacking), "submit", "--on", "2006-04-01")
    assert {"六(一)(1)", "六(一)(2)", "六(一)(3)"} <= run.clauses()
    assert "quota_full" not in {r["code"] for r in run.reasons()}

    no_base = office.prepare(
        "cases",
        "add",
        "export-base",
        "--name",
        "无锡基地",
        "--on",
        "2006-03-01",
        *sets(
            route="re-recognition",
            round=2006,
            province="江苏",
            region="east",
            province_has_base=True,
            has_policies=True,
            has_project_funding=True,
            has_characteristic_industry=True,
        ),
    )
    run = office.refused("advance", str(no_base), "submit", "--on", "2006-04-01")
    assert "五(一)" in run.clauses()
    # the existing base must be one of the three kinds of 五(一)
    kinds = office.refused(
        "advance", str(no_base), "submit", "--on", "2006-04-01", "--set", "existing_base_type=textile-export"
    )
    assert all(kind in kinds.json()["message"] for kind in ("high-tech-export", "pharma-export", "software-export")), (
        kinds
    )
    region = office.refused(
        "cases", "add", "export-base", "--name", "某基地", "--on", "2006-03-01", *sets(route="new", region="south")
    )
    assert all(r in region.json()["message"] for r in ("east", "central", "northeast", "west"))

    for n in range(3):
        office.prepare("advance", str(re_recognition(office, f"江苏基地{n}", "江苏")), "submit", "--on", "2006-04-01")
    fourth = re_recognition(office, "南京基地", "江苏")
    assert office.ok("advance", str(fourth), "submit", "--on", "2006-04-30")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_an_eastern_province_with_bases_may_recommend_no_new_base(office: Office):
    base = new_base(office, "杭州基地", "浙江", "east", True, "5e8")
    run = office.refused("advance", str(base), "submit", "--on", "2006-04-01")
    quota = run.reason("quota_full")
    assert quota["clause"] == "六(三)"
    assert quota["details"]["quota"] == "new_bases_per_province"
    assert quota["details"]["limit"] == 0
    assert "eastern" in quota["details"]["rule"]
    assert quota["details"]["cases"] == []


def test_a_central_province_with_bases_has_one_new_place_held_until_the_holder_withdraws(office: Office):
    # a re-recognised base of the same province takes no new-base place
    office.prepare(
        "advance",
        str(re_recognition(office, "武汉软件出口基地", "湖北", region="central")),
        "submit",
        "--on",
        "2006-03-20",
    )
    first = new_base(office, "武汉基地", "湖北", "central", True, "6e7")
    second = new_base(office, "襄阳基地", "湖北", "central", True, "6e7")
    assert office.ok("advance", str(first), "submit", "--on", "2006-04-01")["to_state"] == "submitted"

    full = office.refused("advance", str(second), "submit", "--on", "2006-04-02")
    quota = full.reason("quota_full")
    assert (quota["clause"], quota["details"]["limit"]) == ("六(三)", 1)
    assert "central or western" in quota["details"]["rule"]
    assert [h["id"] for h in quota["details"]["cases"]] == [first], quota
    assert "武汉基地" in quota["message"]

    # an approved base still holds its place
    for trigger, day in [("start_review", "2006-05-08"), ("publish_notice", "2006-05-20"), ("approve", "2006-05-31")]:
        office.prepare("advance", str(first), trigger, "--on", day)
    still = office.refused("advance", str(second), "submit", "--on", "2006-04-20")
    assert [h["id"] for h in still.reason("quota_full")["details"]["cases"]] == [first]

    # the holder gives the designation up: the place is free again (the round is still open
    # on the date the second province's submission is recorded)
    office.prepare("advance", str(first), "withdraw", "--on", "2006-06-10")
    assert office.ok("advance", str(second), "submit", "--on", "2006-04-25")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_a_western_province_with_bases_has_one_new_place_freed_by_a_rejection(office: Office):
    first = new_base(office, "成都基地", "四川", "west", True, "2e7")
    second = new_base(office, "绵阳基地", "四川", "west", True, "2e7")
    office.prepare("advance", str(first), "submit", "--on", "2006-04-01")
    full = office.refused("advance", str(second), "submit", "--on", "2006-04-02")
    assert [h["id"] for h in full.reason("quota_full")["details"]["cases"]] == [first]
    office.prepare("advance", str(first), "reject", "--on", "2006-04-10")
    assert office.ok("advance", str(second), "submit", "--on", "2006-04-11")["to_state"] == "submitted"
    office.audit_matches_ledger()


def test_a_north_eastern_province_with_bases_has_one_new_place_as_a_marked_default(office: Office):
    first = new_base(office, "沈阳基地", "辽宁", "northeast", True, "6e7")
    second = new_base(office, "大连基地", "辽宁", "northeast", True, "6e7")
    office.prepare("advance", str(first), "submit", "--on", "2006-04-01")
    full = office.refused("advance", str(second), "submit", "--on", "2006-04-02")
    quota = full.reason("quota_full")
    assert (quota["details"]["limit"], quota["default"]) == (1, True)
    assert [h["id"] for h in quota["details"]["cases"]] == [first]


def test_a_province_with_no_base_may_recommend_one_even_in_the_east(office: Office):
    first = new_base(office, "海口基地", "海南", "east", False, "2e8")
    second = new_base(office, "三亚基地", "海南", "east", False, "2e8")
    office.prepare("advance", str(first), "submit", "--on", "2006-04-01")
    full = office.refused("advance", str(second), "submit", "--on", "2006-04-02")
    quota = full.reason("quota_full")
    assert (quota["clause"], quota["details"]["limit"]) == ("六(三)", 1)
    assert "no export base" in quota["details"]["rule"]
    assert [h["id"] for h in quota["details"]["cases"]] == [first]
    # a draft neither holds a place nor is refused for the one it would take
    assert office.show(second)["state"] == "draft"


def test_an_application_is_rejected_from_every_review_state_but_not_from_its_draft(office: Office):
    provinces = ["山西", "安徽", "江西", "河南"]
    ids = [new_base(office, f"{p}基地", p, "central", False, "6e7") for p in provinces]
    office.refused("advance", str(ids[0]), "reject", "--on", "2006-04-01")
    path = [("submit", "2006-04-01"), ("start_review", "2006-05-08"), ("publish_notice", "2006-05-20")]
    for steps, case in zip(range(1, 4), ids[1:], strict=True):
        for trigger, day in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day)
    office.prepare("advance", str(ids[1]), "reject", "--on", "2006-06-01")
    office.prepare("advance", str(ids[2]), "reject", "--on", "2006-06-01")
    rejected = office.ok("advance", str(ids[3]), "reject", "--on", "2006-06-01")
    assert (rejected["from_state"], rejected["to_state"]) == ("public_notice", "rejected")
    assert [office.show(c)["state"] for c in ids[1:3]] == ["rejected", "rejected"]
    office.refused("advance", str(ids[3]), "withdraw", "--on", "2006-06-02")
    office.audit_matches_ledger()


def test_a_case_may_be_withdrawn_from_every_state_that_is_not_terminal(office: Office):
    path = [
        ("submit", "2006-04-01"),
        ("start_review", "2006-05-08"),
        ("publish_notice", "2006-05-20"),
        ("approve", "2006-05-31"),
        ("start_assessment", "2011-05-31"),
        ("assess", "2011-07-01"),
    ]
    states = ["draft", "submitted", "under_review", "public_notice", "approved", "final_assessment", "renewed"]
    for steps, state in enumerate(states):
        # re-recognition: the quota of new bases does not get in the way of seven cases
        case = re_recognition(office, f"撤回{state}", "广东")
        for trigger, day in path[:steps]:
            extra = sets(grade="pass") if trigger == "assess" else []
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
        if state in ("draft", "renewed"):
            withdrawn = office.ok("advance", str(case), "withdraw", "--on", "2011-08-01")
            assert (withdrawn["from_state"], withdrawn["to_state"]) == (state, "withdrawn")
        else:
            office.prepare("advance", str(case), "withdraw", "--on", "2011-08-01")
    listing = office("cases", "list", "--programme", "export-base", "--json")
    assert {c["state"] for c in listing.json()} == {"withdrawn"}
    office.audit_matches_ledger()


def test_a_missing_case_a_stale_screen_and_an_auditor_get_the_documented_exit_codes(office: Office):
    base = new_base(office, "长沙基地", "湖南", "central", False, "6e7")
    missing = office("advance", "99", "submit", "--on", "2006-04-01", "--json")
    assert (missing.code, missing.json()["error"]) == (1, "NotFound"), missing  # docs/cli.md
    assert "99" in missing.err

    office.prepare("advance", str(base), "submit", "--on", "2006-04-01")  # version 1 -> 2
    stale = office("advance", str(base), "start_review", "--on", "2006-05-08", "--if-version", "1", "--json")
    assert (stale.code, stale.json()["error"]) == (4, "Conflict"), stale

    assert office.ok("users", "add", "zhou", "--role", "auditor")["role"] == "auditor"
    auditor = office("advance", str(base), "start_review", "--on", "2006-05-08", "--json", user="zhou")
    assert auditor.code == 3, auditor
    assert office.show(base)["state"] == "submitted"
    office.audit_matches_ledger()


def test_a_submitted_new_base_cannot_be_moved_into_a_province_whose_place_is_taken(office: Office):
    first = new_base(office, "武汉基地", "湖北", "central", True, "6e7")
    second = new_base(office, "长沙基地", "湖南", "central", True, "6e7")
    for case in (first, second):
        office.prepare("advance", str(case), "submit", "--on", "2006-04-01")
    moved = office("advance", str(first), "start_review", "--on", "2006-05-08", "--set", "province=湖南", "--json")
    in_hunan = [c for c in (first, second) if office.show(c)["fields"]["province"] == "湖南"]
    assert len(in_hunan) <= 1, moved


def test_a_re_recognition_cannot_become_a_new_base_past_the_quota(office: Office):
    case = re_recognition(office, "苏州基地", "江苏")
    office.prepare("advance", str(case), "submit", "--on", "2006-04-01")
    changed = office(
        "advance",
        str(case),
        "start_review",
        "--on",
        "2006-05-08",
        *sets(route="new", hitech_exports_usd="2e8", export_growth_3y="5%", benchmark_growth_3y="1%"),
        *NEW[2:],
        "--json",
    )
    assert office.show(case)["fields"]["route"] == "re-recognition", changed


def test_a_revoked_base_still_holds_its_province_place(office: Office):
    # only rejected and withdrawn cases give their place back (六(三), PROGRAMMES.md 3)
    first = new_base(office, "武汉基地", "湖北", "central", True, "6e7")
    second = new_base(office, "襄阳基地", "湖北", "central", True, "6e7")
    for trigger, day in [
        ("submit", "2006-04-01"),
        ("start_review", "2006-05-08"),
        ("publish_notice", "2006-05-20"),
        ("approve", "2006-05-31"),
        ("start_assessment", "2011-05-31"),
    ]:
        office.prepare("advance", str(first), trigger, "--on", day)
    office.prepare("advance", str(first), "assess", "--set", "grade=fail", "--on", "2011-06-30")
    run = office.refused("advance", str(second), "submit", "--on", "2006-04-20")
    assert [h["id"] for h in run.reason("quota_full")["details"]["cases"]] == [first]
