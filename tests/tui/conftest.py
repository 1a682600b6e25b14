"""The terminal UI on a database with real cases: the demo portfolio, built through the
services (so every case has a real audited history), seen as of a fixed day."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from tui_helpers import MARKUP_NAME, SIZE, TODAY, settle, tic_portfolio

from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case
from lifecycle.tui.app import LifecycleTUI


@pytest.fixture
def portfolio(app: Lifecycle) -> Lifecycle:
    """The 18 demo cases (both programmes, every kind of state), and one named with markup."""
    tic_portfolio(app)
    add_case(
        app,
        "alice",
        "national-tic",
        MARKUP_NAME,
        date(2025, 5, 6),
        {"kind": "comprehensive", "sponsor": "[bold]某省[/bold]"},
    )
    return app


Scenario = Callable[[LifecycleTUI, Any], Awaitable[None]]


@pytest.fixture
def drive() -> Callable[..., None]:
    """Run a scenario against the UI headlessly: `drive(app, scenario, user=..., size=...)`."""

    def run(lifecycle: Lifecycle, scenario: Scenario, *, user: str = "alice", size: tuple[int, int] = SIZE) -> None:
        async def main() -> None:
            tui = LifecycleTUI(lifecycle, user, on=TODAY)
            async with tui.run_test(size=size) as pilot:
                await settle(tui, pilot)
                await scenario(tui, pilot)

        asyncio.run(main())

    return run
