"""The office tree and who sees what: a user sees the cases of their office and the offices
below it; the root office (the ministry) sees all.

Each office stores its path from the root ("/ROOT/BJ/HD/"), so an office's sub-offices are
one indexed prefix search, the same on SQLite and PostgreSQL. On PostgreSQL row-level
security applies the same rule inside the database (see `roles.py`); on SQLite, one file and
one trust domain, the repositories apply it (`CaseRepository`'s scope).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, case, func, insert, or_, select, update

from lifecycle.persistence.roles import database_user
from lifecycle.persistence.tables import ROOT_OFFICE, cases, offices, users

#: Characters an office code may hold: it is part of every path, and `/` separates them.
CODE_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


class OfficeRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, code: str) -> dict[str, Any] | None:
        row = self.connection.execute(select(offices).where(offices.c.code == code)).first()
        return dict(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        """Every office, parents before children (ordered by path)."""
        return [dict(row._mapping) for row in self.connection.execute(select(offices).order_by(offices.c.path))]

    def add(self, code: str, name: str, parent_path: str, parent: str | None) -> str:
        from lifecycle.persistence.repositories import utc_now

        path = f"{parent_path}{code}/"
        self.connection.execute(
            insert(offices).values(code=code, name=name, parent=parent, path=path, created_at=utc_now())
        )
        return path

    def rename(self, code: str, name: str) -> None:
        self.connection.execute(update(offices).where(offices.c.code == code).values(name=name))

    def subtree(self, code: str) -> list[str]:
        """The office and every office below it."""
        path = self.connection.execute(select(offices.c.path).where(offices.c.code == code)).scalar()
        if path is None:
            return []
        return list(
            self.connection.execute(
                select(offices.c.code).where(offices.c.path.startswith(path, autoescape=True)).order_by(offices.c.path)
            ).scalars()
        )

    def root(self) -> str:
        """The office at the top of the tree (the ministry's): the one migration 0008 makes. There
        is no other (an office added without a parent goes under it), so no query is needed."""
        return ROOT_OFFICE

    def office_of(self, user: str) -> str | None:
        return self.connection.execute(select(users.c.office).where(users.c.name == user)).scalar()

    def case_counts(self, seen: tuple[str, ...] | None, as_of: date) -> list[tuple[str, str, int, int]]:
        """(office, state, cases, overdue on `as_of`) of the offices `seen` (None: all), in one
        grouped query: what the ministry view rolls up the tree."""
        overdue = case((or_(cases.c.next_due_on < as_of, cases.c.next_due_on.is_(None)), 1), else_=0)
        statement = select(cases.c.office, cases.c.state, func.count(), func.sum(overdue)).group_by(
            cases.c.office, cases.c.state
        )
        if seen is not None:
            statement = statement.where(cases.c.office.in_(seen))
        return [(str(o), str(s), int(n), int(d or 0)) for o, s, n, d in self.connection.execute(statement)]

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(offices)).scalar() or 0)


def visible_offices(connection: Connection, claimed: str | None) -> tuple[str, ...] | None:
    """The offices whose cases this reader sees, or None for all of them (the root office's users).

    The reader is the PostgreSQL login (other than the installer), else the claimed name. A
    claimed name not in the users table sees all on SQLite and as the installer (one trust
    domain: such a reader could open the file anyway); a login not in the users table sees
    nothing, as row-level security shows it nothing."""
    who = database_user(connection)
    login = who is not None and not who.installer
    name = who.name if login and who is not None else claimed
    repository = OfficeRepository(connection)
    office = repository.office_of(name) if name is not None else None
    if office is None:
        # The scheduler host's login (system group, not a user) runs the rules of every office.
        return None if not login or (who is not None and who.role == "system") else ()
    if office == repository.root():
        return None
    return tuple(repository.subtree(office))
