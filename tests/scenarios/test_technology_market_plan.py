"""The three further designations of the "十四五"技术要素市场专项规划 (国科发区〔2022〕263号), driven
from the CLI as an office would: 国际技术转移中心 (三(四)1), 国家技术转移人才培养基地 (三(四)2),
国家科技成果转移转化示范区 (三(五)5, 专栏7), and the plan's counts (一(一)3, 二(三)3)."""

from __future__ import annotations

from scenario_office import Office, sets


def existing(office: Office, code: str, name: str, approved_on: str, **fields: object) -> int:
    return office.prepare("cases", "add", code, "--name", name, "--on", approved_on, *sets(**fields))


def comply(office: Office, as_of: str, *extra: str) -> dict:
    return office.ok("comply", "--as-of", as_of, *extra)


def test_an_international_centre_is_evaluated_every_three_years_and_leaves_on_a_failed_evaluation(office: Office):
    # 强化国家技术转移机构和国际技术转移中心考核评价,实行动态管理,建立退出机制 (三(四)1)
    opened = office.ok(
        "cases",
        "add",
        "intl-tech-transfer",
        "--name",
        "中国—东盟技术转移中心",
        "--on",
        "2013-09-03",
        *sets(province="广西"),
    )
    case = opened["id"]
    assert (opened["state"], opened["state_since"]) == ("approved", "2013-09-03")
    # the cycles that ended before the plan count as done: first evaluation 2025-09-03
    early = office.refused("advance", str(case), "start_assessment", "--on", "2025-09-02")
    assert "2025-09-03" in early.json()["message"] and "三(四)1" in early.clauses()
    assert comply(office, "2025-09-02")["actions"] == []
    run = comply(office, "2025-09-04")
    assert [(a["case_id"], a["trigger"], a["effective_on"], a["clause"]) for a in run["actions"]] == [
        (case, "start_assessment", "2025-09-03", "三(四)1")
    ]
    office.ledger.append((case, "start_assessment"))
    # only an administrator records the grade; the run never takes the centre away
    assert comply(office, "2030-01-01")["actions"] == []
    passed = office.ok("advance", str(case), "assess", "--set", "grade=pass", "--on", "2025-12-10")
    assert passed["to_state"] == "renewed"
    view = office.show(case, as_of="2025-12-10")
    assert (view["cycle"], view["cycle_start"]) == (5, "2025-09-03")
    office.refused("advance", str(case), "start_assessment", "--on", "2028-09-02")
    office.prepare("advance", str(case), "start_assessment", "--on", "2028-09-03")
    failed = office.ok("advance", str(case), "assess", "--set", "grade=fail", "--on", "2028-12-01")
    assert (failed["to_state"], failed["payload"]["ground"]) == ("revoked", "evaluation_failed")
    assert office("advance", str(case), "revoke", "--on", "2028-12-02", "--json").code == 3
    office.refused("advance", str(case), "withdraw", "--on", "2028-12-02")
    office.audit_matches_ledger(fresh=True)


def test_a_talent_base_is_eliminated_on_a_failed_performance_assessment_marked_default(office: Office):
    # 加强对技术转移人才培养基地动态管理,建立绩效考核和优胜劣汰机制 (三(四)2)
    case = existing(office, "talent-base", "上海国家技术转移人才培养基地", "2017-08-01", province="上海")
    office.refused("advance", str(case), "start_assessment", "--on", "2023-07-31")
    started = office.ok("advance", str(case), "start_assessment", "--on", "2023-08-01")
    assert started["clause"] == "三(四)2"
    refused = office("advance", str(case), "assess", "--set", "grade=excellent", "--on", "2023-11-20", "--json")
    assert refused.code == 3 and "pass" in refused.out and "fail" in refused.out
    failed = office.ok("advance", str(case), "assess", "--set", "grade=fail", "--on", "2023-11-20")
    assert (failed["to_state"], failed["payload"]["ground"]) == ("revoked", "assessment_failed")
    assert failed["clause"] == "三(四)2"
    log = office("audit", "log", "--case", str(case), "--json").json()
    assert log[-1]["trigger"] == "assess" and log[-1]["clause"] == "三(四)2"
    other = existing(office, "talent-base", "北京理工大学国家技术转移人才培养基地", "2016-05-10", province="北京")
    office.prepare("advance", str(other), "start_assessment", "--on", "2025-05-10")
    assert (
        office.ok("advance", str(other), "assess", "--set", "grade=pass", "--on", "2025-09-01")["to_state"] == "renewed"
    )
    assert office.ok("advance", str(other), "withdraw", "--on", "2026-01-05")["to_state"] == "withdrawn"
    office.audit_matches_ledger()


