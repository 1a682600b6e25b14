"""The application: a database and a catalogue of programmes, wired once per process."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from lifecycle.domain.messages import N_
from lifecycle.errors import DatabaseUnavailable, LifecycleError
from lifecycle.persistence.engine import engine_for, is_sqlite, plain_sqlite_file, resolve_url, safe_url, sqlite_path
from lifecycle.persistence.revision import HEAD, stored_revision, stored_revision_of_file
from lifecycle.persistence.unit_of_work import UnitOfWork as DatabaseUnitOfWork
from lifecycle.persistence.unit_of_work import release_connections

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lifecycle.domain.case import Case
    from lifecycle.domain.programme import Programme
    from lifecycle.programmes.catalogue import Catalogue
    from lifecycle.services.ports import UnitOfWork


#: Opens a unit of work (`write=True`: one that writes) — a fake one in fast service tests.
UnitOfWorkFactory = Callable[..., "UnitOfWork"]


class Lifecycle:
    def __init__(
        self,
        db: str | None = None,
        programmes: Path | str | None = None,
        *,
        unit_of_work: UnitOfWorkFactory | None = None,
        viewer: str | None = None,
    ) -> None:
        self.url = resolve_url(db)
        self.programmes_dir = programmes
        self._unit_of_work = unit_of_work
        self._viewer = viewer

    @property
    def viewer(self) -> str | None:
        """Who reads: given, else LIFECYCLE_USER or the login name (`acting_user`); their office
        limits the cases and entries shown (on PostgreSQL a login's own name wins)."""
        if self._viewer is not None:
            return self._viewer
        from lifecycle.errors import LifecycleError
        from lifecycle.services.users import acting_user

        try:
            return acting_user()
        except LifecycleError:
            return None

    @cached_property
    def engine(self) -> Engine:
        return engine_for(self.url)

    @cached_property
    def catalogue(self) -> Catalogue:
        # Imported here: the programme definitions' parser and the domain are not needed by a
        # command that only reads rows (`cases list`), which starts faster without them.
        from lifecycle.programmes.catalogue import Catalogue

        return Catalogue.load(self.programmes_dir)

    def uow(self, *, write: bool = False, viewer: str | None = None) -> UnitOfWork:
        """A unit of work for a use case (the database's, unless a fake was given); what it
        reads is limited to the offices of `viewer` (default: `self.viewer`)."""
        if self._unit_of_work is not None:
            return self._unit_of_work(write=write)
        return DatabaseUnitOfWork(self.engine, write=write, viewer=viewer or self.viewer)

    def database_uow(self, *, write: bool = False, viewer: str | None = None) -> DatabaseUnitOfWork:
        """The database's own unit of work, with its connection: for the scheduled jobs and the
        demo, which write in bulk through persistence."""
        return DatabaseUnitOfWork(self.engine, write=write, viewer=viewer or self.viewer)

    def has_schema(self) -> bool:
        """Whether `lifecycle init` has created the schema here (at any revision)."""
        return stored_revision(self.engine) is not None

    def has_register(self) -> bool:
        """Whether there is a lifecycle database to read, found without creating one (a SQLite
        file is made by merely connecting to it)."""
        path = sqlite_path(self.url)
        if path is not None and not path.is_file():
            return False
        return stored_revision(self.engine) is not None

    def require_schema(self) -> None:
        """A clear error instead of 'no such table' when `lifecycle init` was not run, and
        before anything touches a SQLite path that holds no database (nothing is created)."""
        path = sqlite_path(self.url)
        if path is not None and not path.is_file():
            raise DatabaseUnavailable(
                N_(
                    "no database at {path}, so it has no lifecycle schema yet: run `lifecycle init` first to create "
                    "one there (nothing was created now), or give the database with --db / LIFECYCLE_DB"
                ),
                {"path": path},
            )
        revision = self._revision()
        if revision is None:
            self._explain_missing_rights()
            raise LifecycleError(
                N_("{url} has no lifecycle schema yet: run `lifecycle init` first"), {"url": safe_url(self.url)}
            )
        if revision != HEAD:
            raise LifecycleError(
                N_("{url} is at schema {revision}, this version needs {head}: run `lifecycle init` to upgrade"),
                {"url": safe_url(self.url), "revision": revision, "head": HEAD},
            )

    def _revision(self) -> str | None:
        path = plain_sqlite_file(self.url)
        if path is not None and "engine" not in self.__dict__:
            return stored_revision_of_file(path, safe_url(self.url))  # without importing SQLAlchemy
        return stored_revision(self.engine)

    def _explain_missing_rights(self) -> None:
        """On PostgreSQL a login in no lifecycle group sees no tables at all: say so, rather
        than suggest `init` to someone who may not run it."""
        if is_sqlite(self.url):
            return
        from lifecycle.persistence.roles import connected_user

        who = connected_user(self.engine)
        if who is not None and not who.installer and who.role is None:
            raise LifecycleError(
                N_(
                    "database user {name} is in none of the lifecycle roles (this deployment's admin, auditor "
                    "and system groups), so it sees no lifecycle tables in {url}; the installer grants one with "
                    "`lifecycle users add {name2} --role admin|auditor`"
                ),
                {"name": repr(who.name), "url": safe_url(self.url), "name2": who.name},
            )

    def end_thread(self) -> None:
        """Close the writing connection this thread keeps (a worker thread that ends)."""
        release_connections()

    def programme_for(self, case: Case, uow: UnitOfWork) -> Programme:
        """The programme version the case runs under (stored copy if it is not current)."""
        return self.catalogue.version(
            case.programme, case.definition_version, lambda code, version: uow.definitions.text(version)
        )


def database_problem(error: Exception, db: str | None) -> Exception:
    """A driver's error as what it means to the person who ran the command (cannot connect, no
    such database, authentication failed, busy), naming the database without its password."""
    from lifecycle.persistence.problems import classify

    where = safe_url(resolve_url(db))
    return classify(error, where) or LifecycleError(
        N_("database error: {strip}; nothing was written"), {"strip": str(getattr(error, "orig", error)).strip()}
    )
