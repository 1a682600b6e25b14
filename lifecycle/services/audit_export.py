"""The one writer of the audit log as a file, for `lifecycle audit log` and the TUI: CSV (UTF-8
with a byte-order mark) or an .xlsx workbook for a spreadsheet, through the product's one table
exporter (`lifecycle.reports.export`, which neutralises cells a spreadsheet would run as
formulas), or JSON Lines, byte for byte what the hash covers plus `hash`, to re-hash.

CSV and xlsx have a header row of the entry's fields and the payload as canonical JSON text (keys
sorted); a JSON line is the entry as `AuditEntry.to_dict` gives it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.errors import UsageError
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries
from lifecycle.services.filters import AuditFilter

EXPORT_FORMATS = ("csv", "xlsx", "jsonl")


def write_entries(entries: Iterable[AuditEntry], fmt: str, path: Path | None = None) -> int:
    """Write `entries` as `fmt` to the file `path`, else to standard output; how many."""
    from lifecycle.reports.export import check_output, export_table

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    if fmt != "jsonl":
        return export_table(FIELDS, _rows(entries), fmt, output=path, title="audit log")
    if path is None:
        return _jsonl(entries, sys.stdout)
    check_output(path)
    with path.open("w", encoding="utf-8", newline="") as out:
        return _jsonl(entries, out)


def _jsonl(entries: Iterable[AuditEntry], out: Any) -> int:
    count = 0
    for entry in entries:
        out.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count


def _rows(entries: Iterable[AuditEntry]) -> Iterator[list[Any]]:
    for entry in entries:
        data = entry.to_dict()
        data["payload"] = json.dumps(data["payload"], ensure_ascii=False, sort_keys=True)
        yield [data[name] for name in FIELDS]


def export_audit(app: Lifecycle, where: AuditFilter, fmt: str, path: Path | None = None) -> int:
    """The filtered log, oldest first, as `fmt` to the file `path`, else to standard output."""
    return write_entries(audit_entries(app, where), fmt, path)


def export_entries(app: Lifecycle, where: AuditFilter, path: Path, fmt: str) -> int:
    """The filtered log, oldest first, written to the file `path` (the TUI's export)."""
    return export_audit(app, where, fmt, path)
