"""The audit log as a screen reads it: one page at a time, and the filtered view exported."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.errors import UsageError
from lifecycle.persistence.repositories import AuditFilter, entry_from_row
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries

EXPORT_FORMATS = ("csv", "xlsx", "jsonl")


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
    """Write the filtered log, oldest first, to `path`: CSV (UTF-8 with BOM) or an .xlsx
    workbook for a spreadsheet, or JSON Lines byte for byte as the log is hashed."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    return write_entries((entry.to_dict() for entry in audit_entries(app, where)), fmt, path)


def write_entries(entries: Iterable[dict[str, Any]], fmt: str, path: Path | None) -> int:
    """Entries (as `AuditEntry.to_dict` gives them) as csv, xlsx or jsonl, to `path` or stdout."""
    from lifecycle.reports.export import check_output, export_table

    if fmt == "jsonl":
        if path is None:
            raise UsageError("JSON Lines of the log go to a file here; give its path")
        check_output(path)
        count = 0
        with path.open("w", encoding="utf-8", newline="") as out:
            for data in entries:
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
                count += 1
        return count
    return export_table(FIELDS, _rows(entries), fmt, output=path, title="audit log")


def _rows(entries: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for data in entries:
        data["payload"] = json.dumps(data["payload"], ensure_ascii=False, sort_keys=True)
        yield [data[name] for name in FIELDS]
