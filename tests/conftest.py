"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lifecycle.persistence.engine import engine_for
from lifecycle.persistence.unit_of_work import release_connections
from lifecycle.services.app import Lifecycle
from lifecycle.services.setup import init_database

POSTGRES_ENV = "LIFECYCLE_TEST_POSTGRES_URL"

# The tests read English unless a test asks for Chinese (LIFECYCLE_LANG=zh, or a locale): a
# developer's own locale (zh_CN.UTF-8) must not change what they see. Set before any test runs,
# so that subprocesses (the CLI's tests) inherit it too.
os.environ["LIFECYCLE_LANG"] = "en"


def _postgres_schema_url(base: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        drop_schema_and_its_roles(admin, schema)
        admin.dispose()


def drop_schema_and_its_roles(admin: Any, schema: str) -> None:
    """Drop a test schema and the group roles `init` made for it (they belong to the cluster)."""
    from lifecycle.persistence.roles import drop_schema_and_roles

    drop_schema_and_roles(admin, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lifecycle.db'}"
        try:
            yield url
        finally:
            release_connections()
            engine_for(url).dispose()
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    for url in _postgres_schema_url(base):
        try:
            yield url
        finally:
            # Close pooled connections first, or DROP SCHEMA waits on their locks.
            release_connections()
            engine_for(url).dispose()


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Lifecycle:
    """An initialised database whose first admin is alice."""
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    application = Lifecycle(db_url)
    init_database(application, "alice")
    return application
