"""`lifecycle cases import FILE`: exit codes, what a person reads, and the JSON shapes."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "national-tic-centres.jsonl"

BAD_CSV = """\
programme,name,state,approved_on,kind
national-tic,国家稀土功能材料技术创新中心,approved,2021-07-01,domain
national-tic,国家甲技术创新中心,aproved,2021-07-01,domain
national-tic,乙技术创新中心,approved,,domain
"""


def test_an_import_reports_counts_by_state_and_the_cases_appear_with_their_history(ready_cli):
    cli = ready_cli
    dry = cli("cases", "import", str(EXAMPLE), "--dry-run")
    assert dry.code == 0, dry
    assert "Dry run: 5 cases from national-tic-centres.jsonl would be imported" in dry.out
    assert "Nothing was written" in dry.out
    assert cli("cases", "list", "--json").json() == []

    done = cli("cases", "import", str(EXAMPLE), "--json")
    assert done.code == 0, done
    result = done.json()
    assert (result["cases"], result["entries"], result["first_seq"], result["last_seq"]) == (5, 16, 2, 17)
    assert {"programme": "national-tic", "state": "renewed", "cases": 2} in result["by_state"]
    assert {
        "line",
        "id",
        "programme",
        "name",
        "state",
        "state_since",
        "approved_on",
        "valid_until",
        "cycle",
        "cycle_start",
        "deadline_on",
        "entries",
    } == set(result["imported"][0])

    logged = cli("audit", "log", "--trigger", "import", "--json").json()
    assert len(logged) == 16 and all(e["payload"]["imported"] for e in logged)
    assert cli("audit", "verify").code == 0

    again = cli("cases", "import", str(EXAMPLE))
    assert again.code == 3, again
    assert "already has '京津冀国家技术创新中心' in this database: case 1" in again.err


def test_a_bad_file_exits_3_names_each_line_and_column_and_imports_nothing(ready_cli, tmp_path):
    path = tmp_path / "centres.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    refused = ready_cli("cases", "import", str(path))
    assert refused.code == 3, refused
    assert "Refused: importing centres.csv (nothing was imported)" in refused.err
    assert "line 3, state: 'aproved' is not a state of national-tic" in refused.err
    assert "line 4, name: name '乙技术创新中心' does not fit" in refused.err
    assert "line 4, approved_on: a case in approved has been approved: give approved_on" in refused.err

    as_json = ready_cli("cases", "import", str(path), "--json")
    assert as_json.code == 3
    reasons = as_json.json()["reasons"]
    assert [(r["details"]["line"], r["details"]["column"], r["code"]) for r in reasons] == [
        (3, "state", "wrong_state"),
        (4, "name", "name_rule"),
        (4, "approved_on", "missing_field"),
    ]
    assert reasons[1]["clause"] == "第三十二条"
    assert ready_cli("cases", "list", "--json").json() == []


def test_a_missing_file_is_an_error_and_an_auditor_is_refused(ready_cli, tmp_path):
    missing = ready_cli("cases", "import", str(tmp_path / "nowhere.csv"))
    assert missing.code == 1, missing
    assert "no file" in missing.err
    assert ready_cli("users", "add", "olga", "--role", "auditor").code == 0
    auditor = ready_cli("cases", "import", str(EXAMPLE), user="olga")
    assert auditor.code == 3, auditor
    assert "needs an admin" in auditor.err


def test_the_import_names_the_encoding_it_read_a_gbk_csv_in(ready_cli, tmp_path):
    path = tmp_path / "centres.csv"
    path.write_bytes(
        "programme,name,state,approved_on,kind\n"
        "national-tic,国家稀土功能材料技术创新中心,approved,2021-07-01,domain\n".encode("gbk")
    )
    assert ready_cli("cases", "import", str(path), "--dry-run", "--json").json()["encoding"] == "GBK"
    done = ready_cli("cases", "import", str(path))
    assert done.code == 0, done
    assert "Read centres.csv as CSV in GBK." in done.out
