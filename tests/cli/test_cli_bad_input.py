"""Every bad input gets a clear answer and changes nothing: terminal escapes refused and never
printed raw, every error path in the exit-code contract (with a JSON error under --json), a
busy SQLite database named as such, untrusted definitions refused by `programmes check`,
strict numbers, and operator errors that say what they are."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.conftest import Run

NAME = "北京市集成电路技术创新中心"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "programmes" / "prov-incubator.yaml"


def cases_and_head(app) -> tuple[int, int]:
    with app.uow() as uow:
        return uow.cases.count(), uow.audit.head()[0]


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run


def lifecycle(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
    """The console script with an environment of our own (no LIFECYCLE_DB unless given)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
    base.update(
        LIFECYCLE_LANG="en",
        LIFECYCLE_USER="alice",
        COLUMNS="250",
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
        **(env or {}),
    )
    done = subprocess.run(
        [sys.executable, "-m", "lifecycle.cli.main", *args],
        env=base,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


# -- 1. control and format characters ---------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "北京市\x1b[31m红\x1b[0m\x1b]0;pwned\x07技术创新中心",
        "北京市\r\n技术创新中心",
        "北京市\u202e技术创新中心",
        "北京市\u200b技术创新中心",
        "北京市\x9b31m技术创新中心",
    ],
)
def test_a_case_name_with_a_control_or_format_character_is_refused_and_nothing_is_written(ready_cli, app, name):
    before = cases_and_head(app)
    added = ready_cli("cases", "add", "bj-tic", "--name", name, "--on", "2024-10-01", "--json")
    assert added.code == 3, added
    reason = added.json()["reasons"][0]
    assert reason["code"] == "invalid_field" and "control or format character U+" in reason["message"]
    assert "\x1b" not in added.err and "\u202e" not in added.err
    assert cases_and_head(app) == before


@pytest.mark.parametrize(
    ("user", "why"),
    [
        ("\x1b[2Jclear", "control or format character U+001B (ESC)"),
        ("", "cannot be empty"),
        ("bad name", "pattern of user names"),
        ("system", "reserved for the compliance run"),
    ],
)
def test_users_add_refuses_a_bad_user_name_with_the_right_reason(ready_cli, app, user, why):
    before = cases_and_head(app)
    added = ready_cli("users", "add", user, "--role", "auditor", "--json")
    assert added.code == 3, added
    assert why in added.json()["reasons"][0]["message"]
    assert "\x1b" not in added.out + added.err
    assert cases_and_head(app) == before


def test_a_reason_with_terminal_escapes_is_refused_and_nothing_is_written(ready_cli, app):
    before = cases_and_head(app)
    added = ready_cli(
        "cases", "add", "bj-tic", "--name", NAME, "--on", "2024-10-01", "--reason", "ok\x1b]0;pwned\x07", "--json"
    )
    assert added.code == 3, added
    assert added.json()["reasons"][0]["details"]["field"] == "reason"
    assert cases_and_head(app) == before


def test_text_stored_before_the_rule_is_printed_escaped_never_raw(ready_cli, app):
    assert ready_cli("cases", "add", "bj-tic", "--name", NAME, "--on", "2024-10-01").code == 0
    hostile = "北京市\x1b[31m红\x1b]0;pwned\x07\u202e技术创新中心"
    with app.engine.begin() as connection:  # as a database from before names were checked
        connection.execute(text("UPDATE cases SET name = :name"), {"name": hostile})
    outputs = [
        ready_cli("cases", "show", "1"),
        ready_cli("cases", "list"),
        ready_cli("cases", "list", "--json"),
        ready_cli("audit", "log", "--format", "jsonl"),
    ]
    for run in outputs:
        assert run.code == 0, run
        assert "\x1b" not in run.out and "\x07" not in run.out and "\u202e" not in run.out, run
    assert "\\x1b[31m红" in outputs[0].out and "\\u202e" in outputs[1].out
    assert outputs[2].json()[0]["name"] == hostile  # JSON escapes it, and parses back to the text


