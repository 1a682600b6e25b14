"""The record of compliance runs (`lifecycle scheduler history`, the dashboard's last run)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lifecycle.persistence.compliance import parse_counts, runs
from lifecycle.services.app import Lifecycle


@dataclass(frozen=True)
class RunRecord:
    """One recorded compliance run; times are ISO text (UTC), `counts` as the run stored them
    (actions, cases_examined, cases_changed, refused, by_rule)."""

    id: int
    started_at: str | None
    ended_at: str | None
    as_of: str | None
    invoked_by: str
    programme: str | None
    source: str
    outcome: str
    counts: dict[str, Any]
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_history(app: Lifecycle, limit: int | None = None) -> list[RunRecord]:
    """Every recorded run, newest first (dry runs write nothing, so they are not here)."""
    with app.database_uow() as uow:
        rows = runs(uow.connection, limit)
    return [
        RunRecord(
            r["id"],
            _iso(r["started_at"]),
            _iso(r["ended_at"]),
            _iso(r["as_of"]),
            r["invoked_by"],
            r["programme"],
            r["source"],
            r["outcome"],
            parse_counts(r["counts"]),
            r["error"],
        )
        for r in rows
    ]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
