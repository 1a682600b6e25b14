"""The application: a database and a catalogue of programmes, wired once per process."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from lifecycle.domain.case import Case
from lifecycle.domain.programme import Programme
from lifecycle.errors import LifecycleError
from lifecycle.persistence.engine import engine_for, is_sqlite, resolve_url, safe_url
from lifecycle.persistence.revision import HEAD, stored_revision
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.programmes.catalogue import Catalogue


class Lifecycle:
    def __init__(self, db: str | None = None, programmes: Path | str | None = None,
                 viewer: str | None = None) -> None:
        self.url = resolve_url(db)
        self.programmes_dir = programmes
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
        return Catalogue.load(self.programmes_dir)

    def uow(self, *, write: bool = False, viewer: str | None = None) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write, viewer=viewer or self.viewer)

    def require_schema(self) -> None:
        """A clear error instead of 'no such table' when `lifecycle init` was not run."""
        revision = stored_revision(self.engine)
        if revision is None:
            self._explain_missing_rights()
            raise LifecycleError(f"{safe_url(self.url)} has no lifecycle schema yet: "
                                 "run `lifecycle init` first")
        if revision != HEAD:
            raise LifecycleError(f"{safe_url(self.url)} is at schema {revision}, this version "
                                 f"needs {HEAD}: run `lifecycle init` to upgrade")

    def _explain_missing_rights(self) -> None:
        """On PostgreSQL a login in no lifecycle group sees no tables at all: say so, rather
        than suggest `init` to someone who may not run it."""
        if is_sqlite(self.url):
            return
        from sqlalchemy.exc import DBAPIError

        from lifecycle.persistence.roles import database_user

        try:
            with self.engine.connect() as connection:
                who = database_user(connection)
        except DBAPIError:
            return  # cannot even connect: the caller's error says enough
        if who is not None and not who.installer and who.role is None:
            raise LifecycleError(
                f"database user {who.name!r} is in none of the lifecycle roles "
                "(this deployment's admin, auditor and system groups), so it sees no lifecycle tables in "
                f"{safe_url(self.url)}; the installer grants one with "
                f"`lifecycle users add {who.name} --role admin|auditor`")

    def programme_for(self, case: Case, uow: UnitOfWork) -> Programme:
        """The programme version the case runs under (stored copy if it is not current)."""
        return self.catalogue.version(case.programme, case.definition_version,
                                      lambda code, version: uow.definitions.text(version))
