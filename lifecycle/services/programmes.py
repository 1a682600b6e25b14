"""Use cases on programmes that need the database: which definition versions cases run on."""

from __future__ import annotations

from typing import Any

from lifecycle.services.app import Lifecycle


def definition_versions(app: Lifecycle, code: str) -> list[dict[str, Any]]:
    """Every stored version of a programme's definition, oldest first, with the number of cases
    running on it; the current file's version is listed too, even before any case uses it."""
    current = app.catalogue.current(code).version
    app.require_schema()
    with app.uow() as uow:
        stored = uow.definitions.versions(code)
        counts = uow.cases.count_by_version(code)
    rows = [{"version": row["version"], "recorded_at": row["recorded_at"].isoformat(),
             "cases": counts.get(row["version"], 0), "current": row["version"] == current}
            for row in stored]
    if current not in {row["version"] for row in rows}:
        rows.append({"version": current, "recorded_at": None, "cases": 0, "current": True})
    return rows
