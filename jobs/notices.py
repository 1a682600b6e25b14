"""The compliance run's notices: written to the outbox in the transaction of what causes them.

- A reminder (催告) the run records: its notice, naming the year concerned and the reply-by day,
  is inserted with the reminder's audit entry (`write_step_notices`, inside the batch).
- A notice planned from a day to come (a report due in 30 days, a review opening, a rectification
  deadline): inserted with the planner's bookmark for the case (`plan_notices_due`), one
  transaction per batch of cases, so a killed run leaves whole batches and the next run plans
  the rest; the outbox's unique key keeps a notice from being planned twice.

Each notice gets one delivery per recipient and channel, read from the case's contact as it is
when the notice is written: that is whom the record names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import DecisionDue
from lifecycle.domain.notices import Notice, plan_notices, reminder_context
from lifecycle.persistence.compliance import iter_batches, load_cases
from lifecycle.persistence.notifications import (
    NoticeDraft,
    Recipient,
    admin_contacts_all,
    cases_to_plan,
    contacts_of,
    insert_notices,
    recipients_of,
    save_plans,
)

if TYPE_CHECKING:
    from jobs.compliance_batches import CaseOutcome, ProgrammeOf
    from lifecycle.domain.programme import Programme
    from lifecycle.persistence.unit_of_work import UnitOfWork
    from lifecycle.services.app import Lifecycle


def write_step_notices(
    uow: UnitOfWork, outcomes: Sequence[CaseOutcome], seqs: Sequence[int], programme_of: ProgrammeOf, run_id: int | None
) -> int:
    """The reminders' notices of a written batch (`seqs`: its audit entries, step by step)."""
    drafts: list[tuple[NoticeDraft, int]] = []
    index = 0
    for outcome in outcomes:
        if outcome.settled is None:
            continue
        for step in outcome.steps:
            seq = seqs[index]
            index += 1
            if not step.rule.endswith(".reminder"):
                continue
            programme = programme_of(outcome.settled)
            if not programme.definition.notifications.reminders:
                continue
            obligation_id = step.rule.removesuffix(".reminder")
            obligation = next((o for o in programme.definition.obligations if o.id == obligation_id), None)
            reply_days = obligation.reminder.reply_days if obligation and obligation.reminder else 0
            context = reminder_context(
                programme, outcome.settled, obligation_id, step.period, step.effective_on, reply_days
            )
            key = f"{outcome.case_id}|reminder|{step.rule}|{step.period}|"
            drafts.append(
                (
                    NoticeDraft(
                        key,
                        outcome.case_id,
                        outcome.programme,
                        "reminder",
                        step.rule,
                        step.period,
                        None,
                        step.effective_on,
                        step.effective_on,
                        context,
                        seq,
                    ),
                    outcome.case_id,
                )
            )
    if not drafts:
        return 0
    contacts = contacts_of(uow.connection, sorted({case_id for _, case_id in drafts}))
    return insert_notices(uow.connection, [(d, recipients_of(contacts.get(case_id))) for d, case_id in drafts], run_id)


def write_decision_notices(
    uow: UnitOfWork,
    outcomes: Sequence[CaseOutcome],
    seqs: Sequence[int],
    decision_ids: dict[tuple[int, str, str], int],
    programme_of: ProgrammeOf,
    run_id: int | None,
) -> int:
    """A notice to the office's administrators for each decision due the batch raised, written
    with the decision's audit entry."""
    drafts: list[NoticeDraft] = []
    index = 0
    for outcome in outcomes:
        if outcome.settled is None:
            continue
        for step in outcome.steps:
            seq = seqs[index]
            index += 1
            decision = step.decision
            if decision is None:
                continue
            programme = programme_of(outcome.settled)
            if not programme.definition.notifications.decisions:
                continue
            context = decision_context(
                programme,
                outcome.settled,
                decision,
                decision_ids.get((outcome.case_id, decision.rule, decision.period)),
                step.effective_on,
            )
            drafts.append(
                NoticeDraft(
                    f"{outcome.case_id}|decision|{decision.rule}|{decision.period}|",
                    outcome.case_id,
                    outcome.programme,
                    "decision",
                    decision.rule,
                    decision.period,
                    None,
                    decision.due_on,
                    step.effective_on,
                    context,
                    seq,
                )
            )
    if not drafts:
        return 0
    admins = [r for contact in admin_contacts_all(uow.connection) for r in recipients_of(contact)]
    return insert_notices(uow.connection, [(d, admins) for d in drafts], run_id)


def decision_context(
    programme: Programme, case: Case, decision: DecisionDue, decision_id: int | None, raised_on: date
) -> dict[str, Any]:
    """What a decision due's notice says: which case, what is proposed, on which ground and clause."""
    d = programme.definition
    ground = d.grounds.get(decision.ground or "") if decision.ground else None
    target = d.states.get(decision.to_state or "") if decision.to_state else None
    trigger = d.triggers.get(decision.trigger)
    return {
        "case_id": case.id,
        "case_name": case.name,
        "programme": d.code,
        "programme_zh": d.name.zh,
        "programme_en": d.name.en,
        "document": d.source.number or d.source.title,
        "state": case.state,
        "state_zh": d.states[case.state].zh,
        "state_en": d.states[case.state].en,
        "kind": "decision",
        "decision_id": decision_id,
        "period": decision.period,
        "due_on": decision.due_on.isoformat(),
        "raised_on": raised_on.isoformat(),
        "lead": None,
        "clause": decision.clause,
        "default": decision.default,
        "decision_zh": decision.name or (trigger.zh if trigger else decision.trigger),
        "decision_en": decision.name or (trigger.en if trigger else decision.trigger),
        "to_state_zh": target.zh if target else "",
        "to_state_en": target.en if target else "",
        "ground_zh": ground.zh if ground else "",
        "ground_en": ground.en if ground else "",
    }


