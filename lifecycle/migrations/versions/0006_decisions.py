"""Decisions due: what the compliance run proposes (revocations) for an administrator to
confirm with the decision's number or dismiss, once per (case, rule, period).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("programme", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("rule", sqlmodel.AutoString(length=100), nullable=False),
        sa.Column("period", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("trigger", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("from_state", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("to_state", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("ground", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("clause", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_seq", sa.BigInteger(), nullable=False),
        sa.Column("state", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("decision_no", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sqlmodel.AutoString(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_seq", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("case_id", "rule", "period", name="uq_decisions_case_rule_period"),
    )
    op.create_index("ix_decisions_state_programme", "decisions", ["state", "programme"])


def downgrade() -> None:
    op.drop_index("ix_decisions_state_programme", table_name="decisions")
    op.drop_table("decisions")
