"""The schema revision this version of lifecycle needs (alembic's head), without importing alembic:
commands check it on every run, and alembic costs ~150 ms to import. A test keeps it equal to
the head of `lifecycle/migrations/versions`."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

HEAD = "0008"


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None when it has no lifecycle schema."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None
