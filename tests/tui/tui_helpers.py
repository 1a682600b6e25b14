"""Helpers of the terminal UI tests: the fixed day, waiting for workers, the screen as text."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from rich.console import Console
from textual.worker import WorkerCancelled

from lifecycle.services.app import Lifecycle
from lifecycle.tui.app import LifecycleTUI

#: "Today" for every screen test, so due dates and snapshots do not move.
TODAY = date(2026, 11, 23)
SIZE = (120, 40)
#: A name full of markup: it must be shown as typed, never styled.
MARKUP_NAME = "[red]x[/red]国家技术创新中心"


def tic_portfolio(lifecycle: Lifecycle) -> None:
    """The demo's two technology-innovation-centre portfolios (18 cases, both programmes,
    every kind of state), built through the services as `lifecycle demo` builds them."""
    from lifecycle.demo.showcase import AUTOMATIC, BJ, NATIONAL
    from lifecycle.services.cases import add_case, advance
    from lifecycle.services.setup import init_database
    from lifecycle.services.users import SYSTEM, Actor

    init_database(lifecycle, "alice")
    admin, system = Actor("alice", "admin"), Actor(SYSTEM, "system")
    for code, portfolio in (("bj-tic", BJ), ("national-tic", NATIONAL)):
        for name, opened, fields, steps in portfolio:
            case = add_case(lifecycle, "alice", code, name, date.fromisoformat(opened), fields,
                            "demo portfolio", actor=admin).case
            assert case.id is not None
            for trigger, day, values in steps:
                advance(lifecycle, "alice", case.id, trigger, date.fromisoformat(day), values,
                        actor=system if trigger in AUTOMATIC else admin)


def case_id(app: Lifecycle, name: str) -> int:
    with app.uow() as uow:
        for code in app.catalogue.codes():
            found = uow.cases.find_by_name(code, name)
            if found is not None:
                assert found.id is not None
                return found.id
    raise AssertionError(f"no case {name}")


async def settle(app: LifecycleTUI, pilot: Any) -> None:
    """Until every worker finished and its results are on screen (twice idle in a row: a
    worker's result may start another, as the case list's count does)."""
    idle = 0
    for _ in range(200):
        await pilot.pause()
        busy = any(not worker.is_finished for worker in app.workers)
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # superseded by a newer exclusive worker: not a failure
            busy = True
        idle = 0 if busy else idle + 1
        if idle >= 2:
            break
    await pilot.pause()


async def focus(app: LifecycleTUI, pilot: Any, widget: Any) -> None:
    """Focus `widget` and wait until it has the focus (keys then go to it)."""
    for _ in range(100):
        widget.focus()
        await pilot.pause()
        if app.focused is widget:
            return
    raise AssertionError(f"{widget} never got the focus ({app.focused} has it)")


def screen_text(app: LifecycleTUI) -> str:
    """The screen as plain text, as a terminal shows it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()
