"""The one writer of the audit log as a file, for `lifecycle audit log` and the TUI: CSV (UTF-8
with a byte-order mark) or an .xlsx workbook for a spreadsheet, through the product's one table
exporter (`lifecycle.reports.export`, which neutralises cells a spreadsheet would run as
formulas), or JSON Lines, the entry's values as the hash covers them plus `hash`, to re-hash.

CSV and xlsx have a header row of the entry's fields and the payload as canonical JSON text (keys
sorted); a JSON line is the entry as `AuditEntry.to_dict` gives it, with the characters JSON
leaves raw but a terminal would obey (C1, bidi, zero-width) as `\\u` escapes: the same values once
parsed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.domain.characters import json_safe, printable
from lifecycle.domain.messages import N_
from lifecycle.errors import UsageError
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries
from lifecycle.services.filters import AuditFilter

EXPORT_FORMATS = ("csv", "xlsx", "jsonl")
#: Entries written between two progress reports of an export.
PROGRESS_EVERY = 1000


def write_entries(
    entries: Iterable[AuditEntry],
    fmt: str,
    path: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    on_terminal: bool = False,
) -> int:
    """Write `entries` as `fmt` to the file `path`, else to standard output; how many.

    `progress` hears the number written every PROGRESS_EVERY entries; if it raises (the person
    cancelled), writing stops and no file is left behind: a file is written under a temporary
    name and only renamed to `path` once complete. Onto a terminal (`on_terminal`) CSV cells
    have their control characters escaped; into a file they go as stored."""
    from lifecycle.reports.export import check_output, export_table

    if fmt not in EXPORT_FORMATS:
        raise UsageError(
            N_("export format {fmt}: one of {export_formats}"),
            {"fmt": repr(fmt), "export_formats": ", ".join(EXPORT_FORMATS)},
        )
    counted = _counted(entries, progress)
    if path is None:
        if fmt == "jsonl":
            return _jsonl(counted, sys.stdout)
        return export_table(FIELDS, _rows(counted, on_terminal), fmt, output=None, title="audit log")
    check_output(path)
    partial = path.with_name(f".{path.name}.part")
    try:
        if fmt == "jsonl":
            with partial.open("w", encoding="utf-8", newline="") as out:
                count = _jsonl(counted, out)
        else:
            count = export_table(FIELDS, _rows(counted, False), fmt, output=partial, title="audit log")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _counted(entries: Iterable[AuditEntry], progress: Callable[[int], None] | None) -> Iterator[AuditEntry]:
    for count, entry in enumerate(entries, start=1):
        yield entry
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)


def _jsonl(entries: Iterable[AuditEntry], out: Any) -> int:
    count = 0
    for entry in entries:
        out.write(json_safe(json.dumps(entry.to_dict(), ensure_ascii=False)) + "\n")
        count += 1
    return count


def _rows(entries: Iterable[AuditEntry], on_terminal: bool) -> Iterator[list[Any]]:
    for entry in entries:
        data = entry.to_dict()
        data["payload"] = json.dumps(data["payload"], ensure_ascii=False, sort_keys=True)
        row = [data[name] for name in FIELDS]
        yield [printable(v) if on_terminal and isinstance(v, str) else v for v in row]


def export_audit(
    app: Lifecycle, where: AuditFilter, fmt: str, path: Path | None = None, *, on_terminal: bool = False
) -> int:
    """The filtered log, oldest first, as `fmt` to the file `path`, else to standard output."""
    return write_entries(audit_entries(app, where), fmt, path, on_terminal=on_terminal)


def export_entries(
    app: Lifecycle, where: AuditFilter, path: Path, fmt: str, progress: Callable[[int], None] | None = None
) -> int:
    """The filtered log, oldest first, written to the file `path` (the TUI's export), with
    progress and cancelling as `write_entries` says."""
    return write_entries(audit_entries(app, where), fmt, path, progress=progress)
