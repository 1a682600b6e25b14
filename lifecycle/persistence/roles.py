"""PostgreSQL roles: this schema's three group roles, their grants, login roles, who is connected.

On PostgreSQL the database, not only this program, decides who may do what:
the auditor group may only read, the admin and system groups may change cases and append to
the audit log only through the database functions of `guard.py` (nobody may INSERT into
`audit_log` or UPDATE `cases` directly but the owner), and row-level security shows each
login the cases and entries of its office and the offices below it. People log in as their
own login roles, members of one group; the acting user is the session's login.

The group roles belong to one database and schema (docs/adr/0005): `lifecycle_<database>_admin`
for the public schema, `lifecycle_<database>_<schema>_admin` for another (a digest when that is
longer than PostgreSQL's 63 bytes), so a login made for one deployment has no right in another
on the same server. Their names are kept in the schema's `group_roles` table.

Roles belong to the whole cluster, so several `lifecycle init` runs may create them at once:
all role and grant changes run in one transaction under a transaction-level advisory lock,
check `pg_roles` first, and still treat "already exists" as done. Identifiers are quoted with
`psycopg.sql.Identifier`, never pasted into SQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from lifecycle.domain.messages import N_
from lifecycle.errors import LifecycleError

#: The lifecycle roles a group role stands for (its name is per deployment, see `group_names`).
ROLE_NAMES = ("admin", "auditor", "system")
#: The cluster-wide group roles of lifecycle before 0008: init takes their rights on this
#: schema back and moves this database's users into the deployment's own groups.
LEGACY_GROUPS = {"admin": "lifecycle_admin", "auditor": "lifecycle_auditor", "system": "lifecycle_system"}
#: When a login role is in several groups, the one that may do most is its role here.
PRECEDENCE = ("admin", "system", "auditor")
#: `pg_advisory_xact_lock` key for every role and grant change ("lifecy" in ASCII).
ROLES_LOCK = 0x6C6966656379
#: PostgreSQL truncates longer identifiers silently (NAMEDATALEN - 1 bytes).
MAX_ROLE_NAME_BYTES = 63

#: What each group may write directly, table by table; every group may SELECT every table of
#: the schema (row-level security then limits cases and entries to the login's offices). A
#: module that adds tables adds their writes here (init applies them if the table exists).
#: Absent on purpose: cases, audit_log, audit_head and programme_moves, which only the database
#: functions of `guard.py` write, and UPDATE, DELETE, TRUNCATE on audit_log for anyone.
WRITES: dict[str, dict[str, tuple[str, ...]]] = {
    "programme_definitions": {"admin": ("INSERT",), "system": ("INSERT",)},
    # The compliance run: started by an admin or by the scheduler host's login.
    "automatic_actions": {"admin": ("INSERT",), "system": ("INSERT",)},
    # Decisions due: raised by the run, decided (confirmed, dismissed) by an admin.
    "decisions": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
    "compliance_runs": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
    # Contacts: kept by admins (each change audited).
    "case_contacts": {"admin": ("INSERT", "UPDATE")},
    "admin_contacts": {"admin": ("INSERT", "UPDATE")},
    # The outbox: written by the compliance run (an admin's or the scheduler's), delivered by the
    # sender (`notify send`, the scheduler). Nobody deletes a notice or an attempt.
    "notifications": {"admin": ("INSERT",), "system": ("INSERT",)},
    "notification_deliveries": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
    "notification_attempts": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
    "notice_plans": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
}
#: Sequences (compliance_runs.id, automatic_actions.id) are used by the writers.
SEQUENCE_WRITERS = ("admin", "system")


def group_names(database: str, schema: str) -> dict[str, str]:
    """The group role of each lifecycle role in this database and schema."""
    base = f"lifecycle_{database}" if schema == "public" else f"lifecycle_{database}_{schema}"
    if len(f"{base}_auditor".encode()) > MAX_ROLE_NAME_BYTES:
        base = "lifecycle_" + hashlib.sha256(f"{database}/{schema}".encode()).hexdigest()[:20]
    return {role: f"{base}_{role}" for role in ROLE_NAMES}


def deployment_groups(connection: Connection) -> dict[str, str]:
    """This schema's group roles as init recorded them ({} before init)."""
    if connection.execute(text("SELECT to_regclass('group_roles')")).scalar() is None:
        return {}
    return {role: name for role, name in connection.execute(text("SELECT role, group_name FROM group_roles"))}


@dataclass(frozen=True)
class DatabaseUser:
    """Who a PostgreSQL connection is, as far as lifecycle is concerned."""

    name: str
    #: admin, auditor or system from group membership; None when in no lifecycle group.
    role: str | None
    #: A superuser, or a member of the role owning the tables or the schema: it can bypass
    #: any rule with plain SQL, so lifecycle treats it as the installer (docs/adr/0004).
    installer: bool
    can_create_roles: bool


