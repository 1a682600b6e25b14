"""The sender: delivers the outbox (`lifecycle notify send`, and the scheduler after each run).

Each delivery (one notice, one recipient, one channel) goes through three steps, each its own
transaction or network exchange:

1. **claim** — a conditional UPDATE takes the delivery (status `sending`, this host and pid, a
   lease) and an attempt row is inserted as `started`; committed before anything is sent. The
   first claim also renders the message and stores it with its Message-ID, so every retry
   sends the very same words under the same Message-ID.
2. **send** — one SMTP session or one HTTP POST.
3. **record** — the attempt's outcome (sent; failed with the server's answer; gave_up) and the
   delivery's status, in one transaction.

What a crash at any instant leaves (docs/notifications-operations.md says the same):

- before 1 commits: nothing happened; the delivery is still open and is sent by the next sender.
- between 1 and the server's acceptance: the delivery is `sending` under a dead owner. The next
  sender on this host sees the process is gone (or, from another host, the lease run out), marks
  the attempt `interrupted` and sends it. An SMTP server accepts a message only when it answers
  250 to its data; a client gone before that answer leaves no message, so nothing is repeated.
- between the server's acceptance and 3 committing (the few milliseconds of one local commit):
  the next sender sends it again, with the same Message-ID (mail systems and a generic
  receiver can drop the second copy by it; a robot webhook cannot). This window is the only
  way to get a repeat; no crash can lose a delivery.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from lifecycle.domain.contacts import ContactProblem, check_email, check_webhook
from lifecycle.domain.messages import N_
from lifecycle.errors import LifecycleError, UsageError
from lifecycle.notifications.channels import (
    Outcome,
    SmtpConfig,
    email_message,
    send_email,
    send_webhook,
    smtp_config,
    webhook_payload,
)
from lifecycle.notifications.templates import TemplateProblem, render
from lifecycle.persistence.compliance import _alive, this_host
from lifecycle.persistence.notifications import (
    Claimed,
    NoticeDraft,
    Recipient,
    claim,
    claimable,
    finish_attempt,
    insert_notices,
    load_claimed,
    store_content,
)
from lifecycle.persistence.repositories import utc_now
from lifecycle.persistence.tables import deliveries, notifications
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today
from lifecycle.services.users import require_runner

log = logging.getLogger("lifecycle.notify")


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise LifecycleError(
            N_("{name}={value}: give a whole number (default {default})"),
            {"name": name, "value": repr(value), "default": default},
        ) from None
    if number < 0:
        raise LifecycleError(N_("{name}={value}: may not be negative"), {"name": name, "value": repr(value)})
    return number


@dataclass(frozen=True)
class SenderSettings:
    """[default]s: 8 attempts, first retry after 60 s, doubling, at most 6 hours apart; a lease of
    10 minutes (longer than any one send may take: the network time-out is 30 s)."""

    max_attempts: int = 8
    backoff_seconds: int = 60
    max_backoff_seconds: int = 6 * 3600
    lease_seconds: int = 600

    @classmethod
    def from_environment(cls) -> SenderSettings:
        return cls(
            max_attempts=max(1, _int_env("LIFECYCLE_NOTIFY_MAX_ATTEMPTS", cls.max_attempts)),
            backoff_seconds=_int_env("LIFECYCLE_NOTIFY_BACKOFF", cls.backoff_seconds),
            max_backoff_seconds=_int_env("LIFECYCLE_NOTIFY_MAX_BACKOFF", cls.max_backoff_seconds),
            lease_seconds=max(1, _int_env("LIFECYCLE_NOTIFY_LEASE", cls.lease_seconds)),
        )

    def delay(self, attempts: int) -> timedelta:
        """Exponential backoff after the `attempts`-th failure, with a little jitter so that many
        deliveries to one server do not all come back at the same second."""
        seconds = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


@dataclass
class SendReport:
    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    gave_up: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "gave_up": self.gave_up,
            "counts": {"sent": len(self.sent), "failed": len(self.failed), "gave_up": len(self.gave_up)},
        }


class Sender:
    def __init__(self, app: Lifecycle, settings: SenderSettings | None = None) -> None:
        self.app = app
        self.settings = settings or SenderSettings.from_environment()
        self.host = this_host()
        self.pid = os.getpid()
        self.name = f"{self.host}:{self.pid}"
        self._smtp: SmtpConfig | None = None
        self._smtp_error: str | None = None
        try:
            self._smtp = smtp_config(required=True)
        except LifecycleError as error:
            self._smtp_error = str(error)

    def run(self, limit: int | None = None) -> SendReport:
        """Deliver every delivery that is due now (each at most `limit` claims in all), retrying
        failures whose backoff has passed; returns what happened to each attempt."""
        report = SendReport()
        claims = 0
        skipped: set[int] = set()
        while limit is None or claims < limit:
            claimed = self._claim_next(skipped)
            if claimed is None:
                break
            claims += 1
            self._deliver(claimed, report)
        return report

    def deliver(self, delivery_id: int) -> SendReport:
        """Attempt this one delivery now (`notify test`), if it is open."""
        report = SendReport()
        claimed = self._claim_next(set(), only=delivery_id)
        if claimed is not None:
            self._deliver(claimed, report)
        return report

    # -- 1. claim --------------------------------------------------------------
    def _claim_next(self, skipped: set[int], only: int | None = None) -> Claimed | None:
        now = utc_now()
        with self.app.database_uow(write=True) as uow:
            for row in claimable(uow.connection, now, 50 + len(skipped), only=only):
                if row["id"] in skipped:
                    continue
                if row["status"] == "sending" and not self._abandoned(row, now):
                    skipped.add(row["id"])  # another live sender holds it
                    continue
                if claim(
                    uow.connection,
                    row,
                    host=self.host,
                    pid=self.pid,
                    sender=self.name,
                    now=now,
                    lease_until=now + timedelta(seconds=self.settings.lease_seconds),
                ):
                    claimed = load_claimed(uow.connection, row["id"])
                    if claimed.subject is None:
                        self._render_into(uow.connection, claimed)
                    uow.commit()
                    return claimed
                skipped.add(row["id"])
            return None

    def _abandoned(self, row: dict[str, Any], now: datetime) -> bool:
        """A `sending` delivery whose sender is gone: its process has ended on this host, or its
        lease has run out."""
        if row["lease_until"] is not None and row["lease_until"] < now:
            return True
        return row["lease_host"] == self.host and not _alive(row["lease_pid"], row["lease_host"])

    def _render_into(self, connection: Any, claimed: Claimed) -> None:
        domain = (self._smtp.sender.rsplit("@", 1)[-1] if self._smtp else None) or self.host or "lifecycle"
        message_id = f"<lifecycle.{claimed.notification_id}.{claimed.delivery_id}.{uuid.uuid4().hex[:8]}@{domain}>"
        try:
            message = render(claimed.kind, claimed.programme, claimed.context)
        except TemplateProblem as problem:
            claimed.body = None
            claimed.message_id = message_id
            claimed.subject = None
            claimed.context = {**claimed.context, "_template_error": str(problem)}
            return
        store_content(connection, claimed.delivery_id, message_id, message.subject, message.body)
        claimed.message_id, claimed.subject, claimed.body = message_id, message.subject, message.body

    # -- 2. send, 3. record ------------------------------------------------------
    def _deliver(self, claimed: Claimed, report: SendReport) -> None:
        outcome = self._send(claimed)
        now = utc_now()
        if outcome.sent:
            result, next_at = "sent", None
        elif outcome.result == "permanent" or claimed.number >= self.settings.max_attempts:
            result, next_at = "gave_up", None
        else:
            result, next_at = "failed", now + self.settings.delay(claimed.number)
        with self.app.database_uow(write=True) as uow:
            held = finish_attempt(
                uow.connection,
                claimed,
                outcome=result,
                answer=outcome.answer,
                now=now,
                next_attempt_at=next_at,
                host=self.host,
                pid=self.pid,
            )
            uow.commit()
        entry = {
            "delivery_id": claimed.delivery_id,
            "notification_id": claimed.notification_id,
            "case_id": claimed.case_id,
            "kind": claimed.kind,
            "channel": claimed.channel,
            "to": _shown(claimed),
            "attempt": claimed.number,
            "answer": outcome.answer,
            "message_id": claimed.message_id,
        }
        if not held:
            log.warning(
                "delivery %s: another sender took it over while this one sent (lease of %s s ran out)",
                claimed.delivery_id,
                self.settings.lease_seconds,
            )
        if result == "sent":
            report.sent.append(entry)
            log.info(
                "sent %s notice %s to %s (case %s): %s",
                claimed.kind,
                claimed.notification_id,
                _shown(claimed),
                claimed.case_id,
                outcome.answer,
            )
        elif result == "failed":
            entry["next_attempt_at"] = next_at.isoformat() if next_at else None
            report.failed.append(entry)
            log.warning(
                "failed: %s notice %s to %s (case %s), attempt %s: %s; trying again from %s UTC",
                claimed.kind,
                claimed.notification_id,
                _shown(claimed),
                claimed.case_id,
                claimed.number,
                outcome.answer,
                next_at,
            )
        else:
            report.gave_up.append(entry)
            log.error(
                "gave up: %s notice %s to %s (case %s) after %s attempt(s): %s",
                claimed.kind,
                claimed.notification_id,
                _shown(claimed),
                claimed.case_id,
                claimed.number,
                outcome.answer,
            )

    def _send(self, claimed: Claimed) -> Outcome:
        template_error = claimed.context.get("_template_error")
        if template_error or claimed.subject is None or claimed.body is None or claimed.message_id is None:
            return Outcome("failed", f"not sent: {template_error or 'the message could not be rendered'}")
        if claimed.channel == "email":
            if self._smtp is None:
                return Outcome("failed", f"not sent: {self._smtp_error}")
            message = email_message(
                self._smtp,
                claimed.address,
                claimed.recipient,
                claimed.subject,
                claimed.body,
                claimed.message_id,
                utc_now_aware(),
            )
            return send_email(self._smtp, message)
        meta = {
            "id": claimed.message_id,
            "notification_id": claimed.notification_id,
            "case_id": claimed.case_id,
            "kind": claimed.kind,
            "programme": claimed.programme,
            "context": {k: v for k, v in claimed.context.items() if not k.startswith("_")},
        }
        payload = webhook_payload(claimed.webhook_kind or "generic", claimed.subject, claimed.body, meta)
        return send_webhook(claimed.address, claimed.webhook_kind or "generic", payload, claimed.message_id)


def utc_now_aware() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def _shown(claimed: Claimed) -> str:
    """An address as the log and the journal show it: a robot's URL without its secret key."""
    if claimed.channel == "webhook":
        from lifecycle.domain.contacts import redact_url

        return f"{claimed.webhook_kind} robot {redact_url(claimed.address)}"
    return claimed.address


