"""The compliance run against a real database (SQLite and PostgreSQL): one audited entry per
action as actor system naming who invoked it, exactly once whatever the run dates, a dry run
that reports exactly what a real run does and writes nothing, one run at a time."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from jobs.compliance_run import run_compliance
from lifecycle.errors import Refused
from lifecycle.persistence.compliance import RunLock
from lifecycle.persistence.revision import HEAD
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.users import add_user

D = date.fromisoformat
BJ_NAME = "北京市集成电路技术创新中心"
ELIGIBLE = {
    "registered_in_beijing": "true", "good_credit": "true", "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9", "rd_ratio_3y": "11%", "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%", "safety_accident_3y": "false", "has_core_team": "true",
}


def bj_approved(app: Lifecycle, name: str = BJ_NAME, approved_on: str = "2025-01-10") -> int:
    case = add_case(app, "alice", "bj-tic", name, D("2024-09-20")).case
    assert case.id is not None
    advance(app, "alice", case.id, "submit", D("2024-10-08"), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D(approved_on))
    return case.id


def national_approved(app: Lifecycle, name: str = "京津冀国家技术创新中心") -> int:
    case = add_case(app, "alice", "national-tic", name, D("2021-03-01"), {"kind": "comprehensive"}).case
    assert case.id is not None
    advance(app, "alice", case.id, "start_review", D("2021-04-12"), {"independent_legal_entity": "true"})
    advance(app, "alice", case.id, "approve", D("2021-06-30"))
    return case.id


def audit_rows(app: Lifecycle) -> list[tuple]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT seq, case_id, trigger, from_state, to_state, effective_on, actor, role, clause "
            "FROM audit_log ORDER BY seq"))]


def cases_rows(app: Lifecycle) -> list[tuple]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT id, state, state_since, version, next_due_on, valid_until FROM cases ORDER BY id"))]


def test_a_run_applies_each_due_action_with_one_system_entry_naming_rule_clause_and_invoker(app):
    bj = bj_approved(app)
    national = national_approved(app)
    report = run_compliance(app, "alice", D("2026-04-01"))
    assert [(a["case_id"], a["rule"], a["trigger"], a["from_state"], a["to_state"], a["effective_on"],
             a["clause"]) for a in report.actions] == [
        (bj, "annual_report.reminder", "remind", "approved", "approved", "2026-04-01", "第十八条(一)"),
        (national, "cycle_evaluation", "start_assessment", "approved", "final_assessment", "2024-06-30",
         "第二十九条"),
        (national, "evaluation_refused", "revoke", "final_assessment", "revoked", "2024-12-27", "第三十条"),
    ]
    history = show_case(app, national, D("2026-04-01"))["history"]
    last = history[-1]
    assert (last["actor"], last["role"], last["trigger"], last["clause"]) == (
        "system", "system", "revoke", "第三十条")
    assert last["payload"]["invoked_by"] == "alice"
    assert last["payload"]["rule"] == "evaluation_refused"
    assert verify_log(app).ok


def test_running_again_for_the_same_or_an_earlier_date_changes_nothing(app):
    bj_approved(app)
    national_approved(app)
    assert run_compliance(app, "alice", D("2027-05-02")).actions
    before = (audit_rows(app), cases_rows(app))
    for day in ("2027-05-02", "2027-05-01", "2026-01-01"):
        assert run_compliance(app, "alice", D(day)).actions == []
    assert (audit_rows(app), cases_rows(app)) == before


def test_the_database_refuses_a_second_action_with_the_same_case_rule_and_period(app):
    case_id = bj_approved(app)
    run_compliance(app, "alice", D("2026-04-01"))
    with pytest.raises(IntegrityError), app.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO automatic_actions (case_id, rule, period, trigger, effective_on, audit_seq) "
            "VALUES (:id, 'annual_report.reminder', '2025', 'remind', '2026-04-02', 999)"), {"id": case_id})


def test_a_dry_run_reports_exactly_what_the_real_run_does_and_writes_nothing(app):
    bj_approved(app)
    national_approved(app)
    bj_approved(app, "北京市人工智能技术创新中心", "2025-02-18")
    before = (audit_rows(app), cases_rows(app))
    dry = run_compliance(app, "alice", D("2029-03-01"), dry_run=True)
    assert (audit_rows(app), cases_rows(app)) == before
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM compliance_runs")).scalar() == 0
    real = run_compliance(app, "alice", D("2029-03-01"))
    assert dry.to_json() == {**real.to_json(), "dry_run": True}
    assert len(real.actions) > 3


def test_catch_up_after_downtime_applies_missed_steps_in_date_order_and_revokes_after_the_window(app):
    case_id = bj_approved(app)
    first = run_compliance(app, "alice", D("2029-01-01"))
    assert [(a["rule"], a["effective_on"]) for a in first.actions] == [
        ("mid_term", "2028-01-10"), ("annual_report.reminder", "2029-01-01"),
        ("annual_report.reminder", "2029-01-01"), ("annual_report.reminder", "2029-01-01")]
    assert run_compliance(app, "alice", D("2029-01-31")).actions == []
    last = run_compliance(app, "alice", D("2029-02-01"))
    assert [(a["rule"], a["to_state"], a["effective_on"]) for a in last.actions] == [
        ("annual_report.revocation", "revoked", "2029-02-01")]
    assert show_case(app, case_id, D("2029-02-01"))["state"] == "revoked"


def test_filing_the_report_fulfils_the_obligation_and_stops_the_revocation(app):
    case_id = bj_approved(app)
    run_compliance(app, "alice", D("2026-04-01"))
    run_compliance(app, "alice", D("2027-04-01"))
    advance(app, "alice", case_id, "file_report", D("2027-04-20"), {"year": "2026"})
    assert run_compliance(app, "alice", D("2027-05-02")).actions == []
    view = show_case(app, case_id, D("2027-05-02"))
    assert view["state"] == "approved"
    assert view["obligations"] == [
        {"kind": "annual_report", "period": "2025", "due_on": "2026-03-31", "status": "reminded"},
        {"kind": "annual_report", "period": "2026", "due_on": "2027-03-31", "status": "fulfilled"},
        {"kind": "annual_report", "period": "2027", "due_on": "2028-03-31", "status": "open"},
    ]


def test_only_an_admin_may_invoke_the_run_and_a_refusal_writes_nothing(app):
    bj_approved(app)
    add_user(app, "alice", "bob", "auditor")
    before = (audit_rows(app), cases_rows(app))
    with pytest.raises(Refused) as refused:
        run_compliance(app, "bob", D("2026-04-01"))
    assert "needs an admin" in refused.value.reasons[0].message
    assert (audit_rows(app), cases_rows(app)) == before


def test_a_run_can_be_limited_to_one_programme(app):
    bj_approved(app)
    national_approved(app)
    report = run_compliance(app, "alice", D("2026-04-01"), programme="national-tic")
    assert {a["programme"] for a in report.actions} == {"national-tic"}
    assert [a["programme"] for a in run_compliance(app, "alice", D("2026-04-01")).actions] == ["bj-tic"]


def test_cases_whose_next_due_day_is_unknown_are_looked_at_and_given_one(app):
    case_id = national_approved(app)
    with app.engine.begin() as connection:  # as a row written by an older version would be
        connection.execute(text("UPDATE cases SET next_due_on = NULL"))
    report = run_compliance(app, "alice", D("2022-01-01"))
    assert report.actions == [] and report.cases_examined == 1
    with app.engine.connect() as connection:
        stored = connection.execute(text("SELECT next_due_on FROM cases WHERE id = :id"), {"id": case_id}).scalar()
    assert str(stored) == "2024-06-30"


def test_every_run_is_recorded_with_its_counts_by_rule(app):
    bj_approved(app)
    national_approved(app)
    report = run_compliance(app, "alice", D("2026-04-01"))
    with app.engine.connect() as connection:
        row = connection.execute(text("SELECT outcome, invoked_by, as_of, counts FROM compliance_runs "
                                      "WHERE id = :id"), {"id": report.run_id}).one()
    counts = row.counts if isinstance(row.counts, dict) else __import__("json").loads(row.counts)
    assert (row.outcome, row.invoked_by, str(row.as_of)) == ("completed", "alice", "2026-04-01")
    assert counts["by_rule"] == {"bj-tic/annual_report.reminder": 1, "national-tic/cycle_evaluation": 1,
                                 "national-tic/evaluation_refused": 1}


@pytest.mark.postgres
def two_runs_at_once(app) -> dict:
    """Two real runs for the same day: the first pauses before its first batch (its lock and
    run record held) while the second tries. {"first": report, "second": report}."""
    started, second_done = threading.Event(), threading.Event()
    results = {}

    def first_run() -> None:
        def pause(done: int, total: int) -> None:
            if done == 0:
                started.set()
                second_done.wait(30)

        results["first"] = run_compliance(Lifecycle(app.url), "alice", D("2026-04-01"), progress=pause)

    thread = threading.Thread(target=first_run)
    thread.start()
    assert started.wait(30)
    results["second"] = run_compliance(Lifecycle(app.url), "alice", D("2026-04-01"))
    second_done.set()
    thread.join(60)
    return results


def test_two_concurrent_runs_on_postgresql_one_acts_and_one_declines(app):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    national_approved(app)
    holder = RunLock(app.engine)
    assert holder.acquire()  # a run in progress elsewhere holds the lock
    try:
        declined = run_compliance(app, "alice", D("2026-04-01"))
    finally:
        holder.release()
    assert declined.declined and declined.actions == []
    assert "another compliance run is in progress" in declined.decline_message()
    # Now two real runs at once.
    results = two_runs_at_once(app)
    assert results["second"].declined and results["second"].actions == []
    assert not results["first"].declined and len(results["first"].actions) == 2
    with app.engine.connect() as connection:
        outcomes = sorted(r[0] for r in connection.execute(text("SELECT outcome FROM compliance_runs")))
        actions = connection.execute(text("SELECT count(*) FROM automatic_actions")).scalar()
    assert (outcomes, actions) == (["completed", "declined", "declined"], 2)


def test_a_second_run_while_one_is_running_declines_on_sqlite_too(app):
    if app.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has its own test")
    national_approved(app)
    results = two_runs_at_once(app)
    assert results["second"].declined and results["second"].actions == []
    assert len(results["first"].actions) == 2


def test_a_database_made_before_the_compliance_tables_upgrades_and_its_cases_are_looked_at(db_url, monkeypatch):
    from alembic import command

    from lifecycle.persistence.schema import alembic_config
    from lifecycle.services.setup import init_database

    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    app = Lifecycle(db_url)
    config = alembic_config()
    with app.engine.begin() as connection:  # the schema as the first release left it
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO cases (programme, name, state, state_since, fields, approved_on, cycle, cycle_start, "
            "progress, definition_version, version, created_on, updated_at) VALUES ('national-tic', "
            "'京津冀国家技术创新中心', 'approved', '2021-06-30', '{\"kind\": \"comprehensive\"}', '2021-06-30', 1, "
            "'2021-06-30', '{}', :version, 1, '2021-03-01', '2021-06-30 00:00:00')"),
            {"version": app.catalogue.current("national-tic").version})
    assert init_database(app, "alice")["revision"] == HEAD
    report = run_compliance(app, "alice", D("2024-07-01"))
    assert [(a["rule"], a["effective_on"]) for a in report.actions] == [("cycle_evaluation", "2024-06-30")]


def test_a_run_that_fails_is_recorded_with_its_error_and_the_next_run_completes_the_work(app, monkeypatch):
    from jobs import compliance_batches

    national_approved(app)
    bj_approved(app)

    def broken_settle(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(compliance_batches, "settle", broken_settle)
        with pytest.raises(RuntimeError, match="disk full"):
            run_compliance(app, "alice", D("2026-04-01"))
    with app.engine.connect() as connection:
        outcome, error = connection.execute(text("SELECT outcome, error FROM compliance_runs")).one()
    assert (outcome, error) == ("failed", "RuntimeError: disk full")
    assert audit_rows(app)[-1][2] == "approve"  # nothing of the failed run was written
    done = run_compliance(app, "alice", D("2026-04-01"))
    assert len(done.actions) == 3 and not done.declined
