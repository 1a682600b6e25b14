"""`lifecycle init`: create or upgrade the schema; the first user becomes an admin.

On PostgreSQL it also creates the group roles and grants them their rights
(lifecycle/persistence/roles.py): not in a migration, because roles belong to
the whole cluster while a migration belongs to one schema.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lifecycle.domain.messages import N_
from lifecycle.domain.reasons import Reason
from lifecycle.errors import Refused
from lifecycle.persistence.engine import create_sqlite_file, is_sqlite, safe_url
from lifecycle.persistence.revision import HEAD, stored_revision
from lifecycle.persistence.roles import database_user, setup_roles
from lifecycle.persistence.schema import upgrade
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import bootstrap_admin


@dataclass(frozen=True)
class Installed:
    """What `lifecycle init` did."""

    database: str
    revision_before: str | None
    revision: str | None
    created: bool
    #: The first admin, when this run made one.
    admin_created: str | None
    #: PostgreSQL: the group roles' schema and which roles were created now.
    roles: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def init_database(app: Lifecycle, acting: str) -> Installed:
    roles: dict[str, Any] | None = None
    if not is_sqlite(app.url):
        with app.engine.connect() as connection:
            who = database_user(connection)
        assert who is not None
        if not who.installer:
            if stored_revision(app.engine) == HEAD:
                # Nothing to create or upgrade: a person's own login may run init harmlessly.
                return Installed(safe_url(app.url), HEAD, HEAD, False, None, None)
            raise Refused(
                "lifecycle init",
                [
                    Reason.of(
                        "role",
                        N_(
                            "database user {user} may not create or upgrade the schema: run `lifecycle init` as "
                            "the installer (a superuser, or the owner of the database or schema), see "
                            "docs/operations.md"
                        ),
                        {"user": repr(who.name)},
                        details={"user": who.name},
                    )
                ],
            )
    create_sqlite_file(app.url)
    before, after = upgrade(app.engine)
    if not is_sqlite(app.url):
        with app.engine.begin() as connection:
            roles = setup_roles(connection)
            _record_moves(connection)
    made_admin = bootstrap_admin(app, acting)
    return Installed(safe_url(app.url), before, after, before is None, acting if made_admin else None, roles)


def _record_moves(connection: Any) -> None:
    """The legal moves of definition versions stored before the database checked them (0008)."""
    from lifecycle.persistence.guard import record_stored_moves
    from lifecycle.programmes.loader import load_text

    record_stored_moves(connection, lambda content, version: load_text(content, f"stored version {version[:12]}"))
