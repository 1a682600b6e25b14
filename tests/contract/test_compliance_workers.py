"""A large compliance run settles its batches in worker processes while the run's own process
writes (jobs.compliance_workers). It must do exactly what a run settled in one
process does, and a case an administrator changes after its batch was read must be settled
again from the case as it now is (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from jobs import compliance_run as compliance
from jobs.compliance_run import run_compliance
from jobs.compliance_workers import DEFAULT_PARALLEL_FROM, worker_count
from lifecycle.demo.portfolio import build_portfolio
from lifecycle.errors import UsageError
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import advance

AS_OF = date(2026, 11, 23)


@pytest.fixture
def in_workers(monkeypatch):
    """Every run settles in one worker process, whatever its size."""
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "1")
    monkeypatch.setenv("LIFECYCLE_COMPLY_PARALLEL_FROM", "0")


def audit_rows(app):
    with app.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text(
                    "SELECT case_id, trigger, from_state, to_state, effective_on, actor, clause "
                    "FROM audit_log ORDER BY seq"
                )
            )
        ]


def test_a_run_settled_in_worker_processes_does_exactly_what_a_run_in_one_process_would(app, monkeypatch):
    built = build_portfolio(app, "alice", 1500, seed=3, as_of=AS_OF)
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "0")
    here = run_compliance(app, "alice", AS_OF, dry_run=True, batch_size=100)
    assert here.cases_examined == built.due_on_as_of > 50

    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "1")
    monkeypatch.setenv("LIFECYCLE_COMPLY_PARALLEL_FROM", "0")
    dry = run_compliance(app, "alice", AS_OF, dry_run=True, batch_size=100)
    real = run_compliance(app, "alice", AS_OF, batch_size=100)
    assert dry.actions == here.actions and real.actions == here.actions
    assert dry.proposals == here.proposals
    assert [{**p, "decision_id": None} for p in real.proposals] == here.proposals
    assert real.counts == here.counts and real.refused == here.refused == []
    with app.engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM automatic_actions")).scalar()
        decisions = connection.execute(text("SELECT count(*) FROM decisions")).scalar()
    assert stored == len(real.actions) + len(real.proposals) and decisions == len(real.proposals)
    assert verify_log(app).ok
    assert run_compliance(app, "alice", AS_OF, batch_size=100).actions == []


def test_a_report_filed_while_its_batch_is_being_settled_is_not_reminded(app, in_workers, monkeypatch):
    build_portfolio(app, "alice", 1500, seed=3, as_of=AS_OF)
    planned = run_compliance(app, "alice", AS_OF, dry_run=True)
    case_id = next(a["case_id"] for a in planned.actions if a["rule"] == "annual_report.reminder")
    original = compliance.settled_batches
    filed: list[str] = []

    def administrator_acts_meanwhile(*args, **kwargs):
        # The batch is back from the worker, settled from the case as read; before it is
        # written, the administrator files the report the run was about to remind.
        for batch, outcomes in original(*args, **kwargs):
            for outcome in outcomes:
                if outcome.case_id == case_id and not filed:
                    year = next(s.period for s in outcome.steps if s.rule == "annual_report.reminder")
                    advance(app, "alice", case_id, "file_report", AS_OF, {"year": year})
                    filed.append(year)
            yield batch, outcomes

    monkeypatch.setattr(compliance, "settled_batches", administrator_acts_meanwhile)
    report = run_compliance(app, "alice", AS_OF)

    assert filed, "the case's batch never came back from the worker"
    with app.engine.connect() as connection:
        reminded = [
            r[0]
            for r in connection.execute(
                text("SELECT period FROM automatic_actions WHERE case_id = :id AND rule = 'annual_report.reminder'"),
                {"id": case_id},
            )
        ]
    assert filed[0] not in reminded
    assert [r[1] for r in audit_rows(app) if r[0] == case_id].count("file_report") >= 1
    others = [a for a in planned.actions if a["case_id"] != case_id]
    assert [a for a in report.actions if a["case_id"] != case_id] == others
    assert verify_log(app).ok


def test_a_large_run_starts_a_worker_only_on_idle_cores(monkeypatch):
    import os

    monkeypatch.delenv("LIFECYCLE_COMPLY_WORKERS", raising=False)
    monkeypatch.delenv("LIFECYCLE_COMPLY_PARALLEL_FROM", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 0.3, 0.2))
    assert worker_count(DEFAULT_PARALLEL_FROM) == 2  # 3 idle cores: one for the run, two workers
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 2.0, 1.0))
    assert worker_count(DEFAULT_PARALLEL_FROM) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (2.6, 2.0, 1.0))
    assert worker_count(DEFAULT_PARALLEL_FROM) == 0  # one idle core: the run's own
    monkeypatch.setattr(os, "getloadavg", lambda: (7.9, 6.0, 5.0))
    assert worker_count(DEFAULT_PARALLEL_FROM) == 0  # every core busy: a worker would buy nothing
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "2")
    assert worker_count(DEFAULT_PARALLEL_FROM) == 2  # unless the office says so


def test_how_many_workers_a_run_uses_follows_its_size_and_the_settings(monkeypatch):
    monkeypatch.delenv("LIFECYCLE_COMPLY_PARALLEL_FROM", raising=False)
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "2")
    assert worker_count(DEFAULT_PARALLEL_FROM - 1) == 0  # a small run: starting a worker costs more
    assert worker_count(DEFAULT_PARALLEL_FROM) == 2
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "0")
    assert worker_count(10 * DEFAULT_PARALLEL_FROM) == 0
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "two")
    with pytest.raises(UsageError, match="LIFECYCLE_COMPLY_WORKERS='two'"):
        worker_count(DEFAULT_PARALLEL_FROM)
    monkeypatch.setenv("LIFECYCLE_COMPLY_WORKERS", "1")
    monkeypatch.setenv("LIFECYCLE_COMPLY_PARALLEL_FROM", "-5")
    with pytest.raises(UsageError, match="LIFECYCLE_COMPLY_PARALLEL_FROM"):
        worker_count(DEFAULT_PARALLEL_FROM)


def test_a_case_a_worker_cannot_settle_is_settled_by_the_run_itself(app, monkeypatch):
    """A worker knows the definitions stored when the run began; a case moved meanwhile onto
    a version stored later comes back unsettled, and the run settles it, as in one process."""
    from jobs import compliance_workers
    from lifecycle.persistence.compliance import CASE_ROW_NAMES, due_case_ids, load_rows
    from lifecycle.programmes.catalogue import Catalogue

    build_portfolio(app, "alice", 600, seed=3, as_of=AS_OF)
    planned = run_compliance(app, "alice", AS_OF, dry_run=True)
    with app.engine.connect() as connection:
        rows = load_rows(connection, due_case_ids(connection, AS_OF)[:40], lock=False)
    version_at = CASE_ROW_NAMES.index("definition_version")
    unknown = rows[0][0]
    rows[0] = (*rows[0][:version_at], "f" * 64, *rows[0][version_at + 1 :])
    monkeypatch.setattr(compliance_workers, "_catalogue", Catalogue.load(None))
    monkeypatch.setattr(compliance_workers, "_stored", {})

    outcomes = compliance_workers._settle_rows(rows, AS_OF, "alice")

    assert [o.case_id for o in outcomes] == [row[0] for row in rows]
    assert [o.case_id for o in outcomes if o.unsettled] == [unknown]
    with app.uow() as uow:
        fresh = compliance_workers.fresh_outcomes(
            uow, outcomes, compliance._Programmes(app).within(uow), AS_OF, "alice", write=False
        )
    assert not any(o.unsettled for o in fresh)
    settled = [(o.case_id, s.rule, s.effective_on.isoformat()) for o in fresh for s in o.steps if s.decision is None]
    expected = [
        (a["case_id"], a["rule"], a["effective_on"])
        for a in planned.actions
        if a["case_id"] in {row[0] for row in rows}
    ]
    assert settled == expected


def test_a_case_whose_next_due_day_was_never_worked_out_counts_as_overdue(app):
    from lifecycle.services.cases import add_case
    from lifecycle.services.filters import CaseFilter
    from lifecycle.services.read_models.worklist import find_cases, overview

    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", date(2024, 10, 1)).case
    assert overview(app, AS_OF).overdue.get("bj-tic", 0) == 0
    with app.engine.begin() as connection:  # as a row written before migration 0002 would be
        connection.execute(text("UPDATE cases SET next_due_on = NULL WHERE id = :id"), {"id": case.id})
    assert overview(app, AS_OF).overdue["bj-tic"] == 1
    assert [line.id for line in find_cases(app, CaseFilter(due_before=AS_OF)).lines] == [case.id]
