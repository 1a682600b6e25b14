"""The auditor's commands (checkpoint, verify --against, report, recorded-time filters) and text
from users that looks like SQL or like rich markup: stored as given, shown as given."""

from __future__ import annotations

import json

import pytest

INJECTION = "x'); DROP TABLE cases; --"
MARKUP = "[red]x[/red] [link=https://evil.example]click[/link]"


@pytest.fixture
def one_case(ready_cli) -> None:
    opened = ready_cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01")
    assert opened.code == 0, opened


def test_a_checkpoint_kept_outside_is_extended_by_the_growing_log(ready_cli, one_case, tmp_path):
    cli = ready_cli
    taken = cli("audit", "checkpoint", "--json")
    assert taken.code == 0, taken
    assert set(taken.json()) == {"seq", "hash", "entries", "taken_at", "database"}
    kept = tmp_path / "head.json"
    kept.write_text(taken.out)
    assert cli("advance", "1", "withdraw", "--on", "2024-10-02").code == 0

    extended = cli("audit", "verify", "--against", str(kept))
    plain = cli("audit", "checkpoint")

    assert extended.code == 0, extended
    assert f"it extends checkpoint #{taken.json()['seq']}" in extended.out
    assert plain.out.strip() == f"3:{cli('audit', 'verify', '--json').json()['head']['hash']}"
    assert "verify --against" in plain.err


def test_verify_against_a_head_the_log_no_longer_has_exits_5_naming_the_entry(ready_cli, one_case):
    wrong = ready_cli("audit", "verify", "--against", "2:" + "0" * 64, "--json")
    assert wrong.code == 5, wrong
    assert wrong.json()["first_bad"] == 2
    assert "the checkpoint says 0000000000000000" in wrong.json()["problem"]


@pytest.mark.parametrize("given", ["yesterday", "2:abc"])
def test_verify_against_a_malformed_checkpoint_is_a_usage_error(ready_cli, one_case, given):
    bad = ready_cli("audit", "verify", "--against", given)
    assert bad.code == 2, bad
    assert given in bad.err


def test_report_writes_a_document_to_file_and_refuses_unknown_formats(ready_cli, one_case, tmp_path):
    target = tmp_path / "case-1.html"
    written = ready_cli("audit", "report", "--case", "1", "--format", "html", "--output", str(target))
    docx = ready_cli("audit", "report", "--case", "1", "--format", "docx")

    assert written.code == 0, written
    assert "Wrote" in written.err and "verifies" in written.err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "第七条(一)" in page and "京科创发〔2024〕143号" in page
    assert (docx.code, "md, html, pdf, xlsx" in docx.err) == (2, True)


def test_the_log_filters_by_the_time_an_entry_was_recorded(ready_cli, one_case):
    future = ready_cli("audit", "log", "--recorded-since", "2999-01-01", "--json")
    past = ready_cli("audit", "log", "--recorded-until", "2000-01-01T00:00", "--json")
    everything = ready_cli("audit", "log", "--recorded-since", "2000-01-01", "--format", "jsonl")
    bad = ready_cli("audit", "log", "--recorded-since", "last week")

    assert (future.json(), past.json()) == ([], [])
    assert [json.loads(line)["seq"] for line in everything.out.splitlines()] == [1, 2]
    assert bad.code == 2 and "'last week' is not a date or time" in bad.err


def test_sql_in_a_name_and_a_reason_is_stored_and_shown_intact(ready_cli):
    cli = ready_cli
    opened = cli("cases", "add", "bj-tic", "--name", INJECTION, "--on", "2024-10-01", "--reason", INJECTION, "--json")
    assert opened.code == 0, opened

    found = cli("cases", "list", "--search", "DROP TABLE", "--json")
    table = cli("cases", "list")
    log = cli("audit", "log", "--trigger", "create", "--format", "csv")

    assert [c["name"] for c in found.json()] == [INJECTION]
    assert INJECTION in table.out
    assert log.out.count(INJECTION) == 2  # the name in the payload, and the reason
    assert cli("audit", "verify").code == 0


def test_rich_markup_in_user_text_prints_literally_everywhere(ready_cli, db_url):
    cli = ready_cli
    assert (
        cli(
            "cases",
            "add",
            "bj-tic",
            "--name",
            MARKUP,
            "--on",
            "2024-10-01",
            "--set",
            "good_credit=true",
            "--reason",
            MARKUP,
        ).code
        == 0
    )
    withdrawn = cli("advance", "1", "withdraw", "--on", "2024-10-02", "--reason", "[bold]why[/bold]")
    assert withdrawn.code == 0, withdrawn

    outputs = {
        "cases list": cli("cases", "list").out,
        "cases show": cli("cases", "show", "1", "--as-of", "2024-10-03").out,
        "audit log": cli("audit", "log").out,
    }
    for command, out in outputs.items():
        assert "[red]x[/red]" in out, command
        assert "[link=https://evil.example]click[/link]" in out, command
    assert "[bold]why[/bold]" in outputs["audit log"] and "[bold]why[/bold]" in outputs["cases show"]

    refused = cli("advance", "1", "[red]approve[/red]")
    unknown = cli("cases", "list", "--programme", "[blink]bj[/blink]")
    assert refused.code == 3 and "[red]approve[/red]" in refused.err
    assert unknown.code != 0 and "[blink]bj[/blink]" in unknown.err


def test_a_user_name_with_markup_is_refused_by_the_pattern_of_user_names(ready_cli):
    added = ready_cli("users", "add", "[red]mallory[/red]", "--role", "auditor", "--json")
    assert added.code == 3, added
    assert "pattern of user names" in added.json()["reasons"][0]["message"]
    assert "[red]mallory[/red]" not in ready_cli("users", "list").out


def test_a_user_name_stored_before_the_rule_is_listed_literally_and_escaped(ready_cli, app):
    name = "[red]old[/red]\x1b[2Jclear"
    with app.uow(write=True) as uow:  # as a database from before user names had a pattern
        uow.users.add(name, "auditor")
        uow.commit()
    listed = ready_cli("users", "list")
    assert listed.code == 0, listed
    assert "[red]old[/red]\\x1b[2Jclear" in listed.out and "\x1b" not in listed.out
