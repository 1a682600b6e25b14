"""What a person asks to see: which cases, which audit entries. The entry points build these
and hand them to the services; the services turn them into persistence's queries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from lifecycle.persistence.case_search import SORTS as CASE_SORTS
from lifecycle.persistence.repositories import AuditQuery

#: Sort orders of a page of cases.
SORTS = CASE_SORTS


@dataclass(frozen=True)
class CaseFilter:
    programme: str | None = None
    state: str | None = None
    province: str | None = None
    text: str | None = None
    #: Only cases whose next due day is on or after / before these days.
    due_from: date | None = None
    due_before: date | None = None


@dataclass
class AuditFilter:
    case_id: int | None = None
    programme: str | None = None
    actor: str | None = None
    role: str | None = None
    trigger: str | None = None
    #: Entries whose clause contains this text.
    clause: str | None = None
    #: Effective on or after / on or before these days.
    since: date | None = None
    until: date | None = None
    #: Recorded (UTC) at or after / at or before these moments.
    recorded_since: datetime | None = None
    recorded_until: datetime | None = None

    def query(self) -> AuditQuery:
        return AuditQuery(**asdict(self))
