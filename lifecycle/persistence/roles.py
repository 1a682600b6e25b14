"""PostgreSQL roles: the three group roles, their grants, login roles, and who is connected.

On PostgreSQL the database, not only this program, decides who may do what:
`lifecycle_auditor` may only read, `lifecycle_admin` and `lifecycle_system` may
change cases and append to the audit log, and nobody may UPDATE, DELETE or
TRUNCATE `audit_log`. People log in as their own login roles, members of one
group; the acting user is the connection's `current_user`.

Roles belong to the whole cluster, not to one database, so several `lifecycle
init` runs (two databases, or parallel test runs) may create them at once: all
role and grant changes run in one transaction under a transaction-level
advisory lock, check `pg_roles` first, and still treat "already exists" as done.
Identifiers are quoted with `psycopg.sql.Identifier`, never pasted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from lifecycle.domain.messages import N_
from lifecycle.errors import LifecycleError

#: lifecycle role -> PostgreSQL group role.
GROUPS = {"admin": "lifecycle_admin", "auditor": "lifecycle_auditor", "system": "lifecycle_system"}
#: When a login role is in several groups, the one that may do most is its role here.
PRECEDENCE = ("admin", "system", "auditor")
#: `pg_advisory_xact_lock` key for every role and grant change ("lifecy" in ASCII).
ROLES_LOCK = 0x6C6966656379
#: PostgreSQL truncates longer identifiers silently (NAMEDATALEN - 1 bytes).
MAX_ROLE_NAME_BYTES = 63

#: What each group may write, table by table; every group may SELECT every table of the
#: schema. A module that adds tables adds their writes here (init applies them if the
#: table exists). Absent on purpose: UPDATE, DELETE and TRUNCATE on audit_log, for anyone.
WRITES: dict[str, dict[str, tuple[str, ...]]] = {
    "cases": {"admin": ("INSERT", "UPDATE"), "system": ("INSERT", "UPDATE")},
    "audit_log": {"admin": ("INSERT",), "system": ("INSERT",)},
    # The append locks the head row (SELECT ... FOR UPDATE needs UPDATE) and moves it.
    "audit_head": {"admin": ("UPDATE",), "system": ("UPDATE",)},
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
#: Sequences (cases.id) are used by the writers.
SEQUENCE_WRITERS = ("admin", "system")


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
    SELECT current_user AS name, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
           COALESCE((SELECT pg_has_role(current_user, c.relowner, 'MEMBER')
                     FROM pg_class c WHERE c.oid = to_regclass('audit_log')), false)
             OR COALESCE((SELECT pg_has_role(current_user, n.nspowner, 'MEMBER')
                          FROM pg_namespace n WHERE n.nspname = current_schema()), false) AS owner,
           to_regclass('audit_log') IS NOT NULL AS has_log,
           ARRAY(SELECT g.rolname::text FROM pg_roles g
                 WHERE g.rolname = ANY(:groups) AND pg_has_role(current_user, g.oid, 'MEMBER'))
             AS groups
    FROM pg_roles r WHERE r.rolname = current_user
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
    """The connected PostgreSQL user (None on SQLite). Cached per DBAPI connection: it
    cannot change while the connection lives, and this runs on every write."""
    if connection.dialect.name != "postgresql":
        return None
    cached: DatabaseUser | None = connection.info.get("lifecycle_user")
    if cached is not None:
        return cached
    row = connection.execute(_IDENTITY, {"groups": list(GROUPS.values())}).one()
    installer = bool(row.superuser or row.owner)
    member_of = {role for role, group in GROUPS.items() if group in row.groups}
    role = None if installer else next((r for r in PRECEDENCE if r in member_of), None)
    user = DatabaseUser(str(row.name), role, installer, bool(row.superuser or row.createrole))
    if row.has_log:  # before `init` made the tables, ownership may still change
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
    """Create the group roles (if missing) and grant them their rights on this schema.

    Runs as the installer, in the caller's transaction; idempotent. Returns which group
    roles were created and the schema the grants apply to.
    """
    from psycopg import sql

    _lock(connection)
    created = [group for group in GROUPS.values() if _create_role(connection, group, login=False)]
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    database = str(connection.execute(text("SELECT current_database()")).scalar())
    everyone = sql.SQL(", ").join(sql.Identifier(group) for group in GROUPS.values())
    ident = sql.Identifier(schema)
    savepoint = connection.begin_nested()
    try:
        _sql(connection, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), everyone))
        savepoint.commit()
    except LifecycleError:
        # Only the database's owner may grant CONNECT; PUBLIC has it unless a DBA took it
        # away, in which case the DBA grants it (docs/operations.md).
        savepoint.rollback()
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
                    sql.Identifier(GROUPS[role]),
                ),
            )
    writers = sql.SQL(", ").join(sql.Identifier(GROUPS[role]) for role in SEQUENCE_WRITERS)
    _sql(connection, sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(ident, writers))
    # PUBLIC is every role of the cluster: it gets nothing on the log (PostgreSQL gives no
    # table rights to PUBLIC by default; this makes it hold even if someone did).
    _sql(connection, sql.SQL("REVOKE ALL ON TABLE audit_log FROM PUBLIC"))
    return {"schema": schema, "created": created}


def check_login_name(name: str) -> str | None:
    """Why `name` cannot be a lifecycle login role, or None if it can."""
    if len(name.encode("utf-8")) > MAX_ROLE_NAME_BYTES:
        return (
            f"{name!r} is {len(name.encode('utf-8'))} bytes; PostgreSQL role names hold at "
            f"most {MAX_ROLE_NAME_BYTES}: choose a shorter name"
        )
    if name in GROUPS.values():
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
    created = _create_role(connection, name, login=True)
    who = sql.Identifier(name)
    for other_role, group in GROUPS.items():
        if other_role != role:
            _sql(connection, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), who))
    _sql(connection, sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), who))
    return created
