"""The engine from a URL or a path: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

# SQLAlchemy is imported inside the functions that need it: a command reading a SQLite file
# given as a path (`cases list`) reads it with the driver alone and starts ~0.3 s sooner.

from lifecycle.domain.messages import N_

DEFAULT_URL = "sqlite:///lifecycle.db"
#: WAL with synchronous=NORMAL survives any crash of the process without losing a
#: committed transaction; FULL also survives a power cut, at a cost per commit.
SQLITE_SYNCHRONOUS = os.environ.get("LIFECYCLE_SQLITE_SYNCHRONOUS", "NORMAL").upper()
#: PRAGMA takes no parameters, so the value is checked against the only words it accepts.
SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")
#: How long a SQLite writer waits for another writer's transaction before giving up with
#: "busy" (exit 4), in seconds: LIFECYCLE_SQLITE_BUSY_TIMEOUT, default 30.
BUSY_TIMEOUT_ENV = "LIFECYCLE_SQLITE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0


def busy_timeout() -> float:
    """LIFECYCLE_SQLITE_BUSY_TIMEOUT in seconds (0 to 3600); a usage error names a bad value."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        from lifecycle.errors import UsageError

        raise UsageError(
            N_(
                "{busy_timeout_env}={text}: give the seconds a writer waits for another one, from 0 to 3600 (default "
                "30)"
            ),
            {"busy_timeout_env": BUSY_TIMEOUT_ENV, "text": repr(text)},
        )
    return seconds


def resolve_url(db: str | None) -> str:
    """`--db` / LIFECYCLE_DB as given: a URL, or a path to a SQLite file."""
    value = db or os.environ.get("LIFECYCLE_DB") or DEFAULT_URL
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def plain_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL written `sqlite:///PATH` with nothing to decode (no query, no
    %-escapes: what `resolve_url` makes of a path), read without SQLAlchemy's URL parser; None
    for any other URL (parse it with `sqlite_path`)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or "%" in url:
        return None
    database = url[len(prefix) :]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def is_sqlite(url: str) -> bool:
    if plain_sqlite_file(url) is not None:
        return True
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another backend."""
    plain = plain_sqlite_file(url)
    if plain is not None:
        return plain
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
        or parsed.database.startswith("file:")
    ):
        return None
    return Path(parsed.database)


def create_sqlite_file(url: str) -> None:
    """Create the SQLite file of `url` if it does not exist (only `lifecycle init` and the demo
    do: every other command checks first that the file is there, `Lifecycle.require_schema`)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not path.parent.is_dir():
            from lifecycle.errors import LifecycleError

            raise LifecycleError(
                N_("cannot create {path}: directory {parent} does not exist"), {"path": path, "parent": path.parent}
            )
        sqlite3.connect(path).close()


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    if plain_sqlite_file(url) is not None:
        return url  # no password in it
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cache
def engine_for(url: str) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    from sqlalchemy import create_engine

    return create_engine(url, pool_pre_ping=True, future=True)


def _check_synchronous() -> None:
    if SQLITE_SYNCHRONOUS not in SYNCHRONOUS_LEVELS:
        from lifecycle.errors import UsageError

        raise UsageError(
            N_(
                "LIFECYCLE_SQLITE_SYNCHRONOUS={sqlite_synchronous}: one of {synchronous_levels} (NORMAL unless you "
                "need FULL)"
            ),
            {"sqlite_synchronous": repr(SQLITE_SYNCHRONOUS), "synchronous_levels": ", ".join(SYNCHRONOUS_LEVELS)},
        )


def configure_sqlite(dbapi_connection: Any) -> None:
    """Every new SQLite connection, through SQLAlchemy or not (`connect_sqlite_file`)."""
    # Let us issue BEGIN ourselves (pysqlite's own handling defers it badly).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # the busy wait is the driver's `timeout`
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def connect_sqlite_file(path: Path) -> sqlite3.Connection:
    """The driver's connection to a SQLite file, set up as the engine sets up its own."""
    _check_synchronous()
    connection = sqlite3.connect(path, timeout=busy_timeout())
    try:
        configure_sqlite(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    _check_synchronous()
    # The driver's `timeout` is SQLite's busy wait: how long a writer waits for another.
    engine = create_engine(url, connect_args={"timeout": busy_timeout()})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_sqlite(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock at BEGIN, so two writers queue instead of
        # deadlocking when both try to upgrade a read lock.
        # Straight to the driver: this runs once per unit of work, on the hot path.
        statement = "BEGIN IMMEDIATE" if connection.get_execution_options().get("lifecycle_write") else "BEGIN"
        connection.connection.dbapi_connection.execute(statement)

    return engine


#: SQLite's page cache for bulk writes (`demo --cases`), in KiB. Its default (2 MiB) is far
#: smaller than the index pages a million-row insert keeps revisiting: with it, each page is
#: evicted, read back and written to the WAL again and again (a third of the time in the kernel).
BULK_CACHE_KIB = 256 * 1024


#: SQLite's own default page cache, in KiB.
DEFAULT_CACHE_KIB = 2000


def use_bulk_cache(connection: Any, on: bool = True) -> None:
    """Give this SQLite connection a page cache fit for bulk writes, or (`on=False`) its usual
    one back, so the connection, which later units of work reuse, does not keep the memory
    (no-op on PostgreSQL). The cache only grows as pages are read."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB if on else DEFAULT_CACHE_KIB}")
