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

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lifecycle.domain.notices import Notice, plan_notices, reminder_context
from lifecycle.persistence.compliance import iter_batches, load_cases
from lifecycle.persistence.notifications import (
    NoticeDraft,
    Recipient,
    cases_to_plan,
    contacts_of,
    insert_notices,
    recipients_of,
    save_plans,
)
from lifecycle.persistence.tables import cases as cases_table

if TYPE_CHECKING:
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.compliance_batches import CaseOutcome, ProgrammeOf
    from lifecycle.persistence.unit_of_work import UnitOfWork


def write_step_notices(uow: UnitOfWork, outcomes: Sequence[CaseOutcome], seqs: Sequence[int],
                       programme_of: ProgrammeOf, run_id: int | None) -> int:
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
            context = reminder_context(programme, outcome.settled, obligation_id, step.period, step.effective_on,
                                       reply_days)
            key = f"{outcome.case_id}|reminder|{step.rule}|{step.period}|"
            drafts.append((NoticeDraft(key, outcome.case_id, outcome.programme, "reminder", step.rule, step.period,
                                       None, step.effective_on, step.effective_on, context, seq), outcome.case_id))
    if not drafts:
        return 0
    contacts = contacts_of(uow.connection, sorted({case_id for _, case_id in drafts}))
    return insert_notices(uow.connection, [(d, recipients_of(contacts.get(case_id))) for d, case_id in drafts],
                          run_id)


def _draft(notice: Notice) -> NoticeDraft:
    return NoticeDraft(notice.key, notice.case_id, notice.programme, notice.kind, notice.rule, notice.period,
                       notice.lead, notice.day, notice.notify_on, notice.context)


def plan_notices_due(app: Lifecycle, as_of: date, run_id: int | None, *, programme: str | None = None,
                     batch_size: int = 1000) -> int:
    """Write every notice current on `as_of` for the cases that may have one (never planned,
    changed since, or their next notice day come); returns how many were new."""
    with app.engine.connect() as connection:
        ids = cases_to_plan(connection, as_of)
    new = 0
    known: dict[tuple[str, str], Any] = {}
    for batch in iter_batches(ids, batch_size):
        with app.uow(write=True) as uow:
            cases = [c for c in load_cases(uow.connection, batch, lock=True)
                     if programme is None or c.programme == programme]
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
            new += insert_notices(uow.connection, [(_draft(n), recipients_of(contacts.get(n.case_id)))
                                                   for n in found], run_id)
            save_plans(uow.connection, plans)
            uow.commit()
    return new


def preview_notices(app: Lifecycle, as_of: date, programme: str | None = None) -> list[dict[str, Any]]:
    """What a compliance run on `as_of` would put in the outbox, and to whom: the reminders it
    would record and the notices current that day, less those already in the outbox. Writes
    nothing."""
    from lifecycle.persistence.notifications import existing_keys
    from lifecycle.services.compliance import run_compliance
    from lifecycle.services.users import acting_user

    found: list[tuple[NoticeDraft, int]] = []
    report = run_compliance(app, acting_user(), as_of, dry_run=True, programme=programme)
    with app.uow() as uow:
        all_ids = [row[0] for row in uow.connection.execute(select(cases_table.c.id).order_by(cases_table.c.id))]
        known: dict[tuple[str, str], Any] = {}
        cases_by_id = {}
        for batch in iter_batches(all_ids, 1000):
            for case in load_cases(uow.connection, batch, lock=False):
                if programme is not None and case.programme != programme:
                    continue
                key = (case.programme, case.definition_version)
                if key not in known:
                    known[key] = app.programme_for(case, uow)
                cases_by_id[case.id] = case
                notices, _ = plan_notices(known[key], case, as_of)
                found += [(_draft(n), n.case_id) for n in notices]
        for case_id, rule, period, effective in report.reminders:
            case = cases_by_id.get(case_id)
            if case is None:
                continue
            programme_ = known[(case.programme, case.definition_version)]
            obligation_id = rule.removesuffix(".reminder")
            obligation = next((o for o in programme_.definition.obligations if o.id == obligation_id), None)
            reply_days = obligation.reminder.reply_days if obligation and obligation.reminder else 0
            context = reminder_context(programme_, case, obligation_id, period, effective, reply_days)
            key = f"{case_id}|reminder|{rule}|{period}|"
            found.append((NoticeDraft(key, case_id, case.programme, "reminder", rule, period, None,
                                      effective, effective, context), case_id))
        already = existing_keys(uow.connection, (d.key for d, _ in found))
        contacts = contacts_of(uow.connection, sorted({case_id for _, case_id in found}))
    rows = []
    for draft, case_id in found:
        if draft.key in already:
            continue
        recipients: list[Recipient] = recipients_of(contacts.get(case_id))
        rows.append({"case_id": case_id, "programme": draft.programme, "kind": draft.kind, "rule": draft.rule,
                     "period": draft.period, "lead_days": draft.lead_days,
                     "due_on": draft.due_on.isoformat() if draft.due_on else None,
                     "notify_on": draft.notify_on.isoformat(), "context": draft.context,
                     "recipients": [{"channel": r.channel, "to": _shown(r), "name": r.name} for r in recipients]})
    rows.sort(key=lambda r: (r["case_id"], r["kind"], r["rule"], r["period"]))
    return rows


