"""The case list as `lifecycle cases list` prints it, read without the table models.

Listing is the command people run most, and most of its time was start-up: declaring the
SQLModel tables (`persistence/tables.py`) imports SQLModel and pydantic and builds fourteen
models (~0.5 s here), and SQLAlchemy itself costs ~0.3 s to import. The list reads nine
columns of one table, so it is one statement written out below, run through SQLAlchemy on
any database (`CaseListing`), or with the driver alone on a SQLite file given as a path
(`SqliteFileReader`, which needs no SQLAlchemy at all). The filters and order are those of
`CaseRepository.search` without paging (programme, state, name containing a text, by id); a
test keeps the rows equal to the repository's on both databases.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection

COLUMNS = ("id", "programme", "name", "state", "state_since", "approved_on", "valid_until", "next_due_on", "version")
#: The escape character of LIKE patterns, as SQLAlchemy's `contains(autoescape=True)` uses it.
ESCAPE = "/"


class CaseLine(NamedTuple):
    """One case as the list shows it; `next_due_on` is None when not worked out yet."""

    id: int
    programme: str
    name: str
    state: str
    state_since: date
    approved_on: date | None
    valid_until: date | None
    next_due_on: date | None
    version: int


def statement(
    programme: str | None, state: str | None, text: str | None, limit: int | None
) -> tuple[str, dict[str, Any]]:
    """The SQL (named parameters, valid on SQLite and PostgreSQL) and its values."""
    conditions: list[str] = []
    values: dict[str, Any] = {}
    if programme:
        conditions.append("programme = :programme")
        values["programme"] = programme
    if state:
        conditions.append("state = :state")
        values["state"] = state
    if text:
        conditions.append(f"name LIKE '%' || :text || '%' ESCAPE '{ESCAPE}'")
        wanted = text.strip()
        for special in (ESCAPE, "%", "_"):
            wanted = wanted.replace(special, ESCAPE + special)
        values["text"] = wanted
    sql = f"SELECT {', '.join(COLUMNS)} FROM cases"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT :limit"
        values["limit"] = limit
    return sql, values


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _line(row: Any) -> CaseLine:
    return CaseLine(
        row[0], row[1], row[2], row[3], _day(row[4]) or date.min, _day(row[5]), _day(row[6]), _day(row[7]), row[8]
    )


class CaseListing:
    """The list through SQLAlchemy, on a unit of work's connection (any database)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lines(
        self,
        *,
        programme: str | None = None,
        state: str | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[CaseLine]:
        from sqlalchemy import text as sql_text

        sql, values = statement(programme, state, text, limit)
        return [_line(row) for row in self.connection.execute(sql_text(sql), values)]


class _DriverListing:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def lines(
        self,
        *,
        programme: str | None = None,
        state: str | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[CaseLine]:
        sql, values = statement(programme, state, text, limit)
        return [_line(row) for row in self.connection.execute(sql, values)]


class SqliteFileReader:
    """A reading unit of work on a SQLite file with the driver alone: `listing` only.

    `with SqliteFileReader(path, where) as reader: reader.listing.lines(...)`; one read
    transaction, so the rows are one snapshot, as in a database unit of work."""

    listing: _DriverListing

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where

    def __enter__(self) -> SqliteFileReader:
        from lifecycle.persistence.engine import connect_sqlite_file

        try:
            self.connection = connect_sqlite_file(self.path)
            self.connection.execute("BEGIN")
        except sqlite3.Error as error:
            from lifecycle.persistence.problems import classify

            raise classify(error, self.where) or error from None
        self.listing = _DriverListing(self.connection)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.connection.rollback()
        finally:
            self.connection.close()
