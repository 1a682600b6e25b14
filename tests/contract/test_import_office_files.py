"""Import files as an office saves them: CSV in GBK or GB18030 (Excel and WPS on Chinese Windows),
UTF-8 with a byte-order mark, Excel workbooks (.xlsx), and Chinese column headers."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from lifecycle.errors import Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import list_cases
from lifecycle.services.imports import import_cases

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
JIANGSU = EXAMPLES / "hitech-zones-jiangsu.csv"


def same_import(result: dict[str, Any]) -> dict[str, Any]:
    """What an import did, without what names the file itself (its name, hash, format)."""
    return {k: v for k, v in result.items() if k not in ("file", "sha256", "format", "encoding")}


def as_workbook(text: str, path: Path, *, typed: bool) -> Path:
    """The CSV's rows in the first sheet of a workbook; with `typed`, dates as date cells and
    numbers as number cells, as a person typing into Excel gets them."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for index, row in enumerate(csv.reader(io.StringIO(text))):
        cells: list[Any] = list(row)
        if typed and index:
            cells = [date.fromisoformat(c) if len(c) == 10 and c[4] == "-" else c for c in cells]
        sheet.append(cells)
    book.save(path)
    return path


@pytest.mark.parametrize("encoding, name", [("gbk", "GBK"), ("gb18030", "GBK"), ("utf-8-sig", "UTF-8 with BOM")])
def test_the_jiangsu_example_saved_by_a_chinese_spreadsheet_imports_exactly_like_the_utf8_file(
    app: Lifecycle, db_url: str, tmp_path: Path, encoding: str, name: str
) -> None:
    expected = import_cases(app, "alice", JIANGSU, dry_run=True)
    assert expected["encoding"] == "UTF-8"
    saved = tmp_path / "江苏高新区.csv"
    saved.write_bytes(JIANGSU.read_text("utf-8").encode(encoding))
    result = import_cases(app, "alice", saved, dry_run=True)
    # Text GBK can encode is written the same way by GB18030: both are named GBK.
    assert result["encoding"] == name
    assert same_import(result) == same_import(expected)


def test_a_gb18030_file_with_a_character_gbk_lacks_is_named_gb18030_and_keeps_the_character(
    app: Lifecycle, tmp_path: Path
) -> None:
    text = JIANGSU.read_text("utf-8").replace("江苏", "江苏𠀀", 1)
    saved = tmp_path / "zones.csv"
    saved.write_bytes(text.encode("gb18030"))
    result = import_cases(app, "alice", saved)
    assert result["encoding"] == "GB18030"
    zones = {c.name: c for c in list_cases(app, "hitech-zone")}
    assert len(zones) == 17
    with app.uow() as uow:
        first = uow.cases.get(result["imported"][0]["id"])
    assert first is not None and first.fields["province"] == "江苏𠀀"


@pytest.mark.parametrize("typed", [False, True], ids=["text cells", "date cells"])
def test_an_xlsx_of_the_jiangsu_example_imports_exactly_like_the_csv(
    app: Lifecycle, tmp_path: Path, typed: bool
) -> None:
    expected = import_cases(app, "alice", JIANGSU, dry_run=True)
    book = as_workbook(JIANGSU.read_text("utf-8"), tmp_path / "zones.xlsx", typed=typed)
    result = import_cases(app, "alice", book, dry_run=True)
    assert (result["format"], result["encoding"]) == ("xlsx", None)
    assert same_import(result) == same_import(expected)
    assert import_cases(app, "alice", book)["cases"] == 17
    assert len(list_cases(app, "hitech-zone")) == 17


def test_columns_may_be_headed_by_chinese_labels_and_a_bad_value_names_the_column_as_written(
    app: Lifecycle, tmp_path: Path
) -> None:
    lines = JIANGSU.read_text("utf-8").splitlines()
    chinese = "项目,名称,状态,批准日期,所在省份,园区类别"
    expected = import_cases(app, "alice", JIANGSU, dry_run=True)
    labelled = tmp_path / "zones.csv"
    labelled.write_bytes(("\n".join([chinese, *lines[1:]]) + "\n").encode("gbk"))
    assert same_import(import_cases(app, "alice", labelled, dry_run=True)) == same_import(expected)

    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{chinese}\nhitech-zone,南京高新技术产业开发区,approved,1991-03-06,江苏,innovative\n", encoding="utf-8"
    )
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", bad)
    [reason] = caught.value.reasons
    assert (reason.details["line"], reason.details["column"]) == (2, "园区类别")
    assert "'innovative' is not one of" in reason.message


def test_a_field_given_both_by_code_and_by_label_is_refused_naming_both_columns(app: Lifecycle, tmp_path: Path) -> None:
    both = tmp_path / "both.csv"
    both.write_text(
        "programme,name,state,approved_on,province,所在省份,category\n"
        "hitech-zone,南京高新技术产业开发区,approved,1991-03-06,江苏,江苏,world-leading\n",
        encoding="utf-8",
    )
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", both)
    [reason] = caught.value.reasons
    assert reason.code == "duplicate" and "'province'" in reason.message and "所在省份" in reason.message


def test_a_file_in_no_known_encoding_is_refused_saying_which_encodings_are_read(app: Lifecycle, tmp_path: Path) -> None:
    odd = tmp_path / "zones.csv"
    odd.write_bytes(b"programme,name\nhitech-zone," + b"\xff\xfe\xff\n")
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", odd)
    [reason] = caught.value.reasons
    assert "UTF-8, GBK or GB18030" in reason.message


def test_a_damaged_workbook_is_refused_and_nothing_is_imported(app: Lifecycle, tmp_path: Path) -> None:
    broken = tmp_path / "zones.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", broken)
    assert "not an Excel workbook" in caught.value.reasons[0].message
    assert list_cases(app) == []


def test_an_old_xls_workbook_is_refused_saying_to_save_it_as_xlsx(app: Lifecycle, tmp_path: Path) -> None:
    old = tmp_path / "zones.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", old)
    assert "save it as .xlsx" in caught.value.reasons[0].message
    assert list_cases(app) == []
