"""The one writer of the audit log as CSV or JSON lines, for `lifecycle audit log` and the TUI.

CSV has a header row of the entry's fields and the payload as canonical JSON text (keys
sorted); a JSON line is the entry as `AuditEntry.to_dict` gives it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from lifecycle.domain.audit import FIELDS, AuditEntry
from lifecycle.errors import UsageError
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries
from lifecycle.services.filters import AuditFilter

EXPORT_FORMATS = ("csv", "jsonl")


def write_entries(entries: Iterable[AuditEntry], out: TextIO, fmt: str) -> int:
    """Write `entries` to `out` as `fmt` (csv or jsonl); how many were written."""
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
            writer.writerow(data)
        else:
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_audit(app: Lifecycle, where: AuditFilter, out: TextIO, fmt: str) -> int:
    """The filtered log, oldest first, written to `out` (stdout, say) as CSV or JSON lines."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    return write_entries(audit_entries(app, where), out, fmt)


def export_entries(app: Lifecycle, where: AuditFilter, path: Path, fmt: str) -> int:
    """The filtered log, oldest first, written to the file `path` as CSV or JSON lines."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file name, e.g. {path / ('audit.' + fmt)}")
    if not path.parent.exists():
        raise UsageError(f"{path.parent} does not exist; create it or choose another file")
    with path.open("w", encoding="utf-8", newline="") as out:
        return export_audit(app, where, out, fmt)
