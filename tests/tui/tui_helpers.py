"""Helpers of the terminal UI tests: the fixed day, waiting for workers, the screen as text."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from rich.console import Console

from lifecycle.services.app import Lifecycle
from lifecycle.tui.app import LifecycleTUI

#: "Today" for every screen test, so due dates and snapshots do not move.
TODAY = date(2026, 11, 23)
SIZE = (120, 40)
#: A name full of markup: it must be shown as typed, never styled.
MARKUP_NAME = "[red]x[/red]国家技术创新中心"


def case_id(app: Lifecycle, name: str) -> int:
    with app.uow() as uow:
        for code in app.catalogue.codes():
            found = uow.cases.find_by_name(code, name)
            if found is not None:
                assert found.id is not None
                return found.id
    raise AssertionError(f"no case {name}")


async def settle(app: LifecycleTUI, pilot: Any) -> None:
    """Until every worker finished and its results are on screen."""
    for _ in range(4):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: LifecycleTUI) -> str:
    """The screen as plain text, as a terminal shows it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()
