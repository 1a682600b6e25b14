"""Reading an import file: CSV with a header row, an Excel workbook (.xlsx), or JSON Lines, into
rows with line numbers.

Only the file format is handled here (encoding, columns, JSON syntax); what the
values mean is the domain's business (`lifecycle.domain.imported`). A CSV is read as
UTF-8 (with or without a byte-order mark), else GBK or GB18030: what Excel and WPS
save on Chinese Windows. The encoding found is named in the import's output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifecycle.domain.imported import RESERVED, ImportRow, RowProblem
from lifecycle.domain.messages import N_
from lifecycle.errors import NotFound

FORMATS = ("csv", "xlsx", "jsonl")
TOO_DEEP = "JSON nested too deeply to read; a row is one object of values, its events a flat list"
#: The encodings a CSV may come in, tried in this order (GBK is a subset of GB18030).
ENCODINGS = (("UTF-8 with BOM", "utf-8-sig"), ("UTF-8", "utf-8"), ("GBK", "gbk"), ("GB18030", "gb18030"))


@dataclass
class ImportSource:
    """A file read for import: its name and SHA-256 (for the audit log), its rows, and what
    made some lines unreadable."""

    name: str
    sha256: str
    format: str
    #: How a CSV's bytes were decoded (UTF-8, UTF-8 with BOM, GBK, GB18030); None otherwise.
    encoding: str | None = None
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_source(path: Path) -> ImportSource:
    if not path.is_file():
        raise NotFound(
            N_("no file {path} to import; give the path of a .csv, .xlsx or .jsonl file"), {"path": repr(str(path))}
        )
    data = path.read_bytes()
    source = ImportSource(path.name, hashlib.sha256(data).hexdigest(), "")
    if path.suffix.lower() in (".xls", ".et") or data.startswith(b"\xd0\xcf\x11\xe0"):
        source.problems.append(
            RowProblem(
                1,
                None,
                "invalid_file",
                (
                    "an Excel 97–2003 (.xls) or WPS (.et) workbook is not read; save it as .xlsx "
                    "(Excel workbook) or as CSV"
                ),
            )
        )
        return source
    if path.suffix.lower() == ".xlsx" or data.startswith(b"PK\x03\x04"):
        source.format = "xlsx"
        _read_xlsx(data, source)
        return source
    decoded = decode(data)
    if decoded is None:
        source.problems.append(
            RowProblem(
                1,
                None,
                "invalid_file",
                (
                    "the file is not text in UTF-8, GBK or GB18030; save it as CSV (UTF-8) or as an "
                    "Excel workbook (.xlsx)"
                ),
            )
        )
        return source
    text, source.encoding = decoded
    source.format = file_format(path, text)
    if source.format == "csv":
        _read_csv(text, source)
    else:
        _read_jsonl(text, source)
    return source


def decode(data: bytes) -> tuple[str, str] | None:
    """The text and the name of the first encoding (of ENCODINGS) that reads every byte."""
    for name, codec in ENCODINGS:
        if name == "UTF-8 with BOM" and not data.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    return None


def file_format(path: Path, text: str) -> str:
    """By extension (.csv, .jsonl or .ndjson), else by the first character: `{` is JSON Lines."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def _read_xlsx(data: bytes, source: ImportSource) -> None:
    """The first worksheet: the header in row 1, one case a row; cells read as the CSV's text."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, XML and its own errors alike
        source.problems.append(
            RowProblem(
                1,
                None,
                "invalid_file",
                (
                    f"not an Excel workbook ({type(error).__name__}: {error}); save it as .xlsx "
                    "(Excel 2007 or later, or WPS)"
                ),
            )
        )
        return
    try:
        sheet = book.worksheets[0]
        rows = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    _read_table(rows, source)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the same text a CSV would hold: dates as YYYY-MM-DD, whole numbers
    without a decimal point, booleans as true/false."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_csv(text: str, source: ImportSource) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        _read_table(reader, source, lambda: reader.line_num + 1)
    except csv.Error as error:
        line = reader.line_num
        source.problems.append(RowProblem(line, None, "invalid_file", f"not valid CSV: {error}"))


def _read_table(rows: Iterable[list[str]], source: ImportSource, next_line: Callable[[], int] | None = None) -> None:
    """A header row, then one case a row. `next_line` tells the line the next row starts on
    (a quoted CSV cell may span lines); without it, rows are lines (a worksheet's rows)."""
    iterator = iter(rows)
    try:
        header = next(iterator)
    except StopIteration:
        source.problems.append(
            RowProblem(
                1,
                None,
                "invalid_file",
                "the file is empty; the first line is the header: programme,name,state,approved_on,...",
            )
        )
        return
    columns = [header_name(name) for name in header]
    while columns and not columns[-1] and source.format == "xlsx":
        columns.pop()  # a worksheet's trailing empty columns are formatting, not columns
    seen: set[str] = set()
    for name, given in zip(columns, header, strict=False):
        if not name:
            source.problems.append(
                RowProblem(1, None, "invalid_file", "a column of the header has no name; name it or delete it")
            )
        elif name in seen:
            source.problems.append(
                RowProblem(
                    1,
                    given.strip(),
                    "invalid_file",
                    (f"column {given.strip()!r} ({name}) appears twice in the header; keep one"),
                )
            )
        seen.add(name)
    if source.problems:
        return
    line = next_line() if next_line else 2
    for cells in iterator:
        if next_line is None:
            while cells and not cells[-1].strip():
                cells = cells[:-1]  # a worksheet row runs as wide as the sheet's formatting
        if any(cell.strip() for cell in cells):
            _csv_row(line, columns, [c.strip() for c in header], cells, source)
        line = next_line() if next_line else line + 1


#: The Chinese column names of what describes a case (any other column is a field, by its code
#: or by its Chinese label in the programme's definition).
RESERVED_LABELS = {
    "项目": "programme",
    "项目代码": "programme",
    "名称": "name",
    "状态": "state",
    "批准日期": "approved_on",
    "进入状态日期": "state_since",
    "状态日期": "state_since",
    "创建日期": "created_on",
    "周期": "cycle",
    "周期开始": "cycle_start",
    "周期开始日期": "cycle_start",
    "有效期至": "valid_until",
    "整改期限": "deadline_on",
    "事件": "events",
}


def header_name(text: str) -> str:
    """A header cell as a column name: a reserved column's code for its Chinese name."""
    name = (text or "").strip()
    return RESERVED_LABELS.get(name, name)


def _csv_row(line: int, columns: list[str], header: list[str], cells: list[str], source: ImportSource) -> None:
    if len(cells) > len(columns):
        source.problems.append(
            RowProblem(
                line,
                None,
                "invalid_file",
                (f"{len(cells)} values for {len(columns)} columns; quote a value that contains a comma"),
            )
        )
        return
    row = ImportRow(line)
    for name, given, cell in zip(columns, header, cells, strict=False):  # missing cells at the end are empty
        value = cell.strip()
        if not value:
            continue
        if len(value) > MAX_CELL_LENGTH:
            source.problems.append(_too_long(line, name, value))
            continue
        if name == "events":
            try:
                row.values[name] = json.loads(value)
            except json.JSONDecodeError as error:
                source.problems.append(
                    RowProblem(
                        line,
                        given,
                        "invalid_field",
                        (
                            f"not JSON ({error.msg} at character {error.pos + 1}); write the events as "
                            '[{"trigger": "approve", "on": "2021-06-01", "from": "under_review", '
                            '"to": "approved"}]'
                        ),
                    )
                )
                continue
            except RecursionError:
                source.problems.append(RowProblem(line, given, "invalid_field", TOO_DEEP))
                continue
            row.columns[name] = given
        elif name in RESERVED:
            row.values[name] = value
            row.columns[name] = given
        else:
            row.fields[name] = value
            row.columns[name] = given
    source.rows.append(row)


#: The longest cell an import takes (characters): a name, a text field or the events of a
#: long history fit; a megabyte in a cell is a mistake, refused before it is looked at.
MAX_CELL_LENGTH = 20_000


def _too_long(line: int, column: str, value: Any) -> RowProblem:
    return RowProblem(
        line,
        column,
        "invalid_field",
        (f"the cell is {len(value):,} characters long; a cell holds at most {MAX_CELL_LENGTH:,}"),
    )


def _read_jsonl(text: str, source: ImportSource) -> None:
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            data = json.loads(content)
        except json.JSONDecodeError as error:
            source.problems.append(
                RowProblem(
                    line,
                    None,
                    "invalid_file",
                    (
                        f"not JSON ({error.msg} at character {error.pos + 1}); each line is one object "
                        '{"programme": ..., "name": ..., "state": ...}'
                    ),
                )
            )
            continue
        except RecursionError:
            source.problems.append(RowProblem(line, None, "invalid_file", TOO_DEEP))
            continue
        if not isinstance(data, dict):
            source.problems.append(
                RowProblem(line, None, "invalid_file", (f"a line is one JSON object, not {type(data).__name__}"))
            )
            continue
        long = [
            key
            for key, value in data.items()
            if len(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)) > MAX_CELL_LENGTH
        ]
        if long:
            source.problems += [_too_long(line, str(key), str(data[key])) for key in long]
            continue
        source.rows.append(_jsonl_row(line, data, source))


def _jsonl_row(line: int, data: dict[str, Any], source: ImportSource) -> ImportRow:
    row = ImportRow(line)
    nested = data.get("fields")
    if nested is not None and not isinstance(nested, dict):
        source.problems.append(
            RowProblem(
                line, "fields", "invalid_field", ('fields is an object of field values, e.g. {"kind": "domain"}')
            )
        )
        nested = {}
    for key, value in (nested or {}).items():
        if value is not None:
            row.fields[key] = value
            row.columns[key] = f"fields.{key}"
    for key, value in data.items():
        if key == "fields" or value is None:
            continue
        if key in RESERVED:
            row.values[key] = value
            row.columns[key] = key
        elif key in row.fields:
            source.problems.append(
                RowProblem(line, key, "duplicate", (f"{key} is given both flat and under fields; give it once"))
            )
        else:
            row.fields[key] = value
            row.columns[key] = key
    return row