def test_an_imported_province_with_an_escape_sequence_is_refused_at_its_line_and_column(ready_cli, app, tmp_path):
    file = tmp_path / "bases.csv"
    file.write_text(
        "programme,name,state,approved_on,province\n"
        "ecommerce-base,某电子商务示范基地,approved,2022-01-10,\x1b[31m江苏\n",
        encoding="utf-8",
    )
    before = cases_and_head(app)
    imported = ready_cli("cases", "import", str(file), "--json")
    assert imported.code == 3, imported
    problems = [(r["details"]["line"], r["details"]["column"]) for r in imported.json()["reasons"]]
    assert (2, "province") in problems
    assert cases_and_head(app) == before


# -- 2. every error path in the contract ------------------------------------------------------
def test_verify_with_the_chain_head_row_deleted_exits_5_saying_so(ready_cli, app):
    assert ready_cli("cases", "add", "bj-tic", "--name", NAME, "--on", "2024-10-01").code == 0
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    verified = ready_cli("audit", "verify", "--json")
    no_traceback(verified)
    assert verified.code == 5, verified
    assert verified.json()["ok"] is False and "audit_head" in verified.json()["problem"]
    writing = ready_cli("advance", "1", "withdraw", "--on", "2024-10-02", "--json")
    assert writing.code == 5 and writing.json()["error"] == "AuditBroken", writing


def test_verify_of_a_log_whose_rows_are_all_gone_exits_5(ready_cli, app):
    assert ready_cli("cases", "add", "bj-tic", "--name", NAME, "--on", "2024-10-01").code == 0
    with app.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        connection.execute(text("DELETE FROM audit_log"))
    verified = ready_cli("audit", "verify", "--json")
    assert verified.code == 5, verified
    assert "missing" in verified.json()["problem"]
    with app.engine.begin() as connection:  # and with the head reset to the empty chain too
        connection.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    verified = ready_cli("audit", "verify", "--json")
    assert verified.code == 5, verified
    assert "entries were deleted" in verified.json()["problem"]


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (("advance", "99999999999999999999999", "submit"), "99999999999999999999999"),
        (("cases", "show", "9223372036854775808"), "9223372036854775808"),
        (("audit", "log", "--case", "99999999999999999999999"), "99999999999999999999999"),
        (("cases", "show", "1", "--as-of", "9999-12-31"), "9999-12-31"),
        (("advance", "1", "withdraw", "--on", "9999-12-31"), "9999-12-31"),
        (("cases", "list", "--limit", "-1"), "-1"),
    ],
)
def test_an_out_of_range_id_or_date_is_a_usage_error_naming_the_value(ready_cli, args, value):
    ran = ready_cli(*args, "--json")
    no_traceback(ran)
    assert ran.code == 2, ran
    error = ran.json()
    assert error["exit_code"] == 2 and value in error["message"]


def test_an_import_reports_every_bad_cell_including_out_of_range_dates_in_one_pass(ready_cli, app, tmp_path):
    file = tmp_path / "centres.csv"
    file.write_text(
        "programme,name,state,approved_on,rd_ratio_3y\n"
        "bj-tic,北京市智能网联汽车技术创新中心,approved,9999-12-31,12%\n"
        'bj-tic,北京市集成电路技术创新中心,approved,2022-02-30,"1,2,3"\n'
        "bj-tic,北京市生物医药技术创新中心,approved,2022-01-10,500%\n",
        encoding="utf-8",
    )
    before = cases_and_head(app)
    imported = ready_cli("cases", "import", str(file), "--json")
    no_traceback(imported)
    assert imported.code == 3, imported
    where = {(r["details"]["line"], r["details"]["column"]) for r in imported.json()["reasons"]}
    assert {(2, "approved_on"), (3, "approved_on"), (3, "rd_ratio_3y"), (4, "rd_ratio_3y")} <= where
    assert any("9999-12-31" in r["message"] for r in imported.json()["reasons"])
    assert cases_and_head(app) == before


