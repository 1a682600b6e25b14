"""A terminal UI a clerk cannot misuse: grave actions last, marked and confirmed by name; forms
in their own words; every column readable or in the detail pane; help for the screen at hand;
long work with progress that can be cancelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Button, DataTable, Input, OptionList, Select, Static
from tui_helpers import TODAY, case_id, cells, focus, screen_text, settle

from lifecycle.persistence.tables import audit_log
from lifecycle.services.cases import show_case
from lifecycle.services.users import add_user
from lifecycle.tui.action_form import ActionFormScreen
from lifecycle.tui.audit_viewer import AuditScreen, ExportScreen
from lifecycle.tui.case_detail import CaseDetailScreen
from lifecycle.tui.compliance_preview import CompliancePreviewScreen
from lifecycle.tui.confirm import ConfirmGraveScreen
from lifecycle.tui.help import HelpScreen

SEMICONDUCTORS = "国家第三代半导体技术创新中心"  # national-tic, in performance evaluation since 2025-01-20
INTEGRATED_CIRCUITS = "北京市集成电路技术创新中心"  # bj-tic approved: revoke, withdraw, file_report
SOFTWARE = "北京市工业软件技术创新中心"  # bj-tic draft: only withdraw


def entries(app: Any) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar())


def offered(tui: Any) -> list[str]:
    actions = tui.screen.query_one("#actions", OptionList)
    return [str(actions.get_option_at_index(i).id) for i in range(actions.option_count)]


def highlighted(tui: Any) -> str | None:
    actions = tui.screen.query_one("#actions", OptionList)
    if actions.highlighted is None:
        return None
    return str(actions.get_option_at_index(actions.highlighted).id)


def outcome(tui: Any) -> str:
    return str(tui.screen.query_one("#outcome", Static).render())


async def open_case(tui: Any, pilot: Any, case: int) -> None:
    tui.open_case(case)
    await settle(tui, pilot)
    await focus(tui, pilot, tui.screen.query_one("#actions", OptionList))


async def choose(tui: Any, pilot: Any, trigger: str) -> None:
    """Move the cursor to `trigger` with the arrow keys, as a clerk does, and open its form."""
    for _ in range(10):
        if highlighted(tui) == trigger:
            break
        await pilot.press("down")
    assert highlighted(tui) == trigger
    await pilot.press("enter")
    await settle(tui, pilot)
    assert isinstance(tui.screen, ActionFormScreen)


# -- 1. grave actions ----------------------------------------------------------------------


def test_revoke_and_withdraw_come_last_marked_and_enter_on_opening_never_revokes(portfolio, drive):
    case = case_id(portfolio, INTEGRATED_CIRCUITS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        assert offered(tui) == ["file_report", "revoke", "withdraw"]  # the rules list revoke first
        assert highlighted(tui) == "file_report"
        text = screen_text(tui)
        assert "⚠ revoke" in text and "ends the case, asks to confirm" in text
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ActionFormScreen) and tui.screen.trigger == "file_report"

    drive(portfolio, scenario)


def test_when_only_grave_actions_are_allowed_none_is_highlighted_and_enter_does_nothing(portfolio, drive):
    case = case_id(portfolio, SOFTWARE)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        assert offered(tui) == ["withdraw"]
        assert highlighted(tui) is None
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)

    drive(portfolio, scenario)


def test_esc_from_a_form_returns_to_the_action_the_clerk_came_from(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        assert highlighted(tui) == "assess"
        await choose(tui, pilot, "request_change")
        await pilot.press("escape")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert highlighted(tui) == "request_change"
        assert tui.focused is tui.screen.query_one("#actions", OptionList)

    drive(portfolio, scenario)


def test_revoking_asks_once_more_naming_the_case_and_enter_there_goes_back(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "revoke")
        form = tui.screen
        assert "ends the case: you will be asked to confirm it by name" in str(
            form.query_one("#form-title", Static).render()
        )
        form.query_one("#param-ground", Select).value = "evaluation_refused"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        assert f"⚠ This ends case {case}: it will be 不再列入创新中心序列 revoked" in outcome(tui)
        assert tui.focused is form.query_one("#confirm", Button)
        await pilot.press("enter")  # Confirm…: asks once more
        await settle(tui, pilot)
        assert isinstance(tui.screen, ConfirmGraveScreen)
        question = screen_text(tui)
        assert f"Case {case} {SEMICONDUCTORS}" in question
        assert (
            "绩效评估 final_assessment → 不再列入创新中心序列 revoked, effective 2026-11-23 under 第三十条"
        ) in question
        assert f"Revoke case {case}" in question
        await pilot.press("enter")  # the cursor starts on "Go back"
        await settle(tui, pilot)
        assert tui.screen is form and entries(portfolio) == before
        assert tui.focused is form.query_one("#confirm", Button)
        await pilot.press("enter")
        await settle(tui, pilot)
        await pilot.press("escape")  # esc too goes back
        await settle(tui, pilot)
        assert tui.screen is form and entries(portfolio) == before
        await pilot.press("enter")
        await settle(tui, pilot)
        await pilot.press("tab", "enter")  # the red button, deliberately
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert "不再列入创新中心序列 revoked" in screen_text(tui)

    drive(portfolio, scenario)
    assert show_case(portfolio, case, TODAY)["state"] == "revoked"
    assert entries(portfolio) == before + 1


def test_an_ordinary_action_is_recorded_without_the_extra_question(portfolio, drive):
    case = case_id(portfolio, INTEGRATED_CIRCUITS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await pilot.press("enter")  # file_report, the first and highlighted
        await settle(tui, pilot)
        await pilot.press(*"2026", "enter")  # the year, then review
        await settle(tui, pilot)
        await pilot.press("enter")  # Confirm
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)

    drive(portfolio, scenario)
    assert show_case(portfolio, case, TODAY)["history"][-1]["trigger"] == "file_report"


def test_the_screen_keys_do_not_move_the_screens_under_a_form_they_are_text_there(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "assess")
        await focus(tui, pilot, tui.screen.query_one("#review", Button))
        await pilot.press("c", "a", "d")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ActionFormScreen)

    drive(portfolio, scenario)


# -- 2. forms in the form's words ------------------------------------------------------


def test_choices_are_lists_with_the_definitions_chinese_and_english_words(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "revoke")
        grounds = tui.screen.query_one("#param-ground", Select)
        grounds.value = "evaluation_refused"
        await pilot.pause()
        assert "不参加评估或中途退出评估 did not take part in, or left, the evaluation" in screen_text(tui)
        await pilot.press("escape")
        await settle(tui, pilot)
        await choose(tui, pilot, "assess")
        tui.screen.query_one("#param-grade", Select).value = "poor"
        await pilot.pause()
        assert "较差 poor" in screen_text(tui)

    drive(portfolio, scenario)


def test_a_refusal_names_the_field_to_choose_and_keeps_the_focus_on_it(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "revoke")
        tui.screen.query_one("#review", Button).press()  # no ground chosen
        await settle(tui, pilot)
        said = outcome(tui)
        assert "Choose ground in the list above: 整改检查未通过 rectification failed" in said
        assert "--set" not in said and "Nothing was written." in said
        assert tui.focused is tui.screen.query_one("#param-ground", Select)

    drive(portfolio, scenario)


def test_after_a_refused_date_the_typed_correction_reaches_the_date_box(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "assess")
        form = tui.screen
        form.query_one("#param-grade", Select).value = "good"
        form.query_one("#on", Input).value = "2020-01-01"
        form.query_one("#review", Button).press()
        await settle(tui, pilot)
        assert "Effective date: national-tic is in force from 2021-02-10" in outcome(tui)
        date_box = form.query_one("#on", Input)
        assert tui.focused is date_box
        await pilot.press("end", *["backspace"] * 10, *"2026-11-23", "enter")
        await settle(tui, pilot)
        assert date_box.value == "2026-11-23"
        assert "Confirm: 绩效评估 final_assessment → 进入下一轮建设运行周期 renewed" in outcome(tui)

    drive(portfolio, scenario)


def test_a_malformed_effective_date_is_named_and_the_date_box_keeps_the_focus(portfolio, drive):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await open_case(tui, pilot, case)
        await choose(tui, pilot, "file_report")
        form = tui.screen
        form.query_one("#on", Input).value = "2026-02-30"
        form.query_one("#review", Button).press()
        await settle(tui, pilot)
        assert "Effective date: '2026-02-30' is not a date" in outcome(tui)
        assert tui.focused is form.query_one("#on", Input)

    drive(portfolio, scenario)


# -- 3. readable at 120×40, usable at 80×24 ---------------------------------------------


def test_at_80_by_24_the_case_list_shows_programme_and_next_due_and_the_rest_below(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("c")
        await settle(tui, pilot)
        shown = cells(tui, "#cases")
        assert {"id", "name", "programme", "due"} <= set(shown[0])
        assert "state" not in shown[0]  # no room: on the line under the table instead
        detail = str(tui.screen.query_one("#case-detail", Static).render())
        first = shown[0]
        assert f"#{first['id']} {first['name']} · {first['programme']}" in detail
        assert "next due" in detail

    drive(portfolio, scenario, size=(80, 24))


def test_the_case_list_heading_names_the_filters_in_force(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("c")
        await settle(tui, pilot)
        assert "Cases · all cases · sorted by next due" in screen_text(tui)
        tui.screen.query_one("#programme", Select).value = "national-tic"
        await settle(tui, pilot)
        tui.screen.query_one("#province", Input).value = "江苏"
        await settle(tui, pilot)
        assert "Cases · national-tic · province 江苏 · sorted by next due" in screen_text(tui)

    drive(portfolio, scenario)


def test_an_overdue_drill_down_says_overdue_in_the_heading(portfolio, drive):
    async def scenario(tui, pilot):
        table = tui.screen.query_one("#due", DataTable)
        await focus(tui, pilot, table)
        table.move_cursor(row=table.get_row_index("national-tic"), column=1)
        await pilot.press("enter")
        await settle(tui, pilot)
        assert "Cases · national-tic · overdue · sorted by next due" in screen_text(tui)

    drive(portfolio, scenario)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_the_audit_screen_shows_the_highlighted_entrys_clause_and_reason_in_full(portfolio, drive, size):
    case = case_id(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        await pilot.press("a")
        await settle(tui, pilot)
        tui.screen.query_one("#case", Input).value = str(case)
        await settle(tui, pilot)
        assert f"Audit log · case {case} · newest first" in screen_text(tui)
        table = tui.screen.query_one("#entries", DataTable)
        await focus(tui, pilot, table)
        await pilot.press("down")  # approve, under 第六条, 第十六条
        await settle(tui, pilot)
        text = screen_text(tui)
        assert "clause 第六条, 第十六条" in text
        assert "under_review → approved" in text
        assert all(len(line) <= size[0] for line in text.splitlines())

    drive(portfolio, scenario, size=size)


def test_the_preview_at_80_by_24_shows_the_highlighted_actions_date_and_clause(portfolio, drive):
    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        detail = str(tui.screen.query_one("#action-detail", Static).render())
        first = cells(tui, "#actions")[0]
        assert f"case {first['case']} " in detail and "effective 2026-" in detail and "clause " in detail

    drive(portfolio, scenario, size=(80, 24))


# -- 4. help, progress, cancelling, auditors ----------------------------------------------


@pytest.mark.parametrize(("language", "words"), [("en", "What it is for."), ("zh", "用途。")])
def test_question_mark_opens_help_for_the_screen_at_hand_in_the_users_language(
    portfolio, drive, monkeypatch, language, words
):
    monkeypatch.setenv("LIFECYCLE_LANG", language)
    case = case_id(portfolio, SEMICONDUCTORS)
    titles = {
        "en": ["# Dashboard", "# Case list", "# Case", "# Acting on a case", "# Audit log", "# Compliance preview"],
        "zh": ["# 总览", "# 事项列表", "# 事项", "# 对事项执行操作", "# 审计日志", "# 合规预演"],
    }[language]

    async def help_for(tui, pilot, key: str = "question_mark") -> str:
        await pilot.press(key)
        await settle(tui, pilot)
        assert isinstance(tui.screen, HelpScreen)
        text = tui.screen.query_one("#help-text").source
        assert words in text
        await pilot.press("escape")
        await settle(tui, pilot)
        return text

    async def scenario(tui, pilot):
        seen = [await help_for(tui, pilot)]
        await pilot.press("c")
        await settle(tui, pilot)
        seen.append(await help_for(tui, pilot))
        await open_case(tui, pilot, case)
        seen.append(await help_for(tui, pilot))
        await choose(tui, pilot, "assess")
        seen.append(await help_for(tui, pilot, "f1"))  # in a form `?` may be text
        assert isinstance(tui.screen, ActionFormScreen)
        await pilot.press("escape")
        await pilot.press("a")
        await settle(tui, pilot)
        seen.append(await help_for(tui, pilot))
        await pilot.press("p")
        await settle(tui, pilot)
        seen.append(await help_for(tui, pilot))
        assert [text.splitlines()[0] for text in seen] == titles

    drive(portfolio, scenario)


def test_the_language_follows_lifecycle_lang_then_the_locale(monkeypatch):
    from lifecycle.tui.language import current_language

    for variable in ("LIFECYCLE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    assert current_language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert current_language() == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert current_language() == "en"
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    assert current_language() == "zh"


def test_every_screen_has_help_in_english_and_chinese_shipped_in_the_package():
    from importlib import resources

    from lifecycle.tui.dashboard import DashboardScreen
    from lifecycle.tui.help import help_text

    screens = [
        DashboardScreen,
        CaseDetailScreen,
        ActionFormScreen,
        ConfirmGraveScreen,
        AuditScreen,
        ExportScreen,
        CompliancePreviewScreen,
    ]
    from lifecycle.tui.case_list import CaseListScreen
    from lifecycle.tui.decide import DecideScreen
    from lifecycle.tui.decisions_due import DecisionsDueScreen

    screens += [CaseListScreen, DecisionsDueScreen, DecideScreen]
    folder = resources.files("lifecycle.tui") / "help"
    for screen in screens:
        for language in ("en", "zh"):
            assert (folder / f"{screen.HELP}.{language}.md").is_file(), (screen, language)
            text = help_text(screen.HELP, language)
            assert ("| key |" in text) if language == "en" else ("| 按键 |" in text)
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"help/*.md"' in pyproject


def test_the_preview_shows_its_progress_and_esc_cancels_it_writing_nothing(portfolio, drive, monkeypatch):
    before = entries(portfolio)
    seen: list[tuple[int, int]] = []
    progress = CompliancePreviewScreen.progress

    def progress_then_esc(self, done, total):
        progress(self, done, total)
        seen.append((done, total))
        bar = self.query_one("#progress")
        assert bar.display and bar.total == total
        if len(seen) == 1:
            self.action_back()  # what esc does while the preview works

    monkeypatch.setattr(CompliancePreviewScreen, "progress", progress_then_esc)

    async def scenario(tui, pilot):
        await pilot.press("p")
        await settle(tui, pilot)
        assert seen and seen[0][1] == 5  # five cases due on the day
        summary = str(tui.screen.query_one("#summary", Static).render())
        assert "Cancelled: the preview as of 2026-11-23 was stopped" in summary
        assert "Nothing was written" in summary
        assert cells(tui, "#actions") == []
        assert isinstance(tui.screen, CompliancePreviewScreen)  # esc cancelled; it did not leave
        assert not tui.screen.query_one("#progress").display

    drive(portfolio, scenario)
    assert entries(portfolio) == before


def test_an_export_shows_its_progress_and_a_cancelled_one_leaves_no_file(portfolio, drive, monkeypatch, tmp_path):
    import lifecycle.services.audit_export as audit_export

    monkeypatch.setattr(audit_export, "PROGRESS_EVERY", 10)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "log.csv"
    counts: list[int] = []
    progressed = ExportScreen.progressed

    def progressed_then_cancel(self, count):
        progressed(self, count)
        counts.append(count)
        if len(counts) == 2:
            self.action_cancel()  # what esc does while writing

    monkeypatch.setattr(ExportScreen, "progressed", progressed_then_cancel)

    async def scenario(tui, pilot):
        await pilot.press("a")
        await settle(tui, pilot)
        await pilot.press("x")
        await settle(tui, pilot)
        tui.screen.query_one("#path", Input).value = str(target)
        tui.screen.query_one("#export", Button).press()
        await settle(tui, pilot)
        assert counts[:2] == [10, 20]
        assert isinstance(tui.screen, ExportScreen)
        assert f"Cancelled: nothing was written to {target}." in str(tui.screen.query_one("#outcome", Static).render())

    drive(portfolio, scenario)
    assert not target.exists() and list((tmp_path / "out").iterdir()) == []


def test_an_auditor_reads_the_grave_actions_marked_but_cannot_open_them(portfolio, drive):
    add_user(portfolio, "alice", "audrey", "auditor")
    case = case_id(portfolio, INTEGRATED_CIRCUITS)

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        assert offered(tui) == ["file_report", "revoke", "withdraw"]
        assert highlighted(tui) is None

    drive(portfolio, scenario, user="audrey")
