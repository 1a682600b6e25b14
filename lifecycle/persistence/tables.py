"""The tables. SQLModel classes declare them; repositories use their Core `__table__`s,
which keep the hot path (one advance: read, UPDATE, INSERT, COMMIT) fast."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    parent: str | None = Field(
        default=None, sa_column=Column(AutoString(length=60), ForeignKey("offices.code"), nullable=True)
    )
    path: str = Field(max_length=1000)
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    name: str = Field(primary_key=True, max_length=200)
    role: str = Field(max_length=20)
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    office: str = Field(
        default=ROOT_OFFICE, sa_column=Column(AutoString(length=60), nullable=False, server_default=ROOT_OFFICE)
    )


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_programme_state", "programme", "state"),
        Index("ix_cases_name_id", "name", "id"),
        Index("ix_cases_updated_at_id", "updated_at", "id"),
        Index("ix_cases_next_due_on_programme", "next_due_on", "programme"),
        Index("ix_cases_office_id", "office", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
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
    office: str = Field(
        default=ROOT_OFFICE, sa_column=Column(AutoString(length=60), nullable=False, server_default=ROOT_OFFICE)
    )


class AuditEntryRow(SQLModel, table=True):
    """One line of the append-only log. Database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_case_seq", "case_id", "seq"),
        Index("ix_audit_log_effective_on", "effective_on"),
        Index("ix_audit_log_office_seq", "office", "seq"),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    case_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("cases.id"), nullable=True))
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
    office: str = Field(
        default=ROOT_OFFICE, sa_column=Column(AutoString(length=60), nullable=False, server_default=ROOT_OFFICE)
    )


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

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
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
    __table_args__ = (UniqueConstraint("case_id", "rule", "period", name="uq_automatic_actions_case_rule_period"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("cases.id"), nullable=False))
    rule: str = Field(max_length=100)
    period: str = Field(max_length=60)
    trigger: str = Field(max_length=60)
    effective_on: date
    audit_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    run_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("compliance_runs.id"), nullable=True))


class CaseContactRow(SQLModel, table=True):
    """The designated organisation's contact for a case: who is told about its obligations."""

    __tablename__ = "case_contacts"

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("cases.id"), primary_key=True, autoincrement=False))
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=60)
    webhook_url: str | None = Field(default=None, max_length=1000)
    webhook_kind: str | None = Field(default=None, max_length=20)
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_by: str = Field(max_length=200)


class AdminContactRow(SQLModel, table=True):
    """An administrator's addresses: where what concerns the office (a decision due) goes."""

    __tablename__ = "admin_contacts"

    user_name: str = Field(sa_column=Column(String(200), ForeignKey("users.name"), primary_key=True))
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=60)
    webhook_url: str | None = Field(default=None, max_length=1000)
    webhook_kind: str | None = Field(default=None, max_length=20)
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_by: str = Field(max_length=200)


class NotificationRow(SQLModel, table=True):
    """The outbox: one notice, written in the transaction of the audit entry or plan causing it.
    Its key names it once and for all (case, kind, rule, period, lead): never planned twice."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_case_id", "case_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    key: str = Field(sa_column=Column(String(400), nullable=False, unique=True))
    case_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("cases.id"), nullable=True))
    programme: str | None = Field(default=None, max_length=60)
    kind: str = Field(max_length=30)
    rule: str = Field(max_length=100)
    period: str = Field(max_length=60)
    lead_days: int | None = None
    due_on: date | None = None
    notify_on: date
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    run_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("compliance_runs.id"), nullable=True))
    audit_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DeliveryRow(SQLModel, table=True):
    """One notice to one recipient over one channel: sent at most once, tried until sent or
    given up. Claimed with a lease (owner host and pid) before each attempt."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", "address", name="uq_deliveries_notice_channel_address"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    notification_id: int = Field(sa_column=Column(Integer, ForeignKey("notifications.id"), nullable=False))
    #: email or webhook.
    channel: str = Field(max_length=20)
    address: str = Field(max_length=1000)
    #: wecom, dingtalk, feishu, generic (webhooks).
    webhook_kind: str | None = Field(default=None, max_length=20)
    #: Who it is for: the case's contact's name, or the administrator's user name.
    recipient: str | None = Field(default=None, max_length=200)
    #: pending, sending (claimed), retry (failed, tried again later), sent, gave_up.
    status: str = Field(max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    lease_host: str | None = Field(default=None, max_length=200)
    lease_pid: int | None = None
    lease_until: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    message_id: str | None = Field(default=None, max_length=400)
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    last_answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class DeliveryAttemptRow(SQLModel, table=True):
    """Every attempt at a delivery, recorded before the send (started) and after it (sent, failed
    with the server's answer, gave_up); `interrupted`: the sender stopped during it."""

    __tablename__ = "notification_attempts"
    __table_args__ = (Index("ix_notification_attempts_delivery", "delivery_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    delivery_id: int = Field(sa_column=Column(Integer, ForeignKey("notification_deliveries.id"), nullable=False))
    number: int
    started_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    outcome: str = Field(max_length=20)
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sender: str = Field(max_length=200)


class NoticePlanRow(SQLModel, table=True):
    """Where the notice planner stands for a case: planned at this version of the case, nothing
    more falls due before `next_on`. A case changed since (another version) is planned again."""

    __tablename__ = "notice_plans"
    __table_args__ = (Index("ix_notice_plans_next_on", "next_on"),)

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("cases.id"), primary_key=True, autoincrement=False))
    version: int
    next_on: date


class DecisionRow(SQLModel, table=True):
    """A decision due: what the compliance run proposes instead of taking a designation away,
    raised once per (case, rule, period) and then confirmed (with the decision's number) or
    dismissed by an administrator. Each change has its audit entry on the case."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("case_id", "rule", "period", name="uq_decisions_case_rule_period"),
        Index("ix_decisions_state_programme", "state", "programme"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("cases.id"), nullable=False))
    programme: str = Field(max_length=60)
    rule: str = Field(max_length=100)
    period: str = Field(max_length=60)
    #: The trigger a confirmation fires (or, with `name`, the one a person fires to settle it).
    trigger: str = Field(max_length=60)
    from_state: str = Field(max_length=60)
    to_state: str | None = Field(default=None, max_length=60)
    ground: str | None = Field(default=None, max_length=60)
    clause: str | None = Field(default=None, max_length=200)
    is_default: bool = False
    #: The decision's own label when it proposes no transition of its own.
    name: str | None = Field(default=None, max_length=200)
    #: The first day the rule held.
    due_on: date
    #: The date of the compliance run that raised it.
    raised_on: date
    raised_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: open, confirmed, dismissed.
    state: str = Field(max_length=20)
    decision_no: str | None = Field(default=None, max_length=200)
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


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
case_contacts = CaseContactRow.__table__  # type: ignore[attr-defined]
admin_contacts = AdminContactRow.__table__  # type: ignore[attr-defined]
notifications = NotificationRow.__table__  # type: ignore[attr-defined]
deliveries = DeliveryRow.__table__  # type: ignore[attr-defined]
delivery_attempts = DeliveryAttemptRow.__table__  # type: ignore[attr-defined]
notice_plans = NoticePlanRow.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
metadata = SQLModel.metadata
