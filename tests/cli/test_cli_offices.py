"""The offices through the CLI: the tree, users and cases in offices, what each one sees, and
`audit verify` naming a case changed behind lifecycle's back (exit 5)."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url


@pytest.fixture
def tree(ready_cli):
    """ROOT (科学技术部) → BJ → BJ-HD, ROOT → SH; a bj-tic case in each of BJ-HD and SH."""
    cli = ready_cli
    for args in (
        ("ROOT", "--name", "科学技术部"),
        ("BJ", "--name", "北京市科学技术委员会"),
        ("BJ-HD", "--name", "海淀区科学技术委员会", "--parent", "BJ"),
        ("SH", "--name", "上海市科学技术委员会"),
    ):
        assert cli("offices", "add", *args).code == 0
    for office in ("BJ-HD", "SH"):
        opened = cli(
            "cases",
            "add",
            "bj-tic",
            "--name",
            f"北京市{office}技术创新中心",
            "--on",
            "2024-10-01",
            "--office",
            office,
            "--json",
        )
        assert opened.code == 0 and opened.json()["office"] == office, opened
    return cli


def test_offices_list_shows_the_tree_with_its_cases_rolled_up(tree):
    listed = tree("offices", "list", "--json")
    table = tree("offices", "list")

    assert listed.code == 0, listed
    rows = {row["code"]: row for row in listed.json()}
    assert [row["code"] for row in listed.json()] == ["ROOT", "BJ", "BJ-HD", "SH"]
    assert (rows["BJ"]["parent"], rows["BJ"]["cases"], rows["BJ"]["cases_with_sub_offices"]) == ("ROOT", 0, 1)
    assert rows["ROOT"]["cases_with_sub_offices"] == 2
    assert rows["ROOT"]["name"] == "科学技术部"
    assert "海淀区科学技术委员会" in table.out and "BJ-HD" in table.out


def test_a_provincial_admin_lists_only_their_province_and_is_refused_another_with_exit_3(tree):
    assert tree("users", "add", "wang", "--role", "admin", "--office", "BJ").code == 0

    listed = tree("cases", "list", "--json", user="wang")
    other = tree("advance", "2", "withdraw", "--on", "2024-10-02", user="wang")
    shown = tree("cases", "show", "2", user="wang")
    elsewhere = tree("cases", "add", "bj-tic", "--name", "北京市越权技术创新中心", "--office", "SH", user="wang")
    own = tree("advance", "1", "withdraw", "--on", "2024-10-02", user="wang")
    everything = tree("cases", "list", "--json")

    assert [(c["id"], c["office"]) for c in listed.json()] == [(1, "BJ-HD")]
    assert other.code == 3 and "case 2 belongs to office SH" in other.err, other
    assert shown.code == 3, shown
    assert elsewhere.code == 3 and "not for SH" in elsewhere.err, elsewhere
    assert own.code == 0, own
    assert [c["state"] for c in everything.json()] == ["withdrawn", "draft"]


def test_users_and_offices_refuse_an_unknown_office_with_exit_3_and_add_nothing(tree):
    unknown = tree("users", "add", "li", "--role", "admin", "--office", "XX")
    orphan = tree("offices", "add", "GZ", "--name", "广州", "--parent", "XX")
    users = tree("users", "list", "--json")

    assert unknown.code == 3 and "office 'XX' does not exist" in unknown.err, unknown
    assert orphan.code == 3 and "parent office 'XX' does not exist" in orphan.err, orphan
    assert [u["name"] for u in users.json()] == ["alice"]


def test_a_bare_update_with_the_sqlite3_shell_makes_audit_verify_exit_5_naming_the_case(tree, app):
    if app.engine.dialect.name != "sqlite":
        pytest.skip("the sqlite3 shell opens a SQLite file; PostgreSQL refuses the UPDATE (test_office_security)")
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("the sqlite3 shell is not installed")
    assert tree("audit", "verify").code == 0
    done = subprocess.run(
        [shell, app.engine.url.database, "UPDATE cases SET state = 'revoked' WHERE id = 2;"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    verified = tree("audit", "verify")
    as_json = tree("audit", "verify", "--json")

    assert verified.code == 5, verified
    assert "case 2 is stored in revoked, but its entries lead to draft" in verified.out
    assert as_json.code == 5
    assert [c["case_id"] for c in as_json.json()["cases"]] == [2]


def test_over_a_provincial_login_the_cli_shows_and_acts_on_its_province_only(tree, app, db_url):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("database logins are a PostgreSQL feature")
    name = f"lc_cli_bj_{uuid.uuid4().hex[:8]}"
    assert tree("users", "add", name, "--role", "admin", "--office", "BJ").code == 0
    url = make_url(db_url).set(username=name).render_as_string(hide_password=False)
    try:
        listed = tree("cases", "list", "--json", db=url, user=name)
        other = tree("advance", "2", "withdraw", "--on", "2024-10-02", db=url, user=name)
        log = tree("audit", "log", "--json", db=url, user=name)
        verified = tree("audit", "verify", "--json", db=url, user=name)

        assert [c["id"] for c in listed.json()] == [1]
        assert other.code == 3 and "case 2 belongs to office SH" in other.err, other
        assert {e["case_id"] for e in log.json()} <= {1, None}
        assert verified.code == 0 and verified.json()["entries_not_readable"] > 0, verified
    finally:
        from psycopg import sql

        with app.engine.begin() as connection:
            connection.connection.dbapi_connection.cursor().execute(
                sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name))
            )
            assert connection.execute(text("SELECT state FROM cases WHERE id = 2")).scalar() == "draft"
