"""Storage of contacts and of the outbox: notices, their deliveries (one per recipient and
channel) and every attempt at each.

A notice is inserted with its deliveries in the caller's transaction (the compliance run's batch,
with the audit entry or plan that causes it); its unique key makes a second insert a no-op, so
planning twice never notifies twice. The sender claims one delivery at a time with a conditional
UPDATE (the row must still be as it read it), so two senders never hold the same delivery.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from lifecycle.domain.contacts import Contact
from lifecycle.persistence.hot_path import prepare
from lifecycle.persistence.repositories import utc_now
from lifecycle.persistence.tables import (
    admin_contacts,
    case_contacts,
    cases,
    deliveries,
    delivery_attempts,
    notice_plans,
    notifications,
)

#: Statuses a sender may pick up (retry: a failed attempt, tried again from next_attempt_at).
OPEN = ("pending", "retry")


# -- contacts -------------------------------------------------------------------
def contact_of(connection: Connection, case_id: int) -> Contact | None:
    row = connection.execute(select(case_contacts).where(case_contacts.c.case_id == case_id)).first()
    return _contact(row._mapping) if row else None


def contacts_of(connection: Connection, case_ids: Sequence[int]) -> dict[int, Contact]:
    if not case_ids:
        return {}
    rows = connection.execute(select(case_contacts).where(case_contacts.c.case_id.in_(list(case_ids))))
    return {row.case_id: _contact(row._mapping) for row in rows}


def _contact(row: Any) -> Contact:
    return Contact(row["name"], row["email"], row["phone"], row["webhook_url"], row["webhook_kind"])


def save_contact(connection: Connection, case_id: int, contact: Contact, by: str) -> None:
    values = {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "webhook_url": contact.webhook_url,
        "webhook_kind": contact.webhook_kind,
        "updated_at": utc_now(),
        "updated_by": by,
    }
    done = connection.execute(update(case_contacts).where(case_contacts.c.case_id == case_id).values(values))
    if done.rowcount == 0:
        connection.execute(insert(case_contacts).values(case_id=case_id, **values))


def admin_contact_of(connection: Connection, user: str) -> Contact | None:
    row = connection.execute(select(admin_contacts).where(admin_contacts.c.user_name == user)).first()
    return Contact(user, row.email, row.phone, row.webhook_url, row.webhook_kind) if row else None


def admin_contacts_all(connection: Connection) -> list[Contact]:
    rows = connection.execute(select(admin_contacts).order_by(admin_contacts.c.user_name))
    return [Contact(r.user_name, r.email, r.phone, r.webhook_url, r.webhook_kind) for r in rows]


def save_admin_contact(connection: Connection, user: str, contact: Contact, by: str) -> None:
    values = {
        "email": contact.email,
        "phone": contact.phone,
        "webhook_url": contact.webhook_url,
        "webhook_kind": contact.webhook_kind,
        "updated_at": utc_now(),
        "updated_by": by,
    }
    done = connection.execute(update(admin_contacts).where(admin_contacts.c.user_name == user).values(values))
    if done.rowcount == 0:
        connection.execute(insert(admin_contacts).values(user_name=user, **values))


# -- the outbox -----------------------------------------------------------------
@dataclass
class NoticeDraft:
    key: str
    case_id: int | None
    programme: str | None
    kind: str
    rule: str
    period: str
    lead_days: int | None
    due_on: date | None
    notify_on: date
    context: dict[str, Any]
    audit_seq: int | None = None


@dataclass(frozen=True)
class Recipient:
    channel: str  # email | webhook
    address: str
    webhook_kind: str | None
    name: str | None


def recipients_of(contact: Contact | None) -> list[Recipient]:
    """Where a notice to this contact goes: its e-mail and its robot, each once."""
    if contact is None:
        return []
    found = []
    if contact.email:
        found.append(Recipient("email", contact.email, None, contact.name))
    if contact.webhook_url:
        found.append(Recipient("webhook", contact.webhook_url, contact.webhook_kind or "generic", contact.name))
    return found


def existing_keys(connection: Connection, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            row[0] for row in connection.execute(select(notifications.c.key).where(notifications.c.key.in_(chunk)))
        )
    return found


def insert_notices(
    connection: Connection, drafts: Sequence[tuple[NoticeDraft, list[Recipient]]], run_id: int | None
) -> int:
    """Insert the notices not in the outbox yet, each with a delivery per recipient, in the caller's
    transaction; returns how many were new. A notice with no recipient is kept too: the log shows
    that nobody could be told. Set-based: one INSERT of the notices, one read of their ids, one
    INSERT of the deliveries. (Two compliance runs never write at once: they take the run lock;
    should two writers race anyway, the unique key refuses the second and its transaction rolls
    back whole, to be run again.)"""
    if not drafts:
        return 0
    known = existing_keys(connection, (d.key for d, _ in drafts))
    now = utc_now()
    fresh: dict[str, tuple[NoticeDraft, list[Recipient]]] = {}
    for draft, recipients in drafts:
        if draft.key not in known and draft.key not in fresh:
            fresh[draft.key] = (draft, recipients)
    if not fresh:
        return 0
    connection.execute(
        insert(notifications),
        [
            {
                "key": d.key,
                "case_id": d.case_id,
                "programme": d.programme,
                "kind": d.kind,
                "rule": d.rule,
                "period": d.period,
                "lead_days": d.lead_days,
                "due_on": d.due_on,
                "notify_on": d.notify_on,
                "created_at": now,
                "run_id": run_id,
                "audit_seq": d.audit_seq,
                "context": d.context,
            }
            for d, _ in fresh.values()
        ],
    )
    ids: dict[str, int] = {}
    keys = list(fresh)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        ids.update(
            (key, notice_id)
            for notice_id, key in connection.execute(
                select(notifications.c.id, notifications.c.key).where(notifications.c.key.in_(chunk))
            )
        )
    rows = []
    for key, (_, recipients) in fresh.items():
        unique = {(r.channel, r.address): r for r in recipients}
        rows += [
            {
                "notification_id": ids[key],
                "channel": r.channel,
                "address": r.address,
                "webhook_kind": r.webhook_kind,
                "recipient": r.name,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            }
            for r in unique.values()
        ]
    if rows:
        connection.execute(insert(deliveries), rows)
    return len(fresh)


# -- the notice planner's bookmark ------------------------------------------------
def cases_to_plan(connection: Connection, as_of: date) -> list[int]:
    """Cases whose notices may be due: never planned, changed since (another version), or whose
    next notice day has come. One pass over cases joined to their plans."""
    statement = (
        select(cases.c.id)
        .select_from(cases.outerjoin(notice_plans, notice_plans.c.case_id == cases.c.id))
        .where(
            or_(
                notice_plans.c.case_id.is_(None),
                notice_plans.c.version != cases.c.version,
                notice_plans.c.next_on <= as_of,
            )
        )
        .order_by(cases.c.id)
    )
    return [row[0] for row in connection.execute(statement)]


def _upsert_plan(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(notice_plans).values(
        case_id=bindparam("case_id"), version=bindparam("version"), next_on=bindparam("next_on")
    )
    return statement.on_conflict_do_update(
        index_elements=[notice_plans.c.case_id],
        set_={"version": statement.excluded.version, "next_on": statement.excluded.next_on},
    )


_UPSERT_PLAN: dict[str, Any] = {}


def save_plans(connection: Connection, plans: Sequence[tuple[int, int, date]]) -> None:
    """(case id, version planned at, next notice day) for each case, replacing the old ones: one
    executemany of an upsert, compiled once (through Core per batch it cost more than the
    planning at a million cases)."""
    if not plans:
        return
    dialect = connection.dialect.name
    statement = _UPSERT_PLAN.get(dialect)
    if statement is None:
        statement = _UPSERT_PLAN[dialect] = _upsert_plan(dialect)
    prepare(connection, statement).run_many(
        connection, [{"case_id": c, "version": v, "next_on": d} for c, v, d in plans]
    )


# -- the sender -------------------------------------------------------------------
@dataclass
class Claimed:
    """A delivery this sender holds: what to send, to whom, and the attempt recorded for it."""

    delivery_id: int
    notification_id: int
    channel: str
    address: str
    webhook_kind: str | None
    recipient: str | None
    attempt_id: int
    number: int
    message_id: str | None
    subject: str | None
    body: str | None
    context: dict[str, Any]
    kind: str
    programme: str | None
    case_id: int | None


def claimable(connection: Connection, now: datetime, limit: int, only: int | None = None) -> list[dict[str, Any]]:
    """Deliveries a sender may take now: open and due, or held by a sender whose lease ran out.
    (Leases held by a process gone from this host are checked by the caller.)"""
    c = deliveries.c
    statement = (
        select(c.id, c.status, c.attempts, c.lease_host, c.lease_pid, c.lease_until)
        .where(or_(and_(c.status.in_(OPEN), c.next_attempt_at <= now), c.status == "sending"))
        .order_by(c.id)
        .limit(limit)
    )
    if only is not None:
        statement = statement.where(c.id == only)
    return [dict(row._mapping) for row in connection.execute(statement)]


def claim(
    connection: Connection,
    row: dict[str, Any],
    *,
    host: str,
    pid: int,
    lease_until: datetime,
    sender: str,
    now: datetime,
) -> bool:
    """Take the delivery if it is still as read (nobody took it meanwhile); record the attempt as
    started, and an interrupted earlier attempt as such. In the caller's transaction."""
    c = deliveries.c
    done = connection.execute(
        update(deliveries)
        .where(c.id == row["id"], c.status == row["status"], c.attempts == row["attempts"])
        .values(status="sending", attempts=row["attempts"] + 1, lease_host=host, lease_pid=pid, lease_until=lease_until)
    )
    if done.rowcount != 1:
        return False
    if row["status"] == "sending":
        connection.execute(
            update(delivery_attempts)
            .where(delivery_attempts.c.delivery_id == row["id"], delivery_attempts.c.outcome == "started")
            .values(
                outcome="interrupted",
                ended_at=now,
                answer="the sender stopped during this attempt (killed or crashed); no answer was recorded",
            )
        )
    connection.execute(
        insert(delivery_attempts).values(
            delivery_id=row["id"], number=row["attempts"] + 1, started_at=now, outcome="started", sender=sender
        )
    )
    return True


