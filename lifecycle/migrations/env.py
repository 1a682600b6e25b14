"""Alembic environment: runs on the connection `lifecycle init` hands it."""

from __future__ import annotations

from typing import Any

import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel types; the template imports it too)
from alembic import context
from sqlalchemy import engine_from_config, pool

from lifecycle.persistence.schema import include_object
from lifecycle.persistence.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with engine.connect() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
