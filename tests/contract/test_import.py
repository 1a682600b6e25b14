"""`lifecycle cases import`: existing designations brought in, all rows or none, audited as
imported, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lifecycle.errors import NotFound, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import audit_entries, verify_log
from lifecycle.services.cases import add_case, advance, list_cases, show_case
from lifecycle.services.filters import AuditFilter
from lifecycle.services.imports import import_cases
from lifecycle.services.users import add_user

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
TODAY = date(2026, 11, 23)

BJ_CSV = """\
programme,name,state,approved_on,state_since,created_on,registered_in_beijing,rd_ratio_3y
bj-tic,北京市智能网联汽车技术创新中心,approved,2022-01-10,,,true,12%
bj-tic,北京市集成电路技术创新中心,renewed,2015-03-01,2020-03-01,,yes,0.09
bj-tic,北京市生物医药技术创新中心,rectification,2021-05-10,2023-11-20,,,
bj-tic,北京市新材料技术创新中心,revoked,2016-04-01,2019-07-01,,,
bj-tic,北京市量子信息技术创新中心,draft,,,2024-10-08,,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(tmp_path: Path, rows: list[dict[str, Any]], name: str = "rows.jsonl") -> Path:
    return write(tmp_path, name, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def refusal(call: Callable[[], Any]) -> list[tuple[int, str | None, str]]:
    """What a refused import reports: (line, column, code) of every problem."""
    with pytest.raises(Refused) as caught:
        call()
    assert "nothing was imported" in caught.value.action
    return [(r.details["line"], r.details["column"], r.code) for r in caught.value.reasons]


def counts(app: Lifecycle) -> tuple[int, int]:
    """(cases, head of the audit log): what a refused import or a dry run must leave alone."""
    with app.uow() as uow:
        return len(uow.cases.search()), uow.audit.head()[0]


def test_a_json_lines_file_brings_in_centres_with_their_history_and_the_dates_it_implies(app: Lifecycle) -> None:
    result = import_cases(app, "alice", EXAMPLES / "national-tic-centres.jsonl")
    assert (result["cases"], result["entries"]) == (5, 16)
    cases = {c.name: c for c in list_cases(app, "national-tic")}
    renewed = show_case(app, cases["京津冀国家技术创新中心"].id, TODAY)
    assert (renewed["state"], renewed["state_since"], renewed["approved_on"]) == ("renewed", "2023-09-01", "2020-05-20")
    # The renewal starts the second cycle where the first ended (3 years after approval).
    assert (renewed["cycle"], renewed["cycle_start"], renewed["cycle_end"]) == (2, "2023-05-20", "2026-05-20")
    assert renewed["fields"]["name_en"] == "Beijing-Tianjin-Hebei National Center of Technology Innovation"
    assert [
        (e["from_state"], e["to_state"], e["effective_on"], e["payload"]["original_trigger"])
        for e in renewed["history"]
    ] == [
        (None, "submitted", "2020-03-02", "create"),
        ("submitted", "under_review", "2020-04-15", "start_review"),
        ("under_review", "approved", "2020-05-20", "approve"),
        ("approved", "final_assessment", "2023-05-20", "start_assessment"),
        ("final_assessment", "renewed", "2023-09-01", "assess"),
    ]
    rectifying = show_case(app, cases["国家合成生物技术创新中心"].id, TODAY)
    assert rectifying["deadline_on"] == "2023-08-28"  # 180 days after the poor grade (第三十条)
    # Without events, the cycles are counted from the approval to the day it entered its state.
    counted = show_case(app, cases["国家新能源汽车技术创新中心"].id, TODAY)
    assert (counted["cycle"], counted["cycle_start"], len(counted["history"])) == (3, "2024-06-01", 1)
    incubating = show_case(app, cases["国家第三代半导体技术创新中心"].id, TODAY)
    assert (incubating["state"], incubating["state_since"], incubating["cycle"]) == ("cultivation", "2024-03-01", 0)


def test_a_csv_file_brings_in_cases_with_fields_read_as_set_reads_them_and_validity_computed(
    app: Lifecycle, tmp_path: Path
) -> None:
    result = import_cases(app, "alice", write(tmp_path, "bj.csv", BJ_CSV))
    assert result["by_state"] == [
        {"programme": "bj-tic", "state": s, "cases": 1}
        for s in ("approved", "draft", "rectification", "renewed", "revoked")
    ]
    views = {c.name: show_case(app, c.id, TODAY) for c in list_cases(app, "bj-tic")}
    first = views["北京市智能网联汽车技术创新中心"]
    assert first["fields"] == {"registered_in_beijing": True, "rd_ratio_3y": 0.12}
    assert (first["state_since"], first["cycle"], first["valid_until"]) == ("2022-01-10", 1, "2027-01-10")
    second = views["北京市集成电路技术创新中心"]
    # the second cycle starts the day after the first validity's last day (the civil code's count)
    assert (second["cycle"], second["cycle_start"], second["valid_until"]) == (2, "2020-03-02", "2025-03-01")
    assert views["北京市生物医药技术创新中心"]["deadline_on"] == "2024-05-18"  # 180 days (第十六条)
    assert views["北京市新材料技术创新中心"]["state"] == "revoked"
    draft = views["北京市量子信息技术创新中心"]
    assert (draft["state"], draft["state_since"], draft["approved_on"]) == ("draft", "2024-10-08", None)


def test_a_csv_events_cell_holds_the_history_as_json_text(app: Lifecycle, tmp_path: Path) -> None:
    history = json.dumps(
        [
            {"trigger": "create", "on": "2021-03-01", "to": "cultivation"},
            {"trigger": "recommend", "on": "2021-04-12", "from": "cultivation", "to": "submitted"},
            {
                "trigger": "withdraw",
                "on": "2021-05-06",
                "from": "submitted",
                "to": "withdrawn",
                "reason": "written request of 2021-04-30",
            },
        ],
        ensure_ascii=False,
    ).replace('"', '""')
    text = f'programme,name,state,kind,events\nnational-tic,国家甲技术创新中心,withdrawn,domain,"{history}"\n'
    result = import_cases(app, "alice", write(tmp_path, "withdrawn.csv", text))
    [row] = result["imported"]
    assert (row["state"], row["state_since"], row["approved_on"], row["entries"]) == (
        "withdrawn",
        "2021-05-06",
        None,
        3,
    )
    last = show_case(app, row["id"], TODAY)["history"][-1]
    assert last["reason"] == "imported from withdrawn.csv, line 2: written request of 2021-04-30"
    assert (last["payload"]["original_trigger"], last["payload"]["source_line"]) == ("withdraw", 2)


def test_an_imported_case_goes_on_under_the_programmes_rules(app: Lifecycle, tmp_path: Path) -> None:
    import_cases(app, "alice", write(tmp_path, "bj.csv", BJ_CSV))
    ids = {c.name: c.id for c in list_cases(app, "bj-tic")}
    rectifying = ids["北京市生物医药技术创新中心"]
    with pytest.raises(Refused) as caught:
        advance(app, "alice", rectifying, "rectified", date(2023, 11, 1))
    assert [r.code for r in caught.value.reasons] == ["before_state_entry"]
    outcome = advance(app, "alice", rectifying, "rectified", date(2024, 3, 1))
    assert outcome.case.state == "approved"  # back to the first cycle's active state
    assert show_case(app, ids["北京市新材料技术创新中心"], TODAY)["allowed"] == []


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_row_with_line_column_and_reason(
    app: Lifecycle, tmp_path: Path
) -> None:
    add_case(app, "alice", "national-tic", "国家智能制造技术创新中心", date(2022, 1, 5), {"kind": "domain"})
    good = {
        "programme": "national-tic",
        "name": "国家稀土功能材料技术创新中心",
        "state": "approved",
        "approved_on": "2021-07-01",
        "kind": "domain",
    }
    events = [
        {"trigger": "create", "on": "2020-01-02", "to": "submitted"},
        {"trigger": "start_review", "on": "2020-03-01", "from": "submitted", "to": "under_review"},
        {"trigger": "approve", "on": "2020-06-01", "from": "under_review", "to": "approved"},
    ]
    comprehensive = {"programme": "national-tic", "state": "approved", "fields": {"kind": "comprehensive"}}
    rows = [
        good,  # line 1
        {**good, "name": "国家甲技术创新中心", "state": "aproved"},  # 2
        {**good, "name": "国家乙技术创新中心", "independent_legal_entity": "maybe"},  # 3
        {**good, "name": "国家丙技术创新中心", "colour": "red"},  # 4
        {**good, "name": "国家丁技术创新中心", "kind": None},  # 5
        {**good, "name": "戊技术创新中心"},  # 6
        {**good, "name": "国家己技术创新中心", "approved_on": None},  # 7
        {**good, "name": "国家庚技术创新中心", "approved_on": "2021-13-01"},  # 8
        {**good, "name": "国家辛技术创新中心", "state_since": "2021-01-01"},  # 9
        {
            **comprehensive,
            "name": "壬国家技术创新中心",  # 10
            "events": [events[0], {**events[1], "on": "2020-07-01"}, events[2]],
        },
        {**comprehensive, "name": "癸国家技术创新中心", "state": "renewed", "events": events},  # 11
        {
            **comprehensive,
            "name": "子国家技术创新中心",  # 12
            "events": [events[0], {**events[2], "from": "submitted"}],
        },
        {**good},  # 13
        {**good, "name": "国家智能制造技术创新中心"},  # 14
        {**good, "name": "国家丑技术创新中心", "programme": "no-such-programme"},  # 15
        {**good, "name": "国家寅技术创新中心", "state": "cultivation"},  # 16
    ]
    before = counts(app)
    problems = refusal(lambda: import_cases(app, "alice", jsonl(tmp_path, rows)))
    assert problems == [
        (2, "state", "wrong_state"),
        (3, "independent_legal_entity", "invalid_field"),
        (4, "colour", "unknown_field"),
        (5, "kind", "missing_field"),
        (6, "name", "name_rule"),
        (7, "approved_on", "missing_field"),
        (8, "approved_on", "invalid_field"),
        (9, "state_since", "invalid_field"),
        (10, "events", "invalid_field"),
        (11, "events", "wrong_state"),
        (12, "events", "no_route"),
        (13, "name", "duplicate"),
        (14, "name", "duplicate"),
        (15, "programme", "invalid_field"),
        (16, "approved_on", "invalid_field"),
    ]
    assert counts(app) == before


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        (
            "programme,name,state,approved_on,kind\nnational-tic,国家甲技术创新中心,approved,2021-07-01,domain,extra\n",
            2,
            None,
            "6 values for 5 columns",
        ),
        (
            "programme,name,state,approved_on,kind,events\n"
            'national-tic,国家甲技术创新中心,approved,2021-07-01,domain,"[{""trigger"": create}]"\n',
            2,
            "events",
            "not JSON",
        ),
        (
            "programme,name,state,kind,state\nnational-tic,国家甲技术创新中心,approved,domain,approved\n",
            1,
            "state",
            "appears twice",
        ),
        (
            "programme,name,state,approved_on,kind\n"
            "national-tic,国家甲技术创新中心,approved,2021-07-01,domain\n"
            "\n"
            'national-tic,"国家乙技术创新中心",approved,10 June 2021,domain\n',
            4,
            "approved_on",
            "is not a date; write it as YYYY-MM-DD",
        ),
    ],
)
def test_a_csv_problem_is_reported_at_its_line_and_column(
    app: Lifecycle, tmp_path: Path, text: str, line: int, column: str | None, words: str
) -> None:
    with pytest.raises(Refused) as caught:
        import_cases(app, "alice", write(tmp_path, "centres.csv", text))
    [reason] = caught.value.reasons
    assert (reason.details["line"], reason.details["column"]) == (line, column)
    assert words in reason.message
    assert counts(app) == (0, 1)