_IDENTITY = text("""
    SELECT session_user AS name, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
           COALESCE((SELECT pg_has_role(session_user, c.relowner, 'MEMBER')
                     FROM pg_class c WHERE c.oid = to_regclass('audit_log')), false)
             OR COALESCE((SELECT pg_has_role(session_user, n.nspowner, 'MEMBER')
                          FROM pg_namespace n WHERE n.nspname = current_schema()), false) AS owner,
           to_regclass('audit_log') IS NOT NULL AS has_log,
           to_regclass('group_roles') IS NOT NULL AS has_groups
    FROM pg_roles r WHERE r.rolname = session_user
""")
_MEMBER_OF = text("""
    SELECT g.role FROM group_roles g JOIN pg_roles r ON r.rolname = g.group_name
    WHERE pg_has_role(session_user, r.oid, 'MEMBER')
""")


def connected_user(engine: Engine) -> DatabaseUser | None:
    """`database_user` on a new connection; None also when the database cannot be reached at
    all (the caller's own error then says enough)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as connection:
            return database_user(connection)
    except DBAPIError:
        return None


def database_user(connection: Connection) -> DatabaseUser | None:
    """The connected PostgreSQL user (None on SQLite): the session's login, which a SET ROLE
    does not change. Cached per DBAPI connection: it cannot change while the connection
    lives, and this runs on every write."""
    if connection.dialect.name != "postgresql":
        return None
    cached: DatabaseUser | None = connection.info.get("lifecycle_user")
    if cached is not None:
        return cached
    row = connection.execute(_IDENTITY).one()
    installer = bool(row.superuser or row.owner)
    member_of = {r for (r,) in connection.execute(_MEMBER_OF)} if row.has_groups else set()
    role = None if installer else next((r for r in PRECEDENCE if r in member_of), None)
    user = DatabaseUser(str(row.name), role, installer, bool(row.superuser or row.createrole))
    if row.has_log and row.has_groups:  # before `init` made the tables, ownership may still change
        connection.info["lifecycle_user"] = user
    return user


def _sql(connection: Connection, statement: Any) -> None:
    """Run a psycopg.sql statement (identifiers quoted by the driver) on this connection; a
    missing right becomes a message that says who may run it."""
    from psycopg import errors

    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(statement)
    except errors.InsufficientPrivilege as error:
        raise LifecycleError(
            N_(
                "{raw}: {error}; roles and grants need the installer (a superuser, or the owner of the database or "
                "schema with CREATEROLE), see docs/operations.md"
            ),
            {"raw": statement.as_string(raw), "error": error},
        ) from None
    finally:
        cursor.close()


def _lock(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLES_LOCK})


def _role_exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first() is not None


def _create_role(connection: Connection, name: str, *, login: bool) -> bool:
    """CREATE ROLE unless it exists; True if this call created it."""
    from psycopg import errors, sql

    if _role_exists(connection, name):
        return False
    statement = sql.SQL("CREATE ROLE {} LOGIN" if login else "CREATE ROLE {} NOLOGIN").format(sql.Identifier(name))
    savepoint = connection.begin_nested()
    try:
        _sql(connection, statement)
    except (errors.DuplicateObject, errors.UniqueViolation):
        # Another process created it between our check and our CREATE (no advisory lock
        # there, e.g. a DBA by hand): it exists, which is all we need.
        savepoint.rollback()
        return False
    except LifecycleError:  # _sql's form of InsufficientPrivilege
        savepoint.rollback()
        raise LifecycleError(
            N_(
                "creating the PostgreSQL role {name} needs a database user with CREATEROLE (or a superuser): run "
                "this as the installer, see docs/operations.md"
            ),
            {"name": repr(name)},
        ) from None
    savepoint.commit()
    return True


def setup_roles(connection: Connection) -> dict[str, Any]:
    """Create this schema's group roles (if missing), grant them their rights, install the
    write functions and the row-level security policies (`guard.py`).

    Runs as the installer, in the caller's transaction; idempotent. Returns the group roles,
    which of them were created, and the schema the grants apply to.
    """
    from psycopg import sql

    from lifecycle.persistence.guard import install_guard

    _lock(connection)
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    database = str(connection.execute(text("SELECT current_database()")).scalar())
    groups = group_names(database, schema)
    created = [group for group in groups.values() if _create_role(connection, group, login=False)]
    connection.execute(text("DELETE FROM group_roles"))
    connection.execute(
        text("INSERT INTO group_roles (role, group_name) VALUES (:role, :name)"),
        [{"role": role, "name": name} for role, name in groups.items()],
    )
    everyone = sql.SQL(", ").join(sql.Identifier(group) for group in groups.values())
    ident = sql.Identifier(schema)
    savepoint = connection.begin_nested()
    try:
        _sql(connection, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), everyone))
        savepoint.commit()
    except LifecycleError:
        # Only the database's owner may grant CONNECT; PUBLIC has it unless a DBA took it
        # away, in which case the DBA grants it (docs/operations.md).
        savepoint.rollback()
    _take_back_legacy_rights(connection, schema, groups)
    _sql(connection, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, everyone))
    _sql(connection, sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(ident, everyone))
    # Start from "read only" on every run, so an upgrade also takes back what a role lost.
    _sql(
        connection,
        sql.SQL(
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}"
        ).format(ident, everyone),
    )
    for table, grants in WRITES.items():
        if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            continue
        for role, privileges in grants.items():
            _sql(
                connection,
                sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                    sql.SQL(", ").join(sql.SQL(p) for p in privileges),
                    sql.Identifier(table),
                    sql.Identifier(groups[role]),
                ),
            )
    writers = sql.SQL(", ").join(sql.Identifier(groups[role]) for role in SEQUENCE_WRITERS)
    _sql(connection, sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(ident, writers))
    # PUBLIC is every role of the cluster: it gets nothing on the log and the cases (PostgreSQL
    # gives no table rights to PUBLIC by default; this makes it hold even if someone did).
    _sql(connection, sql.SQL("REVOKE ALL ON TABLE audit_log, cases, audit_head FROM PUBLIC"))
    install_guard(connection, schema, groups)
    return {"schema": schema, "created": created, "groups": groups}


def _take_back_legacy_rights(connection: Connection, schema: str, groups: dict[str, str]) -> None:
    """Before 0008 the three groups were cluster-wide: take their rights on this schema back,
    and put this database's users who were in one into the deployment's own group."""
    from psycopg import sql

    for role, legacy in LEGACY_GROUPS.items():
        if not _role_exists(connection, legacy):
            continue
        who = sql.Identifier(legacy)
        _sql(connection, sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), who))
        _sql(
            connection, sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), who)
        )
        _sql(connection, sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(sql.Identifier(schema), who))
        members = (
            connection.execute(
                text(
                    "SELECT u.name FROM users u JOIN pg_roles m ON m.rolname = u.name "
                    "JOIN pg_auth_members a ON a.member = m.oid JOIN pg_roles g ON g.oid = a.roleid "
                    "WHERE g.rolname = :legacy"
                ),
                {"legacy": legacy},
            )
            .scalars()
            .all()
        )
        for member in members:
            _sql(connection, sql.SQL("GRANT {} TO {}").format(sql.Identifier(groups[role]), sql.Identifier(member)))


def drop_deployment_roles(connection: Connection, groups: dict[str, str]) -> None:
    """Drop a deployment's group roles once its schema is gone (tests, benchmarks, a retired
    office's database): `DROP OWNED BY` takes back what they hold in this database first."""
    from psycopg import sql

    _lock(connection)  # concurrent changes of the database's ACL fail with "tuple concurrently updated"
    for group in groups.values():
        if _role_exists(connection, group):
            _sql(connection, sql.SQL("DROP OWNED BY {}").format(sql.Identifier(group)))
            _sql(connection, sql.SQL("DROP ROLE {}").format(sql.Identifier(group)))


