"""Offices: a tree (ministry → provinces → cities); every case, user and audit entry has one.

Existing cases, users and audit entries go to the root office this migration creates
(code ROOT; rename it with `lifecycle offices add ROOT --name …`). Also the tables the
PostgreSQL write functions read: the legal moves of each stored definition version, and
the names of this schema's group roles (docs/adr/0005).

The office columns are added with a constant default, which fills existing rows without an
UPDATE: the audit log's append-only triggers stay in force throughout.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROOT = "ROOT"


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("code", sqlmodel.AutoString(length=60), primary_key=True),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("parent", sqlmodel.AutoString(length=60), sa.ForeignKey("offices.code"), nullable=True),
        sa.Column("path", sqlmodel.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_offices_path", "offices", ["path"])
    op.execute(
        sa.text(
            "INSERT INTO offices (code, name, parent, path, created_at) "
            "VALUES (:code, :name, NULL, :path, CURRENT_TIMESTAMP)"
        ).bindparams(code=ROOT, name="总部 (root office)", path=f"/{ROOT}/")
    )
    for table in ("cases", "users", "audit_log"):
        op.add_column(table, sa.Column("office", sqlmodel.AutoString(length=60), nullable=False, server_default=ROOT))
    op.create_index("ix_cases_office_id", "cases", ["office", "id"])
    op.create_index("ix_audit_log_office_seq", "audit_log", ["office", "seq"])
    op.create_table(
        "programme_moves",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("trigger", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("from_state", sqlmodel.AutoString(length=60), nullable=True),
        sa.Column("to_state", sqlmodel.AutoString(length=60), nullable=False),
        sa.Column("roles", sqlmodel.AutoString(length=100), nullable=False),
    )
    op.create_index("ix_programme_moves_version_trigger", "programme_moves", ["version", "trigger", "from_state"])
    op.create_table(
        "group_roles",
        sa.Column("role", sqlmodel.AutoString(length=20), primary_key=True),
        sa.Column("group_name", sqlmodel.AutoString(length=63), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("group_roles")
    op.drop_index("ix_programme_moves_version_trigger", table_name="programme_moves")
    op.drop_table("programme_moves")
    op.drop_index("ix_audit_log_office_seq", table_name="audit_log")
    op.drop_index("ix_cases_office_id", table_name="cases")
    for table in ("audit_log", "users", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("office")
    op.drop_index("ix_offices_path", table_name="offices")
    op.drop_table("offices")