def test_a_nul_byte_in_an_imported_cell_is_refused_clearly(ready_cli, app, tmp_path):
    file = tmp_path / "centres.jsonl"
    file.write_text(
        json.dumps(
            {
                "programme": "bj-tic",
                "name": "北京市\x00集成电路技术创新中心",
                "state": "approved",
                "approved_on": "2022-01-10",
                "province_note": "x",
            }
        )
        + "\n"
        + json.dumps(
            {
                "programme": "bj-tic",
                "name": "北京市生物医药技术创新中心",
                "state": "approved",
                "approved_on": "2022-01-10",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    before = cases_and_head(app)
    imported = ready_cli("cases", "import", str(file), "--json")
    no_traceback(imported)
    assert imported.code == 3, imported
    messages = [r["message"] for r in imported.json()["reasons"]]
    assert any("U+0000 (NUL)" in m for m in messages), messages
    assert cases_and_head(app) == before


def test_a_5000_deep_expression_is_refused_by_programmes_check_without_a_recursion_error(cli, tmp_path):
    source = EXAMPLE
    deep = "(" * 5000 + "a" + ")" * 5000
    broken = tmp_path / "prov-incubator.yaml"
    broken.write_text(_with_expression(source.read_text(encoding="utf-8"), deep), encoding="utf-8")
    checked = cli("programmes", "check", str(broken))
    no_traceback(checked)
    assert checked.code == 1, checked
    assert "prov-incubator.yaml:" in checked.err + checked.out


# -- 3. a busy SQLite database ----------------------------------------------------------------
def test_a_writer_that_waits_past_the_busy_timeout_is_told_the_database_is_busy(app, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("the busy wait is SQLite's")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another administrator's long write
    try:
        started = time.monotonic()
        added = lifecycle(
            tmp_path,
            "cases",
            "add",
            "bj-tic",
            "--name",
            NAME,
            "--on",
            "2024-10-01",
            "--json",
            env={"LIFECYCLE_DB": db_url, "LIFECYCLE_SQLITE_BUSY_TIMEOUT": "0.5"},
        )
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    no_traceback(added)
    assert added.code == 4, added
    assert added.json()["error"] == "Busy" and added.json()["message"].startswith(
        "busy: another writer holds the database"
    )
    assert "LIFECYCLE_SQLITE_BUSY_TIMEOUT" in added.err
    assert waited < 20
    assert cases_and_head(app)[0] == 0


def test_a_bad_busy_timeout_is_a_usage_error(app, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("the busy wait is SQLite's")
    listed = lifecycle(tmp_path, "cases", "list", env={"LIFECYCLE_DB": db_url, "LIFECYCLE_SQLITE_BUSY_TIMEOUT": "soon"})
    assert listed.code == 2 and "LIFECYCLE_SQLITE_BUSY_TIMEOUT='soon'" in listed.err, listed


# -- 4. untrusted definitions -----------------------------------------------------------------
def _with_expression(definition: str, expression: str) -> str:
    """The example definition with one criterion's requirement replaced by `expression`."""
    lines = definition.splitlines()
    index = next(i for i, line in enumerate(lines) if "require:" in line)
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = f"{indent}require: {{expression: {json.dumps(expression)}}}"
    return "\n".join(lines) + "\n"


def _with_pattern(definition: str, pattern: str) -> str:
    """The example definition with a naming rule: names of kind `a` must match `pattern`."""
    kind = (
        "  kind: {type: choice, choices: [a], zh: 类型, en: kind,"
        " labels: {a: {zh: 孵化器, en: incubator}}, clause: 第五条}\n"
    )
    definition = definition.replace("fields:\n", "fields:\n" + kind, 1)
    return definition + (
        "naming:\n  by: kind\n  clause: 第五条\n  rules:\n"
        f"    a: {{zh_pattern: {json.dumps(pattern)}, zh_example: 某孵化器}}\n"
    )


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("tenants.__class__", "attribute access"),
        ("9**9**9 > 1", "cannot be evaluated"),
        ("(lambda: 1)()", "a function or method call"),
        ("f'{tenants}' == 'x'", "an f-string"),
        ("'{}'.format(1) == '1'", "a function or method call"),
        ("[x for x in [1]] == [1]", "a comprehension"),
        ("'%s' % 1 == '1'", "string formatting"),
    ],
)
def test_programmes_check_refuses_an_expression_that_can_never_evaluate_naming_file_line_and_expression(
    cli, tmp_path, expression, why
):
    text_ = EXAMPLE.read_text(encoding="utf-8")
    broken = tmp_path / "prov-incubator.yaml"
    broken.write_text(_with_expression(text_, expression), encoding="utf-8")
    checked = cli("programmes", "check", str(broken))
    no_traceback(checked)
    assert checked.code == 1, checked
    said = checked.err + checked.out
    line = next(
        i for i, row in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "require: {expression" in row
    )
    assert f"prov-incubator.yaml:{line}" in said and why in said, said


def test_a_catastrophic_naming_pattern_cannot_hang_a_write(ready_cli, app, tmp_path):
    directory = tmp_path / "programmes"
    directory.mkdir()
    (directory / "prov-incubator.yaml").write_text(
        _with_pattern(EXAMPLE.read_text(encoding="utf-8"), "(x+x+)+y"), encoding="utf-8"
    )
    started = time.monotonic()
    checked = ready_cli("programmes", "check", str(directory / "prov-incubator.yaml"))
    assert checked.code == 0, checked
    added = ready_cli(
        "--programmes",
        str(directory),
        "cases",
        "add",
        "prov-incubator",
        "--name",
        "x" * 40,
        "--set",
        "kind=a",
        "--on",
        "2025-03-01",
        "--json",
    )
    assert added.code == 3 and added.json()["reasons"][0]["code"] == "name_rule", added
    assert time.monotonic() - started < 30  # RE2 matches in linear time: no backtracking


def test_programmes_check_refuses_a_pattern_that_needs_backtracking(cli, tmp_path):
    broken = tmp_path / "prov-incubator.yaml"
    broken.write_text(_with_pattern(EXAMPLE.read_text(encoding="utf-8"), r"(a)\1"), encoding="utf-8")
    refused = cli("programmes", "check", str(broken))
    no_traceback(refused)
    assert refused.code == 1 and "RE2" in refused.err + refused.out, refused


# -- 5. numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "avg_revenue_3y=1,2,3",
        "avg_revenue_3y=1__0",
        "avg_revenue_3y=1e-400",
        "avg_revenue_3y=1e309",
        "rd_ratio_3y=500%",
    ],
)
def test_a_lenient_number_is_refused_naming_the_field_and_nothing_is_written(ready_cli, app, value):
    assert ready_cli("cases", "add", "bj-tic", "--name", NAME, "--on", "2024-10-01").code == 0
    before = cases_and_head(app)
    submitted = ready_cli("advance", "1", "submit", "--on", "2024-10-08", "--set", value, "--json")
    assert submitted.code == 3, submitted
    bad = [r for r in submitted.json()["reasons"] if r["code"] == "invalid_field"]
    assert bad and bad[0]["details"]["field"] == value.split("=")[0]
    assert cases_and_head(app) == before


def test_values_as_chinese_offices_write_them_are_accepted_on_the_command_line(ready_cli):
    opened = ready_cli("cases", "add", "bj-tic", "--name", NAME, "--on", "2024年10月1日", "--json")
    assert opened.code == 0, opened
    assert opened.json()["state_since"] == "2024-10-01"
    submitted = ready_cli(
        "advance",
        "1",
        "submit",
        "--on",
        "2024/10/8",
        "--set",
        "registered_in_beijing=是",
        "--set",
        "good_credit=是",
        "--set",
        "integrates_resources=是",
        "--set",
        "avg_revenue_3y=32亿元",
        "--set",
        "rd_ratio_3y=１１％",
        "--set",
        "domestic_rd_share=82%",
        "--set",
        "safety_accident_3y=否",
        "--set",
        "has_core_team=是",
        "--set",
        "rd_growth_last_year=6%",
        "--json",
    )
    assert submitted.code == 0, submitted
    fields = ready_cli("cases", "show", "1", "--json").json()["fields"]
    assert fields["avg_revenue_3y"] == 3_200_000_000 and fields["rd_ratio_3y"] == pytest.approx(0.11)
    assert fields["safety_accident_3y"] is False and submitted.json()["effective_on"] == "2024-10-08"


# -- 6. operator errors -----------------------------------------------------------------------
def test_a_read_only_command_on_a_missing_sqlite_path_creates_nothing(tmp_path):
    missing = tmp_path / "typo.db"
    for args in (("cases", "list"), ("audit", "verify"), ("users", "list"), ("cases", "show", "1")):
        ran = lifecycle(tmp_path, *args, "--json", env={"LIFECYCLE_DB": str(missing)})
        no_traceback(ran)
        assert ran.code == 1 and "no database at" in ran.json()["message"], ran
        assert not missing.exists()


def test_a_schema_missing_is_told_apart_from_a_database_missing(tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    ran = lifecycle(tmp_path, "cases", "list", env={"LIFECYCLE_DB": str(empty)})
    assert ran.code == 1 and "no lifecycle schema yet: run `lifecycle init`" in ran.err, ran


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"database": "no_such_database_17"}, "database does not exist"),
        ({"username": "no_such_login_17"}, "authentication failed"),
        ({"port": 1}, "cannot connect to the database server"),
    ],
)
def test_postgres_operator_errors_say_what_they_are(tmp_path, change, said):
    from sqlalchemy.engine import make_url

    base = os.environ.get("LIFECYCLE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests need LIFECYCLE_TEST_POSTGRES_URL")
    url = make_url(base).set(**change).render_as_string(hide_password=False)
    ran = lifecycle(tmp_path, "cases", "list", "--json", env={"LIFECYCLE_DB": url})
    no_traceback(ran)
    assert ran.code == 1, ran
    assert ran.json()["message"].startswith(said) and "lifecycle init" not in ran.json()["message"].split(";")[0]


