"""On PostgreSQL the database enforces the roles: each test logs in as a role over a real connection."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lifecycle.errors import LifecycleError, Refused
from lifecycle.persistence.roles import deployment_groups, setup_roles
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.setup import init_database
from lifecycle.services.users import add_user, list_users

D = date.fromisoformat
NEW_CASE = (
    "INSERT INTO cases (programme, name, state, state_since, fields, cycle, progress, "
    "definition_version, version, created_on, updated_at) VALUES ('bj-tic', 'forged', "
    "'approved', '2024-10-01', '{}', 0, '{}', 'x', 1, '2024-10-01', now())"
)


def run_sql(app, statement: str, **params):
    with app.engine.begin() as connection:
        result = connection.execute(text(statement), params)
        return result.all() if result.returns_rows else result.rowcount


def groups_of(app) -> dict[str, str]:
    with app.engine.connect() as connection:
        return deployment_groups(connection)


def test_init_creates_the_three_group_roles_of_this_database_and_schema_and_none_can_log_in(postgres_app):
    groups = groups_of(postgres_app)
    rows = run_sql(
        postgres_app,
        "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ANY(:groups) ORDER BY rolname",
        groups=list(groups.values()),
    )
    schema = run_sql(postgres_app, "SELECT current_schema()")[0][0]
    assert [tuple(row) for row in rows] == [
        (f"lifecycle_test_{schema}_{role}", False, False) for role in ("admin", "auditor", "system")
    ]


def test_running_init_again_changes_nothing_and_reports_no_new_roles(postgres_app):
    again = init_database(postgres_app, "alice")
    assert (again.created, again.roles["created"]) == (False, [])


def test_an_auditor_reads_everything_and_the_database_refuses_every_write(postgres_app, login_as, draft_case, eligible):
    name, auditor = login_as("auditor")

    assert show_case(auditor, draft_case, D("2024-10-02"))["state"] == "draft"
    assert verify_log(auditor).ok
    for statement in (
        NEW_CASE,
        f"UPDATE cases SET state = 'approved' WHERE id = {draft_case}",
        "UPDATE audit_head SET seq = 0",
        "DELETE FROM cases",
        "INSERT INTO users (name, role, created_at) VALUES ('eve', 'admin', now())",
    ):
        with pytest.raises(DBAPIError, match="permission denied"):
            run_sql(auditor, statement)
    with pytest.raises(Refused, match=f"{name} is an auditor: an auditor may only read"):
        advance(auditor, name, draft_case, "submit", D("2024-10-08"), eligible)
    assert show_case(postgres_app, draft_case, D("2024-10-02"))["version"] == 1


def test_an_admin_login_advances_a_case_and_the_entry_names_that_login(postgres_app, login_as, draft_case, eligible):
    name, admin = login_as("admin")

    outcome = advance(admin, name, draft_case, "submit", D("2024-10-08"), eligible)
    opened = add_case(admin, name, "bj-tic", "北京市新型储能技术创新中心", D("2024-10-02"))

    assert (outcome.case.state, outcome.entry.actor, outcome.entry.role) == ("submitted", name, "admin")
    assert opened.entry.actor == name
    assert verify_log(admin).ok


@pytest.mark.parametrize("role", ["admin", "system"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log CASCADE",
    ],
)
def test_no_role_may_update_delete_or_truncate_the_audit_log(postgres_app, login_as, draft_case, role, statement):
    _, login = login_as(role)
    with pytest.raises(DBAPIError, match="permission denied for table audit_log"):
        run_sql(login, statement)
    assert run_sql(postgres_app, "SELECT actor FROM audit_log WHERE seq = 1") == [("alice",)]


def test_a_login_cannot_act_under_another_users_name(postgres_app, login_as, draft_case):
    name, admin = login_as("admin")
    with pytest.raises(Refused) as refused:
        advance(admin, "alice", draft_case, "withdraw", D("2024-10-02"))
    assert f"connected to PostgreSQL as {name!r}" in str(refused.value)
    assert "'alice' cannot change that" in str(refused.value)
    assert show_case(postgres_app, draft_case, D("2024-10-02"))["version"] == 1


def test_a_login_in_no_lifecycle_role_is_told_so(postgres_app, login_as, draft_case):
    name, nobody = login_as(None)
    with pytest.raises(LifecycleError, match=f"{name!r} is in none of the lifecycle roles"):
        nobody.require_schema()


def test_users_add_creates_the_login_role_and_a_role_change_moves_it_between_groups(postgres_app, login_as):
    name, _ = login_as("auditor")

    def groups() -> list[str]:
        return [
            row[0]
            for row in run_sql(
                postgres_app,
                (
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :name ORDER BY 1"
                ),
                name=name,
            )
        ]

    assert run_sql(postgres_app, "SELECT rolcanlogin FROM pg_roles WHERE rolname = :name", name=name) == [(True,)]
    assert groups() == [groups_of(postgres_app)["auditor"]]
    changed = add_user(postgres_app, "alice", name, "admin")
    assert (changed["status"], changed["login_role"]) == ("changed", "granted")
    assert groups() == [groups_of(postgres_app)["admin"]]


def test_only_the_installer_may_add_users_on_postgresql(postgres_app, login_as):
    name, admin = login_as("admin")
    with pytest.raises(Refused, match="only the installer may"):
        add_user(admin, name, "someone_else", "auditor")


@pytest.mark.parametrize("name", ["lifecycle_admin", "pg_monitor", "x" * 64])
def test_names_postgresql_cannot_take_as_a_login_are_refused_with_the_reason(postgres_app, name):
    with pytest.raises(Refused) as refused:
        add_user(postgres_app, "alice", name, "auditor")
    assert name[:20] in str(refused.value)
    assert run_sql(postgres_app, "SELECT count(*) FROM users WHERE name = :name", name=name) == [(0,)]


def test_a_name_full_of_sql_is_refused_by_the_pattern_of_user_names_and_creates_no_role(postgres_app):
    tricky = "o'brien\"; DROP TABLE cases; --"
    with pytest.raises(Refused, match="pattern of user names"):
        add_user(postgres_app, "alice", tricky, "auditor")
    assert run_sql(postgres_app, "SELECT count(*) FROM pg_roles WHERE rolname = :n", n=tricky) == [(0,)]
    assert [u["name"] for u in list_users(postgres_app)] == ["alice"]
    assert run_sql(postgres_app, "SELECT count(*) FROM cases") == [(0,)]


def test_role_setup_run_by_many_processes_at_once_neither_fails_nor_duplicates(postgres_app):
    errors: list[BaseException] = []
    start = threading.Barrier(4, timeout=20)

    def setup() -> None:
        try:
            start.wait()
            with postgres_app.engine.begin() as connection:
                setup_roles(connection)
        except BaseException as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=setup) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counted = run_sql(
        postgres_app,
        "SELECT count(*) FROM pg_roles WHERE rolname = ANY(:groups)",
        groups=list(groups_of(postgres_app).values()),
    )
    assert counted == [(3,)]


def test_init_by_a_persons_login_on_a_ready_database_does_nothing_and_creates_no_role(postgres_app, login_as):
    """init as a login that is neither superuser nor owner, on a schema it did not make."""
    _, admin = login_as("admin")
    result = init_database(admin, "whoever")  # at head already: nothing to do, nothing refused
    assert (result.created, result.roles) == (False, None)
    with pytest.raises(DBAPIError, match="permission denied"), admin.engine.begin() as connection:
        connection.execute(text("CREATE ROLE lc_should_not_exist"))


def test_the_owner_of_a_schema_who_is_no_superuser_installs_it_and_adds_users(postgres_app, db_url):
    """A DBA's usual set-up: a role with CREATEROLE owning the schema, not a superuser."""
    import uuid

    from psycopg import sql
    from sqlalchemy.engine import make_url

    from lifecycle.persistence.engine import engine_for
    from lifecycle.persistence.unit_of_work import release_connections
    from lifecycle.services.app import Lifecycle

    owner, person = f"lc_owner_{uuid.uuid4().hex[:10]}", f"lc_person_{uuid.uuid4().hex[:10]}"
    schema = f"t_{uuid.uuid4().hex}"
    base = make_url(db_url)

    def as_superuser(*statements) -> None:
        with postgres_app.engine.begin() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            for statement in statements:
                cursor.execute(statement)

    as_superuser(
        sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(owner)),
        sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(sql.Identifier(schema), sql.Identifier(owner)),
    )

    def url_of(user: str) -> str:
        return base.set(username=user, query={"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )

    try:
        installed = Lifecycle(url_of(owner))
        result = init_database(installed, "wang")
        added = add_user(installed, "wang", person, "admin")
        assert (result.created, result.admin_created, added["login_role"]) == (True, "wang", "created")
        person_app = Lifecycle(url_of(person))
        opened = add_case(person_app, person, "bj-tic", "北京市测试技术创新中心", D("2024-10-01"))
        assert (opened.entry.actor, opened.entry.role) == (person, "admin")
    finally:
        release_connections()
        for user in (owner, person):
            engine_for(Lifecycle(url_of(user)).url).dispose()
        as_superuser(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)),
            sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(person)),
            sql.SQL("DROP OWNED BY {}").format(sql.Identifier(owner)),
            sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(owner)),
        )


