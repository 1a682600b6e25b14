"""`lifecycle comply` and `lifecycle scheduler` from the command line: JSON shape, dry run,
plain lines, roles, obligations in `cases show`, the scheduler's history and clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date

from sqlalchemy import inspect

from lifecycle.services.cases import add_case, advance
from lifecycle.services.users import add_user

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
ACTION_KEYS = {"case_id", "programme", "rule", "trigger", "from_state", "to_state", "effective_on", "clause"}


def bj_approved(app) -> int:
    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", date(2024, 9, 20)).case
    advance(app, "alice", case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", date(2024, 11, 5))
    advance(app, "alice", case.id, "approve", date(2025, 1, 10))
    return case.id


def test_comply_json_lists_each_action_and_a_reminder_keeps_its_state(ready_cli, app):
    case_id = bj_approved(app)
    done = ready_cli("comply", "--as-of", "2026-04-01", "--json")
    assert done.code == 0, done
    data = done.json()
    assert (data["as_of"], data["dry_run"]) == ("2026-04-01", False)
    assert data["actions"] == [
        {
            "case_id": case_id,
            "programme": "bj-tic",
            "rule": "annual_report.reminder",
            "trigger": "remind",
            "from_state": "approved",
            "to_state": "approved",
            "effective_on": "2026-04-01",
            "clause": "第十八条(一)",
        }
    ]
    again = ready_cli("comply", "--as-of", "2026-04-01", "--json")
    assert again.json()["actions"] == []


def test_a_dry_run_prints_the_same_json_as_the_real_run_and_writes_nothing(ready_cli, app):
    bj_approved(app)
    dry = ready_cli("comply", "--as-of", "2028-02-01", "--dry-run", "--json")
    assert dry.code == 0, dry
    assert dry.json()["dry_run"] is True and dry.json()["actions"]
    assert all(set(a) - {"default"} == ACTION_KEYS for a in dry.json()["actions"])
    real = ready_cli("comply", "--as-of", "2028-02-01", "--json")
    assert real.json() == {**dry.json(), "dry_run": False}


PROPOSAL_KEYS = {
    "decision_id",
    "case_id",
    "programme",
    "rule",
    "trigger",
    "from_state",
    "to_state",
    "ground",
    "clause",
    "default",
    "due_on",
}


def test_comply_json_lists_proposals_apart_from_actions_and_a_dry_run_writes_none(ready_cli, app):
    case_id = bj_approved(app)
    for day in ("2026-04-01", "2027-04-01"):
        assert ready_cli("comply", "--as-of", day, "--json").code == 0
    dry = ready_cli("comply", "--as-of", "2027-05-02", "--dry-run", "--json").json()
    assert dry["actions"] == []
    [proposal] = dry["proposals"]
    assert set(proposal) >= PROPOSAL_KEYS
    assert (
        proposal["decision_id"],
        proposal["case_id"],
        proposal["trigger"],
        proposal["to_state"],
        proposal["ground"],
        proposal["clause"],
        proposal["default"],
        proposal["due_on"],
    ) == (None, case_id, "revoke", "revoked", "no_annual_report", "第十八条(一)", False, "2027-05-02")
    assert ready_cli("decisions", "list", "--json").json() == []
    real = ready_cli("comply", "--as-of", "2027-05-02", "--json").json()
    assert real["actions"] == [] and isinstance(real["proposals"][0]["decision_id"], int)
    listed = ready_cli("decisions", "list", "--json").json()
    assert [(d["id"], d["case_id"], d["state"]) for d in listed] == [
        (real["proposals"][0]["decision_id"], case_id, "open")
    ]
    assert ready_cli("comply", "--as-of", "2027-05-02", "--json").json()["proposals"] == []


def test_comply_jsonl_prints_one_object_a_line_the_actions_then_a_summary(ready_cli, app):
    import json

    bj_approved(app)
    as_json = ready_cli("comply", "--as-of", "2028-02-01", "--dry-run", "--json").json()
    done = ready_cli("comply", "--as-of", "2028-02-01", "--format", "jsonl")
    assert done.code == 0, done
    lines = [json.loads(line) for line in done.out.splitlines()]
    actions = [{k: v for k, v in line.items() if k != "kind"} for line in lines if line["kind"] == "action"]
    assert actions == as_json["actions"] and len(actions) >= 2
    summary = lines[-1]
    assert summary["kind"] == "summary" and [line["kind"] for line in lines].count("summary") == 1
    assert (summary["as_of"], summary["dry_run"], summary["actions"], summary["cases_changed"]) == (
        "2028-02-01",
        False,
        len(actions),
        1,
    )
    again = ready_cli("comply", "--as-of", "2028-02-01", "--format", "jsonl")
    assert [json.loads(line)["kind"] for line in again.out.splitlines()] == ["summary"]


def test_comply_json_of_a_refused_run_is_the_error_alone(ready_cli, app):
    bj_approved(app)
    add_user(app, "alice", "bob", "auditor")
    refused = ready_cli("comply", "--as-of", "2026-04-01", "--json", user="bob")
    assert refused.code == 3, refused
    data = refused.json()
    assert data["error"] == "Refused" and "actions" not in data


def test_comply_prints_one_plain_line_per_action_and_a_summary_when_not_on_a_terminal(ready_cli, app):
    case_id = bj_approved(app)
    done = ready_cli("comply", "--as-of", "2028-01-10")
    assert done.code == 0, done
    assert (
        f"case {case_id} bj-tic mid_term: start_mid_term approved -> mid_term_review effective 2028-01-10 (第十六条)"
    ) in done.out
    assert "applied 3 action(s) to 1 case(s)" in done.out
    assert "  bj-tic annual_report.reminder: 2" in done.out


def test_only_an_admin_may_run_comply_exit_3(ready_cli, app):
    bj_approved(app)
    add_user(app, "alice", "bob", "auditor")
    refused = ready_cli("comply", "--as-of", "2026-04-01", user="bob")
    assert refused.code == 3, refused
    assert "needs an admin" in refused.err
    assert ready_cli("comply", "--as-of", "2026-04-01", "--dry-run", "--json").json()["actions"]


def test_a_bad_date_or_programme_is_an_error_naming_it(ready_cli, app):
    bad = ready_cli("comply", "--as-of", "2026-13-01")
    assert bad.code == 2 and "'2026-13-01' is not a date" in bad.err
    unknown = ready_cli("comply", "--programme", "no-such")
    assert unknown.code == 1 and "no programme 'no-such'" in unknown.err


def test_cases_show_lists_obligations_and_file_report_fulfils_one(ready_cli, app):
    case_id = bj_approved(app)
    ready_cli("comply", "--as-of", "2026-04-01")
    shown = ready_cli("cases", "show", str(case_id), "--as-of", "2027-04-01", "--json").json()
    assert shown["obligations"] == [
        {"kind": "annual_report", "period": "2025", "due_on": "2026-03-31", "status": "reminded"},
        {"kind": "annual_report", "period": "2026", "due_on": "2027-03-31", "status": "overdue"},
        {"kind": "annual_report", "period": "2027", "due_on": "2028-03-31", "status": "open"},
    ]
    filed = ready_cli("advance", str(case_id), "file_report", "--on", "2027-04-01", "--set", "year=2026")
    assert filed.code == 0, filed
    shown = ready_cli("cases", "show", str(case_id), "--as-of", "2027-04-01", "--json").json()
    assert shown["obligations"][1]["status"] == "fulfilled"


def test_scheduler_run_once_runs_and_history_lists_every_run(ready_cli, app):
    bj_approved(app)
    once = ready_cli("scheduler", "run", "--once", "--json")
    assert once.code == 0, once
    assert once.json()["dry_run"] is False
    history = ready_cli("scheduler", "history", "--json")
    assert history.code == 0, history
    [run] = history.json()
    assert (run["source"], run["outcome"], run["invoked_by"]) == ("scheduler", "completed", "alice")
    assert run["counts"]["actions"] == len(once.json()["actions"])
    assert "Compliance runs" in ready_cli("scheduler", "history").out


def test_the_scheduler_keeps_its_job_out_of_the_database_logs_its_start_and_stops_cleanly_on_sigterm(
    ready_cli, app, db_url, tmp_path
):
    import threading

    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
    env.update(LIFECYCLE_LANG="en", LIFECYCLE_USER="alice", LIFECYCLE_DB=db_url, PYTHONIOENCODING="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "lifecycle.cli.main", "scheduler", "run", "--at", "03:30"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "scheduler started" in line:
                started.set()

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        assert started.wait(30), "".join(lines)
        [line] = [x for x in lines if "scheduler started" in x]
        assert "INFO lifecycle.scheduler" in line and "T03:30:00+08:00" in line
        with app.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert "apscheduler_jobs" not in tables  # no pickled job, no database URL in a table
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(10)
        assert process.stdout is not None
        out = process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(lines)
    assert "Scheduler stopped." in out
    assert any("scheduler stopped" in x for x in lines)
    # A time of day that does not exist is a usage error naming it.
    again = ready_cli("scheduler", "run", "--at", "25:00")
    assert again.code == 2 and "'25:00' is not a time of day" in again.err


def test_on_a_terminal_comply_shows_a_progress_bar_then_a_table_by_programme_and_rule(app, monkeypatch):
    import io

    from rich.console import Console

    from jobs.compliance_run import run_compliance
    from lifecycle.cli import comply

    bj_approved(app)
    screen = io.StringIO()
    monkeypatch.setattr(comply, "console", lambda: Console(file=screen, force_terminal=True, width=120))
    seen: list[tuple[int, int]] = []

    def run(progress):
        def both(done: int, total: int) -> None:
            seen.append((done, total))
            progress(done, total)

        return run_compliance(app, "alice", date(2028, 1, 10), progress=both)

    report = comply._with_progress_bar(run)
    comply._summary_table(report)
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)
    shown = screen.getvalue()
    assert "cases due" in shown  # the bar
    assert "Actions by programme and rule" in shown
    assert "annual_report.reminder" in shown and "mid_term" in shown
    assert "applied 3 action(s) to 1 case(s)" in shown


def test_an_error_after_the_first_action_closes_the_json_document_it_began(capsys):
    import json

    from lifecycle.cli import common
    from lifecycle.cli.comply import JsonDocument

    stream = JsonDocument(date(2026, 4, 1), False)
    common.OPEN_JSON_DOCUMENT.append(stream)
    action = {"case_id": 1, "programme": "bj-tic", "rule": "annual_report.reminder", "trigger": "remind"}
    stream.action(action)
    # What the CLI prints for an error, with --json, once the run has failed midway:
    common.print_json({"error": "Conflict", "exit_code": 4, "message": "a case changed \u202e meanwhile"})
    printed = capsys.readouterr().out
    assert "\u202e" not in printed  # hidden characters escaped, as everywhere else
    data = json.loads(printed)
    assert data["actions"] == [action] and (data["error"], data["exit_code"]) == ("Conflict", 4)
    assert common.OPEN_JSON_DOCUMENT == []
