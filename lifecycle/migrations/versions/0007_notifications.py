"""Notifications: contacts of cases and administrators, the outbox (notices, deliveries, attempts),
the notice planner's bookmark; APScheduler's job store table goes (it held a pickled job with the
database URL, password included; the scheduler keeps its job in memory now).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")
    op.create_table(
        "case_contacts",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True, autoincrement=False),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.AutoString(length=320), nullable=True),
        sa.Column("phone", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("webhook_url", sqlmodel.AutoString(length=1000), nullable=True),
        sa.Column("webhook_kind", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.AutoString(length=200), nullable=False),
    )
    op.create_table(
        "admin_contacts",
        sa.Column("user_name", sa.String(length=200), sa.ForeignKey("users.name"), primary_key=True),
        sa.Column("email", sqlmodel.AutoString(length=320), nullable=True),
        sa.Column("phone", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("webhook_url", sqlmodel.AutoString(length=1000), nullable=True),
        sa.Column("webhook_kind", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.AutoString(length=200), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(length=400), nullable=False, unique=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("programme", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("kind", sqlmodel.AutoString(length=30), nullable=False),
        sa.Column("rule", sqlmodel.AutoString(length=100), nullable=False),
        sa.Column("period", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("notify_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("compliance_runs.id"), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
    )
    op.create_index("ix_notifications_case_id", "notifications", ["case_id", "id"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notifications.id"), nullable=False),
        sa.Column("channel", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("address", sqlmodel.AutoString(length=1000), nullable=False),
        sa.Column("webhook_kind", sqlmodel.AutoString(length=20), nullable=True),
        sa.Column("recipient", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("status", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_host", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("lease_pid", sa.Integer(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("message_id", sqlmodel.AutoString(length=400), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_answer", sa.Text(), nullable=True),
        sa.UniqueConstraint("notification_id", "channel", "address", name="uq_deliveries_notice_channel_address"),
    )
    op.create_index("ix_deliveries_status_next", "notification_deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("notification_deliveries.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("sender", sqlmodel.AutoString(length=200), nullable=False),
    )
    op.create_index("ix_notification_attempts_delivery", "notification_attempts", ["delivery_id", "id"])
    op.create_table(
        "notice_plans",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_notice_plans_next_on", "notice_plans", ["next_on"])


def downgrade() -> None:
    op.drop_table("notice_plans")
    op.drop_table("notification_attempts")
    op.drop_table("notification_deliveries")
    op.drop_table("notifications")
    op.drop_table("admin_contacts")
    op.drop_table("case_contacts")
