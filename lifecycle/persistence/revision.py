"""The schema revision this version of lifecycle needs (alembic's head), without importing alembic:
commands check it on every run, and alembic costs ~150 ms to import. A test keeps it equal to
the head of `lifecycle/migrations/versions`."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

HEAD = "0008"


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None when it has no lifecycle schema.
    A database that cannot be reached at all is an operator error saying why
    (DatabaseUnavailable), not a missing schema."""
    try:
        connection = engine.connect()
    except DBAPIError as error:
        from lifecycle.persistence.engine import safe_url
        from lifecycle.persistence.problems import classify

        raise classify(error, safe_url(str(engine.url))) or error from None
    with connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None
