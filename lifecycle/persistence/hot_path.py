"""The statements of one advance, compiled once per dialect and run on the driver's cursor.

Through SQLAlchemy's execute() each statement cost ~65 µs of Python here, six
of them per advance, which kept the service layer near 1,300 transitions/s.
The SQL text still comes from the Core statements (one definition of each
table); only the binding of values and the reading of rows is done here, for
the few types these statements carry: dates, datetimes and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import JSON, Connection, Date, DateTime, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Adapt = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    # As SQLAlchemy's SQLite types store them, so Core and this path read each other's rows.
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> str:
    return json.dumps(value)


def _postgres_json(value: Any) -> Any:
    from psycopg.types.json import Json

    return Json(value)


def _adapter(type_: Any, sqlite: bool) -> Adapt | None:
    """How a value of this column type is handed to the driver (None: as it is)."""
    if isinstance(type_, JSON):
        return _json_text if sqlite else _postgres_json
    if not sqlite:
        return None  # psycopg binds dates and datetimes itself
    if isinstance(type_, DateTime):
        return _sqlite_datetime
    if isinstance(type_, Date):
        return _sqlite_date
    return None


class Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        #: Values fixed in the statement itself (`audit_head.id == 1`).
        self.fixed = {k: v for k, v in compiled.params.items() if v is not None}
        self.positions: Sequence[str] | None = compiled.positiontup if dialect.positional else None
        sqlite = dialect.name == "sqlite"
        self.adapters = {
            name: adapt for name, bind in compiled.binds.items() if (adapt := _adapter(bind.type, sqlite)) is not None
        }

    def bind(self, params: dict[str, Any] | None) -> Any:
        given = {**self.fixed, **params} if params else dict(self.fixed)
        for name, adapt in self.adapters.items():
            if name in given:
                given[name] = adapt(given[name])
        return tuple(given[name] for name in self.positions) if self.positions is not None else given

    def run(self, connection: Connection, params: dict[str, Any] | None = None) -> Any:
        """Execute inside the connection's current transaction; returns the DBAPI cursor."""
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(self.sql, self.bind(params))
        return cursor

    def adapt(self, name: str, value: Any) -> Any:
        """One value as the driver takes it (for values shared by every row of a batch)."""
        adapt = self.adapters.get(name)
        return value if adapt is None else adapt(value)

    def run_many_adapted(self, connection: Connection, rows: list[dict[str, Any]]) -> Any:
        """executemany over rows whose values are already adapted (see `adapt`)."""
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if rows:
            if self.positions is not None:
                positions = self.positions
                cursor.executemany(self.sql, [tuple(row[name] for name in positions) for row in rows])
            else:
                cursor.executemany(self.sql, rows)
        return cursor

    def run_many(self, connection: Connection, rows: list[dict[str, Any]]) -> Any:
        """The driver's executemany over `rows`, inside the current transaction (batched writes)."""
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if rows:
            cursor.executemany(self.sql, [self.bind(row) for row in rows])
        return cursor


@cache
def compiled(statement: ClauseElement, dialect_name: str, dialect: Dialect) -> Compiled:
    return Compiled(statement, dialect)


def prepare(connection: Connection, statement: ClauseElement) -> Compiled:
    dialect = connection.dialect
    return compiled(statement, dialect.name, dialect)


def read_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def read_json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value
