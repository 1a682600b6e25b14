"""The one writer of the audit log as CSV or JSON lines, for `lifecycle audit log` and the TUI.

CSV has a header row of the entry's fields and the payload as canonical JSON text (keys
sorted); a JSON line is the entry as `AuditEntry.to_dict` gives it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.domain.characters import json_safe, printable_data
from lifecycle.errors import UsageError
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries
from lifecycle.services.filters import AuditFilter

EXPORT_FORMATS = ("csv", "jsonl")
#: Entries written between two progress reports of an export.
PROGRESS_EVERY = 1000


def write_entries(entries: Iterable[AuditEntry], out: TextIO, fmt: str,
                  progress: Callable[[int], None] | None = None, *, on_terminal: bool = False) -> int:
    """Write `entries` to `out` as `fmt` (csv or jsonl); how many were written. `progress` hears
    the number written every PROGRESS_EVERY entries; if it raises (the person cancelled), writing stops.
    Into a file the cells go as stored; `on_terminal`, control characters are escaped."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    writer = csv.DictWriter(out, fieldnames=list(FIELDS)) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    count = 0
    for entry in entries:
        data = entry.to_dict()
        if writer is not None:
            data["payload"] = json.dumps(data["payload"], ensure_ascii=False, sort_keys=True)
            writer.writerow(printable_data(data) if on_terminal else data)  # type: ignore[arg-type]
        else:
            # The same values once parsed; hidden characters (C1, bidi, zero-width) as \u escapes.
            out.write(json_safe(json.dumps(data, ensure_ascii=False)) + "\n")
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    return count


def export_audit(app: Lifecycle, where: AuditFilter, out: TextIO, fmt: str, *, on_terminal: bool = False) -> int:
    """The filtered log, oldest first, written to `out` (stdout, say) as CSV or JSON lines."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    return write_entries(audit_entries(app, where), out, fmt, on_terminal=on_terminal)


def export_entries(app: Lifecycle, where: AuditFilter, path: Path, fmt: str,
                   progress: Callable[[int], None] | None = None, *, on_terminal: bool = False) -> int:
    """The filtered log, oldest first, written to the file `path` as CSV or JSON lines.

    If `progress` raises (the person cancelled), no file is left behind: the export is written
    under a temporary name and only renamed to `path` once complete."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file name, e.g. {path / ('audit.' + fmt)}")
    if not path.parent.exists():
        raise UsageError(f"{path.parent} does not exist; create it or choose another file")
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = write_entries(audit_entries(app, where), out, fmt, progress)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count
