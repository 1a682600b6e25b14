"""The CLI over people's own PostgreSQL logins: who acts, what the database refuses, exit 4."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import make_url


@pytest.fixture
def logins(ready_cli, app, db_url):
    """`url = logins("admin")`: the installer adds a login with `users add`; dropped afterwards."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("database logins are a PostgreSQL feature")
    made: list[str] = []

    def add(role: str) -> tuple[str, str]:
        name = f"lc_cli_{role}_{uuid.uuid4().hex[:8]}"
        added = ready_cli("users", "add", name, "--role", role)
        assert added.code == 0 and "database login role created" in added.out, added
        made.append(name)
        return name, make_url(db_url).set(username=name).render_as_string(hide_password=False)

    yield add
    from psycopg import sql

    with app.engine.begin() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        for name in made:
            cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_two_admin_logins_on_one_case_the_stale_one_gets_exit_4_naming_the_other(ready_cli, logins, eligible_sets):
    cli = ready_cli
    li, li_db = logins("admin")
    wu, wu_db = logins("admin")
    assert (
        cli(
            "cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", db=li_db, user=li
        ).code
        == 0
    )

    moved = cli("advance", "1", "submit", "--on", "2024-10-08", "--if-version", "1", *eligible_sets, db=li_db, user=li)
    stale = cli("advance", "1", "withdraw", "--on", "2024-10-09", "--if-version", "1", db=wu_db, user=wu)
    log = cli("audit", "log", "--case", "1", "--json", db=wu_db, user=wu)

    assert moved.code == 0, moved
    assert stale.code == 4, stale
    assert f"by {li} (submit: draft → submitted" in stale.err
    assert [(e["trigger"], e["actor"], e["role"]) for e in log.json()] == [
        ("create", li, "admin"),
        ("submit", li, "admin"),
    ]


def test_an_auditor_login_reads_and_verifies_but_lifecycle_and_the_database_refuse_its_writes(ready_cli, logins):
    cli = ready_cli
    zhao, zhao_db = logins("auditor")
    assert cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01").code == 0

    verified = cli("audit", "verify", db=zhao_db, user=zhao)
    write = cli("advance", "1", "withdraw", "--on", "2024-10-02", db=zhao_db, user=zhao)
    pretend = cli("advance", "1", "withdraw", "--on", "2024-10-02", user="alice", db=zhao_db)

    assert verified.code == 0, verified
    assert write.code == 3 and f"{zhao} is an auditor" in write.err
    assert pretend.code == 3 and f"connected to PostgreSQL as '{zhao}'" in pretend.err


@pytest.fixture
def scheduler_login(app, db_url):
    """The scheduler host's own login, made by hand as docs/operations.md says:
    CREATE ROLE … LOGIN; GRANT <the deployment's system group> TO …."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("database logins are a PostgreSQL feature")
    from psycopg import sql

    name = f"lc_cli_scheduler_{uuid.uuid4().hex[:8]}"
    with app.engine.begin() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        from lifecycle.persistence.roles import deployment_groups

        group = deployment_groups(connection)["system"]
        cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))
    yield name, make_url(db_url).set(username=name).render_as_string(hide_password=False)
    with app.engine.begin() as connection:
        connection.connection.dbapi_connection.cursor().execute(
            sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name))
        )


def test_the_scheduler_hosts_own_login_runs_the_compliance_run_and_its_actions_are_the_systems(
    ready_cli, scheduler_login, logins
):
    cli = ready_cli
    name, url = scheduler_login
    assert cli("demo").code == 0

    ran = cli("comply", "--as-of", "2026-11-23", "--json", db=url, user=name)
    history = cli("scheduler", "history", "--json", db=url, user=name)
    log = cli("audit", "log", "--json", db=url, user=name)
    zhao, zhao_db = logins("auditor")
    refused = cli("comply", "--as-of", "2026-11-23", db=zhao_db, user=zhao)

    assert ran.code == 0, ran
    actions = ran.json()["actions"]
    assert actions
    assert history.json()[0]["invoked_by"] == name and history.json()[0]["outcome"] == "completed"
    invoked = [e for e in log.json() if e["payload"].get("invoked_by") == name]
    assert len(invoked) == len(actions) + len(ran.json()["proposals"])  # a decision due is audited too
    assert {(e["actor"], e["role"]) for e in invoked} == {("system", "system")}
    assert refused.code == 3 and "needs an admin, or the scheduler's own login" in refused.err
