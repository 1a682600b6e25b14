"""Decisions stay with the authority (SQLite and PostgreSQL): the compliance run proposes what
takes a designation away, once per (case, rule, period); an administrator confirms it with the
decision's number, or dismisses it with a reason; both audited, both safe to retry."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from jobs.compliance_run import run_compliance
from lifecycle.errors import Conflict, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.decisions_due import confirm, dismiss, list_decisions
from lifecycle.services.users import add_user

D = date.fromisoformat
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


def bj_approved(app: Lifecycle, name: str = "北京市集成电路技术创新中心") -> int:
    case = add_case(app, "alice", "bj-tic", name, D("2024-09-20")).case
    assert case.id is not None
    advance(app, "alice", case.id, "submit", D("2024-10-08"), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"))
    return case.id


def two_reports_missing_after_a_reminder(app: Lifecycle) -> int:
    """The worked example of 第十八条(一): reminders on 2026-04-01 and 2027-04-01, unanswered."""
    case_id = bj_approved(app)
    for day in ("2026-04-01", "2027-04-01"):
        run_compliance(app, "alice", D(day))
    return case_id


def audit_rows(app: Lifecycle) -> list[tuple]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT seq, trigger FROM audit_log ORDER BY seq"))]


def decision_rows(app: Lifecycle) -> list[tuple]:
    with app.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text("SELECT id, case_id, rule, period, state, decision_no FROM decisions ORDER BY id")
            )
        ]


def test_the_run_proposes_the_revocation_and_the_case_stays_designated(app):
    case_id = two_reports_missing_after_a_reminder(app)
    report = run_compliance(app, "alice", D("2027-05-02"))
    assert report.actions == []
    assert [
        (
            p["case_id"],
            p["rule"],
            p["trigger"],
            p["from_state"],
            p["to_state"],
            p["ground"],
            p["clause"],
            p["default"],
            p["due_on"],
        )
        for p in report.proposals
    ] == [
        (
            case_id,
            "annual_report.revocation",
            "revoke",
            "approved",
            "revoked",
            "no_annual_report",
            "第十八条(一)",
            False,
            "2027-05-02",
        )
    ]
    view = show_case(app, case_id, D("2027-05-02"))
    assert view["state"] == "approved"
    entry = view["history"][-1]
    assert (entry["trigger"], entry["actor"], entry["clause"]) == ("decision_due", "system", "第十八条(一)")
    assert (entry["payload"]["rule"], entry["payload"]["due_on"]) == ("annual_report.revocation", "2027-05-02")
    [listed] = list_decisions(app)
    assert listed["id"] == report.proposals[0]["decision_id"]
    assert (listed["name"], listed["state"], listed["raised_on"]) == (
        "北京市集成电路技术创新中心",
        "open",
        "2027-05-02",
    )


def test_a_proposal_is_raised_once_whatever_runs_follow(app):
    two_reports_missing_after_a_reminder(app)
    run_compliance(app, "alice", D("2027-05-02"))
    before = decision_rows(app)
    for day in ("2027-05-02", "2027-05-03", "2027-09-30", "2027-05-01"):
        assert run_compliance(app, "alice", D(day)).proposals == []
    assert decision_rows(app) == before and len(before) == 1


def test_confirming_applies_the_revocation_effective_on_the_decision_date_with_its_number(app):
    case_id = two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    done = confirm(app, "alice", proposal["decision_id"], "京科创发〔2027〕88号", D("2027-06-15"), "not answered")
    assert done.written and done.entry is not None
    entry = done.entry
    assert (entry.trigger, entry.from_state, entry.to_state, entry.effective_on) == (
        "revoke",
        "approved",
        "revoked",
        D("2027-06-15"),
    )
    assert (entry.actor, entry.role, entry.clause) == ("alice", "admin", "第十八条(一)")
    assert entry.payload["decision_no"] == "京科创发〔2027〕88号"
    assert entry.payload["decision_id"] == proposal["decision_id"]
    assert entry.payload["ground"] == "no_annual_report"
    assert show_case(app, case_id, D("2027-06-15"))["state"] == "revoked"
    [decided] = list_decisions(app, state="confirmed")
    assert (decided["decision_no"], decided["decided_on"], decided["decided_by"]) == (
        "京科创发〔2027〕88号",
        "2027-06-15",
        "alice",
    )
    assert list_decisions(app) == []
    assert verify_log(app).ok


def test_confirming_is_refused_when_the_report_was_filed_meanwhile_and_writes_nothing(app):
    case_id = two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    advance(app, "alice", case_id, "file_report", D("2027-05-10"), {"year": "2026"})
    before = (audit_rows(app), decision_rows(app))
    with pytest.raises(Refused) as refused:
        confirm(app, "alice", proposal["decision_id"], "京科创发〔2027〕88号", D("2027-06-15"))
    assert refused.value.exit_code == 3
    assert refused.value.reasons[0].code == "ground_no_longer_holds"
    assert (audit_rows(app), decision_rows(app)) == before
    assert show_case(app, case_id, D("2027-06-15"))["state"] == "approved"


def test_a_dismissed_proposal_is_audited_and_never_raised_again(app):
    case_id = two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    done = dismiss(app, "alice", proposal["decision_id"], "reports received by post", D("2027-05-20"))
    assert done.entry is not None
    assert (done.entry.trigger, done.entry.from_state, done.entry.to_state) == (
        "dismiss_decision",
        "approved",
        "approved",
    )
    assert done.entry.reason == "reports received by post"
    assert run_compliance(app, "alice", D("2027-09-01")).proposals == []
    assert [d["state"] for d in list_decisions(app, state="all")] == ["dismissed"]
    assert show_case(app, case_id, D("2027-09-01"))["state"] == "approved"
    assert verify_log(app).ok


def test_an_auditor_may_list_decisions_but_not_decide_them(app):
    add_user(app, "alice", "carol", "auditor")
    two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    before = (audit_rows(app), decision_rows(app))
    with pytest.raises(Refused):
        confirm(app, "carol", proposal["decision_id"], "京科创发〔2027〕88号", D("2027-06-15"))
    with pytest.raises(Refused):
        dismiss(app, "carol", proposal["decision_id"], "no", D("2027-06-15"))
    assert (audit_rows(app), decision_rows(app)) == before
    assert len(list_decisions(app)) == 1


def test_confirming_or_dismissing_again_changes_nothing_and_the_other_way_is_a_conflict(app):
    two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    confirm(app, "alice", proposal["decision_id"], "京科创发〔2027〕88号", D("2027-06-15"))
    before = (audit_rows(app), decision_rows(app))
    again = confirm(app, "alice", proposal["decision_id"], "京科创发〔2027〕88号", D("2027-06-15"))
    assert not again.written and again.decision["state"] == "confirmed"
    with pytest.raises(Conflict):
        dismiss(app, "alice", proposal["decision_id"], "changed our mind", D("2027-06-16"))
    assert (audit_rows(app), decision_rows(app)) == before


def test_a_revocation_fired_by_hand_with_its_number_settles_the_open_proposal(app):
    case_id = two_reports_missing_after_a_reminder(app)
    [proposal] = run_compliance(app, "alice", D("2027-05-02")).proposals
    outcome = advance(
        app,
        "alice",
        case_id,
        "revoke",
        D("2027-05-30"),
        {"ground": "false_materials"},
        decision_no="京科创发〔2027〕90号",
    )
    assert outcome.entry.payload["decision_no"] == "京科创发〔2027〕90号"
    assert outcome.entry.payload["settles_decisions"] == [proposal["decision_id"]]
    [settled] = list_decisions(app, state="confirmed")
    assert (settled["decision_no"], settled["decided_by"]) == ("京科创发〔2027〕90号", "alice")


def test_a_missing_national_grade_raises_a_decision_settled_by_recording_the_grade(app):
    case = add_case(
        app, "alice", "national-tic", "京津冀国家技术创新中心", D("2021-03-01"), {"kind": "comprehensive"}
    ).case
    assert case.id is not None
    advance(app, "alice", case.id, "start_review", D("2021-04-12"), {"independent_legal_entity": "true"})
    advance(app, "alice", case.id, "approve", D("2021-06-30"))
    report = run_compliance(app, "alice", D("2025-01-05"))
    [proposal] = report.proposals
    assert (proposal["rule"], proposal["to_state"], proposal["default"]) == ("evaluation_result_missing", None, True)
    assert show_case(app, case.id, D("2025-01-05"))["state"] == "final_assessment"
    with pytest.raises(Refused):
        confirm(app, "alice", proposal["decision_id"], "国科发区〔2025〕1号", D("2025-01-06"))
    advance(app, "alice", case.id, "assess", D("2025-01-06"), {"grade": "good"})
    assert list_decisions(app) == []
    assert list_decisions(app, state="confirmed")[0]["reason"].startswith("settled by assess")


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(days=st.lists(st.dates(D("2026-03-01"), D("2028-12-31")), min_size=1, max_size=6))
def test_repeated_runs_on_any_dates_never_raise_a_proposal_twice(app, days):
    with app.engine.connect() as connection:
        if not connection.execute(text("SELECT count(*) FROM cases")).scalar():
            bj_approved(app)
    for day in days:
        run_compliance(app, "alice", day)
    keys = [(case_id, rule, period) for _, case_id, rule, period, _, _ in decision_rows(app)]
    assert len(keys) == len(set(keys))
    with app.engine.connect() as connection:
        raised = connection.execute(text("SELECT count(*) FROM audit_log WHERE trigger = 'decision_due'")).scalar()
    assert raised == len(keys)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(retries=st.lists(st.sampled_from(["confirm", "dismiss"]), min_size=1, max_size=4))
def test_retrying_the_same_decision_writes_it_once(app, retries):
    case_id = two_reports_missing_after_a_reminder(app)  # a case of its own for each example
    run_compliance(app, "alice", D("2027-05-02"))
    [decision_id] = [row[0] for row in decision_rows(app) if row[1] == case_id]
    first = retries[0]
    entries = len(audit_rows(app))
    for _ in retries:
        if first == "confirm":
            confirm(app, "alice", decision_id, "京科创发〔2027〕88号", D("2027-06-15"))
        else:
            dismiss(app, "alice", decision_id, "received late", D("2027-06-15"))
    assert len(audit_rows(app)) == entries + 1
