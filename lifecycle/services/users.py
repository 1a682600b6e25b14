"""Who is acting, and may they: users and roles (admin acts, auditor reads, system runs rules)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from lifecycle.domain.reasons import Reason
from lifecycle.errors import LifecycleError, Refused
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today

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
        raise LifecycleError("cannot tell who you are: set LIFECYCLE_USER") from None


def require_admin(uow: UnitOfWork, name: str, action: str) -> Actor:
    """The acting user, who must exist and be an admin; else Refused (exit 3), nothing written."""
    role = uow.users.role_of(name)
    if role is None:
        raise Refused(action, [Reason(
            "role", f"user {name!r} is not known to this database; an admin adds them with "
            f"`lifecycle users add {name} --role admin` (or set LIFECYCLE_USER)",
            details={"user": name})])
    if role != "admin":
        raise Refused(action, [Reason(
            "role", f"{name} is an {role}: an {role} may only read; {action} needs an admin",
            details={"user": name, "role": role})])
    return Actor(name, role)


def add_user(app: Lifecycle, acting: str, name: str, role: str) -> dict[str, str]:
    if role not in ROLES:
        raise Refused(f"adding user {name!r}", [Reason(
            "invalid_field", f"role {role!r} is not one of: {', '.join(ROLES)}")])
    if name == SYSTEM or not name.strip():
        raise Refused(f"adding user {name!r}", [Reason(
            "invalid_field", f"{name!r} is reserved for the compliance run; choose another name")])
    app.require_schema()
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, f"adding user {name!r}")
        existing = uow.users.role_of(name)
        if existing == role:
            return {"name": name, "role": role, "status": "unchanged"}
        if existing is None:
            uow.users.add(name, role)
        else:
            uow.users.set_role(name, role)
        uow.audit.append(case_id=None, programme=None, trigger="user_role", from_state=existing,
                         to_state=role, effective_on=today(), actor=actor.name, role=actor.role,
                         reason=None, clause=None, payload={"user": name, "role": role})
        uow.commit()
    return {"name": name, "role": role, "status": "added" if existing is None else "changed"}


def bootstrap_admin(app: Lifecycle, name: str) -> bool:
    """Make `name` the first admin of a database that has no user yet (`lifecycle init`)."""
    with app.uow(write=True) as uow:
        if uow.users.count():
            return False
        uow.users.add(name, "admin")
        uow.audit.append(case_id=None, programme=None, trigger="user_role", from_state=None,
                         to_state="admin", effective_on=today(), actor=name, role="admin",
                         reason="first user of a new database (lifecycle init)", clause=None,
                         payload={"user": name, "role": "admin"})
        uow.commit()
    return True


def list_users(app: Lifecycle) -> list[dict[str, str]]:
    app.require_schema()
    with app.uow() as uow:
        return [{"name": u["name"], "role": u["role"], "created_at": u["created_at"].isoformat()}
                for u in uow.users.all()]


