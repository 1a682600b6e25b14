"""One unit of work per use case: everything it writes commits together or not at all."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from lifecycle.persistence.repositories import (
    AuditRepository,
    CaseRepository,
    DefinitionRepository,
    UserRepository,
)


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

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self.engine = engine
        self.write = write

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect().execution_options(lifecycle_write=self.write)
        self._transaction = self.connection.begin()
        self.cases = CaseRepository(self.connection)
        self.audit = AuditRepository(self.connection)
        self.users = UserRepository(self.connection)
        self.definitions = DefinitionRepository(self.connection)
        return self

    def commit(self) -> None:
        self._transaction.commit()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()
        self.connection.close()
