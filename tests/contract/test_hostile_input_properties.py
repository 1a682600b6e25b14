"""A property of every writing command: whatever hostile text it is given (control and format
characters, NUL, bidi overrides, huge and malformed numbers and dates, markup, SQL, Chinese
forms), it ends with an exit code of the contract and no traceback, a refusal writes nothing,
and the audit chain still verifies. Run in-process (the CLI's own entry point) so that many
inputs fit in a few seconds; the example count stays modest for CI."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lifecycle.cli import main as cli_main
from lifecycle.services.audit import verify_log

CONTRACT = {0, 1, 2, 3, 4, 5}
HOSTILE = [
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\r\n",
    "\u202e",
    "\u200b",
    "\ufeff",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "2024/10/1",
    "2024年10月1日",
    "99999999999999999999999",
    "9223372036854775808",
    "-1",
    "1e309",
    "1e-400",
    "1,2,3",
    "1__0",
    "500%",
    "１１％",
    "2亿",
    "是",
    "nan",
    "inf",
    "[red]x[/red]",
    "x'); DROP TABLE cases; --",
    "x" * 5000,
    "北京市集成电路技术创新中心",
    "=cmd|' /C calc'!A0",
    "{}",
    "[]",
    "null",
    "true",
]
pieces = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Lo", "Nd", "Po", "Zs")), max_size=8),
)
hostile = st.lists(pieces, min_size=1, max_size=3).map("".join)
FIELDS = ["avg_revenue_3y", "rd_ratio_3y", "domestic_rd_share", "good_credit", "registered_in_beijing", "unknown_field"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["lifecycle", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli_main.run()
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            else:
                code = 0
    finally:
        sys.argv = argv
        cli_main.common.STATE.clear()
    return code, out.getvalue(), err.getvalue()


def written(app) -> tuple[int, int, int]:
    with app.uow() as uow:
        return uow.cases.count(), uow.audit.head()[0], uow.users.count()


@st.composite
def commands(draw, import_file: Path) -> tuple[str, ...]:
    text = draw(hostile)
    number = draw(st.one_of(hostile, st.integers(-(10**25), 10**25).map(str)))
    kind = draw(st.sampled_from(["users add", "cases add", "advance", "import", "migrate", "comply"]))
    on = draw(st.one_of(st.just("2024-10-08"), hostile))
    if kind == "users add":
        return ("users", "add", text, "--role", draw(st.sampled_from(["admin", "auditor", text])))
    if kind == "cases add":
        return (
            "cases",
            "add",
            draw(st.sampled_from(["bj-tic", text])),
            "--name",
            text,
            "--on",
            on,
            "--set",
            f"{draw(st.sampled_from(FIELDS))}={number}",
            "--reason",
            draw(hostile),
        )
    if kind == "advance":
        return (
            "advance",
            draw(st.sampled_from(["1", number])),
            draw(st.sampled_from(["submit", "withdraw", text])),
            "--on",
            on,
            "--set",
            f"{draw(st.sampled_from(FIELDS))}={number}",
            "--reason",
            draw(hostile),
        )
    if kind == "import":
        import_file.write_text(
            "programme,name,state,approved_on,rd_ratio_3y,province\n"
            f'bj-tic,"{text.replace(chr(34), "")}",approved,{on},{number},{draw(hostile)}\n',
            encoding="utf-8",
            errors="surrogatepass",
        )
        return ("cases", "import", str(import_file))
    if kind == "migrate":
        return ("programmes", "migrate", draw(st.sampled_from(["bj-tic", text])), "--on", on, "--dry-run")
    return ("comply", "--as-of", on, "--dry-run")


@pytest.fixture
def opened(app, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_DB", app.url)
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    monkeypatch.setenv("LIFECYCLE_SQLITE_BUSY_TIMEOUT", "5")
    code, out, err = run("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01")
    assert code == 0, (out, err)
    yield app
    if app.engine.dialect.name == "postgresql":  # users add made cluster-wide login roles
        from psycopg import sql

        with app.uow() as uow:
            added = [u["name"] for u in uow.users.all() if u["name"] != "alice"]
        with app.engine.begin() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            for name in added:
                cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_writing_command_keeps_the_contract_whatever_it_is_given(opened, tmp_path, data):
    args = data.draw(commands(tmp_path / "hostile.csv"))
    before = written(opened)
    code, out, err = run(*args, "--json")
    assert code in CONTRACT, (args, code, out, err)
    event(f"{args[0]} {args[1]}: exit {code}")
    assert "Traceback" not in out + err, (args, out, err)
    if code != 0:
        assert written(opened) == before, (args, code, err)
    for shown in (out, err):
        assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown, (args, shown)
    if out.strip():
        import json

        json.loads(out)  # --json: JSON only on stdout, whatever happened
    assert verify_log(opened).ok
