"""The audit log as a screen reads it: one page at a time, and the filtered view exported."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.errors import UsageError
from lifecycle.persistence.repositories import AuditFilter, entry_from_row
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries

EXPORT_FORMATS = ("csv", "jsonl")


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    offset: int
    limit: int


def audit_page(app: Lifecycle, where: AuditFilter, *, offset: int = 0, limit: int = 100,
               newest_first: bool = True) -> AuditPage:
    """One page of the filtered log (newest first by default) and the size of the whole view."""
    with app.uow() as uow:
        statement = uow.audit.select(where)
        if newest_first:
            statement = statement.order_by(None).order_by(statement.selected_columns.seq.desc())
        rows = uow.connection.execute(statement.limit(limit).offset(offset))
        entries = [entry_from_row(row) for row in rows]
        if offset == 0 and len(entries) < limit:
            total = len(entries)
        else:
            counted = select(func.count()).select_from(uow.audit.select(where).order_by(None).subquery())
            total = int(uow.connection.execute(counted).scalar() or 0)
    return AuditPage(entries, total, offset, limit)


def export_entries(app: Lifecycle, where: AuditFilter, path: Path, fmt: str) -> int:
    """Write the filtered log, oldest first, to `path` as CSV (with a header) or JSON lines."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file name, e.g. {path / ('audit.' + fmt)}")
    if not path.parent.exists():
        raise UsageError(f"{path.parent} does not exist; create it or choose another file")
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(FIELDS)) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for entry in audit_entries(app, where):
            data = entry.to_dict()
            if writer is not None:
                data["payload"] = json.dumps(data["payload"], ensure_ascii=False, sort_keys=True)
                writer.writerow(data)
            else:
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
            count += 1
    return count