def approved_with_mid_term_due(app, eligible):
    case = add_case(app, "alice", "bj-tic", "北京市储能技术创新中心", D("2024-10-01")).case
    advance(app, "alice", case.id, "submit", D("2024-10-08"), eligible)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    approved = advance(app, "alice", case.id, "approve", D("2025-01-10")).case
    programme = app.catalogue.current("bj-tic")
    return case.id, programme.due_date(programme.timer(programme.trigger("start_mid_term").due), approved)


def test_an_admin_login_cannot_record_an_action_as_the_system(postgres_app, login_as, eligible, snapshot):
    from lifecycle.services.users import SYSTEM, Actor

    case_id, due = approved_with_mid_term_due(postgres_app, eligible)
    name, admin = login_as("admin")
    before = snapshot(case_id)
    with pytest.raises(Refused, match=f"its audit entries name {name!r}"):
        advance(admin, name, case_id, "start_mid_term", due, actor=Actor(SYSTEM, "system"))
    assert snapshot(case_id) == before


def test_a_login_in_lifecycle_system_records_the_systems_actions(postgres_app, login_as, eligible):
    from lifecycle.services.users import SYSTEM, Actor

    case_id, due = approved_with_mid_term_due(postgres_app, eligible)
    _, system = login_as("system")

    moved = advance(system, "ignored", case_id, "start_mid_term", due, actor=Actor(SYSTEM, "system"))

    assert (moved.case.state, moved.entry.actor, moved.entry.role) == ("mid_term_review", "system", "system")
