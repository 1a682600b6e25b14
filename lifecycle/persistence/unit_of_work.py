"""One unit of work per use case: everything it writes commits together or not at all."""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy import Connection, Engine, text

from lifecycle.domain.audit import AuditEntry
from lifecycle.domain.case import Case
from lifecycle.errors import Conflict
from lifecycle.persistence.decisions import DecisionRepository
from lifecycle.persistence.notifications import ContactRepository, NotificationRepository
from lifecycle.persistence.offices import OfficeRepository, visible_offices
from lifecycle.persistence.repositories import (
    AuditRepository,
    CaseRepository,
    DefinitionRepository,
    EntryDraft,
    UserRepository,
    check_reason,
)
from lifecycle.persistence.repositories import _check_actor as check_actor
from lifecycle.persistence.writes import CaseChange, write_changes

#: pg_advisory_xact_lock key of quota decisions ("lcqt"), with the schema's hash as the second key.
QUOTA_LOCK = 0x6C637174


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...; uow.commit()`.

    Leaving the block without `commit()` (a refusal, an error) rolls everything
    back, so a refused action writes nothing.
    """

    connection: Connection
    cases: CaseRepository
    audit: AuditRepository
    users: UserRepository
    definitions: DefinitionRepository
    decisions: DecisionRepository
    contacts: ContactRepository
    notifications: NotificationRepository
    offices: OfficeRepository

    def __init__(self, engine: Engine, *, write: bool = False, viewer: str | None = None) -> None:
        self.engine = engine
        self.write = write
        #: Who reads (the claimed name; on PostgreSQL a login's own name wins): their offices
        #: limit what the repositories show.
        self.viewer = viewer
        self._scope: tuple[tuple[str, ...] | None] | None = None

    def scope(self) -> tuple[str, ...] | None:
        """The offices whose cases the viewer sees (None: all); looked up once per unit of work."""
        if self._scope is None:
            self._scope = (visible_offices(self.connection, self.viewer),)
        return self._scope[0]

    def scope_of(self, name: str) -> tuple[str, ...] | None:
        """The offices `name` acts on: theirs and those below it (None: all)."""
        if name == self.viewer:
            return self.scope()
        return visible_offices(self.connection, name)

    def __enter__(self) -> UnitOfWork:
        if self.write:
            self.connection = _held_connection(self.engine)
        else:
            self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        self._committed = False
        self.cases = CaseRepository(self.connection, self.scope)
        self.audit = AuditRepository(self.connection, self.scope)
        self.offices = OfficeRepository(self.connection)
        self.users = UserRepository(self.connection)
        self.definitions = DefinitionRepository(self.connection)
        self.decisions = DecisionRepository(self.connection, self.scope)
        self.contacts = ContactRepository(self.connection)
        self.notifications = NotificationRepository(self.connection, self.scope)
        return self

    @property
    def postgres(self) -> bool:
        return self.connection.dialect.name == "postgresql"

    def open_case(self, case: Case, draft: EntryDraft, action: str) -> AuditEntry:
        """Insert a new case with the entry that opens it (its `case_id` filled in)."""
        if self.postgres:
            self._check_actor(draft)
            return write_changes(self.connection, [CaseChange(case, None, [draft])], action)[0]
        self.cases.add(case)
        draft.case_id = case.id
        return self._append(draft, case.office)

    def open_cases(self, batch: list[tuple[Case, list[EntryDraft]]], action: str) -> list[int]:
        """Insert many new cases (an import), each with the entries of its history, in order;
        the entries' numbers. On PostgreSQL one database call, on SQLite two INSERTs."""
        drafts = [draft for _case, entries in batch for draft in entries]
        for draft in drafts:
            self._check_actor(draft)
        if self.postgres:
            changes = [CaseChange(case, None, entries) for case, entries in batch]
            return [entry.seq for entry in write_changes(self.connection, changes, action)]
        self.cases.add_many([case for case, _entries in batch])
        for case, entries in batch:
            for draft in entries:
                draft.case_id, draft.office = case.id, case.office
        return self.audit.append_many(drafts)

    def record(self, draft: EntryDraft, action: str) -> AuditEntry:
        """Append an entry that changes no case row (a contact set, a decision dismissed, an
        administrator's own address): on PostgreSQL through the database's write function,
        which stamps the login, checks the case's office and that the entry keeps its state."""
        self._check_actor(draft)
        if self.postgres:
            return write_changes(self.connection, [], action, caseless=[draft])[0]
        return self._append(draft, draft.office)

    def record_many(self, drafts: list[EntryDraft], action: str) -> list[int]:
        """`record` for many entries at once (an import's contacts); their numbers."""
        for draft in drafts:
            self._check_actor(draft)
        if self.postgres:
            return [entry.seq for entry in write_changes(self.connection, [], action, caseless=drafts)]
        return self.audit.append_many(drafts)

    def lock_quotas(self) -> None:
        """Serialise quota decisions until the commit: two submissions counting the same places
        at once would both see room for themselves. PostgreSQL: an advisory lock of this schema
        (the chain head's row lock needs a right no login holds); SQLite: the write lock."""
        if self.postgres:
            self.connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"), {"key": QUOTA_LOCK}
            )
        else:
            self.audit.head(lock=True)

    def change_case(self, case: Case, expected_version: int, draft: EntryDraft, action: str) -> AuditEntry | None:
        """Write the changed case, if still at `expected_version`, with its entry; None if
        somebody changed it meanwhile (nothing written). On PostgreSQL one database call."""
        if self.postgres:
            self._check_actor(draft)
            try:
                return write_changes(self.connection, [CaseChange(case, expected_version, [draft])], action)[0]
            except Conflict:
                return None
        if not self.cases.update(case, expected_version):
            return None
        return self._append(draft, case.office)

    def _check_actor(self, draft: EntryDraft) -> None:
        """Say in lifecycle's words what the database function would refuse anyway (an entry
        naming somebody other than the login)."""
        if draft.reason is not None:
            check_reason(draft.reason, draft.trigger)
        who = self.users.database_user()
        if who is not None and not who.installer:
            check_actor(who, draft.actor, draft.role)

    def _append(self, draft: EntryDraft, office: str) -> AuditEntry:
        return self.audit.append(
            case_id=draft.case_id,
            programme=draft.programme,
            trigger=draft.trigger,
            from_state=draft.from_state,
            to_state=draft.to_state,
            effective_on=draft.effective_on,
            actor=draft.actor,
            role=draft.role,
            reason=draft.reason,
            clause=draft.clause,
            payload=draft.payload,
            office=office,
        )

    def commit(self) -> None:
        self._transaction.commit()
        self._committed = True

    def restart(self) -> None:
        """Roll back and begin again: to read what others committed meanwhile (a conflict)."""
        self._transaction.rollback()
        self._transaction = self.connection.begin()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()
        elif not self._committed and not self.connection.invalidated:
            # Statements run on the driver's cursor may have begun a transaction SQLAlchemy
            # does not know of (after a conflict's rollback): end it, so no lock outlives us.
            self.connection.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
        if not self.write:
            self.connection.close()
        elif self.connection.invalidated:
            _release()


_HELD = threading.local()


def _held_connection(engine: Engine) -> Connection:
    """This thread's writing connection to `engine`, kept between units of work: checking one
    out of the pool for each cost more than a whole advance's SQL. Only writers keep theirs;
    a reader may be a generator that outlives the caller's interest."""
    connection: Connection | None = getattr(_HELD, "connection", None)
    if connection is not None and (connection.engine is not engine or connection.closed or connection.invalidated):
        _release()
        connection = None
    if connection is None:
        connection = engine.connect().execution_options(lifecycle_write=True)
        _HELD.connection = connection
    return connection


def _release() -> None:
    connection: Connection | None = getattr(_HELD, "connection", None)
    _HELD.connection = None
    if connection is not None:
        connection.close()


def release_connections() -> None:
    """Close this thread's kept connection (before disposing of its engine, say)."""
    _release()