def test_a_json_lines_line_that_is_not_json_is_reported_and_nothing_is_imported(app: Lifecycle, tmp_path: Path) -> None:
    good = json.dumps(
        {
            "programme": "national-tic",
            "name": "国家甲技术创新中心",
            "state": "approved",
            "approved_on": "2021-07-01",
            "kind": "domain",
        },
        ensure_ascii=False,
    )
    path = write(tmp_path, "centres.jsonl", f"{good}\n{{'programme': 'national-tic'}}\n")
    assert refusal(lambda: import_cases(app, "alice", path)) == [(2, None, "invalid_file")]
    assert counts(app) == (0, 1)


def test_the_programme_option_fills_rows_without_one_and_refuses_rows_naming_another(
    app: Lifecycle, tmp_path: Path
) -> None:
    text = "name,state,approved_on,kind\n国家甲技术创新中心,approved,2021-07-01,domain\n"
    path = write(tmp_path, "centres.csv", text)
    assert refusal(lambda: import_cases(app, "alice", path)) == [(2, "programme", "missing_field")]
    mixed = write(tmp_path, "mixed.csv", "programme," + text.replace("\n国", "\nbj-tic,国"))
    assert refusal(lambda: import_cases(app, "alice", mixed, programme="national-tic")) == [
        (2, "programme", "invalid_field")
    ]
    with pytest.raises(NotFound):
        import_cases(app, "alice", path, programme="no-such-programme")
    result = import_cases(app, "alice", path, programme="national-tic")
    assert result["by_state"] == [{"programme": "national-tic", "state": "approved", "cases": 1}]


