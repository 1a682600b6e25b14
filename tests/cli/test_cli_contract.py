"""The command line's contract: exit codes, JSON shapes, roles, the auditor's commands."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lifecycle.services.cases import add_case, advance
from lifecycle.services.users import add_user


@pytest.fixture
def one_case(app) -> int:
    """A bj-tic case opened on 2024-10-01 (seeded through the services), with a reason."""
    case = add_case(
        app, "alice", "bj-tic", "北京市空天信息技术创新中心", date(2024, 10, 1), reason="plan, 120 pages"
    ).case
    assert case.id == 1
    return case.id


def test_init_creates_the_database_once_and_makes_the_caller_its_first_admin(cli):
    before = cli("cases", "list")
    assert before.code == 1, before
    assert "lifecycle init" in before.err

    first = cli("init", "--json")
    assert first.code == 0, first
    assert {"database", "revision", "created", "admin_created"} <= set(first.json())
    assert (first.json()["created"], first.json()["admin_created"]) == (True, "alice")

    again = cli("init", "--json", user="carol")
    assert again.code == 0, again
    assert (again.json()["created"], again.json()["admin_created"]) == (False, None)
    users = cli("users", "list", "--json")
    assert [(u["name"], u["role"]) for u in users.json()] == [("alice", "admin")]
    assert set(users.json()[0]) == {"name", "role", "office", "created_at"}


def test_the_db_option_wins_over_the_environment(ready_cli, db_url, one_case):
    listed = ready_cli("--db", db_url, "cases", "list", "--json", db="sqlite:///elsewhere.db")
    assert listed.code == 0, listed
    assert [(c["id"], c["state"]) for c in listed.json()] == [(1, "draft")]
    assert {"id", "programme", "name", "state", "state_since", "valid_until", "version"} <= set(listed.json()[0])


def test_an_auditor_reads_but_cannot_write(ready_cli, app, one_case):
    cli = ready_cli
    added = cli("users", "add", "bob", "--role", "auditor", "--json")
    assert added.code == 0, added
    assert {k: added.json()[k] for k in ("name", "role", "status")} == {
        "name": "bob",
        "role": "auditor",
        "status": "added",
    }

    write = cli("advance", "1", "withdraw", "--on", "2024-10-02", "--json", user="bob")
    assert write.code == 3, write
    assert (write.json()["error"], write.json()["reasons"][0]["code"]) == ("Refused", "role")
    assert "auditor" in write.err

    shown = cli("cases", "show", "1", "--as-of", "2024-10-02", "--json", user="bob")
    assert shown.code == 0, shown
    assert (shown.json()["state"], shown.json()["version"]) == ("draft", 1)

    stranger = cli("advance", "1", "withdraw", "--on", "2024-10-02", user="zed")
    assert stranger.code == 3, stranger
    assert "zed" in stranger.err


def test_a_stale_if_version_is_a_conflict_with_exit_4(ready_cli, app, one_case):
    add_user(app, "alice", "dora", "admin")
    advance(app, "dora", one_case, "withdraw", date(2024, 10, 2))
    stale = ready_cli("advance", "1", "submit", "--on", "2024-10-03", "--if-version", "1", "--json")
    assert stale.code == 4, stale
    assert stale.json()["error"] == "Conflict"
    assert "by dora" in stale.err


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["advance", "1", "withdraw", "--on", "2025-13-01"], "--on"),
        (["advance", "1", "withdraw", "--on", "2025-01-01", "--set", "grade"], "KEY=VALUE"),
        (["cases", "add", "bj-tic", "--name", "北京市测试技术创新中心", "--on", "yesterday", "--json"], "--on"),
    ],
)
def test_a_malformed_command_line_is_a_usage_error_with_exit_2(ready_cli, one_case, args, problem):
    wrong = ready_cli(*args)
    assert wrong.code == 2, wrong
    assert problem in wrong.err
    if "--json" in args:
        assert wrong.json()["exit_code"] == 2


def test_the_auditor_exports_the_log_and_verify_finds_tampering(ready_cli, app, one_case):
    cli = ready_cli
    assert cli("advance", "1", "withdraw", "--on", "2024-12-01").code == 0

    as_json = cli("audit", "log", "--case", "1", "--format", "json")
    assert as_json.code == 0, as_json
    entries = as_json.json()
    assert [(e["seq"], e["trigger"], e["to_state"]) for e in entries] == [
        (2, "create", "draft"),
        (3, "withdraw", "withdrawn"),
    ]
    assert entries[1]["prev_hash"] == entries[0]["hash"]
    assert entries[0]["reason"] == "plan, 120 pages"

    window = cli(
        "audit", "log", "--since", "2024-11-01", "--until", "2024-12-31", "--actor", "alice", "--format", "json"
    )
    assert [e["seq"] for e in window.json()] == [3]

    as_csv = cli("audit", "log", "--format", "csv")
    assert as_csv.code == 0, as_csv
    assert as_csv.out.startswith("\ufeff")  # a byte-order mark, for Excel and WPS
    rows = list(csv.DictReader(io.StringIO(as_csv.out.removeprefix("\ufeff"))))
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert {"seq", "case_id", "trigger", "effective_on", "actor", "clause", "payload", "prev_hash", "hash"} <= set(
        rows[0]
    )
    assert rows[1]["reason"] == "plan, 120 pages"
    assert rows[1]["payload"] == '{"name": "北京市空天信息技术创新中心"}'
    assert rows[2]["prev_hash"] == rows[1]["hash"]

    verified = cli("audit", "verify", "--json")
    assert verified.code == 0, verified
    report = verified.json()
    assert {"ok", "entries", "first_bad"} <= set(report)
    assert (report["ok"], report["entries"], report["first_bad"]) == (True, 3, None)

    _tamper(app, "UPDATE audit_log SET effective_on = '2024-11-01' WHERE seq = 3")
    broken = cli("audit", "verify", "--json")
    assert broken.code == 5, broken
    assert (broken.json()["ok"], broken.json()["first_bad"]) == (False, 3)


def _tamper(app, statement: str) -> None:
    """Backdate an entry behind the product's back, past the append-only trigger."""
    with app.engine.begin() as connection:
        if app.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql(statement)
        else:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            connection.exec_driver_sql(statement)
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


def test_the_demo_refuses_a_register_with_real_cases_with_exit_3_and_suggests_a_new_file(ready_cli, app, one_case):
    with app.uow() as uow:
        entries_before = len(list(uow.audit.entries()))
    for args in (("demo",), ("demo", "--cases", "20")):
        refused = ready_cli(*args)
        assert refused.code == 3, refused
        assert "demo did not make" in refused.err and "new file" in refused.err and "Traceback" not in refused.err
        as_json = ready_cli(*args, "--json")
        assert as_json.code == 3 and as_json.json()["reasons"][0]["code"] == "not_demo_database"
    with app.uow() as uow:
        assert uow.cases.count() == 1 and len(list(uow.audit.entries())) == entries_before
