"""`lifecycle comply`: apply every dated rule of every programme by a date, exactly once.

The cases whose next due day has come are read in batches; each case is settled in the
domain (`lifecycle.domain.compliance.settle`, through `decide` as actor `system`) and each
batch is written in one transaction: the cases, one audit entry per action, and one
automatic-action row per action, whose unique (case, rule, period) key the database enforces.
A run killed at any point leaves whole batches behind it; the next run finishes the work.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import SYSTEM_ROLE, settle
from lifecycle.domain.programme import Programme
from lifecycle.errors import Conflict
from lifecycle.persistence.compliance import (
    ActionDraft,
    RunLock,
    claim_run,
    due_case_ids,
    finish_run,
    insert_actions,
    iter_batches,
    load_cases,
    parse_counts,
    record_run,
    runs,
    set_next_due,
    update_cases,
)
from lifecycle.persistence.repositories import EntryDraft, append_drafts
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import SYSTEM, require_admin

#: Cases settled and written per transaction (LIFECYCLE_COMPLY_BATCH): a crash loses at most
#: one batch's work, which the next run does again.
BATCH_SIZE = int(os.environ.get("LIFECYCLE_COMPLY_BATCH", "1000"))
Progress = Callable[[int, int], None]


@dataclass
class ComplianceReport:
    as_of: date
    dry_run: bool
    programme: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: (programme, rule) -> number of actions
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    refused: list[dict[str, Any]] = field(default_factory=list)
    cases_examined: int = 0
    cases_changed: int = 0
    run_id: int | None = None
    #: The run in progress that made this one decline (None: this one ran).
    declined_because: int | None = None
    declined: bool = False
    seconds: float = 0.0

    def counts_by_rule(self) -> dict[str, int]:
        by_rule: Counter[str] = Counter()
        for (programme, rule), n in self.counts.items():
            by_rule[f"{programme}/{rule}"] += n
        return dict(sorted(by_rule.items()))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"as_of": self.as_of.isoformat(), "dry_run": self.dry_run,
                                "actions": self.actions}
        if self.refused:
            data["refused"] = self.refused
        if self.declined:
            data["declined"] = True
            data["message"] = self.decline_message()
        return data

    def decline_message(self) -> str:
        which = f" (run {self.declined_because})" if self.declined_because else ""
        return (f"another compliance run is in progress on this database{which}; this one did "
                "nothing. It will have applied everything due, or the next run will.")


def run_compliance(app: Lifecycle, acting: str, as_of: date, *, dry_run: bool = False,
                   programme: str | None = None, source: str = "cli", collect: bool = True,
                   batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ComplianceReport:
    """Apply (or with `dry_run`, only work out) everything due by `as_of`. The invoking user must
    be an admin; the actions are the system's, each naming who invoked the run."""
    app.require_schema()
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error naming the codes
    with app.uow() as uow:
        admin = require_admin(uow, acting, "running the compliance run (lifecycle comply)")
    report = ComplianceReport(as_of=as_of, dry_run=dry_run, programme=programme)
    started = time.perf_counter()
    if dry_run:
        _apply(app, admin.name, report, write=False, collect=collect, batch_size=batch_size,
               progress=progress)
        report.seconds = time.perf_counter() - started
        return report
    lock = RunLock(app.engine)
    try:
        if not lock.acquire():
            return _declined(app, report, admin.name, source, None)
        with app.uow(write=True) as uow:
            run_id, running = claim_run(uow.connection, as_of=as_of, invoked_by=admin.name,
                                        programme=programme, source=source, trust_lock=lock.advisory)
            uow.commit()
        if run_id is None:
            return _declined(app, report, admin.name, source, running)
        report.run_id = run_id
        try:
            _apply(app, admin.name, report, write=True, collect=collect, batch_size=batch_size,
                   progress=progress)
        except BaseException as error:
            finish_run(app.engine, run_id, "failed", _counts(report), f"{type(error).__name__}: {error}")
            raise
        finish_run(app.engine, run_id, "completed", _counts(report))
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _declined(app: Lifecycle, report: ComplianceReport, invoked_by: str, source: str,
              running: int | None) -> ComplianceReport:
    report.declined, report.declined_because = True, running
    with app.uow(write=True) as uow:
        report.run_id = record_run(uow.connection, as_of=report.as_of, invoked_by=invoked_by,
                                   programme=report.programme, source=source, outcome="declined",
                                   error=report.decline_message())
        uow.commit()
    return report


