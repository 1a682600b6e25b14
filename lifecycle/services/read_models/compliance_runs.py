"""The record of compliance runs (`lifecycle scheduler history`, the dashboard's last run)."""

from __future__ import annotations

from typing import Any

from lifecycle.persistence.compliance import parse_counts, runs
from lifecycle.services.app import Lifecycle


def run_history(app: Lifecycle, limit: int | None = None) -> list[dict[str, Any]]:
    """Every recorded run, newest first (dry runs write nothing, so they are not here)."""
    with app.uow() as uow:
        rows = runs(uow.connection, limit)
    return [{"id": r["id"], "started_at": _iso(r["started_at"]), "ended_at": _iso(r["ended_at"]),
             "as_of": _iso(r["as_of"]), "invoked_by": r["invoked_by"], "programme": r["programme"],
             "source": r["source"], "outcome": r["outcome"], "counts": parse_counts(r["counts"]),
             "error": r["error"]} for r in rows]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
