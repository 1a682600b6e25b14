"""The administrators' terminal UI, driven headlessly on a database with real cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from textual.widgets import Button, DataTable, Input, OptionList, Select, Static
from tui_helpers import MARKUP_NAME, TODAY, case_id, focus, screen_text, settle

from lifecycle.persistence.tables import audit_log
from lifecycle.services.cases import advance, show_case
from lifecycle.services.users import add_user
from lifecycle.tui.action_form import ActionFormScreen
from lifecycle.tui.case_detail import CaseDetailScreen
from lifecycle.tui.case_list import CaseListScreen

SEMICONDUCTORS = "国家第三代半导体技术创新中心"  # national-tic, in performance evaluation since 2025-01-20


def entries(app: Any) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar())


def rows(tui: Any, table_id: str = "#cases") -> list[list[str]]:
    table = tui.screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_action(tui: Any, pilot: Any, case: int, trigger: str) -> None:
    tui.open_case(case)
    await settle(tui, pilot)
    actions = tui.screen.query_one("#actions", OptionList)
    await focus(tui, pilot, actions)
    actions.highlighted = actions.get_option_index(trigger)
    await pilot.press("enter")
    await settle(tui, pilot)
    assert isinstance(tui.screen, ActionFormScreen)


async def review_and_confirm(tui: Any, pilot: Any) -> None:
    tui.screen.query_one("#review", Button).press()
    await settle(tui, pilot)
    if not tui.screen.query_one("#confirm", Button).disabled:
        tui.screen.query_one("#confirm", Button).press()
        await settle(tui, pilot)


def test_the_dashboard_counts_cases_by_state_and_what_is_overdue(portfolio, drive):
    async def scenario(tui, pilot):
        text = screen_text(tui)
        assert "as of 2026-11-23" in text
        due = {row[0]: row for row in rows(tui, "#due")}
        assert due["national-tic"][1] == "3"  # evaluation, rectification, cycle evaluation past due
        assert due["bj-tic"][1] == "2"  # two 2025 annual reports overdue since 1 April, not yet reminded
        states = {row[0] + " " + row[1]: row[2] for row in rows(tui, "#states")}
        assert states["national-tic 绩效评估 performance evaluation"] == "1"

    drive(portfolio, scenario)


def test_an_overdue_number_opens_exactly_the_overdue_cases(portfolio, drive):
    async def scenario(tui, pilot):
        table = tui.screen.query_one("#due", DataTable)
        await focus(tui, pilot, table)
        table.move_cursor(row=table.get_row_index("national-tic"), column=1)
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseListScreen)
        names = [row[1] for row in rows(tui)]
        assert names == ["国家高速列车技术创新中心", SEMICONDUCTORS, "成渝国家技术创新中心"]
        assert "overdue" in screen_text(tui)

    drive(portfolio, scenario)


def test_a_state_row_opens_the_cases_in_that_state(portfolio, drive):
    async def scenario(tui, pilot):
        table = tui.screen.query_one("#states", DataTable)
        await focus(tui, pilot, table)
        table.move_cursor(row=table.get_row_index("bj-tic\tapproved"))
        await pilot.press("enter")
        await settle(tui, pilot)
        assert {row[2] for row in rows(tui)} == {"组建授牌 approved"}
        assert len(rows(tui)) == 3

    drive(portfolio, scenario)


def test_typing_in_the_filters_narrows_the_case_list(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("c")
        await settle(tui, pilot)
        assert "1–19 of 19" in screen_text(tui)
        await pilot.press("slash", *"汽车")
        await settle(tui, pilot)
        assert sorted(row[1] for row in rows(tui)) == ["北京市智能网联汽车技术创新中心", "国家新能源汽车技术创新中心"]
        tui.screen.query_one("#programme", Select).value = "national-tic"
        await settle(tui, pilot)
        assert [row[1] for row in rows(tui)] == ["国家新能源汽车技术创新中心"]
        tui.screen.query_one("#text", Input).value = ""
        tui.screen.query_one("#province", Input).value = "江苏"
        await settle(tui, pilot)
        assert sorted(row[1] for row in rows(tui)) == [SEMICONDUCTORS, "长三角国家技术创新中心"]
        tui.screen.query_one("#sort", Select).value = "name"
        await settle(tui, pilot)
        assert [row[1] for row in rows(tui)] == sorted([SEMICONDUCTORS, "长三角国家技术创新中心"])

    drive(portfolio, scenario)


def test_enter_on_a_case_opens_its_fields_timeline_and_blocked_actions_with_reasons(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("c", "slash", *"半导体", "enter", "enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        text = screen_text(tui)
        assert SEMICONDUCTORS in text and "绩效评估 performance evaluation" in text
        timeline = rows(tui, "#timeline")
        assert [row[1] for row in timeline][:2] == ["start_assessment", "approve"]
        assert timeline[0][2] == "approved → final_assessment"
        blocked = str(tui.screen.query_one("#blocked", Static).render())
        assert ("approve needs the case in under_review; it is in 绩效评估 final_assessment "
                "(第六条, 第十六条)") in blocked
        actions = tui.screen.query_one("#actions", OptionList)
        allowed = [actions.get_option_at_index(i).id for i in range(actions.option_count)]
        assert "assess" in allowed and "approve" not in allowed

    drive(portfolio, scenario)


def test_acting_moves_the_case_and_writes_one_audit_entry(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await open_action(tui, pilot, case, "assess")
        form = tui.screen
        assert [w.id for w in form.query("#params Select, #params Input")] == ["param-grade"]
        assert form.query_one("#on", Input).value == "2026-11-23"
        form.query_one("#param-grade", Select).value = "good"
        form.query_one("#reason", Input).value = "expert panel report of 2026-11-20"
        form.query_one("#review", Button).press()
        await settle(tui, pilot)
        outcome = str(form.query_one("#outcome", Static).render())
        assert "绩效评估 final_assessment → 进入下一轮建设运行周期 renewed" in outcome
        assert "第三十条" in outcome
        await pilot.press("enter")  # the focused Confirm
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert "进入下一轮建设运行周期 renewed" in screen_text(tui)
        assert rows(tui, "#timeline")[0][1:3] == ["assess", "final_assessment → renewed"]

    drive(portfolio, scenario)
    view = show_case(portfolio, case, TODAY)
    assert view["state"] == "renewed"
    assert entries(portfolio) == before + 1
    last = view["history"][-1]
    assert (last["actor"], last["reason"], last["payload"]["grade"]) == (
        "alice", "expert panel report of 2026-11-20", "good")


def test_a_refusal_is_shown_in_the_form_with_every_reason_and_writes_nothing(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await open_action(tui, pilot, case, "assess")
        tui.screen.query_one("#on", Input).value = "2020-01-01"
        await review_and_confirm(tui, pilot)
        outcome = str(tui.screen.query_one("#outcome", Static).render())
        assert "Refused: assess on case" in outcome
        assert "national-tic is in force from 2021-02-10; assess cannot be dated 2020-01-01 (第三十四条)" in outcome
        assert "the case entered final_assessment on 2025-01-20; it cannot leave it on an earlier date" in outcome
        assert "needs --set grade" in outcome  # no grade chosen: a reason too
        assert tui.screen.query_one("#confirm", Button).disabled

    drive(portfolio, scenario)
    assert entries(portfolio) == before
    assert show_case(portfolio, case, TODAY)["state"] == "final_assessment"


def test_a_change_by_someone_else_before_confirming_is_a_conflict_with_a_reload(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)
    add_user(portfolio, "alice", "bob", "admin")

    async def scenario(tui, pilot):
        await open_action(tui, pilot, case, "assess")
        tui.screen.query_one("#param-grade", Select).value = "excellent"
        tui.screen.query_one("#review", Button).press()
        await settle(tui, pilot)
        advance(portfolio, "bob", case, "file_report", TODAY, {"year": "2025"})  # bob, meanwhile
        written = entries(portfolio)
        tui.screen.query_one("#confirm", Button).press()
        await settle(tui, pilot)
        outcome = str(tui.screen.query_one("#outcome", Static).render())
        assert "Conflict" in outcome and "by bob" in outcome and "file_report" in outcome
        assert entries(portfolio) == written
        reload = tui.screen.query_one("#reload", Button)
        assert reload.display
        reload.press()
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert rows(tui, "#timeline")[0][1] == "file_report"

    drive(portfolio, scenario)
    assert show_case(portfolio, case, TODAY)["state"] == "final_assessment"


def test_an_auditor_sees_everything_and_can_act_on_nothing(portfolio, drive):
    add_user(portfolio, "alice", "audrey", "auditor")
    case = case_id(portfolio, SEMICONDUCTORS)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        assert "audrey is an auditor: an auditor may only read" in screen_text(tui)
        tui.open_case(case)
        await settle(tui, pilot)
        assert "acting needs an admin" in str(tui.screen.query_one("#role-note", Static).render())
        actions = tui.screen.query_one("#actions", OptionList)
        assert actions.option_count > 0
        assert all(actions.get_option_at_index(i).disabled for i in range(actions.option_count))
        await focus(tui, pilot, actions)
        await pilot.press("down", "enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)  # no form opened
        assert rows(tui, "#timeline")  # the history is open to the auditor

    drive(portfolio, scenario, user="audrey")
    assert entries(portfolio) == before


def test_names_with_markup_are_shown_as_typed(portfolio, drive):
    case = case_id(portfolio, MARKUP_NAME)

    async def scenario(tui, pilot):
        await pilot.press("c", "slash", *"[red]")
        await settle(tui, pilot)
        assert MARKUP_NAME in screen_text(tui)
        assert rows(tui)[0][5] == "[bold]某省[/bold]"
        tui.open_case(case)
        await settle(tui, pilot)
        assert f"Case {case} · {MARKUP_NAME}" in screen_text(tui)
        assert "sponsor: [bold]某省[/bold]" in screen_text(tui)

    drive(portfolio, scenario)


def test_the_audit_viewer_filters_verifies_the_chain_and_exports_the_view(portfolio, drive, tmp_path):
    case = case_id(portfolio, SEMICONDUCTORS)
    target = tmp_path / "case.csv"

    async def scenario(tui, pilot):
        await pilot.press("a")
        await settle(tui, pilot)
        assert "Chain verifies:" in screen_text(tui)
        tui.screen.query_one("#case", Input).value = str(case)
        await settle(tui, pilot)
        shown = rows(tui, "#entries")
        assert {row[1] for row in shown} == {str(case)}
        assert [row[4] for row in shown] == ["start_assessment", "approve", "start_review", "recommend", "create"]
        tui.screen.query_one("#since", Input).value = "2022-01-01"
        await settle(tui, pilot)
        assert [row[4] for row in rows(tui, "#entries")] == ["start_assessment", "approve"]
        await pilot.press("x")
        await settle(tui, pilot)
        tui.screen.query_one("#path", Input).value = str(target)
        tui.screen.query_one("#export", Button).press()
        await settle(tui, pilot)
        assert "Wrote 2 entries" in screen_text(tui)

    drive(portfolio, scenario)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("seq,case_id,programme,trigger")
    assert [line.split(",")[3] for line in lines[1:]] == ["approve", "start_assessment"]


def test_a_bad_date_in_the_audit_filters_is_named(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("a")
        await settle(tui, pilot)
        tui.screen.query_one("#until", Input).value = "2024-13-01"
        await settle(tui, pilot)
        assert "until: '2024-13-01' is not a date; write it as YYYY-MM-DD" in screen_text(tui)

    drive(portfolio, scenario)


def test_the_small_terminal_still_shows_the_dashboard_and_keys(portfolio, drive):
    async def scenario(tui, pilot):
        text = screen_text(tui)
        assert "Dashboard" in text and "national-tic" in text
        assert "Quit" in text.splitlines()[-1] or "palette" in text.splitlines()[-1]
        await pilot.press("t")
        assert tui.theme == "textual-light"
        await pilot.press("t")
        assert tui.theme == "textual-dark"

    drive(portfolio, scenario, size=(80, 24))


def test_the_command_palette_finds_a_case_by_name_and_opens_it(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"半导体")
        for _ in range(100):  # the palette searches in the background as you type
            await pilot.pause(0.05)
            if "国家第三代半导体技术创新中心" in screen_text(tui):
                break
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert tui.screen.case_id == case_id(portfolio, SEMICONDUCTORS)

    drive(portfolio, scenario)


def test_a_due_soon_number_opens_the_cases_due_in_that_window(portfolio, drive):
    from lifecycle.services.cases import add_case

    soon = add_case(portfolio, "alice", "national-tic", "黄河国家技术创新中心", date(2023, 1, 2),
                    {"kind": "comprehensive"}).case
    assert soon.id is not None
    advance(portfolio, "alice", soon.id, "start_review", date(2023, 2, 1), {"independent_legal_entity": "true"})
    advance(portfolio, "alice", soon.id, "approve", date(2023, 12, 10))  # evaluation due 2026-12-10

    async def scenario(tui, pilot):
        table = tui.screen.query_one("#due", DataTable)
        assert [str(c) for c in table.get_row("national-tic")][2:4] == ["1", "1"]
        await focus(tui, pilot, table)
        table.move_cursor(row=table.get_row_index("national-tic"), column=2)
        await pilot.press("enter")
        await settle(tui, pilot)
        assert [row[1] for row in rows(tui)] == ["黄河国家技术创新中心"]
        assert rows(tui)[0][3].startswith("2026-12-10")

    drive(portfolio, scenario)


def test_h_on_a_case_shows_its_audit_entries_and_esc_comes_back(portfolio, drive):
    from lifecycle.tui.audit_viewer import AuditScreen

    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        await pilot.press("h")
        await settle(tui, pilot)
        assert isinstance(tui.screen, AuditScreen)
        assert {row[1] for row in rows(tui, "#entries")} == {str(case)}
        await pilot.press("escape")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen) and tui.screen.case_id == case

    drive(portfolio, scenario)


def test_the_mouse_works_too_clicking_a_case_opens_it(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("c")
        await settle(tui, pilot)
        await pilot.click("#cases", offset=(8, 0))  # the header of the name column sorts by name
        await settle(tui, pilot)
        first = rows(tui)[0]
        assert first[1] == min(row[1] for row in rows(tui))
        await pilot.click("#cases", offset=(8, 1))  # a click highlights the first row
        await pilot.click("#cases", offset=(8, 1))  # a click on the highlighted row opens it
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert str(tui.screen.case_id) == first[0]

    drive(portfolio, scenario)


def test_a_user_the_database_does_not_know_reads_and_is_told_how_to_be_added(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        note = str(tui.screen.query_one("#role-note", Static).render())
        assert "user 'nobody' is not known to this database" in note
        assert "lifecycle users add nobody --role admin" in note
        tui.open_case(case)
        await settle(tui, pilot)
        actions = tui.screen.query_one("#actions", OptionList)
        assert all(actions.get_option_at_index(i).disabled for i in range(actions.option_count))

    drive(portfolio, scenario, user="nobody")


def test_the_case_shows_its_obligations_as_the_compliance_run_sees_them(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)  # designated 2022-01-20, no annual report filed

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        text = str(tui.screen.query_one("#obligations", Static).render())
        assert "annual report 2022: overdue (due 2023-03-31; 第二十五条" in text
        assert "annual report 2026: open (due 2027-03-31" in text

    drive(portfolio, scenario)


def test_coming_back_to_the_dashboard_shows_the_numbers_as_they_are_now(portfolio, drive):
    from jobs.compliance_run import run_compliance

    async def scenario(tui, pilot):
        due = {row[0]: row for row in rows(tui, "#due")}
        assert due["bj-tic"][1] == "2"  # two 2025 annual reports overdue, not yet reminded
        await pilot.press("c")
        await settle(tui, pilot)
        # Meanwhile the daily run sends the two reminders (another terminal, the scheduler).
        run_compliance(portfolio, "alice", TODAY)
        await pilot.press("d")
        await settle(tui, pilot)
        due = {row[0]: row for row in rows(tui, "#due")}
        assert due["bj-tic"][1] == "0"  # reminded: nothing more is due before the 2026 report

    drive(portfolio, scenario)
