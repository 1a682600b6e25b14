"""The audit log as a screen reads it: one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.domain.audit import AuditEntry
from lifecycle.services.app import Lifecycle
from lifecycle.services.filters import AuditFilter


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    offset: int
    limit: int


def audit_page(
    app: Lifecycle, where: AuditFilter, *, offset: int = 0, limit: int = 100, newest_first: bool = True
) -> AuditPage:
    """One page of the filtered log (newest first by default) and the size of the whole view."""
    with app.uow() as uow:
        entries, total = uow.audit.page(where.query(), offset=offset, limit=limit, newest_first=newest_first)
    return AuditPage(entries, total, offset, limit)