def load_claimed(connection: Connection, delivery_id: int) -> Claimed:
    d, n, a = deliveries.c, notifications.c, delivery_attempts.c
    row = connection.execute(
        select(
            d.id,
            d.notification_id,
            d.channel,
            d.address,
            d.webhook_kind,
            d.recipient,
            d.attempts,
            d.message_id,
            d.subject,
            d.body,
            n.context,
            n.kind,
            n.programme,
            n.case_id,
        )
        .join_from(deliveries, notifications, n.id == d.notification_id)
        .where(d.id == delivery_id)
    ).one()
    attempt_id = connection.execute(select(func.max(a.id)).where(a.delivery_id == delivery_id)).scalar_one()
    context = row.context if isinstance(row.context, dict) else json.loads(row.context)
    return Claimed(
        row.id,
        row.notification_id,
        row.channel,
        row.address,
        row.webhook_kind,
        row.recipient,
        int(attempt_id),
        row.attempts,
        row.message_id,
        row.subject,
        row.body,
        context,
        row.kind,
        row.programme,
        row.case_id,
    )


def store_content(connection: Connection, delivery_id: int, message_id: str, subject: str, body: str) -> None:
    """The message as first rendered: every retry sends these very words with this Message-ID."""
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(message_id=message_id, subject=subject, body=body)
    )


