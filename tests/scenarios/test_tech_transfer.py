"""国家技术转移示范机构 (tech-transfer), "十四五"技术要素市场专项规划 四(四)1, 专栏4: PROGRAMMES.md 6."""

from __future__ import annotations

from scenario_office import Office, sets


def institution(office: Office, name: str, approved_on: str = "2023-01-10", **fields: object) -> int:
    return office.prepare(
        "cases", "add", "tech-transfer", "--name", name, "--on", approved_on, *sets(province="北京", **fields)
    )


def evaluating(office: Office, name: str, **fields: object) -> int:
    case = institution(office, name, **fields)
    office.prepare("advance", str(case), "start_assessment", "--on", "2026-01-10")
    return case


def test_a_university_pilot_passes_its_evaluation_only_with_70_percent_of_its_staff_trained(office: Office):
    opened = office.ok(
        "cases",
        "add",
        "tech-transfer",
        "--name",
        "清华大学技术转移研究院",
        "--on",
        "2023-01-10",
        *sets(university_pilot=True, trained_staff_share="69.99%"),
    )
    case = opened["id"]
    assert opened["state"] == "approved"

    # evaluation every 3 years [default], counted from approval
    early = office.refused("advance", str(case), "start_assessment", "--on", "2026-01-09")
    assert "2026-01-10" in early.json()["message"]
    office.ok("advance", str(case), "start_assessment", "--on", "2026-01-10")

    below = office.refused("advance", str(case), "assess", "--set", "grade=pass", "--on", "2026-03-01")
    assert [r["clause"] for r in below.reasons()] == ["专栏4"]
    assert "70%" in below.reasons()[0]["message"]
    passed = office.ok(
        "advance", str(case), "assess", "--set", "grade=pass", "--set", "trained_staff_share=70%", "--on", "2026-03-01"
    )
    assert passed["to_state"] == "renewed"
    view = office.show(case, as_of="2026-03-01")
    assert (view["cycle"], view["cycle_start"]) == (2, "2026-01-10")
    assert view["fields"]["trained_staff_share"] == 0.7

    office.refused("advance", str(case), "start_assessment", "--on", "2029-01-09")
    office.prepare("advance", str(case), "start_assessment", "--on", "2029-01-10")
    failed = office.ok("advance", str(case), "assess", "--set", "grade=fail", "--on", "2029-03-01")
    assert failed["to_state"] == "revoked"
    assert failed["payload"].get("ground") == "evaluation_failed"
    office.refused("advance", str(case), "withdraw", "--on", "2029-03-02")
    office.audit_matches_ledger(fresh=True)


def test_the_trained_staff_rule_binds_university_pilots_only(office: Office):
    unknown = evaluating(office, "某大学技术转移中心", university_pilot=True)
    run = office.refused("advance", str(unknown), "assess", "--set", "grade=pass", "--on", "2026-03-01")
    assert "trained_staff_share" in run.json()["message"] and "专栏4" in run.clauses()
    above = evaluating(office, "另一大学技术转移中心", university_pilot=True, trained_staff_share="70.01%")
    assert (
        office.ok("advance", str(above), "assess", "--set", "grade=pass", "--on", "2026-03-01")["to_state"] == "renewed"
    )
    ordinary = evaluating(office, "某技术交易所", university_pilot=False, trained_staff_share="10%")
    assert (
        office.ok("advance", str(ordinary), "assess", "--set", "grade=pass", "--on", "2026-03-01")["to_state"]
        == "renewed"
    )
    # a pilot below 70% can still be graded fail: the rule stops a pass, not the evaluation
    weak = evaluating(office, "第三大学技术转移中心", university_pilot=True, trained_staff_share="50%")
    assert (
        office.ok("advance", str(weak), "assess", "--set", "grade=fail", "--on", "2026-03-01")["to_state"] == "revoked"
    )
    office.audit_matches_ledger()


def test_an_institution_exits_only_through_a_failed_evaluation(office: Office):
    case = institution(office, "某技术转移机构")
    run = office("advance", str(case), "revoke", "--set", "ground=evaluation_failed", "--on", "2024-06-01", "--json")
    assert run.code == 3, run


def test_an_institution_may_be_withdrawn_from_every_state_that_is_not_terminal(office: Office):
    path = [("start_assessment", "2026-01-10", []), ("assess", "2026-03-01", sets(grade="pass"))]
    for steps, state in enumerate(["approved", "final_assessment", "renewed"]):
        case = institution(office, f"撤回{state}")
        for trigger, day, extra in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
        withdrawn = office.ok("advance", str(case), "withdraw", "--on", "2026-04-01")
        assert (withdrawn["from_state"], withdrawn["to_state"]) == (state, "withdrawn")
    office.audit_matches_ledger()