def send_notifications(
    app: Lifecycle, acting: str, *, limit: int | None = None, settings: SenderSettings | None = None
) -> SendReport:
    """`lifecycle notify send` and the scheduler: an admin (or the scheduler's login) delivers
    what is due."""
    app.require_schema()
    with app.database_uow() as uow:
        require_runner(uow, acting, "sending notifications (lifecycle notify send)")
    return Sender(app, settings).run(limit)


def send_test(app: Lifecycle, acting: str, to: str, webhook_kind: str | None = None) -> dict[str, Any]:
    """`lifecycle notify test --to ADDR`: one test notice, sent now through the outbox like any
    other, so the configuration is checked end to end and the attempt is in the log."""
    try:
        if to.strip().startswith(("http://", "https://")):
            address, kind = check_webhook(to, webhook_kind, "--to")
            recipient = Recipient("webhook", address, kind, None)
        else:
            if webhook_kind is not None:
                raise ContactProblem("--webhook-kind", "goes with a webhook URL in --to, not an e-mail address")
            recipient = Recipient("email", check_email(to, "--to"), None, None)
    except ContactProblem as problem:
        raise UsageError(N_("{problem}. Nothing was sent."), {"problem": problem}) from None
    app.require_schema()
    sent_at = utc_now().isoformat(timespec="seconds") + "Z"
    with app.database_uow(write=True) as uow:
        require_runner(uow, acting, "sending a test notification (lifecycle notify test)")
        key = f"test|{uuid.uuid4().hex}"
        insert_notices(
            uow.connection,
            [
                (
                    NoticeDraft(
                        key,
                        None,
                        None,
                        "test",
                        "test",
                        sent_at[:10],
                        None,
                        None,
                        today(),
                        {"sent_at": sent_at, "requested_by": acting},
                    ),
                    [recipient],
                )
            ],
            None,
        )
        delivery_id = int(
            uow.connection.execute(
                select(deliveries.c.id)
                .join_from(deliveries, notifications, notifications.c.id == deliveries.c.notification_id)
                .where(notifications.c.key == key)
            ).scalar_one()
        )
        uow.commit()
    report = Sender(app).deliver(delivery_id)
    entry = (report.sent or report.failed or report.gave_up or [{}])[0]
    return {
        "to": entry.get("to", to),
        "channel": recipient.channel,
        "sent": bool(report.sent),
        "answer": entry.get("answer", "not attempted: another sender holds it"),
        "message_id": entry.get("message_id"),
        "delivery_id": delivery_id,
    }
