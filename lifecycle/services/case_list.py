"""Listing cases (`lifecycle cases list`): rows as they are stored, no programme logic.

Kept apart from `services.cases` so that listing imports neither the domain's decision
machinery nor the table models: it is the command people run most, and its start-up is
most of its time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lifecycle.services.app import Lifecycle


@dataclass(frozen=True)
class CaseSummary:
    """A case as `lifecycle cases list` shows it (dates as ISO text)."""

    id: int
    programme: str
    name: str
    state: str
    state_since: str
    approved_on: str | None
    valid_until: str | None
    #: The first day a dated rule requires something of the case (None: never).
    next_due_on: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_cases(
    app: Lifecycle,
    programme: str | None = None,
    state: str | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[CaseSummary]:
    """Cases by id, filtered by programme, state and a text in the name, at most `limit`."""
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error, not an empty list
    with app.reader() as reader:
        found = reader.listing.lines(programme=programme, state=state, text=text, limit=limit)
    return [
        CaseSummary(
            c.id or 0,
            c.programme,
            c.name,
            c.state,
            c.state_since.isoformat(),
            _iso(c.approved_on),
            _iso(c.valid_until),
            _iso(c.next_due_on) if c.next_due_on != date.max else None,
            c.version,
        )
        for c in found
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
