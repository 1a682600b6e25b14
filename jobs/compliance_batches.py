"""One batch of the compliance run: settling its cases, accounting for them, writing them.

Settling is pure work on cases already read (it may run in a worker process, see
`compliance_workers`); what it yields per case is a `CaseOutcome` that names the version of
the case it was worked out from, so the writer can tell whether the case changed meanwhile.
Writing puts a batch in one transaction: the cases, one audit entry per action, and one
automatic-action row per action, whose unique (case, rule, period) key the database enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import SYSTEM_ROLE, DecisionDue, settle
from lifecycle.domain.messages import N_
from lifecycle.domain.programme import Programme
from lifecycle.errors import Conflict
from lifecycle.persistence.compliance import (
    ActionDraft,
    SettledCase,
    insert_actions,
    moved,
    set_next_due,
    update_cases,
)
from lifecycle.persistence.decisions import DecisionDraft, insert_decisions
from lifecycle.persistence.repositories import EntryDraft, append_drafts
from lifecycle.services.users import SYSTEM

if TYPE_CHECKING:
    from lifecycle.persistence.unit_of_work import UnitOfWork

ProgrammeOf = Callable[[Case], Programme]


@dataclass
class StepDone:
    """One action of the run, as its audit entry and automatic-action row record it."""

    rule: str
    period: str
    trigger: str
    from_state: str | None
    to_state: str
    effective_on: date
    clause: str | None
    payload: dict[str, Any]
    default: bool = False
    #: Set when the step raises a decision due instead of applying the action.
    decision: DecisionDue | None = None


#: (case id, rule, period) -> the id of the decision due raised for it.
DecisionIds = dict[tuple[int, str, str], int]


@dataclass
class CaseOutcome:
    """What the run does to one case, worked out from the case at `version`."""

    case_id: int
    programme: str
    version: int
    #: The case as settled, when the run changed it (None: it did not), and whether a step
    #: moved its state or dates (else only its progress changed: reminders).
    settled: Case | None = None
    moved: bool = False
    #: Its next due day, when the run changed nothing but that day moved.
    next_due_on: date | None = None
    steps: list[StepDone] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    #: A worker could not settle the case; the run settles it itself.
    unsettled: bool = False


def settle_cases(cases: Iterable[Case], programme_of: ProgrammeOf, as_of: date, invoked_by: str) -> list[CaseOutcome]:
    """Every action due by `as_of` for each case, through `decide` as actor system."""
    outcomes = []
    for case in cases:
        if case.next_due_on is not None and case.next_due_on > as_of:
            continue  # changed since the due cases were listed: nothing due any more
        assert case.id is not None
        settlement = settle(programme_of(case), case, as_of, invoked_by)
        outcome = CaseOutcome(case.id, case.programme, case.version)
        for due, reasons in settlement.refused:
            outcome.refused.append(
                {
                    "case_id": case.id,
                    "programme": case.programme,
                    "rule": due.rule,
                    "trigger": due.trigger,
                    "effective_on": due.on.isoformat(),
                    "reasons": [r.to_dict() for r in reasons],
                }
            )
        if settlement.steps:
            outcome.settled, outcome.moved = settlement.case, moved(settlement.case, case)
            outcome.settled.version = case.version + len(settlement.steps)  # one per change, as by hand
            outcome.steps = [
                StepDone(
                    s.due.rule,
                    s.due.period,
                    s.proposal.trigger,
                    s.proposal.from_state,
                    s.proposal.to_state,
                    s.proposal.effective_on,
                    s.proposal.clause,
                    s.proposal.payload,
                    s.proposal.default,
                    s.decision,
                )
                for s in settlement.steps
            ]
        elif settlement.case.next_due_on != case.next_due_on and settlement.case.next_due_on is not None:
            outcome.next_due_on = settlement.case.next_due_on
        outcomes.append(outcome)
    return outcomes


def write_outcomes(
    uow: UnitOfWork, outcomes: list[CaseOutcome], as_of: date, run_id: int | None
) -> tuple[list[int], DecisionIds]:
    """Write a batch inside the caller's transaction: the changed cases (each only if still at the
    version it was settled from), the next due days, the audit entries and the actions. Returns
    the audit entries' seqs, one per step in the order of the outcomes and their steps."""
    changed: list[SettledCase] = []
    next_days: list[tuple[int, date]] = []
    entries: list[EntryDraft] = []
    actions: list[ActionDraft] = []
    raised: list[tuple[int, DecisionDraft]] = []
    reason = f"compliance run as of {as_of.isoformat()}"
    if uow.postgres:
        return _write_through_database(uow, outcomes, as_of, reason, run_id)
    for outcome in outcomes:
        if outcome.next_due_on is not None:
            next_days.append((outcome.case_id, outcome.next_due_on))
        if outcome.settled is None:
            continue
        changed.append(SettledCase(outcome.settled, outcome.version, outcome.moved))
        for step in outcome.steps:
            entries.append(
                EntryDraft(
                    outcome.case_id,
                    outcome.programme,
                    step.trigger,
                    step.from_state,
                    step.to_state,
                    step.effective_on,
                    SYSTEM,
                    SYSTEM_ROLE,
                    reason,
                    step.clause,
                    step.payload,
                    outcome.settled.office,
                )
            )
            actions.append(ActionDraft(outcome.case_id, step.rule, step.period, step.trigger, step.effective_on))
            if step.decision is not None:
                d = step.decision
                raised.append(
                    (
                        len(entries) - 1,
                        DecisionDraft(
                            outcome.case_id,
                            outcome.programme,
                            d.rule,
                            d.period,
                            d.trigger,
                            d.from_state,
                            d.to_state,
                            d.ground,
                            d.clause,
                            d.default,
                            d.name,
                            d.due_on,
                            as_of,
                        ),
                    )
                )
    written = update_cases(uow.connection, changed)
    # Only SQLite's count is held to it: psycopg's executemany count is not a sum in every version,
    # and on PostgreSQL the rows were locked (FOR UPDATE) when their versions were read.
    if written != len(changed) and written >= 0 and uow.connection.dialect.name == "sqlite":
        raise Conflict(
            N_(
                "{value} case(s) changed while the compliance run settled them; nothing of this batch was written. "
                "Run `lifecycle comply` again."
            ),
            {"value": len(changed) - written},
        )
    set_next_due(uow.connection, next_days)
    seqs = append_drafts(uow.connection, entries)
    insert_actions(uow.connection, actions, seqs, run_id)
    return seqs, insert_decisions(uow.connection, [draft for _, draft in raised], [seqs[i] for i, _ in raised])