def test_a_dry_run_reports_what_would_be_imported_and_writes_nothing(app: Lifecycle, tmp_path: Path) -> None:
    before = counts(app)
    result = import_cases(app, "alice", write(tmp_path, "bj.csv", BJ_CSV), dry_run=True)
    assert (result["dry_run"], result["cases"], result["entries"], result["first_seq"]) == (True, 5, 5, None)
    assert [row["id"] for row in result["imported"]] == [None] * 5
    assert counts(app) == before
    assert import_cases(app, "alice", write(tmp_path, "bj.csv", BJ_CSV))["cases"] == 5


def test_a_dry_run_refuses_a_bad_file_as_the_import_would(app: Lifecycle, tmp_path: Path) -> None:
    path = write(tmp_path, "bj.csv", BJ_CSV.replace("revoked,2016-04-01", "revoked,"))
    assert refusal(lambda: import_cases(app, "alice", path, dry_run=True)) == [(5, "approved_on", "missing_field")]


def test_every_imported_entry_is_marked_imported_with_the_files_hash_and_the_chain_verifies(app: Lifecycle) -> None:
    path = EXAMPLES / "national-tic-centres.jsonl"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = import_cases(app, "alice", path)
    entries = list(audit_entries(app, AuditFilter(trigger="import")))
    assert len(entries) == result["entries"] == 16
    assert [e.seq for e in entries] == list(range(result["first_seq"], result["last_seq"] + 1))
    for entry in entries:
        assert (entry.actor, entry.role, entry.trigger) == ("alice", "admin", "import")
        assert entry.payload["imported"] is True
        assert entry.payload["source_file"] == "national-tic-centres.jsonl"
        assert entry.payload["source_sha256"] == digest
        assert entry.reason is not None and entry.reason.startswith("imported from national-tic-centres.jsonl")
    # One line, one case: its entries carry its line; without events, one entry dated state_since.
    by_line = {line: [e for e in entries if e.payload["source_line"] == line] for line in range(1, 6)}
    assert [len(by_line[line]) for line in range(1, 6)] == [5, 3, 6, 1, 1]
    [single] = by_line[4]
    assert (single.from_state, single.to_state, single.effective_on) == (None, "renewed", date(2024, 6, 1))
    assert "original_trigger" not in single.payload
    assert single.payload["cycle"] == 3
    assert verify_log(app).ok


