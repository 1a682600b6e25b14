"""The notification log, as people read it: what was (or is to be) sent to whom and when, with
every attempt; and the contact and notifications `cases show` adds to a case."""

from __future__ import annotations

import json
from typing import Any

from lifecycle.domain.contacts import redact_url
from lifecycle.persistence.notifications import Recipient
from lifecycle.services.app import Lifecycle
from lifecycle.services.ports import UnitOfWork


def notification_log(app: Lifecycle, case_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """What was (or is to be) sent to whom and when, newest notice first, each delivery with every
    attempt. Anyone who may read the database may read it (auditors included); robot URLs are
    shown without their secret keys."""
    app.require_schema()
    with app.uow() as uow:
        if case_id is not None:
            from lifecycle.services.cases import load_case

            load_case(uow, case_id)
        return log_of(uow, case_id, limit)


def log_of(uow: UnitOfWork, case_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The notification log read in the caller's unit of work (the case screen's, `cases show`'s)."""
    rows = uow.notifications.log(case_id)
    attempts = uow.notifications.attempts([r["delivery_id"] for r in rows if r["delivery_id"] is not None])
    notices: dict[int, dict[str, Any]] = {}
    for row in rows:
        notice = notices.get(row["notification_id"])
        if notice is None:
            if limit and len(notices) >= limit:
                continue
            context = row["context"] if isinstance(row["context"], dict) else json.loads(row["context"])
            notice = notices[row["notification_id"]] = {
                "notification_id": row["notification_id"],
                "case_id": row["case_id"],
                "case_name": context.get("case_name"),
                "programme": row["programme"],
                "kind": row["kind"],
                "rule": row["rule"],
                "period": row["period"],
                "lead_days": row["lead_days"],
                "due_on": _iso(row["due_on"]),
                "notify_on": _iso(row["notify_on"]),
                "created_at": _iso(row["created_at"]),
                "audit_seq": row["audit_seq"],
                "reply_by": context.get("reply_by"),
                "deliveries": [],
            }
        if row["delivery_id"] is None:
            continue
        recipient = Recipient(row["channel"], row["address"], row["webhook_kind"], row["recipient"])
        notice["deliveries"].append(
            {
                "delivery_id": row["delivery_id"],
                "channel": row["channel"],
                "to": _shown(recipient),
                "recipient": row["recipient"],
                "status": row["status"],
                "sent_at": _iso(row["sent_at"]),
                "last_answer": row["last_answer"],
                "message_id": row["message_id"],
                "subject": row["subject"],
                "attempts": [
                    {
                        "number": a["number"],
                        "started_at": _iso(a["started_at"]),
                        "ended_at": _iso(a["ended_at"]),
                        "outcome": a["outcome"],
                        "answer": a["answer"],
                        "sender": a["sender"],
                    }
                    for a in attempts.get(row["delivery_id"], [])
                ],
            }
        )
    return list(notices.values())


def add_notifications(uow: UnitOfWork, view: dict[str, Any]) -> dict[str, Any]:
    """`cases show`: the case's contact, what was sent to whom and when, and on each reminder's
    (催告's) history entry its recipients and the delivery result, read in `show_case`'s unit of work."""
    case_id = int(view["id"])
    contact = uow.contacts.of_case(case_id)
    # Only the system's entries (the compliance run's) carry notices.
    reminded = uow.notifications.for_audit([e["seq"] for e in view["history"] if e["actor"] == "system"])
    # The robot's URL carries its secret key: `contacts show` (an admin's) has it, not the case view.
    view["contact"] = None if contact is None or contact.empty else contact.audit_view()
    for entry in view["history"]:
        sent = reminded.get(entry["seq"])
        if sent is not None:
            entry["notified"] = [
                {
                    "channel": d["channel"],
                    "to": _shown(Recipient(d["channel"], d["address"], d["webhook_kind"], d["recipient"])),
                    "recipient": d["recipient"],
                    "status": d["status"],
                    "sent_at": _iso(d["sent_at"]),
                    "answer": d["last_answer"],
                }
                for d in sent
                if d["channel"] is not None
            ]
    view["notifications"] = log_of(uow, case_id)
    return view


def _shown(recipient: Recipient) -> str:
    """An address as people see it: a robot's URL without its secret key."""
    if recipient.channel == "webhook":
        return f"{recipient.webhook_kind} robot {redact_url(recipient.address)}"
    return recipient.address


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
