"""`lifecycle init`: create or upgrade the schema; the first user becomes an admin.

On PostgreSQL it also creates the group roles and grants them their rights
(lifecycle/persistence/roles.py): not in a migration, because roles belong to
the whole cluster while a migration belongs to one schema.
"""

from __future__ import annotations

from typing import Any

from lifecycle.domain.reasons import Reason
from lifecycle.errors import Refused
from lifecycle.persistence.engine import is_sqlite, safe_url
from lifecycle.persistence.revision import HEAD, stored_revision
from lifecycle.persistence.roles import database_user, setup_roles
from lifecycle.persistence.schema import upgrade
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import bootstrap_admin


def init_database(app: Lifecycle, acting: str) -> dict[str, Any]:
    roles: dict[str, Any] | None = None
    if not is_sqlite(app.url):
        with app.engine.connect() as connection:
            who = database_user(connection)
        assert who is not None
        if not who.installer:
            if stored_revision(app.engine) == HEAD:
                # Nothing to create or upgrade: a person's own login may run init harmlessly.
                return {"database": safe_url(app.url), "revision_before": HEAD, "revision": HEAD,
                        "created": False, "admin_created": None, "roles": None}
            raise Refused("lifecycle init", [Reason(
                "role", f"database user {who.name!r} may not create or upgrade the schema: run "
                "`lifecycle init` as the installer (a superuser, or the owner of the database "
                "or schema), see docs/operations.md", details={"user": who.name})])
    before, after = upgrade(app.engine)
    if not is_sqlite(app.url):
        from lifecycle.persistence.job_store import create_job_table

        # Created here, by the installer, so the scheduler host's login needs no CREATE right.
        create_job_table(app.engine)
        with app.engine.begin() as connection:
            roles = setup_roles(connection)
            _record_moves(connection)
    made_admin = bootstrap_admin(app, acting)
    return {"database": safe_url(app.url), "revision_before": before, "revision": after,
            "created": before is None, "admin_created": acting if made_admin else None,
            "roles": roles}


def _record_moves(connection: Any) -> None:
    """The legal moves of definition versions stored before the database checked them (0008)."""
    from lifecycle.persistence.guard import define, stored_without_moves
    from lifecycle.programmes.loader import load_text

    for version, content in stored_without_moves(connection):
        programme = load_text(content, f"stored version {version[:12]}")
        if programme.version == version:
            define(connection, programme, content)
