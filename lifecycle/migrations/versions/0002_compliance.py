"""The compliance run: automatic actions (once per case, rule and period), runs, next due day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: not worked out yet; the next compliance run looks at such cases and fills it in.
    op.add_column("cases", sa.Column("next_due_on", sa.Date(), nullable=True))
    op.create_index("ix_cases_next_due_on", "cases", ["next_due_on"])
    op.create_table(
        "compliance_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("invoked_by", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("programme", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("source", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
    )
    op.create_index("ix_compliance_runs_outcome", "compliance_runs", ["outcome"])
    op.create_table(
        "automatic_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("rule", sqlmodel.AutoString(length=100), nullable=False),
        sa.Column("period", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("trigger", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("compliance_runs.id"), nullable=True),
        sa.UniqueConstraint("case_id", "rule", "period", name="uq_automatic_actions_case_rule_period"),
    )


def downgrade() -> None:
    op.drop_table("automatic_actions")
    op.drop_table("compliance_runs")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_next_due_on")
        batch.drop_column("next_due_on")
