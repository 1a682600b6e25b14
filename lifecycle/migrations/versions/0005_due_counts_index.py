"""An index for the dashboard's counts of what is overdue or due soon, per programme.

The counts read each case's programme beside its next due day; with only the index on
next_due_on, every case below the horizon cost a read of its table row (218 ms on 100,000
cases). With (programme, next_due_on) the counts are one scan of the index alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_programme_next_due_on", "cases", ["programme", "next_due_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_programme_next_due_on", table_name="cases")
