"""The compliance preview: what a compliance run would do, case by case, before anyone runs it."""

from __future__ import annotations

from sqlalchemy import func, select
from textual.widgets import DataTable, Input, Static
from tui_helpers import TODAY, case_id, cells, focus, screen_text, settle

from jobs.compliance_run import run_compliance
from lifecycle.persistence.tables import audit_log
from lifecycle.services.cases import show_case
from lifecycle.services.users import add_user
from lifecycle.tui.case_detail import CaseDetailScreen
from lifecycle.tui.compliance_preview import CompliancePreviewScreen

SEMICONDUCTORS = "国家第三代半导体技术创新中心"


def entries(app) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar())


def rows(tui) -> list[dict[str, str]]:
    return cells(tui, "#actions")


def test_the_preview_lists_what_a_run_would_do_today_and_writes_nothing(portfolio, drive):
    before = entries(portfolio)
    semiconductors = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CompliancePreviewScreen)
        shown = rows(tui)
        # The columns that fit; the rule and the clause are in the highlighted row's detail (below).
        assert [(row["trigger"], row["move"]) for row in shown if row["case"] == str(semiconductors)] == [
            ("proposes assess", "评估结果未录入 evaluation result not recorded")
        ]
        assert len(shown) == 6
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "As of 2026-11-23: a compliance run would take 3 action(s) on 5 case(s)" in summary
        assert "raise 3 decision(s) due for an administrator (never applied)" in summary
        assert "Nothing was written." in summary
        table = tui.screen.query_one("#actions", DataTable)
        table.move_cursor(row=[row["case"] for row in shown].index(str(semiconductors)))
        await settle(tui, pilot)
        detail = str(tui.screen.query_one("#action-detail", Static).render())
        assert SEMICONDUCTORS in detail and "rule evaluation_result_missing" in detail
        assert "proposes assess" in detail and "clause 第二十七条" in detail
        assert SEMICONDUCTORS in screen_text(tui)

    drive(portfolio, scenario)
    assert entries(portfolio) == before
    assert show_case(portfolio, semiconductors, TODAY)["state"] == "final_assessment"


def test_the_preview_on_an_earlier_date_shows_what_was_due_then(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        tui.screen.query_one("#on", Input).value = "2024-12-31"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        assert [row["trigger"] for row in rows(tui)] == ["start_assessment"]  # 国家高速列车, due 2024-07-22
        tui.screen.query_one("#on", Input).value = "2024-13-01"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        assert "as of: '2024-13-01' is not a date" in str(tui.screen.query_one("#summary", Static).render())

    drive(portfolio, scenario)


def test_enter_on_a_previewed_action_opens_its_case(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        table = tui.screen.query_one("#actions", DataTable)
        await focus(tui, pilot, table)
        first = rows(tui)[0]["case"]
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen) and str(tui.screen.case_id) == first

    drive(portfolio, scenario)


def test_an_auditor_may_open_the_preview_which_writes_nothing(portfolio, drive):
    add_user(portfolio, "alice", "audrey", "auditor")
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "As of 2026-11-23: a compliance run would take 3 action(s)" in summary
        assert "Nothing was written." in summary

    drive(portfolio, scenario, user="audrey")
    assert entries(portfolio) == before


def test_a_user_the_database_does_not_know_may_not_preview(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "Refused: previewing the compliance run" in summary
        assert "user 'nobody' is not known to this database" in summary

    drive(portfolio, scenario, user="nobody")


def test_the_decisions_due_screen_lists_what_a_run_proposed_and_the_dashboard_counts_them(portfolio, drive):
    from lifecycle.tui.decisions_due import DecisionsDueScreen

    run_compliance(portfolio, "alice", TODAY)

    async def scenario(tui, pilot):
        text = str(tui.screen.query_one("#compliance", Static).render())
        assert "Decisions due: 3 open (national-tic 3)" in text
        await pilot.press("k")
        await settle(tui, pilot)
        assert isinstance(tui.screen, DecisionsDueScreen)
        listed = tui.screen.query_one("#decisions", DataTable)
        assert listed.row_count == 3
        clauses = [str(listed.get_row_at(i)[6]) for i in range(listed.row_count)]
        assert all(clause.endswith("[default]") for clause in clauses)

    drive(portfolio, scenario)


def test_the_dashboard_shows_the_last_compliance_run_and_what_it_did(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)

    async def scenario(tui, pilot):
        text = str(tui.screen.query_one("#compliance", Static).render())
        assert "Last compliance run #1: completed, as of 2026-11-23" in text
        assert "by alice (cli): 3 action(s) on 5 case(s), 0 refused" in text
        assert "national-tic/cycle_evaluation 1" in text

    drive(portfolio, scenario)
