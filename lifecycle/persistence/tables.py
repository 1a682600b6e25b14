"""The tables. SQLModel classes declare them; repositories use their Core `__table__`s,
which keep the hot path (one advance: read, UPDATE, INSERT, COMMIT) fast."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

#: The office every case, user and entry of a database made before offices belongs to.
ROOT_OFFICE = "ROOT"


class OfficeRow(SQLModel, table=True):
    """One office of the tree: the ministry at the root, provinces under it, cities under those.
    `path` is the codes from the root down ("/ROOT/BJ/HD/"): an office's sub-offices are the
    offices whose path starts with its own."""

    __tablename__ = "offices"
    __table_args__ = (Index("ix_offices_path", "path"),)

    code: str = Field(primary_key=True, max_length=60)
    name: str = Field(max_length=200)
    parent: str | None = Field(default=None, sa_column=Column(
        AutoString(length=60), ForeignKey("offices.code"), nullable=True))
    path: str = Field(max_length=1000)
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    name: str = Field(primary_key=True, max_length=200)
    role: str = Field(max_length=20)
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    office: str = Field(default=ROOT_OFFICE, sa_column=Column(
        AutoString(length=60), nullable=False, server_default=ROOT_OFFICE))


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_programme_state", "programme", "state"),
        Index("ix_cases_name_id", "name", "id"),
        Index("ix_cases_updated_at_id", "updated_at", "id"),
        Index("ix_cases_next_due_on_programme", "next_due_on", "programme"),
        Index("ix_cases_office_id", "office", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True,
                                                          autoincrement=True))
    programme: str = Field(max_length=60)
    name: str = Field(max_length=200)
    state: str = Field(max_length=60)
    state_since: date
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    approved_on: date | None = None
    valid_until: date | None = None
    cycle: int = 0
    cycle_start: date | None = None
    deadline_on: date | None = None
    progress: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    definition_version: str = Field(max_length=64)
    #: Optimistic lock: every change of the case adds one.
    version: int = 1
    created_on: date
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    #: First day the compliance run may have work for the case (9999-12-31: never; NULL: not
    #: worked out yet). Kept by every change, so the run finds its work with one range scan.
    next_due_on: date | None = None
    #: The office the case belongs to: its users (and those of the offices above) see it.
    office: str = Field(default=ROOT_OFFICE, sa_column=Column(
        AutoString(length=60), nullable=False, server_default=ROOT_OFFICE))


class AuditEntryRow(SQLModel, table=True):
    """One line of the append-only log. Database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_case_seq", "case_id", "seq"),
        Index("ix_audit_log_effective_on", "effective_on"),
        Index("ix_audit_log_office_seq", "office", "seq"),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    case_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("cases.id"),
                                                               nullable=True))
    programme: str | None = Field(default=None, max_length=60)
    trigger: str = Field(max_length=60)
    from_state: str | None = Field(default=None, max_length=60)
    to_state: str | None = Field(default=None, max_length=60)
    effective_on: date
    recorded_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    actor: str = Field(max_length=200)
    role: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    clause: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    #: Who may read the entry (its case's office, else the office it concerns). Not hashed: it
    #: says who sees the entry, not what happened, and entries hashed before offices keep their hash.
    office: str = Field(default=ROOT_OFFICE, sa_column=Column(
        AutoString(length=60), nullable=False, server_default=ROOT_OFFICE))


class AuditHeadRow(SQLModel, table=True):
    """The head of the chain: one row, locked by every append so the chain stays linear."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(max_length=64)


class DefinitionRow(SQLModel, table=True):
    """Every version of a programme definition a case has run under, as its file's text."""

    __tablename__ = "programme_definitions"

    version: str = Field(primary_key=True, max_length=64)
    code: str = Field(max_length=60, index=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class ComplianceRunRow(SQLModel, table=True):
    """One compliance run: when, for which date, who invoked it, what it did, how it ended."""

    __tablename__ = "compliance_runs"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True,
                                                          autoincrement=True))
    started_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    as_of: date
    invoked_by: str = Field(max_length=200)
    programme: str | None = Field(default=None, max_length=60)
    #: cli (`lifecycle comply`) or scheduler.
    source: str = Field(max_length=20)
    #: running, completed, failed, declined (another run held the lock), interrupted.
    outcome: str = Field(max_length=20, index=True)
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    host: str | None = Field(default=None, max_length=200)
    pid: int | None = None


class AutomaticActionRow(SQLModel, table=True):
    """Every action the compliance run applied, once: the database refuses a second action with
    the same case, rule and period, whatever happens to the process that tries."""

    __tablename__ = "automatic_actions"
    __table_args__ = (
        UniqueConstraint("case_id", "rule", "period", name="uq_automatic_actions_case_rule_period"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True,
                                                          autoincrement=True))
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("cases.id"), nullable=False))
    rule: str = Field(max_length=100)
    period: str = Field(max_length=60)
    trigger: str = Field(max_length=60)
    effective_on: date
    audit_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    run_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("compliance_runs.id"),
                                                              nullable=True))


class ProgrammeMoveRow(SQLModel, table=True):
    """The legal moves of a stored definition version, as the PostgreSQL write functions check
    them: trigger, from state (NULL: opening a case), to state, and the roles that may fire it.
    Written once per version, with the version, by a database function (docs/adr/0005)."""

    __tablename__ = "programme_moves"
    __table_args__ = (Index("ix_programme_moves_version_trigger", "version", "trigger", "from_state"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    version: str = Field(max_length=64)
    trigger: str = Field(max_length=60)
    from_state: str | None = Field(default=None, max_length=60)
    to_state: str = Field(max_length=60)
    roles: str = Field(max_length=100)


class GroupRoleRow(SQLModel, table=True):
    """PostgreSQL: the names of this schema's own group roles (admin, auditor, system)."""

    __tablename__ = "group_roles"

    role: str = Field(primary_key=True, max_length=20)
    group_name: str = Field(max_length=63)


offices = OfficeRow.__table__  # type: ignore[attr-defined]
programme_moves = ProgrammeMoveRow.__table__  # type: ignore[attr-defined]
group_roles = GroupRoleRow.__table__  # type: ignore[attr-defined]
users = UserRow.__table__  # type: ignore[attr-defined]
cases = CaseRow.__table__  # type: ignore[attr-defined]
audit_log = AuditEntryRow.__table__  # type: ignore[attr-defined]
audit_head = AuditHeadRow.__table__  # type: ignore[attr-defined]
definitions = DefinitionRow.__table__  # type: ignore[attr-defined]
compliance_runs = ComplianceRunRow.__table__  # type: ignore[attr-defined]
automatic_actions = AutomaticActionRow.__table__  # type: ignore[attr-defined]
metadata = SQLModel.metadata