def check_login_name(name: str) -> str | None:
    """Why `name` cannot be a lifecycle login role, or None if it can."""
    if len(name.encode("utf-8")) > MAX_ROLE_NAME_BYTES:
        return (
            f"{name!r} is {len(name.encode('utf-8'))} bytes; PostgreSQL role names hold at "
            f"most {MAX_ROLE_NAME_BYTES}: choose a shorter name"
        )
    if name in LEGACY_GROUPS.values() or (name.startswith("lifecycle_") and name.rsplit("_", 1)[-1] in ROLE_NAMES):
        return f"{name!r} is one of lifecycle's group roles; give the person a name of their own"
    if name.lower().startswith("pg_") or name.lower() == "public":
        return f"{name!r} is reserved by PostgreSQL (pg_* and public); choose another name"
    return None


def grant_login_role(connection: Connection, name: str, role: str) -> bool:
    """Make `name` a login role in the group of `role` only; True if the role was created.

    An existing role is not altered (it may have a password or attributes a DBA set);
    it only gains this group and leaves the other lifecycle groups.
    """
    from psycopg import sql

    _lock(connection)
    groups = deployment_groups(connection)
    created = _create_role(connection, name, login=True)
    who = sql.Identifier(name)
    for other_role, group in groups.items():
        if other_role != role:
            _sql(connection, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), who))
    _sql(connection, sql.SQL("GRANT {} TO {}").format(sql.Identifier(groups[role]), who))
    return created


def drop_schema_and_roles(engine: Any, schema: str) -> None:
    """Drop a deployment kept as a schema, with its group roles (a superuser's or the owner's
    engine): what a retired office's schema, a test or a benchmark leaves behind."""
    from psycopg import sql

    with engine.begin() as connection:
        exists = (
            connection.execute(
                text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'group_roles'"),
                {"s": schema},
            ).first()
            is not None
        )
        groups: dict[str, str] = {}
        if exists:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute(sql.SQL("SELECT role, group_name FROM {}.group_roles").format(sql.Identifier(schema)))
            groups = {str(role): str(name) for role, name in cursor.fetchall()}
            cursor.close()
        _sql(connection, sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        drop_deployment_roles(connection, groups)
