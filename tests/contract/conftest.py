"""Helpers for the service-level contract tests: a bj-tic case, and what the database holds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case

#: A host organisation meeting every criterion of bj-tic 第五条.
ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
BJ_NAME = "北京市集成电路技术创新中心"

Snapshot = dict[str, Any]


@pytest.fixture
def eligible() -> dict[str, str]:
    return dict(ELIGIBLE)


@pytest.fixture
def draft_case(app: Lifecycle) -> int:
    """A bj-tic case opened on 2024-10-01, in draft."""
    outcome = add_case(app, "alice", "bj-tic", BJ_NAME, date(2024, 10, 1))
    assert outcome.case.id is not None
    return outcome.case.id


@pytest.fixture
def snapshot(app: Lifecycle) -> Callable[[int | None], Snapshot]:
    """What a refused action must leave alone: the case row, the log and its head."""

    def take(case_id: int | None = None) -> Snapshot:
        with app.engine.connect() as connection:

            def one(sql: str, **params: Any) -> Any:
                return connection.execute(text(sql), params).first()

            case = one("SELECT version, state, state_since, fields FROM cases WHERE id = :id", id=case_id)
            return {
                "head": tuple(one("SELECT seq, hash FROM audit_head WHERE id = 1")),
                "entries": one("SELECT count(*) FROM audit_log")[0],
                "cases": one("SELECT count(*) FROM cases")[0],
                "case": None
                if case is None
                else (
                    case.version,
                    case.state,
                    str(case.state_since),
                    json.loads(case.fields) if isinstance(case.fields, str) else case.fields,
                ),
            }

    return take


@pytest.fixture
def raw_sql(app: Lifecycle) -> Callable[..., Any]:
    """Run one SQL statement outside the product, in its own transaction."""

    def run(statement: str, **params: Any) -> Any:
        with app.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else result.rowcount

    return run


@pytest.fixture
def postgres_app(app: Lifecycle) -> Lifecycle:
    """`app`, on PostgreSQL only: database roles exist there alone."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    return app


@pytest.fixture
def login_as(postgres_app: Lifecycle, db_url: str) -> Iterator[Callable[..., tuple[str, Lifecycle]]]:
    """`name, app = login_as("admin")`: a fresh login role (unique name) in that lifecycle role,
    added by the installer with `users add`, and the application connected as it. `None`: a
    login role in no lifecycle group. The roles are dropped afterwards (they are cluster-wide)."""
    import uuid

    from sqlalchemy.engine import make_url

    from lifecycle.persistence.engine import engine_for
    from lifecycle.persistence.unit_of_work import release_connections
    from lifecycle.services.users import add_user

    made: list[tuple[str, str]] = []

    def login(role: str | None, name: str | None = None, office: str | None = None) -> tuple[str, Lifecycle]:
        name = name or f"lc_{role or 'nobody'}_{uuid.uuid4().hex[:10]}"
        if role in (None, "system"):
            from psycopg import sql

            with postgres_app.engine.begin() as connection:
                cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
                if role == "system":
                    from lifecycle.persistence.roles import deployment_groups

                    group = deployment_groups(connection)["system"]
                    cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))
        else:
            add_user(postgres_app, "alice", name, role, office)
        url = make_url(db_url).set(username=name).render_as_string(hide_password=False)
        made.append((name, url))
        return name, Lifecycle(url)

    yield login
    release_connections()
    from psycopg import sql

    for name, url in made:
        engine_for(url).dispose()
        with postgres_app.engine.begin() as connection:
            connection.connection.dbapi_connection.cursor().execute(  # type: ignore[union-attr]
                sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name))
            )
