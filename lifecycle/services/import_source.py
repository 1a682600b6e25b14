"""Reading an import file: CSV with a header row, or JSON Lines, into rows with line numbers.

Only the file format is handled here (encoding, columns, JSON syntax); what the
values mean is the domain's business (`lifecycle.domain.imported`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifecycle.domain.imported import RESERVED, ImportRow, RowProblem
from lifecycle.errors import NotFound

FORMATS = ("csv", "jsonl")
TOO_DEEP = "JSON nested too deeply to read; a row is one object of values, its events a flat list"


@dataclass
class ImportSource:
    """A file read for import: its name and SHA-256 (for the audit log), its rows, and what
    made some lines unreadable."""

    name: str
    sha256: str
    format: str
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_source(path: Path) -> ImportSource:
    if not path.is_file():
        raise NotFound(f"no file {str(path)!r} to import; give the path of a .csv or .jsonl file")
    data = path.read_bytes()
    source = ImportSource(path.name, hashlib.sha256(data).hexdigest(), "")
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        source.problems.append(RowProblem(line, None, "invalid_file", (
            f"byte {error.start} is not UTF-8 text; save the file as UTF-8 (in a spreadsheet: "
            "CSV UTF-8)")))
        return source
    source.format = file_format(path, text)
    if source.format == "csv":
        _read_csv(text, source)
    else:
        _read_jsonl(text, source)
    return source


def file_format(path: Path, text: str) -> str:
    """By extension (.csv, .jsonl or .ndjson), else by the first character: `{` is JSON Lines."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def _read_csv(text: str, source: ImportSource) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        source.problems.append(RowProblem(1, None, "invalid_file", "the file is empty; the first "
                                          "line is the header: programme,name,state,approved_on,..."))
        return
    columns = [name.strip() for name in header]
    seen: set[str] = set()
    for name in columns:
        if not name:
            source.problems.append(RowProblem(1, None, "invalid_file", "a column of the header "
                                              "has no name; name it or delete it"))
        elif name in seen:
            source.problems.append(RowProblem(1, name, "invalid_file", f"column {name!r} appears "
                                              "twice in the header; keep one"))
        seen.add(name)
    if source.problems:
        return
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                _csv_row(line, columns, cells, source)
            line = reader.line_num + 1  # a quoted cell may span lines: the next row starts here
    except csv.Error as error:
        source.problems.append(RowProblem(line, None, "invalid_file", f"not valid CSV: {error}"))


def _csv_row(line: int, columns: list[str], cells: list[str], source: ImportSource) -> None:
    if len(cells) > len(columns):
        source.problems.append(RowProblem(line, None, "invalid_file", (
            f"{len(cells)} values for {len(columns)} columns; quote a value that contains a comma")))
        return
    row = ImportRow(line)
    for name, cell in zip(columns, cells, strict=False):  # missing cells at the end are empty
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
                source.problems.append(RowProblem(line, name, "invalid_field", (
                    f"not JSON ({error.msg} at character {error.pos + 1}); write the events as "
                    '[{"trigger": "approve", "on": "2021-06-01", "from": "under_review", '
                    '"to": "approved"}]')))
                continue
            except RecursionError:
                source.problems.append(RowProblem(line, name, "invalid_field", TOO_DEEP))
                continue
            row.columns[name] = name
        elif name in RESERVED:
            row.values[name] = value
            row.columns[name] = name
        else:
            row.fields[name] = value
            row.columns[name] = name
    source.rows.append(row)


#: The longest cell an import takes (characters): a name, a text field or the events of a
#: long history fit; a megabyte in a cell is a mistake, refused before it is looked at.
MAX_CELL_LENGTH = 20_000


def _too_long(line: int, column: str, value: Any) -> RowProblem:
    return RowProblem(line, column, "invalid_field", (
        f"the cell is {len(value):,} characters long; a cell holds at most {MAX_CELL_LENGTH:,}"))


def _read_jsonl(text: str, source: ImportSource) -> None:
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            data = json.loads(content)
        except json.JSONDecodeError as error:
            source.problems.append(RowProblem(line, None, "invalid_file", (
                f"not JSON ({error.msg} at character {error.pos + 1}); each line is one object "
                '{"programme": ..., "name": ..., "state": ...}')))
            continue
        except RecursionError:
            source.problems.append(RowProblem(line, None, "invalid_file", TOO_DEEP))
            continue
        if not isinstance(data, dict):
            source.problems.append(RowProblem(line, None, "invalid_file", (
                f"a line is one JSON object, not {type(data).__name__}")))
            continue
        long = [key for key, value in data.items()
                if len(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                > MAX_CELL_LENGTH]
        if long:
            source.problems += [_too_long(line, str(key), str(data[key])) for key in long]
            continue
        source.rows.append(_jsonl_row(line, data, source))


def _jsonl_row(line: int, data: dict[str, Any], source: ImportSource) -> ImportRow:
    row = ImportRow(line)
    nested = data.get("fields")
    if nested is not None and not isinstance(nested, dict):
        source.problems.append(RowProblem(line, "fields", "invalid_field", (
            'fields is an object of field values, e.g. {"kind": "domain"}')))
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
            source.problems.append(RowProblem(line, key, "duplicate", (
                f"{key} is given both flat and under fields; give it once")))
        else:
            row.fields[key] = value
            row.columns[key] = key
    return row
