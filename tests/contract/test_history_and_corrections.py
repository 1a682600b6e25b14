"""History brought in, results recorded in bulk, mistakes corrected (SQLite and PostgreSQL): an
import with past grades and filed reports leaves the first compliance run nothing to propose;
one evaluation round is recorded all or nothing; a mistaken entry is voided by a new one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from jobs.compliance_run import run_compliance
from lifecycle.errors import Conflict, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.corrections import correct
from lifecycle.services.decisions_due import list_decisions
from lifecycle.services.evaluation_round import record_round
from lifecycle.services.imports import import_cases

D = date.fromisoformat
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
HISTORY = {
    "programme": "national-tic",
    "name": "长三角国家技术创新中心",
    "state": "renewed",
    "fields": {"kind": "comprehensive", "independent_legal_entity": True},
    "reports_filed": [2021, 2022],
    "events": [
        {"trigger": "create", "on": "2021-03-01", "to": "submitted"},
        {"trigger": "start_review", "on": "2021-04-12", "from": "submitted", "to": "under_review"},
        {
            "trigger": "approve",
            "on": "2021-06-08",
            "from": "under_review",
            "to": "approved",
            "decision_no": "国科发区〔2021〕100号",
        },
        {"trigger": "start_assessment", "on": "2024-06-08", "from": "approved", "to": "final_assessment"},
        {"trigger": "assess", "on": "2024-10-08", "from": "final_assessment", "to": "renewed", "grade": "good"},
        {"trigger": "file_report", "on": "2025-03-20", "from": "renewed", "to": "renewed", "year": 2024},
        {"trigger": "file_report", "on": "2025-03-21", "from": "renewed", "to": "renewed", "year": 2023},
    ],
}


def write(tmp_path: Path, name: str, text_: str) -> str:
    path = tmp_path / name
    path.write_text(text_, encoding="utf-8")
    return str(path)


def audit_rows(app: Lifecycle) -> list[tuple]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT seq, trigger FROM audit_log ORDER BY seq"))]


def test_an_import_with_its_grades_and_filed_reports_leaves_the_first_run_nothing_to_propose(app, tmp_path):
    import_cases(app, "alice", write(tmp_path, "h.jsonl", json.dumps(HISTORY, ensure_ascii=False) + "\n"))
    assert list_decisions(app, state="all") == []
    view = show_case(app, 1, D("2026-12-07"))
    assert (view["state"], view["cycle"], view["reports_filed"]) == ("renewed", 2, [2021, 2022, 2023, 2024])
    assert [e["payload"].get("grade") for e in view["history"]].count("good") == 1
    dry = run_compliance(app, "alice", D("2026-12-07"), dry_run=True)
    assert dry.proposals == [] and [a["rule"] for a in dry.actions] == []


def test_the_projects_example_centres_import_and_the_run_revokes_nothing(app):
    import_cases(app, "alice", str(EXAMPLES / "national-tic-centres.jsonl"))
    report = run_compliance(app, "alice", D("2026-12-07"))
    assert all(a["to_state"] != "revoked" for a in report.actions)
    assert "revoked" not in {show_case(app, i, D("2026-12-07"))["state"] for i in range(1, 6)}


def national_in_evaluation(app: Lifecycle, name: str) -> int:
    case = add_case(app, "alice", "national-tic", name, D("2021-03-01"), {"kind": "comprehensive"}).case
    assert case.id is not None
    advance(app, "alice", case.id, "start_review", D("2021-04-12"), {"independent_legal_entity": "true"})
    advance(app, "alice", case.id, "approve", D("2021-06-30"))
    advance(app, "alice", case.id, "start_assessment", D("2024-06-30"))
    return case.id


def test_one_evaluation_round_is_recorded_in_bulk_one_entry_per_case(app, tmp_path):
    first = national_in_evaluation(app, "京津冀国家技术创新中心")
    second = national_in_evaluation(app, "粤港澳大湾区国家技术创新中心")
    before = len(audit_rows(app))
    done = record_round(
        app,
        "alice",
        write(tmp_path, "round.csv", f"case_id,grade,decision_no\n{first},good,国科发区〔2024〕9号\n{second},poor,\n"),
        D("2024-11-15"),
    )
    assert [(r["case_id"], r["to_state"]) for r in done["results"]] == [(first, "renewed"), (second, "rectification")]
    assert len(audit_rows(app)) == before + 2
    assert show_case(app, first, D("2024-11-15"))["history"][-1]["payload"]["decision_no"] == "国科发区〔2024〕9号"
    assert verify_log(app).ok


def test_a_round_with_one_bad_row_records_nothing_and_names_every_bad_line(app, tmp_path):
    first = national_in_evaluation(app, "京津冀国家技术创新中心")
    before = audit_rows(app)
    with pytest.raises(Refused) as refused:
        record_round(
            app,
            "alice",
            write(
                tmp_path,
                "round.jsonl",
                json.dumps({"case_id": first, "grade": "good"})
                + "\n"
                + json.dumps({"case_id": 999, "grade": "good"})
                + "\n"
                + json.dumps({"case_id": first, "grade": "poor"})
                + "\n",
            ),
            D("2024-11-15"),
        )
    messages = [r.message for r in refused.value.reasons]
    assert any("line 2" in m and "999" in m for m in messages) and any("line 3" in m for m in messages)
    assert audit_rows(app) == before


def bj_approved(app: Lifecycle) -> int:
    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", D("2024-09-20")).case
    assert case.id is not None
    advance(app, "alice", case.id, "submit", D("2024-10-08"), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"))
    return case.id


def test_a_mistaken_state_change_is_voided_by_a_new_entry_and_the_case_returns(app):
    case_id = bj_approved(app)
    approve_seq = show_case(app, case_id, D("2025-01-10"))["history"][-1]["seq"]
    done = correct(app, "alice", approve_seq, "approved the wrong centre")
    assert (done.entry.trigger, done.entry.payload["voids"], done.entry.payload["default"]) == (
        "correct",
        approve_seq,
        True,
    )
    view = show_case(app, case_id, D("2025-02-01"))
    assert (view["state"], view["state_since"], view["approved_on"], view["cycle"]) == (
        "under_review",
        "2024-11-05",
        None,
        0,
    )
    triggers = [e["trigger"] for e in view["history"]]
    assert triggers[-2:] == ["approve", "correct"]  # both kept
    assert verify_log(app).ok
    with pytest.raises(Conflict):
        correct(app, "alice", approve_seq, "again")


def test_only_the_latest_state_change_can_be_voided_but_a_filed_report_any_time(app):
    case_id = bj_approved(app)
    filed = advance(app, "alice", case_id, "file_report", D("2026-03-01"), {"year": "2025"}).entry.seq
    history = show_case(app, case_id, D("2026-03-01"))["history"]
    submit_seq = next(e["seq"] for e in history if e["trigger"] == "submit")
    before = audit_rows(app)
    with pytest.raises(Refused):
        correct(app, "alice", submit_seq, "wrong")
    assert audit_rows(app) == before
    correct(app, "alice", filed, "the report was for 2024")
    assert show_case(app, case_id, D("2026-03-01"))["reports_filed"] == []


def test_an_auditor_cannot_correct(app):
    from lifecycle.services.users import add_user

    add_user(app, "alice", "carol", "auditor")
    case_id = bj_approved(app)
    seq = show_case(app, case_id, D("2025-01-10"))["history"][-1]["seq"]
    with pytest.raises(Refused):
        correct(app, "carol", seq, "no")
