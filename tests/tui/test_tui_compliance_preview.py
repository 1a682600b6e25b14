"""The compliance preview: what a compliance run would do, case by case, before anyone runs it."""

from __future__ import annotations

from sqlalchemy import func, select
from textual.widgets import DataTable, Input, Static
from tui_helpers import TODAY, case_id, focus, screen_text, settle

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


def rows(tui) -> list[list[str]]:
    table = tui.screen.query_one("#actions", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_the_preview_lists_what_a_run_would_do_today_and_writes_nothing(portfolio, drive):
    before = entries(portfolio)
    semiconductors = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CompliancePreviewScreen)
        shown = rows(tui)
        assert [row[2:6] for row in shown if row[0] == str(semiconductors)] == [
            ["national-tic", "evaluation_refused", "revoke", "final_assessment → revoked"]]
        assert len(shown) == 6
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "As of 2026-11-23: a compliance run would take 6 action(s) on 5 case(s)" in summary
        assert "Nothing was written." in summary
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
        assert [row[4] for row in rows(tui)] == ["start_assessment"]  # 国家高速列车, due 2024-07-22
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
        first = rows(tui)[0][0]
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen) and str(tui.screen.case_id) == first

    drive(portfolio, scenario)


def test_an_auditor_is_told_the_preview_needs_an_admin(portfolio, drive):
    add_user(portfolio, "alice", "audrey", "auditor")

    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "Refused: running the compliance run (lifecycle comply)" in summary
        assert "audrey is an auditor: an auditor may only read" in summary

    drive(portfolio, scenario, user="audrey")


def test_the_dashboard_shows_the_last_compliance_run_and_what_it_did(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)

    async def scenario(tui, pilot):
        text = str(tui.screen.query_one("#compliance", Static).render())
        assert "Last compliance run #1: completed, as of 2026-11-23" in text
        assert "by alice (cli): 6 action(s) on 5 case(s), 0 refused" in text
        assert "national-tic/evaluation_refused 2" in text

    drive(portfolio, scenario)