def finish_attempt(
    connection: Connection,
    claimed: Claimed,
    *,
    outcome: str,
    answer: str | None,
    now: datetime,
    next_attempt_at: datetime | None,
    host: str,
    pid: int,
) -> bool:
    """Record the attempt's outcome and the delivery's new status (sent, retry, gave_up), only if
    this sender still holds it; False if another sender took it over (our lease ran out)."""
    c = deliveries.c
    status = {"sent": "sent", "failed": "retry", "gave_up": "gave_up"}[outcome]
    values: dict[str, Any] = {
        "status": status,
        "last_answer": answer,
        "lease_host": None,
        "lease_pid": None,
        "lease_until": None,
    }
    if outcome == "sent":
        values["sent_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    done = connection.execute(
        update(deliveries)
        .where(
            c.id == claimed.delivery_id,
            c.status == "sending",
            c.attempts == claimed.number,
            c.lease_host == host,
            c.lease_pid == pid,
        )
        .values(values)
    )
    connection.execute(
        update(delivery_attempts)
        .where(delivery_attempts.c.id == claimed.attempt_id)
        .values(outcome=outcome, answer=answer, ended_at=now)
    )
    return done.rowcount == 1


# -- the log ----------------------------------------------------------------------
def log_rows(
    connection: Connection,
    case_id: int | None = None,
    limit: int | None = None,
    offices: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Every delivery of every notice (and notices nobody could be told), newest notice first;
    with `offices`, only the notices of those offices' cases (and those of no case)."""
    n, d = notifications.c, deliveries.c
    statement = (
        select(
            n.id.label("notification_id"),
            n.case_id,
            n.programme,
            n.kind,
            n.rule,
            n.period,
            n.lead_days,
            n.due_on,
            n.notify_on,
            n.created_at,
            n.audit_seq,
            n.context,
            d.id.label("delivery_id"),
            d.channel,
            d.address,
            d.webhook_kind,
            d.recipient,
            d.status,
            d.attempts,
            d.sent_at,
            d.last_answer,
            d.message_id,
            d.subject,
        )
        .select_from(notifications.outerjoin(deliveries, d.notification_id == n.id))
        .order_by(n.id.desc(), d.id)
    )
    if case_id is not None:
        statement = statement.where(n.case_id == case_id)
    if offices is not None:
        statement = statement.where(
            or_(n.case_id.is_(None), n.case_id.in_(select(cases.c.id).where(cases.c.office.in_(offices))))
        )
    if limit:
        statement = statement.limit(limit)
    return [dict(row._mapping) for row in connection.execute(statement)]


def attempts_of(connection: Connection, delivery_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not delivery_ids:
        return found
    a = delivery_attempts.c
    for start in range(0, len(delivery_ids), 500):
        chunk = list(delivery_ids[start : start + 500])
        for row in connection.execute(select(delivery_attempts).where(a.delivery_id.in_(chunk)).order_by(a.id)):
            found.setdefault(row.delivery_id, []).append(dict(row._mapping))
    return found


def notices_for_audit(connection: Connection, seqs: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The deliveries of the notices written with these audit entries (a 催告's recipients)."""
    if not seqs:
        return {}
    n, d = notifications.c, deliveries.c
    found: dict[int, list[dict[str, Any]]] = {}
    rows = connection.execute(
        select(n.audit_seq, d.channel, d.address, d.webhook_kind, d.recipient, d.status, d.sent_at, d.last_answer)
        .select_from(notifications.outerjoin(deliveries, d.notification_id == n.id))
        .where(n.audit_seq.in_(list(seqs)))
        .order_by(d.id)
    )
    for row in rows:
        found.setdefault(int(row.audit_seq), []).append(dict(row._mapping))
    return found


# -- the services' ports ------------------------------------------------------------
class ContactRepository:
    """Cases' contacts and administrators' addresses, through the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def of_case(self, case_id: int) -> Contact | None:
        return contact_of(self.connection, case_id)

    def save(self, case_id: int, contact: Contact, by: str) -> None:
        save_contact(self.connection, case_id, contact, by)

    def of_admin(self, user: str) -> Contact | None:
        return admin_contact_of(self.connection, user)

    def save_admin(self, user: str, contact: Contact, by: str) -> None:
        save_admin_contact(self.connection, user, contact, by)

    def admins(self) -> list[Contact]:
        return admin_contacts_all(self.connection)


class NotificationRepository:
    """The notification log as people read it, through the unit of work's connection."""

    def __init__(self, connection: Connection, scope: Callable[[], tuple[str, ...] | None] | None = None) -> None:
        self.connection = connection
        self._scope = scope

    def log(self, case_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The log of the notices the viewer's offices see (row-level security again on PostgreSQL)."""
        return log_rows(self.connection, case_id, limit, self._scope() if self._scope is not None else None)

    def attempts(self, delivery_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        return attempts_of(self.connection, delivery_ids)

    def for_audit(self, seqs: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        return notices_for_audit(self.connection, seqs)
