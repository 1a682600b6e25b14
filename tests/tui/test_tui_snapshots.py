"""Snapshots of the main screens (pytest-textual-snapshot, SVG under tests/tui/__snapshots__).

Taken on SQLite with the demo portfolio as of a fixed day, so they change only
when a screen does. After an intended change, look at the report pytest writes
on failure, then accept the new screens with `pytest tests/tui --snapshot-update`.
The flows themselves run on SQLite and PostgreSQL in test_tui_flows.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select
from tui_helpers import TODAY, case_id, settle, tic_portfolio

from lifecycle.persistence.engine import engine_for
from lifecycle.persistence.unit_of_work import release_connections
from lifecycle.services.app import Lifecycle
from lifecycle.tui.app import LifecycleTUI

SEMICONDUCTORS = "国家第三代半导体技术创新中心"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
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
