"""国家高新区 (hitech-zone), "十四五"国家高新区发展规划 四(二), 四(四): PROGRAMMES.md section 5."""

from __future__ import annotations

from scenario_office import Office, sets

CATEGORIES = ["world-leading", "innovative-tech", "innovative-characteristic"]


def zone(office: Office, name: str, approved_on: str, category: str = "innovative-tech") -> int:
    return office.prepare(
        "cases", "add", "hitech-zone", "--name", name, "--on", approved_on, *sets(category=category, province="江苏")
    )


def test_an_existing_zone_is_imported_as_approved_on_its_real_approval_date(office: Office):
    opened = office.ok(
        "cases",
        "add",
        "hitech-zone",
        "--name",
        "中关村科技园区",
        "--on",
        "1988-05-10",
        "--set",
        "category=world-leading",
    )
    assert (opened["state"], opened["state_since"]) == ("approved", "1988-05-10")
    assert office.show(opened["id"])["approved_on"] == "1988-05-10"
    office.audit_matches_ledger(fresh=True)


def test_the_category_must_be_one_of_the_three_of_the_plan_and_the_refusal_lists_them(office: Office):
    run = office.refused(
        "cases", "add", "hitech-zone", "--name", "某高新区", "--on", "2021-06-01", "--set", "category=industrial"
    )
    assert "industrial" in run.json()["message"]
    assert all(category in run.json()["message"] for category in CATEGORIES), run
    missing = office.refused("cases", "add", "hitech-zone", "--name", "某高新区", "--on", "2021-06-01")
    assert "category" in missing.json()["message"]
    assert office("cases", "list", "--json").json() == []


def test_a_zone_is_evaluated_each_1_april_commended_warned_rectified_and_finally_revoked(office: Office):
    case = zone(office, "常州高新区", "2021-06-01")
    # the first evaluation (of 2021) is due on 1 April 2022, not before
    early = office.refused("advance", str(case), "start_assessment", "--on", "2022-03-31")
    assert "2022-04-01" in early.json()["message"]
    started = office.ok("advance", str(case), "start_assessment", "--on", "2022-04-01")
    assert started["to_state"] == "final_assessment"

    good = office.ok("advance", str(case), "assess", "--set", "grade=good", "--on", "2022-05-10")
    assert good["to_state"] == "approved"
    assert good["payload"].get("outcome") == "commended", good

    # one evaluation a year: the next is due on the next 1 April
    again = office.refused("advance", str(case), "start_assessment", "--on", "2022-06-01")
    assert "2023-04-01" in again.json()["message"]
    office.refused("advance", str(case), "start_assessment", "--on", "2023-03-31")
    office.prepare("advance", str(case), "start_assessment", "--on", "2023-04-01")
    fair = office.ok("advance", str(case), "assess", "--set", "grade=fair", "--on", "2023-05-10")
    assert fair["to_state"] == "approved"
    assert "outcome" not in fair["payload"], fair

    office.prepare("advance", str(case), "start_assessment", "--on", "2024-04-01")
    poor = office.ok("advance", str(case), "assess", "--set", "grade=poor", "--on", "2024-05-01")
    assert poor["to_state"] == "rectification"
    assert poor["payload"].get("outcome") == "warned", poor
    assert office.show(case, as_of="2024-05-01")["deadline_on"] == "2025-05-01"  # 1 year
    rectified = office.ok("advance", str(case), "rectified", "--on", "2024-11-01")
    assert rectified["to_state"] == "renewed"

    office.prepare("advance", str(case), "start_assessment", "--on", "2025-04-01")
    good_again = office.ok("advance", str(case), "assess", "--set", "grade=good", "--on", "2025-05-10")
    assert good_again["to_state"] == "renewed"  # back to the active state it came from
    assert good_again["payload"].get("outcome") == "commended"

    office.prepare("advance", str(case), "start_assessment", "--on", "2026-04-01")
    fair_again = office.ok("advance", str(case), "assess", "--set", "grade=fair", "--on", "2026-05-10")
    assert fair_again["to_state"] == "renewed"

    office.prepare("advance", str(case), "start_assessment", "--on", "2027-04-01")
    office.prepare("advance", str(case), "assess", "--set", "grade=poor", "--on", "2027-05-01")
    # ineffective rectification (整改不力) is an admin's judgement, before the deadline too
    revoked = office.ok("advance", str(case), "revoke", "--set", "ground=rectification_failed", "--on", "2027-09-01")
    assert (revoked["from_state"], revoked["to_state"], revoked["clause"]) == ("rectification", "revoked", "四(二)")
    office.refused("advance", str(case), "start_assessment", "--on", "2028-04-01")
    office.audit_matches_ledger(fresh=True)