def _counts(report: ComplianceReport) -> dict[str, Any]:
    return {"actions": sum(report.counts.values()), "cases_examined": report.cases_examined,
            "cases_changed": report.cases_changed, "refused": len(report.refused),
            "by_rule": report.counts_by_rule()}


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


def _apply(app: Lifecycle, invoked_by: str, report: ComplianceReport, *, write: bool, collect: bool,
           batch_size: int, progress: Progress | None) -> None:
    with app.engine.connect() as connection:
        ids = due_case_ids(connection, report.as_of, report.programme)
    programmes = _Programmes(app)
    done = 0
    if progress:
        progress(0, len(ids))
    for batch in iter_batches(ids, batch_size):
        with app.uow(write=write) as uow:
            _settle_batch(uow, programmes, invoked_by, report, batch, write=write, collect=collect)
            if write:
                uow.commit()
        done += len(batch)
        if progress:
            progress(done, len(ids))


def _settle_batch(uow: UnitOfWork, programmes: _Programmes, invoked_by: str, report: ComplianceReport,
                  batch: list[int], *, write: bool, collect: bool) -> None:
    as_of = report.as_of
    changed: list[tuple[Case, Case]] = []
    next_days: list[tuple[int, date]] = []
    entries: list[EntryDraft] = []
    actions: list[ActionDraft] = []
    reason = f"compliance run as of {as_of.isoformat()}"
    for case in load_cases(uow.connection, batch, lock=write):
        if case.next_due_on is not None and case.next_due_on > as_of:
            continue  # changed since the due cases were listed: nothing due any more
        assert case.id is not None
        report.cases_examined += 1
        programme = programmes.of(case, uow)
        settlement = settle(programme, case, as_of, invoked_by)
        for due, reasons in settlement.refused:
            report.refused.append({"case_id": case.id, "programme": case.programme, "rule": due.rule,
                                   "trigger": due.trigger, "effective_on": due.on.isoformat(),
                                   "reasons": [r.to_dict() for r in reasons]})
        if not settlement.steps:
            if settlement.case.next_due_on != case.next_due_on and settlement.case.next_due_on is not None:
                next_days.append((case.id, settlement.case.next_due_on))
            continue
        report.cases_changed += 1
        settled = settlement.case
        settled.version = case.version + len(settlement.steps)  # one per change, as by hand
        changed.append((settled, case))
        for step in settlement.steps:
            p, due = step.proposal, step.due
            report.counts[(case.programme, due.rule)] += 1
            entries.append(EntryDraft(case.id, case.programme, p.trigger, p.from_state, p.to_state,
                                      p.effective_on, SYSTEM, SYSTEM_ROLE, reason, p.clause, p.payload))
            actions.append(ActionDraft(case.id, due.rule, due.period, p.trigger, p.effective_on))
            if collect:
                report.actions.append({
                    "case_id": case.id, "programme": case.programme, "rule": due.rule,
                    "trigger": p.trigger, "from_state": p.from_state, "to_state": p.to_state,
                    "effective_on": p.effective_on.isoformat(), "clause": p.clause})
    if not write:
        return
    written = update_cases(uow.connection, changed)
    if written != len(changed) and written >= 0 and uow.connection.dialect.name == "sqlite":
        raise Conflict(f"{len(changed) - written} case(s) changed while the compliance run settled "
                       "them; nothing of this batch was written. Run `lifecycle comply` again.")
    set_next_due(uow.connection, next_days)
    seqs = append_drafts(uow.connection, entries)
    insert_actions(uow.connection, actions, seqs, report.run_id)


def run_history(app: Lifecycle, limit: int | None = None) -> list[dict[str, Any]]:
    """Every recorded run, newest first (dry runs write nothing, so they are not here)."""
    with app.uow() as uow:
        rows = runs(uow.connection, limit)
    return [{"id": r["id"], "started_at": _iso(r["started_at"]), "ended_at": _iso(r["ended_at"]),
             "as_of": _iso(r["as_of"]), "invoked_by": r["invoked_by"], "programme": r["programme"],
             "source": r["source"], "outcome": r["outcome"], "counts": parse_counts(r["counts"]),
             "error": r["error"]} for r in rows]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