def _decision_draft(outcome: CaseOutcome, d: DecisionDue, as_of: date) -> DecisionDraft:
    return DecisionDraft(
        outcome.case_id,
        outcome.programme,
        d.rule,
        d.period,
        d.trigger,
        d.from_state,
        d.to_state,
        d.ground,
        d.clause,
        d.default,
        d.name,
        d.due_on,
        as_of,
    )


def _write_through_database(
    uow: UnitOfWork, outcomes: list[CaseOutcome], as_of: date, reason: str, run_id: int | None
) -> tuple[list[int], DecisionIds]:
    """PostgreSQL: the batch's cases, next due days and entries in one call of the database's
    write function (guard.py), which checks every step is a legal move (a decision due raised is
    an entry that keeps the case's state); then the actions and the decisions raised."""
    from lifecycle.persistence.writes import CaseChange, write_changes

    changes: list[CaseChange] = []
    actions: list[ActionDraft] = []
    raised: list[tuple[int, DecisionDraft]] = []
    count = 0
    for outcome in outcomes:
        if outcome.settled is not None:
            drafts = [
                EntryDraft(
                    outcome.case_id,
                    outcome.programme,
                    step.trigger,
                    step.from_state,
                    step.to_state,
                    step.effective_on,
                    SYSTEM,
                    SYSTEM_ROLE,
                    reason,
                    step.clause,
                    step.payload,
                    outcome.settled.office,
                )
                for step in outcome.steps
            ]
            changes.append(CaseChange(outcome.settled, outcome.version, drafts))
            for step in outcome.steps:
                actions.append(ActionDraft(outcome.case_id, step.rule, step.period, step.trigger, step.effective_on))
                if step.decision is not None:
                    raised.append((count, _decision_draft(outcome, step.decision, as_of)))
                count += 1
        elif outcome.next_due_on is not None:
            only = Case(
                programme=outcome.programme,
                name="",
                state="",
                state_since=date.min,
                definition_version="",
                id=outcome.case_id,
                next_due_on=outcome.next_due_on,
            )
            changes.append(CaseChange(only, outcome.version, [], next_due_only=True))
    if not changes:
        return [], {}
    stored = write_changes(uow.connection, changes, "the compliance run's batch")
    seqs = [entry.seq for entry in stored]
    insert_actions(uow.connection, actions, seqs, run_id)
    return seqs, insert_decisions(uow.connection, [draft for _, draft in raised], [seqs[i] for i, _ in raised])
