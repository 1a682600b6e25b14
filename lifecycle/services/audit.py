"""The auditor's use cases: read the log, verify the chain."""

from __future__ import annotations

from collections.abc import Iterator

from lifecycle.domain.audit import AuditEntry, Verification, verify
from lifecycle.persistence.repositories import AuditFilter
from lifecycle.services.app import Lifecycle


def audit_entries(app: Lifecycle, where: AuditFilter) -> Iterator[AuditEntry]:
    with app.uow() as uow:
        yield from uow.audit.entries(where)


def verify_log(app: Lifecycle) -> Verification:
    """Walk the whole chain in one read transaction, so appends meanwhile do not confuse it."""
    with app.uow() as uow:
        head = uow.audit.head()
        return verify(uow.audit.entries(), head)