def _draft(notice: Notice) -> NoticeDraft:
    return NoticeDraft(
        notice.key,
        notice.case_id,
        notice.programme,
        notice.kind,
        notice.rule,
        notice.period,
        notice.lead,
        notice.day,
        notice.notify_on,
        notice.context,
    )


def plan_notices_due(
    app: Lifecycle, as_of: date, run_id: int | None, *, programme: str | None = None, batch_size: int = 1000
) -> int:
    """Write every notice current on `as_of` for the cases that may have one (never planned,
    changed since, or their next notice day come); returns how many were new."""
    with app.engine.connect() as connection:
        ids = cases_to_plan(connection, as_of)
    new = 0
    known: dict[tuple[str, str], Any] = {}
    for batch in iter_batches(ids, batch_size):
        with app.database_uow(write=True) as uow:
            cases = [
                c for c in load_cases(uow.connection, batch, lock=True) if programme is None or c.programme == programme
            ]
            plans: list[tuple[int, int, date]] = []
            found: list[Notice] = []
            for case in cases:
                key = (case.programme, case.definition_version)
                if key not in known:
                    known[key] = app.programme_for(case, uow)
                notices, next_on = plan_notices(known[key], case, as_of)
                found += notices
                assert case.id is not None
                plans.append((case.id, case.version, next_on))
            contacts = contacts_of(uow.connection, sorted({n.case_id for n in found}))
            new += insert_notices(
                uow.connection, [(_draft(n), recipients_of(contacts.get(n.case_id))) for n in found], run_id
            )
            save_plans(uow.connection, plans)
            uow.commit()
    return new


def preview_notices(app: Lifecycle, as_of: date, programme: str | None = None) -> list[dict[str, Any]]:
    """What a compliance run on `as_of` would put in the outbox, and to whom: the reminders it
    would record and the notices current that day, less those already in the outbox. Writes
    nothing."""
    from jobs.compliance_run import run_compliance
    from lifecycle.persistence.notifications import existing_keys
    from lifecycle.services.users import acting_user

    found: list[tuple[NoticeDraft, int]] = []
    report = run_compliance(app, acting_user(), as_of, dry_run=True, programme=programme)
    with app.database_uow() as uow:
        # The cases whose notices may be due by then (the planner's bookmark says which), and
        # those the run would remind.
        wanted = sorted(set(cases_to_plan(uow.connection, as_of)) | {r[0] for r in report.reminders})
        known: dict[tuple[str, str], Any] = {}
        cases_by_id: dict[int, Case] = {}
        for batch in iter_batches(wanted, 1000):
            for case in load_cases(uow.connection, batch, lock=False):
                if programme is not None and case.programme != programme:
                    continue
                version = (case.programme, case.definition_version)
                if version not in known:
                    known[version] = app.programme_for(case, uow)
                assert case.id is not None
                cases_by_id[case.id] = case
                notices, _ = plan_notices(known[version], case, as_of)
                found += [(_draft(n), n.case_id) for n in notices]
        for case_id, rule, period, effective in report.reminders:
            reminded = cases_by_id.get(case_id)
            if reminded is None:
                continue
            programme_ = known[(reminded.programme, reminded.definition_version)]
            obligation_id = rule.removesuffix(".reminder")
            obligation = next((o for o in programme_.definition.obligations if o.id == obligation_id), None)
            reply_days = obligation.reminder.reply_days if obligation and obligation.reminder else 0
            context = reminder_context(programme_, reminded, obligation_id, period, effective, reply_days)
            found.append(
                (
                    NoticeDraft(
                        f"{case_id}|reminder|{rule}|{period}|",
                        case_id,
                        reminded.programme,
                        "reminder",
                        rule,
                        period,
                        None,
                        effective,
                        effective,
                        context,
                    ),
                    case_id,
                )
            )
        already = existing_keys(uow.connection, (d.key for d, _ in found))
        contacts = contacts_of(uow.connection, sorted({case_id for _, case_id in found}))
    rows = []
    for draft, case_id in found:
        if draft.key in already:
            continue
        recipients: list[Recipient] = recipients_of(contacts.get(case_id))
        rows.append(
            {
                "case_id": case_id,
                "programme": draft.programme,
                "kind": draft.kind,
                "rule": draft.rule,
                "period": draft.period,
                "lead_days": draft.lead_days,
                "due_on": draft.due_on.isoformat() if draft.due_on else None,
                "notify_on": draft.notify_on.isoformat(),
                "context": draft.context,
                "recipients": [{"channel": r.channel, "to": _shown(r), "name": r.name} for r in recipients],
            }
        )
    rows.sort(key=lambda r: (r["case_id"], r["kind"], r["rule"], r["period"]))
    return rows


def _shown(recipient: Recipient) -> str:
    if recipient.channel == "webhook":
        from lifecycle.domain.contacts import redact_url

        return f"{recipient.webhook_kind} robot {redact_url(recipient.address)}"
    return recipient.address
