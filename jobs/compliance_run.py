"""The compliance run (`lifecycle comply`, the scheduler's daily job): apply every dated rule
of every programme by a date, exactly once.

The cases whose next due day has come are read in batches; each case is settled in the
domain (`lifecycle.domain.compliance.settle`, through `decide` as actor `system`) and each
batch is written in one transaction (`compliance_batches`): the cases, one audit entry per
action, and one automatic-action row per action, whose unique (case, rule, period) key the
database enforces. A large run settles in worker processes while this one writes
(`compliance_workers`). A run killed at any point leaves whole batches behind it; the next
run finishes the work.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jobs.compliance_batches import CaseOutcome, DecisionIds, ProgrammeOf, settle_cases, write_outcomes
from jobs.compliance_workers import fresh_outcomes, settled_batches, worker_count
from jobs.notices import plan_notices_due, write_decision_notices, write_step_notices
from lifecycle.domain.case import Case
from lifecycle.domain.programme import Programme
from lifecycle.persistence.compliance import (
    RunLock,
    claim_run,
    due_case_ids,
    finish_run,
    iter_batches,
    load_cases,
    record_run,
)
from lifecycle.persistence.engine import is_sqlite
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import require_runner, resolve_actor

#: Cases settled and written per transaction (LIFECYCLE_COMPLY_BATCH): a crash loses at most
#: one batch's work, which the next run does again.
BATCH_SIZE = int(os.environ.get("LIFECYCLE_COMPLY_BATCH", "1000"))
#: On SQLite a batch holds the one write lock of the whole database while it settles and
#: writes, so batches are smaller there: every other administrator waits at most one batch
#: (docs/performance.md, "How long a writer waits").
SQLITE_BATCH_SIZE = int(os.environ.get("LIFECYCLE_COMPLY_BATCH", "250"))
Progress = Callable[[int, int], None]
#: Hears each action as its batch is committed (or, in a dry run, settled), in order.
ActionSink = Callable[[dict[str, Any]], None]


@dataclass
class ComplianceReport:
    as_of: date
    dry_run: bool
    programme: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: (programme, rule) -> number of actions
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    refused: list[dict[str, Any]] = field(default_factory=list)
    #: Decisions due raised (never applied): revocations for an administrator to decide.
    proposals: list[dict[str, Any]] = field(default_factory=list)
    proposal_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    cases_examined: int = 0
    cases_changed: int = 0
    run_id: int | None = None
    #: The run in progress that made this one decline (None: this one ran).
    declined_because: int | None = None
    declined: bool = False
    seconds: float = 0.0
    #: The reminders (催告) applied or, in a dry run, due: (case id, rule, period, effective on).
    reminders: list[tuple[int, str, str, date]] = field(default_factory=list)
    #: Notices written to the outbox by this run (reminders with their entries, planned notices).
    notices: int = 0

    def counts_by_rule(self) -> dict[str, int]:
        by_rule: Counter[str] = Counter()
        for (programme, rule), n in self.counts.items():
            by_rule[f"{programme}/{rule}"] += n
        return dict(sorted(by_rule.items()))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "actions": self.actions,
            "proposals": self.proposals,
        }
        if self.refused:
            data["refused"] = self.refused
        if self.declined:
            data["declined"] = True
            data["message"] = self.decline_message()
        return data

    def decline_message(self) -> str:
        which = f" (run {self.declined_because})" if self.declined_because else ""
        return (
            f"another compliance run is in progress on this database{which}; this one did "
            "nothing. It will have applied everything due, or the next run will."
        )


def run_compliance(
    app: Lifecycle,
    acting: str,
    as_of: date,
    *,
    dry_run: bool = False,
    programme: str | None = None,
    source: str = "cli",
    collect: bool = True,
    batch_size: int | None = None,
    progress: Progress | None = None,
    on_action: ActionSink | None = None,
) -> ComplianceReport:
    """Apply (or with `dry_run`, only work out) everything due by `as_of`. The invoking user must
    be an admin (or the scheduler's login in lifecycle_system, on PostgreSQL); the actions are
    the system's, each naming who invoked the run. A dry run, which writes nothing, is open to
    every user the database knows (an auditor too). `progress` hears (done, total) after each
    batch; if it raises, the run stops there (a dry run: nothing to undo). With `on_action`, each
    action goes to it as its batch is committed instead of into `report.actions`: the memory of
    the run stays flat however many actions it applies (the CLI streams them out)."""
    app.require_schema()
    if batch_size is None:
        batch_size = SQLITE_BATCH_SIZE if is_sqlite(app.url) else BATCH_SIZE
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error naming the codes
    with app.database_uow() as uow:
        # A dry run writes nothing: anyone the database knows may see what a run would do.
        admin = (
            resolve_actor(uow, acting, "previewing the compliance run")
            if dry_run
            else require_runner(uow, acting, "running the compliance run (lifecycle comply)")
        )
    report = ComplianceReport(as_of=as_of, dry_run=dry_run, programme=programme)
    started = time.perf_counter()
    if dry_run:
        _apply(
            app,
            admin.name,
            report,
            write=False,
            collect=collect,
            batch_size=batch_size,
            progress=progress,
            on_action=on_action,
        )
        report.seconds = time.perf_counter() - started
        return report
    lock = RunLock(app.engine)
    try:
        if not lock.acquire():
            return _declined(app, report, admin.name, source, None)
        with app.database_uow(write=True) as uow:
            run_id, running = claim_run(
                uow.connection,
                as_of=as_of,
                invoked_by=admin.name,
                programme=programme,
                source=source,
                trust_lock=lock.advisory,
            )
            if uow.postgres:
                # The database checks each action against the recorded moves of the case's
                # definition version: make sure the current versions have theirs (cases may have
                # come in without lifecycle, by a restore or by hand).
                for current in app.catalogue.all():
                    uow.definitions.ensure(current.code, current.version, app.catalogue.text(current.code), current)
            uow.commit()
        if run_id is None:
            return _declined(app, report, admin.name, source, running)
        report.run_id = run_id
        try:
            _apply(
                app,
                admin.name,
                report,
                write=True,
                collect=collect,
                batch_size=batch_size,
                progress=progress,
                on_action=on_action,
            )
            report.notices += plan_notices_due(
                app, report.as_of, report.run_id, programme=programme, batch_size=batch_size
            )
        except BaseException as error:
            finish_run(app.engine, run_id, "failed", _counts(report), f"{type(error).__name__}: {error}")
            raise
        finish_run(app.engine, run_id, "completed", _counts(report))
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _declined(
    app: Lifecycle, report: ComplianceReport, invoked_by: str, source: str, running: int | None
) -> ComplianceReport:
    report.declined, report.declined_because = True, running
    with app.database_uow(write=True) as uow:
        report.run_id = record_run(
            uow.connection,
            as_of=report.as_of,
            invoked_by=invoked_by,
            programme=report.programme,
            source=source,
            outcome="declined",
            error=report.decline_message(),
        )
        uow.commit()
    return report


def _counts(report: ComplianceReport) -> dict[str, Any]:
    return {
        "actions": sum(report.counts.values()),
        "proposals": sum(report.proposal_counts.values()),
        "cases_examined": report.cases_examined,
        "cases_changed": report.cases_changed,
        "refused": len(report.refused),
        "by_rule": report.counts_by_rule(),
        "notices": report.notices,
    }


class _Programmes:
    """One Programme (one machine) per programme version for the whole run."""

    def __init__(self, app: Lifecycle) -> None:
        self.app = app
        self.known: dict[tuple[str, str], Programme] = {}

    def of(self, case: Case, uow: UnitOfWork) -> Programme:
        key = (case.programme, case.definition_version)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.app.programme_for(case, uow)
        return found

    def within(self, uow: UnitOfWork) -> ProgrammeOf:
        """`of`, reading a stored definition through this unit of work when it needs one."""
        return lambda case: self.of(case, uow)


def _apply(
    app: Lifecycle,
    invoked_by: str,
    report: ComplianceReport,
    *,
    write: bool,
    collect: bool,
    batch_size: int,
    progress: Progress | None,
    on_action: ActionSink | None = None,
) -> None:
    with app.engine.connect() as connection:
        ids = due_case_ids(connection, report.as_of, report.programme)
    programmes = _Programmes(app)
    as_of, done = report.as_of, 0
    if progress:
        progress(0, len(ids))
    workers = worker_count(len(ids))
    pause = WriterPause(write and is_sqlite(app.url))
    if workers:
        for batch, outcomes in settled_batches(app, ids, batch_size, as_of, invoked_by, workers):
            with app.database_uow(write=write) as uow:
                outcomes = fresh_outcomes(uow, outcomes, programmes.within(uow), as_of, invoked_by, write=write)
                _finish_batch(
                    uow,
                    report,
                    outcomes,
                    write=write,
                    collect=collect,
                    programme_of=programmes.within(uow),
                    on_action=on_action,
                )
            pause.after_commit()
            done += len(batch)
            if progress:
                progress(done, len(ids))
        return
    for batch in iter_batches(ids, batch_size):
        with app.database_uow(write=write) as uow:
            cases = load_cases(uow.connection, batch, lock=write)
            outcomes = settle_cases(cases, programmes.within(uow), as_of, invoked_by)
            _finish_batch(
                uow,
                report,
                outcomes,
                write=write,
                collect=collect,
                programme_of=programmes.within(uow),
                on_action=on_action,
            )
        pause.after_commit()
        done += len(batch)
        if progress:
            progress(done, len(ids))


class WriterPause:
    """Lets other SQLite writers in between batches. SQLite has no queue of writers: one that
    waits polls for the lock (sleeping up to 100 ms between tries), and a run that begins its
    next batch the moment it commits the last would keep it out for the whole run. So after
    each `WORK` seconds of batches the run steps aside for `GAP` seconds, longer than a
    waiter's longest sleep: an administrator waits at most about WORK plus one batch, and the
    run loses at most GAP / WORK of its speed (measured in docs/performance.md)."""

    WORK = 2.0
    GAP = 0.15

    def __init__(self, active: bool) -> None:
        self.active = active
        self.since = time.monotonic()

    def after_commit(self) -> None:
        if self.active and time.monotonic() - self.since >= self.WORK:
            time.sleep(self.GAP)
            self.since = time.monotonic()


def account(
    report: ComplianceReport,
    outcomes: list[CaseOutcome],
    *,
    collect: bool,
    decision_ids: DecisionIds | None = None,
    on_action: ActionSink | None = None,
) -> None:
    """Count the batch's outcomes into the report (and list its actions with `collect`, or hand
    them to `on_action`); the decisions due it raised are listed apart from its actions, with
    their ids once written."""
    for outcome in outcomes:
        report.cases_examined += 1
        report.refused += outcome.refused
        if outcome.steps:
            report.cases_changed += 1
        for step in outcome.steps:
            if step.decision is not None:
                report.proposal_counts[(outcome.programme, step.rule)] += 1
                if collect:
                    d = step.decision
                    report.proposals.append(
                        {
                            "decision_id": (decision_ids or {}).get((outcome.case_id, step.rule, step.period)),
                            "case_id": outcome.case_id,
                            "programme": outcome.programme,
                            "rule": d.rule,
                            "trigger": d.trigger,
                            "from_state": d.from_state,
                            "to_state": d.to_state,
                            "ground": d.ground,
                            "clause": d.clause,
                            "default": d.default,
                            "due_on": d.due_on.isoformat(),
                            "name": d.name,
                        }
                    )
                continue
            report.counts[(outcome.programme, step.rule)] += 1
            if collect and on_action is None and step.rule.endswith(".reminder"):
                report.reminders.append((outcome.case_id, step.rule, step.period, step.effective_on))
            if collect:
                action = {
                    "case_id": outcome.case_id,
                    "programme": outcome.programme,
                    "rule": step.rule,
                    "trigger": step.trigger,
                    "from_state": step.from_state,
                    "to_state": step.to_state,
                    "effective_on": step.effective_on.isoformat(),
                    "clause": step.clause,
                }
                if step.default:  # rests on a rule the documents leave open: said so
                    action["default"] = True
                if on_action is None:
                    report.actions.append(action)
                else:
                    on_action(action)


def _finish_batch(
    uow: UnitOfWork,
    report: ComplianceReport,
    outcomes: list[CaseOutcome],
    *,
    write: bool,
    collect: bool,
    programme_of: ProgrammeOf,
    on_action: ActionSink | None = None,
) -> None:
    if write:
        seqs, decision_ids = write_outcomes(uow, outcomes, report.as_of, report.run_id)
        # Each notice goes into the outbox in the transaction of the audit entry causing it: a
        # 催告's to the case's contact, a decision due's to the office's administrators.
        report.notices += write_step_notices(uow, outcomes, seqs, programme_of, report.run_id)
        report.notices += write_decision_notices(uow, outcomes, seqs, decision_ids, programme_of, report.run_id)
        uow.commit()
        account(report, outcomes, collect=collect, decision_ids=decision_ids, on_action=on_action)
    else:
        account(report, outcomes, collect=collect, on_action=on_action)
