"""`lifecycle init`: create or upgrade the schema; the first user becomes an admin."""

from __future__ import annotations

from typing import Any

from lifecycle.persistence.engine import safe_url
from lifecycle.persistence.schema import upgrade
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import bootstrap_admin


def init_database(app: Lifecycle, acting: str) -> dict[str, Any]:
    before, after = upgrade(app.engine)
    made_admin = bootstrap_admin(app, acting)
    return {"database": safe_url(app.url), "revision_before": before, "revision": after,
            "created": before is None, "admin_created": acting if made_admin else None}
