"""`lifecycle tui` refuses clearly before it takes over the terminal."""

from __future__ import annotations


def test_tui_on_a_database_without_schema_says_to_run_init(cli):
    run = cli("tui")
    assert run.code == 1, run
    assert "has no lifecycle schema yet: run `lifecycle init` first" in run.err


def test_tui_with_a_malformed_as_of_date_is_a_usage_error(ready_cli):
    run = ready_cli("tui", "--as-of", "2026-2-30")
    assert run.code == 2, run
    assert "--as-of: '2026-2-30' is not a date; write it as YYYY-MM-DD" in run.err


def test_tui_is_listed_in_the_help(cli):
    run = cli("--help", db=None)
    assert run.code == 0 and "tui" in run.out
