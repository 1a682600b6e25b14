"""Who is acting, and may they: users and roles (admin acts, auditor reads, system runs rules)."""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass

from lifecycle.domain.characters import hidden_character_problem
from lifecycle.domain.messages import N_, Message, Term, message
from lifecycle.domain.reasons import Reason
from lifecycle.errors import LifecycleError, Refused
from lifecycle.persistence.roles import check_login_name
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today
from lifecycle.services.ports import UnitOfWork

ROLES = ("admin", "auditor")
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


def acting_user(explicit: str | None = None) -> str:
    """`--as`, else LIFECYCLE_USER, else the OS login name."""
    if explicit:
        return explicit
    if os.environ.get("LIFECYCLE_USER"):
        return os.environ["LIFECYCLE_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise LifecycleError(N_("cannot tell who you are: set LIFECYCLE_USER")) from None


def _os_login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def resolve_actor(uow: UnitOfWork, claimed: str, action: str | Message) -> Actor:
    """Who acts, and in which role.

    SQLite, and the PostgreSQL installer (a superuser or the schema's owner, who could
    bypass any rule anyway): the claimed name (`--as`, LIFECYCLE_USER, login name), which
    must be in the users table. Any other PostgreSQL connection: its database user
    (`current_user`) in the role of its lifecycle group; a claim to be somebody else is
    refused, so nobody can act under another person's name. See docs/adr/0004.
    """
    who = uow.users.database_user()
    if who is None or who.installer:
        role = uow.users.role_of(claimed)
        if role is None:
            raise Refused(
                action,
                [
                    Reason.of(
                        "role",
                        N_(
                            "user {user} is not known to this database; an admin adds them with "
                            "`lifecycle users add {name} --role admin` (or set LIFECYCLE_USER)"
                        ),
                        {"user": repr(claimed), "name": claimed},
                        details={"user": claimed},
                    )
                ],
            )
        return Actor(claimed, role)
    if claimed not in (who.name, _os_login()):
        raise Refused(
            action,
            [
                Reason.of(
                    "role",
                    N_(
                        "you are connected to PostgreSQL as {user}, and there you act as your database user: "
                        "--as / LIFECYCLE_USER {claimed} cannot change that; connect as {claimed} instead "
                        "(the user in the --db URL)"
                    ),
                    {"user": repr(who.name), "claimed": repr(claimed)},
                    details={"user": who.name, "claimed": claimed},
                )
            ],
        )
    if who.role is None:
        raise Refused(
            action,
            [
                Reason.of(
                    "role",
                    N_(
                        "database user {user} is in none of the lifecycle roles (this deployment's admin, auditor "
                        "and system groups); the installer grants one with `lifecycle users add {name} --role "
                        "admin|auditor`"
                    ),
                    {"user": repr(who.name), "name": who.name},
                    details={"user": who.name},
                )
            ],
        )
    return Actor(who.name, who.role)


def reader_name(uow: UnitOfWork, claimed: str) -> str:
    """Who is reading, for reports: the database user on PostgreSQL (the installer excepted),
    else the claimed name. Reading needs no entry in the users table."""
    who = uow.users.database_user()
    return claimed if who is None or who.installer else who.name


def require_admin(uow: UnitOfWork, name: str, action: str | Message) -> Actor:
    """The acting user, who must exist and be an admin; else Refused (exit 3), nothing written."""
    return _require(uow, name, action, ("admin",), Term("an admin", "管理员"))


def require_runner(uow: UnitOfWork, name: str, action: str | Message) -> Actor:
    """Who may start the compliance run: an admin, or on PostgreSQL the scheduler host's login
    in lifecycle_system (docs/operations.md). Its actions are the system's either way; the run
    records who invoked it. Anyone else: Refused (exit 3), nothing written."""
    return _require(
        uow,
        name,
        action,
        ("admin", SYSTEM),
        Term(
            "an admin, or the scheduler's own login (a PostgreSQL login in lifecycle_system)",
            "管理员，或调度程序自己的登录名（lifecycle_system 中的 PostgreSQL 登录名）",
        ),
    )


def _require(uow: UnitOfWork, name: str, action: str | Message, roles: tuple[str, ...], needs: Term) -> Actor:
    actor = resolve_actor(uow, name, action)
    if actor.role not in roles:
        raise Refused(
            action,
            [
                Reason.of(
                    "role",
                    N_("{user} is {a_role}: {a_role} may only read; {action} needs {needs}"),
                    {
                        "user": actor.name,
                        "a_role": Term(_a(actor.role), ROLE_NAMES_ZH.get(actor.role, actor.role)),
                        "action": action,
                        "needs": needs,
                    },
                    details={"user": actor.name, "role": actor.role},
                )
            ],
        )
    return actor


#: The roles as a Chinese office names them.
ROLE_NAMES_ZH = {"admin": "管理员", "auditor": "审计员", "system": "系统"}


def _a(role: str) -> str:
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


#: A user name (docs/cli.md, "User names"): 1 to 63 bytes of letters of any script, digits,
#: `_`, `.`, `-` and `@`, starting with a letter, digit or `_` — a login name, an e-mail
#: address or a Chinese name fit; spaces, control and format characters do not (63 bytes:
#: what PostgreSQL holds in a role name).
USER_NAME = re.compile(r"[^\W][\w.@-]*")
MAX_USER_NAME_BYTES = 63


def user_name_problem(name: str) -> str | None:
    """Why `name` cannot be a user name, or None if it can."""
    if not name:
        return "a user name cannot be empty; give the person's login name, e.g. carol"
    hidden = hidden_character_problem(name, "user name")
    if hidden:
        return hidden
    if len(name.encode("utf-8")) > MAX_USER_NAME_BYTES:
        return (
            f"user name {name!r} is {len(name.encode('utf-8'))} bytes long; at most "
            f"{MAX_USER_NAME_BYTES} (PostgreSQL's limit for a login name)"
        )
    if not USER_NAME.fullmatch(name):
        return (
            f"user name {name!r} does not fit the pattern of user names: letters, digits, _ . - @, "
            "starting with a letter, digit or _ (no spaces)"
        )
    if name == SYSTEM:
        return f"{name!r} is reserved for the compliance run; choose another name"
    return None


def add_user(app: Lifecycle, acting: str, name: str, role: str, office: str | None = None) -> dict[str, str | None]:
    """Add a user or change their role and office (default: the acting admin's office; an
    admin adds users to their office and those below it). On PostgreSQL also create (or
    reuse) the login role `name` and put it in this deployment's group of the role: only the
    installer may, login roles being cluster-wide."""
    action = message(N_("adding user {name}"), {"name": repr(name)})
    if role not in ROLES:
        raise Refused(
            action,
            [
                Reason.of(
                    "invalid_field",
                    N_("role {role} is not one of: {roles}"),
                    {"role": repr(role), "roles": ", ".join(ROLES)},
                )
            ],
        )
    problem = user_name_problem(name)
    if problem:
        raise Refused(action, [Reason("invalid_field", problem, details={"field": "name", "user": name})])
    app.require_schema()
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, action)
        office = _office_for_user(uow, actor, office, action, name)
        login: str | None = None
        who = uow.users.database_user()
        if who is not None:
            if not who.installer:
                raise Refused(
                    action,
                    [
                        Reason.of(
                            "role",
                            N_(
                                "on PostgreSQL adding a user creates or grants the database login role {name}, "
                                "which only the installer may do (a superuser or the owner of the schema); ask "
                                "them to run this command, see docs/operations.md"
                            ),
                            {"name": repr(name)},
                            details={"user": who.name},
                        )
                    ],
                )
            problem = check_login_name(name)
            if problem:
                raise Refused(action, [Reason("invalid_field", problem, details={"user": name})])
            login = "created" if uow.users.grant_login(name, role) else "granted"
        existing = uow.users.role_of(name)
        if existing == role and uow.users.office_of(name) == office:
            uow.commit()  # a login role may have been created or granted all the same
            return {"name": name, "role": role, "office": office, "status": "unchanged", "login_role": login}
        if existing is None:
            uow.users.add(name, role, office)
        else:
            uow.users.set_role(name, role, office)
        uow.audit.append(
            case_id=None,
            programme=None,
            trigger="user_role",
            from_state=existing,
            to_state=role,
            effective_on=today(),
            actor=actor.name,
            role=actor.role,
            reason=None,
            clause=None,
            payload={"user": name, "role": role, "office": office},
            office=office,
        )
        uow.commit()
    return {
        "name": name,
        "role": role,
        "office": office,
        "status": "added" if existing is None else "changed",
        "login_role": login,
    }


