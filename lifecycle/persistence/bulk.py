"""Writing many new cases at once with the driver's executemany (`lifecycle demo --cases`).

A million rows leave no room for per-row work beyond the unavoidable: the values a batch shares
are adapted to the driver once, and rows go to the driver's executemany as tuples in the
statement's order where the driver is positional (SQLite), else as dicts (psycopg). The audit
entries of those cases are appended through `append_drafts`, the chain's one bulk writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from lifecycle.persistence.hot_path import prepare
from lifecycle.persistence.repositories import CASE_COLUMNS
from lifecycle.persistence.tables import cases

_INSERT_CASE = cases.insert()


class CaseRowWriter:
    """Adapts values once and inserts case rows with the driver's executemany."""

    columns = CASE_COLUMNS

    def __init__(self, connection: Connection) -> None:
        self.compiled = prepare(connection, _INSERT_CASE)
        self.connection = connection
        self.positions = self.compiled.positions

    def adapt(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: (self.compiled.adapters[k](v) if k in self.compiled.adapters else v) for k, v in values.items()}

    def shape(self, row: dict[str, Any]) -> Any:
        """A row as the driver takes it."""
        return row if self.positions is None else [row[name] for name in self.positions]

    def slot(self, name: str) -> int | str:
        """Where `name` goes in a shaped row."""
        return name if self.positions is None else list(self.positions).index(name)

    def write(self, rows: list[Any]) -> None:
        if rows:
            self.connection.connection.dbapi_connection.cursor().executemany(  # type: ignore[union-attr]
                self.compiled.sql, rows
            )

    def next_id(self) -> int:
        """The id the first case written now gets (the writer holds the database's write lock)."""
        return int(self.connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM cases").scalar() or 0) + 1

    def ids_given(self) -> None:
        """Ids were given explicitly: move PostgreSQL's sequence past them."""
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )
