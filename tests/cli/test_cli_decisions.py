"""The CLI contract of decisions due, decision numbers, corrections, bulk results and future dates,
through the real console script (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from lifecycle.services.cases import add_case, advance
from lifecycle.services.users import add_user

ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
LIST_KEYS = {
    "id",
    "case_id",
    "programme",
    "name",
    "trigger",
    "to_state",
    "ground",
    "clause",
    "default",
    "due_on",
    "raised_on",
    "state",
    "decision_no",
    "decided_on",
    "decided_by",
    "reason",
}


def bj_approved(app) -> int:
    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", date(2024, 9, 20)).case
    advance(app, "alice", case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", date(2024, 11, 5))
    advance(app, "alice", case.id, "approve", date(2025, 1, 10))
    return case.id


def proposed(ready_cli, app) -> tuple[int, int]:
    case_id = bj_approved(app)
    for day in ("2026-04-01", "2027-04-01"):
        assert ready_cli("comply", "--as-of", day, "--json").code == 0
    [proposal] = ready_cli("comply", "--as-of", "2027-05-02", "--json").json()["proposals"]
    return case_id, proposal["decision_id"]


def test_decisions_list_prints_the_contracts_keys_and_filters_by_state_programme_and_case(ready_cli, app):
    case_id, decision_id = proposed(ready_cli, app)
    listed = ready_cli("decisions", "list", "--json")
    assert listed.code == 0, listed
    [item] = listed.json()
    assert set(item) >= LIST_KEYS
    assert (item["id"], item["case_id"], item["state"], item["trigger"], item["to_state"], item["default"]) == (
        decision_id,
        case_id,
        "open",
        "revoke",
        "revoked",
        False,
    )
    assert ready_cli("decisions", "list", "--state", "confirmed", "--json").json() == []
    assert (
        len(
            ready_cli(
                "decisions", "list", "--state", "all", "--programme", "bj-tic", "--case", str(case_id), "--json"
            ).json()
        )
        == 1
    )
    assert ready_cli("decisions", "list", "--state", "maybe").code == 2
    text = ready_cli("decisions", "list")
    assert text.code == 0 and "第十八条(一)" in text.out


def test_confirm_applies_the_revocation_with_its_number_and_a_retry_writes_nothing(ready_cli, app):
    case_id, decision_id = proposed(ready_cli, app)
    done = ready_cli(
        "decisions",
        "confirm",
        str(decision_id),
        "--decision-no",
        "京科创发〔2027〕88号",
        "--on",
        "2027-06-01",
        "--reason",
        "not answered",
        "--json",
    )
    assert done.code == 0, done
    assert (done.json()["state"], done.json()["decision_no"], done.json()["decided_on"]) == (
        "confirmed",
        "京科创发〔2027〕88号",
        "2027-06-01",
    )
    entry = ready_cli("cases", "show", str(case_id), "--as-of", "2027-06-01", "--json").json()["history"][-1]
    assert (entry["trigger"], entry["to_state"]) == ("revoke", "revoked")
    assert (entry["payload"]["decision_no"], entry["payload"]["decision_id"]) == ("京科创发〔2027〕88号", decision_id)
    again = ready_cli(
        "decisions",
        "confirm",
        str(decision_id),
        "--decision-no",
        "京科创发〔2027〕88号",
        "--on",
        "2027-06-01",
        "--json",
    )
    assert again.code == 0 and again.json()["written"] is False
    assert ready_cli("decisions", "dismiss", str(decision_id), "--reason", "no", "--json").code == 4


def test_confirm_is_refused_with_exit_3_when_the_report_was_filed_meanwhile(ready_cli, app):
    case_id, decision_id = proposed(ready_cli, app)
    assert ready_cli("advance", str(case_id), "file_report", "--set", "year=2026", "--on", "2026-11-01").code == 0
    refused = ready_cli(
        "decisions", "confirm", str(decision_id), "--decision-no", "X〔2027〕1号", "--on", "2027-06-01", "--json"
    )
    assert refused.code == 3, refused
    assert refused.json()["reasons"][0]["code"] == "ground_no_longer_holds"
    assert ready_cli("decisions", "list", "--json").json()[0]["state"] == "open"


def test_an_auditor_lists_but_confirming_or_dismissing_is_exit_3_and_writes_nothing(ready_cli, app):
    add_user(app, "alice", "bob", "auditor")
    _, decision_id = proposed(ready_cli, app)
    assert ready_cli("decisions", "list", "--json", user="bob").code == 0
    assert (
        ready_cli("decisions", "confirm", str(decision_id), "--decision-no", "X", "--on", "2027-06-01", user="bob").code
        == 3
    )
    assert (
        ready_cli("decisions", "dismiss", str(decision_id), "--reason", "no", "--on", "2026-12-01", user="bob").code
        == 3
    )
    assert ready_cli("decisions", "list", "--json").json()[0]["state"] == "open"
    assert ready_cli("comply", "--dry-run", "--as-of", "2027-06-01", "--json", user="bob").code == 0


def test_dismiss_is_audited_and_the_rule_is_not_proposed_again(ready_cli, app):
    case_id, decision_id = proposed(ready_cli, app)
    done = ready_cli(
        "decisions", "dismiss", str(decision_id), "--reason", "received by post", "--on", "2026-12-01", "--json"
    )
    assert done.code == 0 and done.json()["state"] == "dismissed"
    assert ready_cli("comply", "--as-of", "2026-12-05", "--json").json()["proposals"] == []
    history = ready_cli("cases", "show", str(case_id), "--json").json()["history"]
    assert history[-1]["trigger"] == "dismiss_decision" and history[-1]["reason"] == "received by post"


def test_advance_takes_a_decision_number_and_shows_it(ready_cli, app):
    case = add_case(app, "alice", "bj-tic", "北京市人工智能技术创新中心", date(2024, 9, 20)).case
    advance(app, "alice", case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", date(2024, 11, 5))
    done = ready_cli(
        "advance", str(case.id), "reject", "--on", "2024-12-01", "--decision-no", "京科创发〔2024〕200号", "--json"
    )
    assert done.code == 0 and done.json()["payload"]["decision_no"] == "京科创发〔2024〕200号"
    report = ready_cli("audit", "report", "--case", str(case.id))
    assert "京科创发〔2024〕200号" in report.out


def test_correct_voids_an_entry_and_audit_verify_passes(ready_cli, app):
    case_id = bj_approved(app)
    seq = ready_cli(
        "advance", str(case_id), "file_report", "--set", "year=2025", "--on", "2026-03-01", "--json"
    ).json()["seq"]
    done = ready_cli("correct", str(seq), "--reason", "filed for the wrong year", "--json")
    assert done.code == 0, done
    assert (done.json()["voids"], done.json()["default"]) == (seq, True)
    assert ready_cli("cases", "show", str(case_id), "--json").json()["reports_filed"] == []
    assert ready_cli("audit", "verify").code == 0
    assert ready_cli("correct", str(seq), "--reason", "again").code == 4


def test_a_date_after_today_warns_on_stderr_when_not_on_a_terminal(ready_cli, app):
    case_id = bj_approved(app)
    done = ready_cli("advance", str(case_id), "file_report", "--set", "year=2025", "--on", "2029-03-01")
    assert done.code == 0, done
    assert "warning: --on 2029-03-01 is in the future" in done.err
    dry = ready_cli("comply", "--dry-run", "--as-of", "2099-01-01", "--json")
    assert "in the future" not in dry.err
    real = ready_cli("comply", "--as-of", "2099-01-01", "--json")
    assert real.code == 0 and "warning: --as-of 2099-01-01 is in the future" in real.err
