"""`lifecycle notify test --to ADDR`: one test notice, sent now through the outbox like any other,
so the configuration is checked end to end and the attempt is in the notification log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from lifecycle.domain.contacts import ContactProblem, check_email, check_webhook
from lifecycle.errors import UsageError
from lifecycle.persistence.notifications import NoticeDraft, Recipient, insert_notices
from lifecycle.persistence.repositories import utc_now
from lifecycle.persistence.tables import deliveries, notifications
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today
from lifecycle.services.users import require_runner


def send_test(app: Lifecycle, acting: str, to: str, webhook_kind: str | None = None) -> dict[str, Any]:
    from jobs.notify import Sender

    try:
        if to.strip().startswith(("http://", "https://")):
            address, kind = check_webhook(to, webhook_kind, "--to")
            recipient = Recipient("webhook", address, kind, None)
        else:
            if webhook_kind is not None:
                raise ContactProblem("--webhook-kind", "goes with a webhook URL in --to, not an e-mail address")
            recipient = Recipient("email", check_email(to, "--to"), None, None)
    except ContactProblem as problem:
        raise UsageError(f"{problem}. Nothing was sent.") from None
    app.require_schema()
    sent_at = utc_now().isoformat(timespec="seconds") + "Z"
    with app.uow(write=True) as uow:
        require_runner(uow, acting, "sending a test notification (lifecycle notify test)")
        key = f"test|{uuid.uuid4().hex}"
        insert_notices(uow.connection, [(NoticeDraft(key, None, None, "test", "test", sent_at[:10], None, None, today(),
                                                     {"sent_at": sent_at, "requested_by": acting}), [recipient])],
                       None)
        delivery_id = int(uow.connection.execute(
            select(deliveries.c.id).join_from(deliveries, notifications, notifications.c.id == deliveries.c.notification_id)
            .where(notifications.c.key == key)).scalar_one())
        uow.commit()
    report = Sender(app).deliver(delivery_id)
    entry = (report.sent or report.failed or report.gave_up or [{}])[0]
    return {"to": entry.get("to", to), "channel": recipient.channel, "sent": bool(report.sent),
            "answer": entry.get("answer", "not attempted: another sender holds it"),
            "message_id": entry.get("message_id"), "delivery_id": delivery_id}