def test_a_new_demonstration_zone_is_designated_in_a_round_files_two_reports_a_year_and_is_monitored(office: Office):
    # 新布局一批 (三(五)5): from the plan on, a zone is an application: submitted -> under_review ->
    # approved; a zone entered with an earlier date is one already built (一(一)3), opened approved
    built = office.ok(
        "cases",
        "add",
        "transfer-zone",
        "--name",
        "宁波国家科技成果转移转化示范区",
        "--on",
        "2022-09-29",
        *sets(province="浙江"),
    )
    assert (built["state"], office.show(built["id"])["approved_on"]) == ("approved", "2022-09-29")
    opened = office.ok(
        "cases",
        "add",
        "transfer-zone",
        "--name",
        "重庆国家科技成果转移转化示范区",
        "--on",
        "2022-09-30",
        *sets(province="重庆", round="2022"),
    )
    case = opened["id"]
    assert opened["state"] == "submitted"
    office.ok("advance", str(case), "start_review", "--on", "2022-09-30")
    assert office.ok("advance", str(case), "approve", "--on", "2022-09-30")["to_state"] == "approved"

    # 发展报告 (三(五)5) and 自评价 (专栏7): two duties, each due 31 March [default]
    office.ok("advance", str(case), "file_report", "--set", "year=2022", "--on", "2023-03-31")
    obligations = {(o["kind"], o["period"]): o["status"] for o in office.show(case, as_of="2023-04-01")["obligations"]}
    assert obligations[("development_report", "2022")] == "fulfilled"
    assert obligations[("self_evaluation", "2022")] == "overdue"
    office.ok("advance", str(case), "file_self_evaluation", "--set", "year=2022", "--on", "2023-04-03")
    office.refused("advance", str(case), "file_self_evaluation", "--set", "year=2022", "--on", "2023-04-04")
    # a late report takes nothing away: the run has nothing to do until the monitoring evaluation
    assert comply(office, "2025-09-28")["actions"] == []
    run = comply(office, "2025-10-01")
    assert [(a["case_id"], a["trigger"], a["effective_on"]) for a in run["actions"]] == [
        (built["id"], "start_assessment", "2025-09-29"),
        (case, "start_assessment", "2025-09-30"),
    ]
    office.ledger += [(built["id"], "start_assessment"), (case, "start_assessment")]
    fair = office.ok("advance", str(case), "assess", "--set", "grade=fair", "--on", "2025-12-01")
    assert fair["to_state"] == "approved"
    office.refused("advance", str(case), "start_assessment", "--on", "2028-09-29")
    office.prepare("advance", str(case), "start_assessment", "--on", "2028-09-30")
    good = office.ok("advance", str(case), "assess", "--set", "grade=good", "--on", "2028-12-01")
    assert good["to_state"] == "renewed"
    office.audit_matches_ledger(fresh=True)


def test_a_missed_rectification_deadline_is_a_decision_for_the_office_never_a_revocation(office: Office):
    case = office.prepare(
        "cases",
        "add",
        "transfer-zone",
        "--name",
        "黑龙江哈大齐国家科技成果转移转化示范区",
        "--on",
        "2023-03-05",
        *sets(province="黑龙江"),
    )
    office.prepare("advance", str(case), "start_review", "--on", "2023-04-10")
    office.prepare("advance", str(case), "approve", "--on", "2023-07-20")
    office.prepare("advance", str(case), "start_assessment", "--on", "2026-07-20")
    poor = office.ok("advance", str(case), "assess", "--set", "grade=poor", "--on", "2026-10-15")
    assert poor["to_state"] == "rectification" and poor["payload"]["deadline_on"] == "2027-10-15"
    assert comply(office, "2027-10-15")["actions"] == []  # the deadline day is in time
    referred = comply(office, "2027-10-16")["actions"]
    assert [(a["trigger"], a["from_state"], a["to_state"], a["effective_on"], a["clause"]) for a in referred] == [
        ("refer_overdue_rectification", "rectification", "rectification", "2027-10-16", "三(五)5")
    ]
    office.ledger.append((case, "refer_overdue_rectification"))
    assert comply(office, "2028-10-16")["actions"] == []  # raised once; nothing is ever revoked
    assert office.show(case, as_of="2028-10-16")["state"] == "rectification"
    assert office("advance", str(case), "revoke", "--on", "2028-01-05", "--json").code == 3
    # the office decides: it may still accept the rectification, late
    late = office.ok("advance", str(case), "rectified", "--on", "2028-01-05")
    assert (late["to_state"], late["payload"]["cycle"]) == ("renewed", 2)
    office.audit_matches_ledger()


def test_programmes_show_sets_the_plans_targets_against_the_designations_held_now(office: Office):
    for index, state in enumerate(["approved", "approved", "renewed"]):
        case = existing(office, "intl-tech-transfer", f"国际技术转移中心{index}", "2023-01-10")
        if state == "renewed":
            office.prepare("advance", str(case), "start_assessment", "--on", "2026-01-10")
            office.prepare("advance", str(case), "assess", "--on", "2026-03-01", "--set", "grade=pass")
    gone = existing(office, "intl-tech-transfer", "已撤回中心", "2023-01-10")
    office.prepare("advance", str(gone), "withdraw", "--on", "2024-01-10")
    shown = office.ok("programmes", "show", "intl-tech-transfer", "--as-of", "2025-12-31")
    assert shown["designated"] == 3
    baseline, target = shown["targets"]
    assert (baseline["kind"], baseline["count"], baseline["year"], baseline["clause"]) == (
        "baseline",
        45,
        2020,
        "一(一)3",
    )
    assert (target["kind"], target["count"], target["year"], target["clause"], target["comparison"]) == (
        "target",
        60,
        2025,
        "二(三)3",
        "more_than",
    )
    assert (target["designated"], target["needed"], target["remaining"], target["met"], target["status"]) == (
        3,
        61,
        58,
        False,
        "open",
    )
    assert (
        office.ok("programmes", "show", "intl-tech-transfer", "--as-of", "2026-01-01")["targets"][1]["status"]
        == "missed"
    )
    zones = office.ok("programmes", "show", "transfer-zone")
    assert zones["designated"] == 0 and zones["targets"][1]["remaining"] == 20
    assert office.ok("programmes", "show", "bj-tic")["targets"] == []
    text = office("programmes", "show", "tech-transfer")
    assert text.code == 0 and "到2025年,国家技术转移机构达到500家" in text.out and "二(三)3" in text.out


def test_programmes_show_without_a_database_creates_none(office: Office):
    run = office("programmes", "show", "talent-base", "--db", str(office.workdir / "none.db"), "--json")
    assert run.code == 0, run
    assert run.json()["designated"] is None and run.json()["targets"][0]["count"] == 36
    assert not (office.workdir / "none.db").exists()
