"""One unit of work per use case: everything it writes commits together or not at all."""

from __future__ import annotations

import importlib
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from lifecycle.persistence.case_listing import CaseListing
    from lifecycle.persistence.decisions import DecisionRepository
    from lifecycle.persistence.notifications import ContactRepository, NotificationRepository
    from lifecycle.persistence.repositories import (
        AuditRepository,
        CaseRepository,
        DefinitionRepository,
        UserRepository,
    )

#: Each repository's module and class, imported when a unit of work first uses it: the table
#: models behind most of them cost ~0.5 s to import, which a command that only lists cases
#: (`listing`) does not pay.
_REPOSITORIES = {
    "cases": ("lifecycle.persistence.repositories", "CaseRepository"),
    "audit": ("lifecycle.persistence.repositories", "AuditRepository"),
    "users": ("lifecycle.persistence.repositories", "UserRepository"),
    "definitions": ("lifecycle.persistence.repositories", "DefinitionRepository"),
    "decisions": ("lifecycle.persistence.decisions", "DecisionRepository"),
    "contacts": ("lifecycle.persistence.notifications", "ContactRepository"),
    "notifications": ("lifecycle.persistence.notifications", "NotificationRepository"),
    "listing": ("lifecycle.persistence.case_listing", "CaseListing"),
}


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
    listing: CaseListing

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self.engine = engine
        self.write = write

    def __enter__(self) -> UnitOfWork:
        if self.write:
            self.connection = _held_connection(self.engine)
        else:
            self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        self._committed = False
        for name in _REPOSITORIES:  # a unit of work entered again starts on its new connection
            self.__dict__.pop(name, None)
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository on this unit of work's connection, made on first use."""
        where = _REPOSITORIES.get(name)
        if where is None or "connection" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        repository = getattr(importlib.import_module(where[0]), where[1])(self.connection)
        setattr(self, name, repository)
        return repository

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
