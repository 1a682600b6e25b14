"""Drop the case indexes no query reads: state_since, valid_until, deadline_on.

They served the first compliance run, which looked for due cases by those dates; the run now
finds them with one range scan of ix_cases_next_due_on, and nothing else filters or sorts on
them. Every write paid for them: each state change of the compliance run moved up to three
entries in them (about a third of its UPDATE time on a million cases).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cases_deadline_on", table_name="cases")
    op.drop_index("ix_cases_valid_until", table_name="cases")
    op.drop_index("ix_cases_state_since", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_state_since", "cases", ["state_since"])
    op.create_index("ix_cases_valid_until", "cases", ["valid_until"])
    op.create_index("ix_cases_deadline_on", "cases", ["deadline_on"])
