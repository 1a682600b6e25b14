"""Tables out for a spreadsheet: CSV with a byte-order mark and .xlsx, read back as Excel or WPS
would read them, with no cell a spreadsheet would run as a formula; JSON Lines byte-exact."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

#: Texts a spreadsheet would take for formulas, typed as a case name and as reasons. (A reason is
#: one line of text, so one starting with a carriage return is refused before it is stored; the
#: exporter's own tests cover that start.)
HOSTILE = ['=HYPERLINK("http://x.example","点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1+1"]


def read_csv(data: bytes) -> list[dict[str, str]]:
    """As a spreadsheet reads it: the byte-order mark says UTF-8."""
    assert data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel/WPS would read GBK"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(path: Path) -> list[dict[str, object]]:
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    header = [c.value for c in rows[0]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in rows[1:]]


def hostile_log(cli) -> None:
    assert cli("cases", "add", "bj-tic", "--name", HOSTILE[0], "--on", "2024-10-01").code == 0
    for index, reason in enumerate(HOSTILE[1:], start=1):
        done = cli(
            "cases", "add", "bj-tic", "--name", f"北京市第{index}技术创新中心", "--on", "2024-10-01", "--reason", reason
        )
        assert done.code == 0, done


def test_the_audit_log_as_csv_has_a_bom_and_no_live_formula_and_keeps_the_text(ready_cli, tmp_path):
    cli = ready_cli
    hostile_log(cli)
    printed = cli("audit", "log", "--trigger", "create", "--format", "csv")
    assert printed.code == 0, printed
    printed_rows = read_csv(printed.out.encode("utf-8"))
    assert [r["reason"] for r in printed_rows[1:]] == ["'" + text for text in HOSTILE[1:]]

    target = tmp_path / "audit.csv"
    assert cli("audit", "log", "--trigger", "create", "--format", "csv", "--output", str(target)).code == 0
    rows = read_csv(target.read_bytes())
    assert rows[0]["payload"] == '{"name": "=HYPERLINK(\\"http://x.example\\",\\"点我\\")"}'
    assert [r["reason"] for r in rows[1:]] == ["'" + text for text in HOSTILE[1:]]


def test_the_audit_log_as_xlsx_holds_every_hostile_text_as_text(ready_cli, tmp_path):
    cli = ready_cli
    hostile_log(cli)
    target = tmp_path / "audit.xlsx"
    done = cli("audit", "log", "--trigger", "create", "--format", "xlsx", "--output", str(target))
    assert done.code == 0, done
    rows = read_xlsx(target)
    assert [r["reason"] for r in rows[1:]] == ["'" + text for text in HOSTILE[1:]]
    assert rows[0]["seq"] == 2 and rows[0]["trigger"] == "create"


def test_jsonl_to_a_file_is_byte_for_byte_what_is_printed_for_re_hashing(ready_cli, tmp_path):
    cli = ready_cli
    hostile_log(cli)
    target = tmp_path / "audit.jsonl"
    assert cli("audit", "log", "--format", "jsonl", "--output", str(target)).code == 0
    printed = cli("audit", "log", "--format", "jsonl").out
    assert target.read_bytes() == printed.encode("utf-8")
    assert "'=cmd" not in printed and "=cmd|" in printed


def test_the_case_list_gives_next_due_on_and_exports_as_csv_and_xlsx(ready_cli, tmp_path):
    cli = ready_cli
    assert cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01").code == 0
    assert cli("cases", "add", "bj-tic", "--name", "=1+1", "--on", "2024-10-01").code == 0
    listed = cli("cases", "list", "--json").json()
    assert "next_due_on" in listed[0]

    as_csv = cli("cases", "list", "--format", "csv")
    assert as_csv.code == 0, as_csv
    rows = read_csv(as_csv.out.encode("utf-8"))
    assert [r["name"] for r in rows] == ["北京市集成电路技术创新中心", "'=1+1"]
    assert rows[0]["state_label"] and rows[0]["next_due_on"] == (listed[0]["next_due_on"] or "")

    target = tmp_path / "cases.xlsx"
    assert cli("cases", "list", "--format", "xlsx", "--output", str(target)).code == 0
    sheet = read_xlsx(target)
    assert [r["name"] for r in sheet] == ["北京市集成电路技术创新中心", "'=1+1"]
    assert [r["id"] for r in sheet] == [1, 2]


def test_an_xlsx_is_never_printed_on_a_terminal_and_a_bad_format_is_a_usage_error(ready_cli, tmp_path):
    wrong = ready_cli("cases", "list", "--format", "pdf")
    assert wrong.code == 2 and "table, json, csv" in wrong.err
    missing = ready_cli("cases", "list", "--format", "csv", "--output", str(tmp_path / "no" / "x.csv"))
    assert missing.code == 2 and "does not exist" in missing.err


def test_the_compliance_run_exports_its_actions_as_csv_and_xlsx(ready_cli, tmp_path, eligible_sets):
    cli = ready_cli
    assert (
        cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", *eligible_sets).code
        == 0
    )
    for trigger, day in (("submit", "2024-10-08"), ("start_review", "2024-11-05"), ("approve", "2025-01-10")):
        assert cli("advance", "1", trigger, "--on", day).code == 0
    dry = cli("comply", "--as-of", "2026-04-01", "--dry-run", "--format", "csv")
    assert dry.code == 0, dry
    rows = read_csv(dry.out.encode("utf-8"))
    assert rows and all(r["status"] == "would apply" and r["case_id"] == "1" for r in rows)
    assert {r["trigger"] for r in rows} >= {"remind"}
    target = tmp_path / "comply.xlsx"
    done = cli("comply", "--as-of", "2026-04-01", "--format", "xlsx", "--output", str(target))
    assert done.code == 0, done
    assert [r["status"] for r in read_xlsx(target)] == ["applied"] * len(rows)


def test_the_calendar_prints_as_json_csv_xlsx_and_ics(ready_cli, tmp_path, eligible_sets):
    from icalendar import Calendar

    cli = ready_cli
    assert (
        cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", *eligible_sets).code
        == 0
    )
    for trigger, day in (("submit", "2024-10-08"), ("start_review", "2024-11-05"), ("approve", "2025-01-10")):
        assert cli("advance", "1", trigger, "--on", day).code == 0
    window = ("--as-of", "2026-01-01", "--days", "120")
    rows = cli("calendar", *window, "--json").json()
    assert [(r["due_on"], r["case_id"], r["what"], r["clause"]) for r in rows] == [
        ("2026-03-31", 1, "annual report 2025", "第十五条(四)")
    ]
    assert read_csv(cli("calendar", *window, "--format", "csv").out.encode("utf-8"))[0]["what"] == "annual report 2025"
    sheet = tmp_path / "calendar.xlsx"
    assert cli("calendar", *window, "--format", "xlsx", "--output", str(sheet)).code == 0
    assert read_xlsx(sheet)[0]["due_on"] == "2026-03-31"
    ics = tmp_path / "calendar.ics"
    assert cli("calendar", *window, "--format", "ics", "--output", str(ics)).code == 0
    [event] = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event.get("summary")) == "北京市集成电路技术创新中心: annual report 2025"
    table = cli("calendar", *window, "--programme", "bj-tic")
    assert table.code == 0 and "annual report 2025" in table.out
    assert cli("calendar", "--format", "pdf").code == 2