def test_a_rectification_deadline_is_still_in_time_on_its_day_and_late_the_day_after(office: Office):
    case = zone(office, "绵阳高新区", "2021-06-01")
    office.prepare("advance", str(case), "start_assessment", "--on", "2022-04-01")
    office.prepare("advance", str(case), "assess", "--set", "grade=poor", "--on", "2022-05-01")
    office.refused(
        "advance", str(case), "revoke", "--set", "ground=rectification_deadline_passed", "--on", "2023-05-01"
    )
    revoked = office.ok(
        "advance", str(case), "revoke", "--set", "ground=rectification_deadline_passed", "--on", "2023-05-02"
    )
    assert revoked["to_state"] == "revoked"
    office.audit_matches_ledger()


def test_a_zone_may_be_withdrawn_from_every_state_that_is_not_terminal(office: Office):
    path = [
        ("start_assessment", "2022-04-01", []),
        ("assess", "2022-05-01", sets(grade="poor")),
        ("rectified", "2022-09-01", []),
    ]
    states = ["approved", "final_assessment", "rectification", "renewed"]
    for steps, state in enumerate(states):
        case = zone(office, f"撤回{state}", "2021-06-01", CATEGORIES[steps % 3])
        for trigger, day, extra in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
        withdrawn = office.ok("advance", str(case), "withdraw", "--on", "2022-10-01")
        assert (withdrawn["from_state"], withdrawn["to_state"]) == (state, "withdrawn")
    office.audit_matches_ledger()


def test_a_zone_approved_before_the_plan_is_first_evaluated_on_the_first_1_april_under_it(office: Office):
    # The plan is in force from 2021-01-01 [default]; evaluations fall each 1 April, so the
    # first one under it is 2021-04-01 (of 2020). On 2021-03-31 none is due yet.
    case = zone(office, "苏州工业园区", "1991-03-06", "world-leading")
    early = office("advance", str(case), "start_assessment", "--on", "2021-03-31", "--json")
    assert early.code == 3, early
    assert "2021-04-01" in early.json()["message"]


def test_a_zone_that_was_never_warned_cannot_be_revoked_for_ineffective_rectification(office: Office):
    case = zone(office, "某高新区", "2021-06-01")
    run = office("advance", str(case), "revoke", "--set", "ground=rectification_failed", "--on", "2021-07-01", "--json")
    assert run.code == 3, run


def test_a_rectification_recorded_after_its_deadline_is_refused(office: Office):
    case = zone(office, "某高新区", "2021-06-01")
    office.prepare("advance", str(case), "start_assessment", "--on", "2022-04-01")
    office.prepare("advance", str(case), "assess", "--set", "grade=poor", "--on", "2022-05-01")
    in_time = zone(office, "另一高新区", "2021-06-01")
    office.prepare("advance", str(in_time), "start_assessment", "--on", "2022-04-01")
    office.prepare("advance", str(in_time), "assess", "--set", "grade=poor", "--on", "2022-05-01")
    assert office.ok("advance", str(in_time), "rectified", "--on", "2023-05-01")["to_state"] == "renewed"
    late = office("advance", str(case), "rectified", "--on", "2023-05-02", "--json")
    assert late.code == 3, late
