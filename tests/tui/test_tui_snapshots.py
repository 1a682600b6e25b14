"""Snapshots of the main screens (pytest-textual-snapshot, SVG under tests/tui/__snapshots__).

Taken on SQLite with the demo portfolio as of a fixed day, so they change only
when a screen does. After an intended change, look at the report pytest writes
on failure, then accept the new screens with `pytest tests/tui --snapshot-update`.
The flows themselves run on SQLite and PostgreSQL in test_tui_flows.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Select
from tui_helpers import TODAY, case_id, settle, tic_portfolio

from lifecycle.persistence import repositories
from lifecycle.persistence.engine import engine_for
from lifecycle.persistence.unit_of_work import release_connections
from lifecycle.services.app import Lifecycle
from lifecycle.tui.app import LifecycleTUI

SEMICONDUCTORS = "国家第三代半导体技术创新中心"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    monkeypatch.setenv("LIFECYCLE_LANG", "en")
    # The audit screen shows when each entry was recorded: a fixed clock keeps it still.
    monkeypatch.setattr(repositories, "utc_now", lambda: datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC))
    url = f"sqlite:///{tmp_path / 'snapshots.db'}"
    lifecycle = Lifecycle(url)
    tic_portfolio(lifecycle)
    yield lifecycle
    release_connections()
    engine_for(url).dispose()


def screen(demo: Lifecycle) -> LifecycleTUI:
    return LifecycleTUI(demo, "alice", on=TODAY)


def test_the_dashboard_looks_as_accepted(demo, snap_compare):
    tui = screen(demo)
    assert snap_compare(tui, terminal_size=(120, 40), run_before=lambda pilot: settle(tui, pilot))


def test_the_dashboard_fits_80_by_24(demo, snap_compare):
    tui = screen(demo)
    assert snap_compare(tui, terminal_size=(80, 24), run_before=lambda pilot: settle(tui, pilot))


def test_the_case_list_looks_as_accepted(demo, snap_compare):
    tui = screen(demo)

    async def open_list(pilot):
        await settle(tui, pilot)
        await pilot.press("c")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=(120, 40), run_before=open_list)


def test_the_case_detail_looks_as_accepted_at_200_by_60(demo, snap_compare):
    tui = screen(demo)
    case = case_id(demo, SEMICONDUCTORS)

    async def open_case(pilot):
        await settle(tui, pilot)
        tui.open_case(case)
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=(200, 60), run_before=open_case)


def test_the_action_form_with_its_confirmation_looks_as_accepted(demo, snap_compare):
    tui = screen(demo)
    case = case_id(demo, SEMICONDUCTORS)

    async def review(pilot):
        await settle(tui, pilot)
        tui.open_case(case)
        await settle(tui, pilot)
        await pilot.press("enter")  # the first allowed action: assess
        await settle(tui, pilot)
        tui.screen.query_one("#param-grade", Select).value = "good"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=(120, 40), run_before=review)


def test_the_light_theme_looks_as_accepted(demo, snap_compare):
    tui = screen(demo)

    async def light(pilot):
        await settle(tui, pilot)
        await pilot.press("t")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=(120, 40), run_before=light)


BOTH = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


@BOTH
def test_the_case_list_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)

    async def open_list(pilot):
        await settle(tui, pilot)
        await pilot.press("c")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=open_list)


@BOTH
def test_the_case_with_its_grave_actions_last_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)
    case = case_id(demo, "北京市集成电路技术创新中心")

    async def open_case(pilot):
        await settle(tui, pilot)
        tui.open_case(case)
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=open_case)


@BOTH
def test_the_confirmation_of_a_revocation_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)
    case = case_id(demo, SEMICONDUCTORS)

    async def confirm(pilot):
        await settle(tui, pilot)
        tui.open_case(case)
        await settle(tui, pilot)
        actions = tui.screen.query_one("#actions", OptionList)
        actions.highlighted = actions.get_option_index("revoke")
        actions.action_select()
        await settle(tui, pilot)
        tui.screen.query_one("#param-ground", Select).value = "evaluation_refused"
        tui.screen.query_one("#reason", Input).value = "did not take part in the 2025 evaluation"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        await pilot.press("enter")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=confirm)


@BOTH
def test_a_refusal_in_the_forms_words_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)
    case = case_id(demo, SEMICONDUCTORS)

    async def refuse(pilot):
        await settle(tui, pilot)
        tui.open_case(case)
        await settle(tui, pilot)
        await pilot.press("enter")  # assess, without a grade
        await settle(tui, pilot)
        await pilot.press("ctrl+r")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=refuse)


@BOTH
def test_the_audit_log_with_the_highlighted_entry_in_full_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)
    case = case_id(demo, SEMICONDUCTORS)

    async def audit(pilot):
        await settle(tui, pilot)
        await pilot.press("a")
        await settle(tui, pilot)
        tui.screen.query_one("#case", Input).value = str(case)
        await settle(tui, pilot)
        table = tui.screen.query_one("#entries", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=audit)


@BOTH
def test_the_compliance_preview_at_both_sizes(demo, snap_compare, size):
    tui = screen(demo)

    async def preview(pilot):
        await settle(tui, pilot)
        await pilot.press("p")
        await settle(tui, pilot)
        tui.screen.query_one("#actions", DataTable).move_cursor(row=2)
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=preview)


@pytest.mark.parametrize(("size", "language"), [((120, 40), "zh"), ((80, 24), "en")], ids=["120x40-zh", "80x24-en"])
def test_the_help_of_the_case_list(demo, snap_compare, monkeypatch, size, language):
    monkeypatch.setenv("LIFECYCLE_LANG", language)
    tui = screen(demo)

    async def help_screen(pilot):
        await settle(tui, pilot)
        await pilot.press("c")
        await settle(tui, pilot)
        await pilot.press("question_mark")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=help_screen)


def proposed(demo: Lifecycle) -> int:
    """Run the compliance job as of the fixed day; the id of the revocation it proposes."""
    from jobs.compliance_run import run_compliance
    from lifecycle.services.decisions_due import list_decisions

    run_compliance(demo, "alice", TODAY)
    return next(d["id"] for d in list_decisions(demo) if d["trigger"] == "revoke")


@BOTH
def test_the_decisions_due_with_the_choices_of_a_revocation_at_both_sizes(demo, snap_compare, size):
    decision = proposed(demo)
    tui = screen(demo)

    async def decisions(pilot):
        await settle(tui, pilot)
        await pilot.press("k")
        await settle(tui, pilot)
        table = tui.screen.query_one("#decisions", DataTable)
        table.move_cursor(row=table.get_row_index(str(decision)))
        await pilot.press("enter")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=decisions)


@BOTH
def test_the_confirmation_of_a_decision_at_both_sizes(demo, snap_compare, size):
    decision = proposed(demo)
    tui = screen(demo)

    async def confirm(pilot):
        await settle(tui, pilot)
        await pilot.press("k")
        await settle(tui, pilot)
        table = tui.screen.query_one("#decisions", DataTable)
        table.move_cursor(row=table.get_row_index(str(decision)))
        await pilot.press("enter")
        await settle(tui, pilot)
        choices = tui.screen.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index("confirm")
        choices.action_select()
        await settle(tui, pilot)
        tui.screen.query_one("#decision-no", Input).value = "国科发区〔2026〕12号"
        await pilot.press("enter")
        await settle(tui, pilot)

    assert snap_compare(tui, terminal_size=size, run_before=confirm)


# -- the terminal UI in Chinese (LIFECYCLE_LANG=zh) ---------------------------------------------


async def _to_dashboard(tui: LifecycleTUI, pilot) -> None:
    await settle(tui, pilot)


async def _to_cases(tui: LifecycleTUI, pilot) -> None:
    await settle(tui, pilot)
    await pilot.press("c")
    await settle(tui, pilot)


async def _to_case(tui: LifecycleTUI, pilot) -> None:
    await settle(tui, pilot)
    tui.open_case(case_id(tui.lifecycle, SEMICONDUCTORS))
    await settle(tui, pilot)


async def _to_audit(tui: LifecycleTUI, pilot) -> None:
    await settle(tui, pilot)
    await pilot.press("a")
    await settle(tui, pilot)
    tui.screen.query_one("#case", Input).value = str(case_id(tui.lifecycle, SEMICONDUCTORS))
    await settle(tui, pilot)


async def _to_decisions(tui: LifecycleTUI, pilot) -> None:
    await settle(tui, pilot)
    await pilot.press("k")
    await settle(tui, pilot)
    table = tui.screen.query_one("#decisions", DataTable)
    table.move_cursor(row=table.row_count - 1)
    await pilot.press("enter")
    await settle(tui, pilot)


CHINESE_SCREENS = {
    "dashboard": _to_dashboard,
    "cases": _to_cases,
    "case": _to_case,
    "audit": _to_audit,
    "decisions": _to_decisions,
}


@BOTH
@pytest.mark.parametrize("where", list(CHINESE_SCREENS))
def test_the_main_screens_in_chinese_at_both_sizes(demo, snap_compare, monkeypatch, size, where):
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    if where == "decisions":  # a run records when it started (the wall clock): only where needed
        proposed(demo)
    tui = screen(demo)
    assert snap_compare(tui, terminal_size=size, run_before=lambda pilot: CHINESE_SCREENS[where](tui, pilot))