def test_a_file_of_several_batches_keeps_its_order_and_one_unbroken_chain(app: Lifecycle, tmp_path: Path) -> None:
    rows = 2500  # the service writes 1,000 rows a statement
    text = "programme,name,state,approved_on,kind\n" + "".join(
        f"national-tic,国家第{n}号技术创新中心,approved,2021-06-08,domain\n" for n in range(rows)
    )
    result = import_cases(app, "alice", write(tmp_path, "many.csv", text))
    assert (result["cases"], result["first_seq"], result["last_seq"]) == (rows, 2, rows + 1)
    listed = list_cases(app, "national-tic")
    assert [c.name for c in listed[:2]] == ["国家第0号技术创新中心", "国家第1号技术创新中心"]
    assert [c.id for c in listed] == [row["id"] for row in result["imported"]]
    entries = list(audit_entries(app, AuditFilter(trigger="import")))
    assert [e.payload["source_line"] for e in entries] == list(range(2, rows + 2))
    assert [e.case_id for e in entries] == [c.id for c in listed]
    assert verify_log(app).ok
    outcome = add_case(app, "alice", "national-tic", "国家后来技术创新中心", date(2025, 1, 6), {"kind": "domain"})
    assert outcome.entry.seq == rows + 2 and verify_log(app).ok


