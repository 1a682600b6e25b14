"""Tables out, for a spreadsheet: CSV in UTF-8 with a byte-order mark, and Excel workbooks (.xlsx).

Every table the product exports (case list, calendar, audit log, compliance results) goes
through here, so that two things hold everywhere:

- Excel and WPS on Chinese Windows read a CSV as GBK unless it starts with a byte-order
  mark: every CSV starts with one, so Chinese text never shows as mojibake.
- A cell a person typed (a case name, a reason) may start with `=`, `+`, `-`, `@`, a tab or a
  carriage return, which a spreadsheet takes for a formula (`=HYPERLINK(...)`, `=cmd|...`):
  formula injection, aimed at exactly the auditors who open these files. Such a text cell is
  written with a single quote in front, as OWASP's CSV-injection guidance recommends; in a
  workbook it is moreover stored as a text cell, never as a formula.

JSON Lines, which an auditor re-hashes, is not a table and never goes through here: it stays
byte for byte what `lifecycle audit log --format jsonl` prints.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from lifecycle.reports.language import _

TABLE_FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
#: What makes a spreadsheet read a cell as a formula (OWASP, CSV injection), and NUL.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
#: Excel's limit on a sheet's name, and the characters it refuses in one.
_SHEET_NAME_LENGTH = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would take for a formula, with a single quote in front;
    numbers, booleans and other texts as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value as a table cell: None empty, booleans as true/false, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[str]) -> int:
    """The table as CSV on a text stream: a byte-order mark, a header row, one row a line
    (CRLF, as spreadsheets write them); the number of rows written."""
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([cell(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
    return count


def write_xlsx(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[bytes] | Path, title: str = "lifecycle"
) -> int:
    """The table as a workbook of one sheet: a bold, frozen header row; every text cell a
    text cell (never a formula); the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in columns:
        head = _xlsx_cell(WriteOnlyCell, sheet, name)
        head.font = bold
        header.append(head)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(WriteOnlyCell, sheet, v) for v in row])
        count += 1
    book.save(out)
    return count


def _xlsx_cell(make: Any, sheet: Any, value: Any) -> Any:
    shown = cell(value)
    made = make(sheet, value=shown)
    if isinstance(shown, str):
        made.data_type = "s"  # openpyxl would store a text starting with = as a formula
    return made


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    return (title.translate(_SHEET_NAME_FORBIDDEN).strip() or "lifecycle")[:_SHEET_NAME_LENGTH]


def export_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    *,
    output: Path | None = None,
    title: str = "lifecycle",
) -> int:
    """Write the table as `fmt` (csv or xlsx) to `output`, else to standard output; the number
    of rows. A workbook is never written to a terminal: redirect it or give a file."""
    from lifecycle.errors import UsageError

    if fmt not in TABLE_FORMATS:
        raise UsageError(
            _("table format {format}: one of {formats}").format(format=repr(fmt), formats=", ".join(TABLE_FORMATS))
        )
    if output is not None:
        check_output(output)
        if fmt == "csv":
            with output.open("w", encoding="utf-8", newline="") as out:
                return write_csv(columns, rows, out)
        return write_xlsx(columns, rows, output, title)
    if fmt == "csv":
        return write_csv(columns, rows, sys.stdout)
    if sys.stdout.isatty():
        raise UsageError(
            _("an .xlsx workbook is not for the terminal: give --output FILE.xlsx, or redirect it: > FILE.xlsx")
        )
    buffer = io.BytesIO()
    count = write_xlsx(columns, rows, buffer, title)
    sys.stdout.flush()
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return count


def check_output(path: Path) -> None:
    """A file that can be written: not a directory, in a folder that exists."""
    from lifecycle.errors import UsageError

    if path.is_dir():
        raise UsageError(
            _("{path} is a directory; give a file name, e.g. {example}").format(path=path, example=path / "export.csv")
        )
    if not path.parent.exists():
        raise UsageError(_("{folder} does not exist; create it or choose another file").format(folder=path.parent))