def _office_for_user(uow: UnitOfWork, actor: Actor, office: str | None, action: str | Message, name: str) -> str:
    own = uow.offices.office_of(actor.name) or uow.offices.root()
    if office is None:
        return uow.offices.office_of(name) or own  # a role change keeps the user's office
    if uow.offices.get(office) is None:
        raise Refused(
            action,
            [
                Reason(
                    "invalid_field",
                    f"office {office!r} does not exist; "
                    "`lifecycle offices list` shows the offices (`lifecycle offices "
                    "add` adds one)",
                    details={"office": office},
                )
            ],
        )
    seen = uow.scope_of(actor.name)
    if seen is not None and office not in seen:
        raise Refused(
            action,
            [
                Reason(
                    "office",
                    f"{actor.name} adds users to office {own} and the offices below it, not to {office}",
                    details={"office": office, "user": actor.name},
                )
            ],
        )
    return office


def bootstrap_admin(app: Lifecycle, name: str) -> bool:
    """Make `name` the first admin of a database that has no user yet (`lifecycle init`)."""
    with app.uow(write=True) as uow:
        if uow.users.count():
            return False
        uow.users.add(name, "admin", uow.offices.root())
        uow.audit.append(
            case_id=None,
            programme=None,
            trigger="user_role",
            from_state=None,
            to_state="admin",
            effective_on=today(),
            actor=name,
            role="admin",
            reason="first user of a new database (lifecycle init)",
            clause=None,
            payload={"user": name, "role": "admin"},
        )
        uow.commit()
    return True


def list_users(app: Lifecycle) -> list[dict[str, str]]:
    app.require_schema()
    with app.uow() as uow:
        return [
            {"name": u["name"], "role": u["role"], "office": u["office"], "created_at": u["created_at"].isoformat()}
            for u in uow.users.all()
        ]