def test_an_auditor_cannot_import_and_nothing_is_written(app: Lifecycle) -> None:
    add_user(app, "alice", "olga", "auditor")
    before = counts(app)
    with pytest.raises(Refused) as caught:
        import_cases(app, "olga", EXAMPLES / "national-tic-centres.jsonl")
    assert [r.code for r in caught.value.reasons] == ["role"]
    assert counts(app) == before


@pytest.mark.skipif(
    "hitech-zone" not in Lifecycle().catalogue.codes(), reason="the hitech-zone programme is not in this catalogue yet"
)
def test_the_jiangsu_high_tech_zones_example_imports_seventeen_approved_zones(app: Lifecycle) -> None:
    result = import_cases(app, "alice", EXAMPLES / "hitech-zones-jiangsu.csv")
    assert result["by_state"] == [{"programme": "hitech-zone", "state": "approved", "cases": 17}]
    zones = {c.name: c for c in list_cases(app, "hitech-zone")}
    assert zones["南京高新技术产业开发区"].approved_on == "1991-03-06"
    assert zones["宿迁高新技术产业开发区"].approved_on == "2017-02-13"
    assert verify_log(app).ok


#: A stand-in for the hitech-zone definition (PROGRAMMES.md section 5), enough to check that
#: the Jiangsu example reads as intended before the real definition is on this branch.
HITECH_STAND_IN = """\
code: hitech-zone
name: {zh: 国家高新区, en: National High-tech Zone}
source: {title: "“十四五”国家高新区发展规划", issuer: 科技部}
in_force: {date: 2022-01-01, clause: 四(二)}
initial: {state: approved, clause: 四(二)}
states:
  approved: {zh: 国家高新区, en: approved, kind: active}
  revoked: {zh: 退出国家高新区序列, en: revoked, kind: terminal}
  withdrawn: {zh: 自行要求取消, en: withdrawn, kind: terminal}
cycle: {years: 1, clause: 四(四)}
fields:
  province: {type: text, zh: 省份, en: province, clause: 四(二)}
  category:
    type: choice
    choices: [world-leading, innovative-tech, innovative-characteristic]
    zh: 类别
    en: category
    clause: 四(二)
    required_at_create: true
triggers:
  revoke:
    zh: 退出
    en: revoke
    clause: 四(二)
    by: [admin]
    routes: [{from: [$active], to: revoked}]
  withdraw:
    zh: 自行要求取消
    en: withdraw
    by: [admin]
    routes: [{from: [$non_terminal], to: withdrawn}]
"""


def test_the_jiangsu_example_reads_as_seventeen_approved_zones_with_province_and_category(
    app: Lifecycle, db_url: str, tmp_path: Path
) -> None:
    directory = tmp_path / "programmes"
    directory.mkdir()
    write(directory, "hitech-zone.yaml", HITECH_STAND_IN)
    with_zones = Lifecycle(db_url, directory)
    result = import_cases(with_zones, "alice", EXAMPLES / "hitech-zones-jiangsu.csv", dry_run=True)
    assert result["by_state"] == [{"programme": "hitech-zone", "state": "approved", "cases": 17}]
    assert [row["line"] for row in result["imported"]] == list(range(2, 19))
    assert result["imported"][0]["approved_on"] == "1991-03-06"
