"""The terminal UI in Chinese: LIFECYCLE_LANG=zh gives Chinese titles, headers, keys, forms,
confirmations and refusals, and names states, triggers and fields by their Chinese labels from
the definition; without it the UI stays in English."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import TODAY, case_id, focus, screen_text, settle

from jobs.compliance_run import run_compliance
from lifecycle.tui.confirm import ConfirmGraveScreen
from lifecycle.tui.decide import DecideScreen

SEMICONDUCTORS = "国家第三代半导体技术创新中心"  # national-tic, 绩效评估
CHENGYU = "成渝国家技术创新中心"  # the run proposes its revocation


def test_the_dashboard_and_the_case_list_speak_chinese_with_lifecycle_lang_zh(portfolio, drive, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")

    async def scenario(tui, pilot):
        text = screen_text(tui)
        assert "总览 · 截至 2026-11-23 · alice (管理员)" in text
        assert "逾期" in text and "刷新" in text and "事项" in text  # a header, a key, a binding
        await pilot.press("c")
        await settle(tui, pilot)
        text = screen_text(tui)
        assert "事项 · 全部事项 · 按下次到期排序" in text
        assert "名称" in text and "name 名称" not in text
        assert "绩效评估" in text and "绩效评估 performance evaluation" not in text  # the state by its zh label

    drive(portfolio, scenario)


def test_the_case_screen_names_states_triggers_and_fields_by_their_chinese_labels(portfolio, drive, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        text = screen_text(tui)
        assert f"事项 {case} · {SEMICONDUCTORS}" in text
        assert "当前可执行的操作 —— 按 enter 执行" in text
        assert "终结事项,需再次确认" in text  # revoke, marked in Chinese
        fields = str(tui.screen.query_one("#fields").render())
        assert "kind:" not in fields  # a field by its Chinese label, not its code

    drive(portfolio, scenario)


def test_deciding_in_chinese_asks_and_refuses_in_chinese(portfolio, drive, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    run_compliance(portfolio, "alice", TODAY)

    async def scenario(tui, pilot):
        await pilot.press("k")
        await settle(tui, pilot)
        table = tui.screen.query_one("#decisions")
        await focus(tui, pilot, table)
        for row in range(table.row_count):
            if str(table.get_row_at(row)[2]) == CHENGYU:
                table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(tui, pilot)
        text = screen_text(tui)
        assert "打开事项" in text and "作出决定,需再次确认" in text
        await pilot.press("down", "down", "enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, DecideScreen)
        await focus(tui, pilot, tui.screen.query_one("#decide"))
        await pilot.press("enter")
        await settle(tui, pilot)
        assert "决定文号:请填写主管部门决定的文号。" in str(tui.screen.query_one("#outcome").render())
        tui.screen.query_one("#decision-no", Input).value = "国科发区〔2026〕12号"
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ConfirmGraveScreen)
        assert "于 2026-11-23 变为“不再列入创新中心序列”,依据决定 国科发区〔2026〕12号" in screen_text(tui)
        await pilot.press("escape")
        await settle(tui, pilot)

    drive(portfolio, scenario)


def test_without_lifecycle_lang_the_ui_stays_in_english(portfolio, drive, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_LANG", "en")

    async def scenario(tui, pilot):
        text = screen_text(tui)
        assert "Dashboard · as of 2026-11-23 · alice (admin)" in text
        assert "总览" not in text and "Reload" in text

    drive(portfolio, scenario)
