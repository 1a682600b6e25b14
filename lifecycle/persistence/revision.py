"""The schema revision this version of lifecycle needs (alembic's head), without importing alembic:
commands check it on every run, and alembic costs ~150 ms to import. A test keeps it equal to
the head of `lifecycle/migrations/versions`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

HEAD = "0008"

_QUERY = "SELECT version_num FROM alembic_version"


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None when it has no lifecycle schema.
    A database that cannot be reached at all is an operator error saying why
    (DatabaseUnavailable), not a missing schema."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        connection = engine.connect()
    except DBAPIError as error:
        from lifecycle.persistence.engine import safe_url
        from lifecycle.persistence.problems import classify

        raise classify(error, safe_url(str(engine.url))) or error from None
    with connection:
        try:
            return connection.execute(text(_QUERY)).scalar()
        except DBAPIError:
            return None


def stored_revision_of_file(path: Path, where: str) -> str | None:
    """`stored_revision` of a SQLite file, read with the driver alone (see `engine.plain_sqlite_file`);
    `where` names the database in messages."""
    from lifecycle.persistence.engine import connect_sqlite_file

    try:
        connection = connect_sqlite_file(path)
    except sqlite3.Error as error:
        from lifecycle.persistence.problems import classify

        raise classify(error, where) or error from None
    try:
        row = connection.execute(_QUERY).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return None if row is None else row[0]
