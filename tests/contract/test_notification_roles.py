"""On PostgreSQL the database itself decides who may touch contacts and the outbox: admins keep
contacts, the scheduler's login writes and delivers notices, auditors read the log and nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jobs.compliance_run import run_compliance
from jobs.notify import SenderSettings, send_notifications
from lifecycle.services.cases import advance
from lifecycle.services.contacts import set_contact
from lifecycle.services.read_models.notification_log import notification_log


def test_the_scheduler_login_writes_and_sends_notices_and_an_auditor_reads_the_log_but_cannot_change_it(
    postgres_app, login_as, draft_case, eligible, monkeypatch
):
    advance(postgres_app, "alice", draft_case, "submit", date(2024, 10, 8), eligible)
    advance(postgres_app, "alice", draft_case, "start_review", date(2024, 11, 5))
    advance(postgres_app, "alice", draft_case, "approve", date(2025, 1, 10))
    admin_name, admin = login_as("admin")
    set_contact(admin, admin_name, draft_case, email="zhang@example.org")
    system_name, system = login_as("system")
    report = run_compliance(system, system_name, date(2026, 4, 1))
    assert report.notices >= 1
    # No mail server configured: the sender records a failure, as the scheduler's login may.
    monkeypatch.delenv("LIFECYCLE_SMTP_URL", raising=False)
    sent = send_notifications(system, system_name, settings=SenderSettings(max_attempts=2, backoff_seconds=3600))
    assert sent.failed and "LIFECYCLE_SMTP_URL" in sent.failed[0]["answer"]
    _, auditor = login_as("auditor")
    logged = notification_log(auditor, draft_case)
    assert any(n["kind"] == "reminder" and n["deliveries"][0]["status"] == "retry" for n in logged)
    for statement in (
        "UPDATE notification_deliveries SET status = 'sent'",
        "DELETE FROM notifications",
        "UPDATE case_contacts SET email = 'eve@example.org'",
        "UPDATE notification_attempts SET outcome = 'sent'",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), auditor.engine.begin() as connection:
            connection.execute(text(statement))
    with pytest.raises(DBAPIError, match="permission denied"), system.engine.begin() as connection:
        connection.execute(text("UPDATE case_contacts SET email = 'eve@example.org'"))
