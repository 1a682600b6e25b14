"""The terminal UI with every programme in the register: the dashboard sets the plan's targets
against the designations held now, and a case of each of the ten programmes opens and can be acted on."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, DataTable, OptionList, Static
from tui_helpers import TODAY, screen_text, settle

from lifecycle.demo.showcase import build_demo
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import show_case
from lifecycle.tui.action_form import ActionFormScreen
from lifecycle.tui.case_detail import CaseDetailScreen
from lifecycle.tui.case_list import CaseListScreen


@pytest.fixture
def everything(app: Lifecycle) -> Lifecycle:
    build_demo(app, "alice")
    return app


def rows(tui: Any, table_id: str) -> list[list[str]]:
    table = tui.screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def first_case(app: Lifecycle, code: str) -> int:
    with app.uow() as uow:
        found = uow.cases.search(programme=code, sort="id", limit=1)
    assert found and found[0].id is not None
    return found[0].id


def test_the_dashboard_shows_each_plan_target_against_the_designations_now(everything, drive):
    async def scenario(tui, pilot):
        table = tui.screen.query_one("#targets", DataTable)
        assert table.display
        found = {(row[0], row[2]): row for row in rows(tui, "#targets")}
        # the demo holds 3 designated international centres, 3 talent bases, 4 zones, 3 institutions
        assert found[("intl-tech-transfer", ">60 (2025)")][1:] == [
            "3",
            ">60 (2025)",
            "missed: 58 to go",
            "二(三)3",
            "到2025年,国际技术转移中心超过60家",
        ]
        assert found[("intl-tech-transfer", "45 (2020)")][3] == "baseline"
        assert found[("talent-base", "36 (2020)")][1] == "3"
        assert found[("transfer-zone", "20 (2025)")][1:5] == ["4", "20 (2025)", "missed: 16 to go", "二(三)3"]
        assert found[("tech-transfer", "500 (2025)")][1] == "3"
        assert all(
            row[0] in {"intl-tech-transfer", "talent-base", "transfer-zone", "tech-transfer"}
            for row in rows(tui, "#targets")
        )
        # choosing a row lists that programme's cases
        table.focus()
        await pilot.pause()
        table.move_cursor(row=[r[0] for r in rows(tui, "#targets")].index("transfer-zone"))
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseListScreen)
        listed = rows(tui, "#cases")
        assert len(listed) == 6 and all(any("国家科技成果转移转化示范区" in cell for cell in row) for row in listed)

    drive(everything, scenario)


def test_the_dashboard_hides_the_targets_when_no_programme_held_carries_one(portfolio, drive):
    async def scenario(tui, pilot):
        assert not tui.screen.query_one("#targets", DataTable).display
        assert "到2025年" not in screen_text(tui)

    drive(portfolio, scenario)


@pytest.mark.parametrize(
    "code",
    [
        "bj-tic",
        "national-tic",
        "export-base",
        "ecommerce-base",
        "hitech-zone",
        "tech-transfer",
        "ai-scenario",
        "intl-tech-transfer",
        "talent-base",
        "transfer-zone",
    ],
)
def test_a_case_of_each_of_the_ten_programmes_opens_with_its_chinese_state_and_actions(everything, drive, code):
    case = first_case(everything, code)
    view = show_case(everything, case, TODAY)
    programme = everything.catalogue.current(code)

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        text = screen_text(tui)
        assert view["name"] in text and programme.definition.states[view["state"]].zh in text
        actions = tui.screen.query_one("#actions", OptionList)
        allowed = {actions.get_option_at_index(i).id for i in range(actions.option_count)}
        assert allowed == set(view["allowed"])

    drive(everything, scenario)


def test_a_rectifying_zone_is_accepted_from_the_tui_and_renewed_with_one_audit_entry(everything, drive):
    with everything.uow() as uow:
        zone = uow.cases.find_by_name("transfer-zone", "黑龙江哈大齐国家科技成果转移转化示范区")
    assert zone is not None and zone.id is not None and zone.state == "rectification"
    history = len(show_case(everything, zone.id, TODAY)["history"])

    async def scenario(tui, pilot):
        tui.open_case(zone.id)
        await settle(tui, pilot)
        assert "限期整改 rectification" in screen_text(tui)
        actions = tui.screen.query_one("#actions", OptionList)
        actions.focus()
        await pilot.pause()
        actions.highlighted = actions.get_option_index("rectified")
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ActionFormScreen)
        tui.screen.query_one("#review", Button).press()
        await settle(tui, pilot)
        outcome = str(tui.screen.query_one("#outcome", Static).render())
        assert "限期整改 rectification → 进入下一评价周期 renewed" in outcome and "三(五)5" in outcome
        tui.screen.query_one("#confirm", Button).press()
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)
        assert "进入下一评价周期 renewed" in screen_text(tui)

    drive(everything, scenario)
    after = show_case(everything, zone.id, TODAY)
    assert after["state"] == "renewed" and len(after["history"]) == history + 1
    assert (after["history"][-1]["trigger"], after["history"][-1]["actor"]) == ("rectified", "alice")