def test_version_and_shell_completion_are_available(tmp_path):
    version = lifecycle(tmp_path, "--version")
    assert version.code == 0 and version.out.startswith("lifecycle ")
    # The shell named outright (typer detects the shell otherwise, which a test cannot).
    completion = lifecycle(
        tmp_path, "--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert completion.code == 0 and "complete" in completion.out, completion
    completed = lifecycle(
        tmp_path, env={"_LIFECYCLE_COMPLETE": "complete_bash", "COMP_WORDS": "lifecycle cas", "COMP_CWORD": "1"}
    )
    assert completed.code == 0 and completed.out.split() == ["cases"], completed


def test_ctrl_c_exits_130(app, db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
    env.update(LIFECYCLE_LANG="en", LIFECYCLE_USER="alice", LIFECYCLE_DB=db_url, PYTHONIOENCODING="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "lifecycle.cli.main", "scheduler", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while time.monotonic() < deadline and "Scheduler started" not in process.stdout.readline():
            pass
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130 and "Traceback" not in err


def test_ctrl_c_during_a_long_command_exits_130_and_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
    env.update(
        LIFECYCLE_LANG="en", LIFECYCLE_USER="alice", LIFECYCLE_DB=str(tmp_path / "big.db"), PYTHONIOENCODING="utf-8"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lifecycle.cli.main", "demo", "--cases", "1000000", "--json"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (tmp_path / "big.db").exists():
            time.sleep(0.2)
        time.sleep(3)  # well inside the million cases
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err and "Interrupted" in err
    assert json.loads(out)["exit_code"] == 130