def _shown(recipient: Recipient) -> str:
    if recipient.channel == "webhook":
        from lifecycle.domain.contacts import redact_url

        return f"{recipient.webhook_kind} robot {redact_url(recipient.address)}"
    return recipient.address


def notification_log(app: Lifecycle, case_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """What was (or is to be) sent to whom and when, newest notice first, each delivery with every
    attempt. Anyone who may read the database may read it (auditors included); robot URLs are
    shown without their secret keys."""
    from lifecycle.persistence.notifications import attempts_of, log_rows

    app.require_schema()
    with app.uow() as uow:
        if case_id is not None:
            from lifecycle.services.cases import load_case

            load_case(uow, case_id)
        rows = log_rows(uow.connection, case_id)
        attempts = attempts_of(uow.connection, [r["delivery_id"] for r in rows if r["delivery_id"] is not None])
    notices: dict[int, dict[str, Any]] = {}
    for row in rows:
        notice = notices.get(row["notification_id"])
        if notice is None:
            if limit and len(notices) >= limit:
                continue
            context = row["context"] if isinstance(row["context"], dict) else json.loads(row["context"])
            notice = notices[row["notification_id"]] = {
                "notification_id": row["notification_id"], "case_id": row["case_id"], "case_name": context.get(
                    "case_name"), "programme": row["programme"], "kind": row["kind"], "rule": row["rule"],
                "period": row["period"], "lead_days": row["lead_days"], "due_on": _iso(row["due_on"]),
                "notify_on": _iso(row["notify_on"]), "created_at": _iso(row["created_at"]),
                "audit_seq": row["audit_seq"], "reply_by": context.get("reply_by"), "deliveries": []}
        if row["delivery_id"] is None:
            continue
        recipient = Recipient(row["channel"], row["address"], row["webhook_kind"], row["recipient"])
        notice["deliveries"].append({
            "delivery_id": row["delivery_id"], "channel": row["channel"], "to": _shown(recipient),
            "recipient": row["recipient"], "status": row["status"], "sent_at": _iso(row["sent_at"]),
            "last_answer": row["last_answer"], "message_id": row["message_id"], "subject": row["subject"],
            "attempts": [{"number": a["number"], "started_at": _iso(a["started_at"]), "ended_at": _iso(a["ended_at"]),
                          "outcome": a["outcome"], "answer": a["answer"], "sender": a["sender"]}
                         for a in attempts.get(row["delivery_id"], [])]})
    return list(notices.values())


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def add_notifications(app: Lifecycle, view: dict[str, Any]) -> dict[str, Any]:
    """`cases show`: the case's contact, what was sent to whom and when, and on each reminder's
    (催告's) history entry its recipients and the delivery result."""
    from lifecycle.persistence.notifications import contact_of, notices_for_audit

    case_id = int(view["id"])
    with app.uow() as uow:
        contact = contact_of(uow.connection, case_id)
        # Only the system's entries (the compliance run's) carry notices.
        reminded = notices_for_audit(uow.connection, [e["seq"] for e in view["history"] if e["actor"] == "system"])
    # The robot's URL carries its secret key: `contacts show` (an admin's) has it, not the case view.
    view["contact"] = None if contact is None or contact.empty else contact.audit_view()
    for entry in view["history"]:
        sent = reminded.get(entry["seq"])
        if sent is not None:
            entry["notified"] = [
                {"channel": d["channel"], "to": _shown(Recipient(d["channel"], d["address"], d["webhook_kind"],
                                                                 d["recipient"])),
                 "recipient": d["recipient"], "status": d["status"], "sent_at": _iso(d["sent_at"]),
                 "answer": d["last_answer"]} for d in sent if d["channel"] is not None]
    view["notifications"] = notification_log(app, case_id)
    return view

