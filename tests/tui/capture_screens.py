"""Text captures of every screen for docs/tui.md: `python tests/tui/capture_screens.py [W H]`.

Builds the demo portfolio in a temporary SQLite database and prints each screen
as the terminal shows it, as of the tests' fixed day.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from textual.widgets import Input, Select
from tui_helpers import TODAY, case_id, screen_text, settle

from lifecycle.demo.showcase import build_demo
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import add_user
from lifecycle.tui.app import LifecycleTUI


async def capture(lifecycle: Lifecycle, size: tuple[int, int]) -> None:
    def show(title: str) -> None:
        print(f"\n===== {title} =====")
        print("\n".join(line.rstrip() for line in screen_text(tui).splitlines()))

    tui = LifecycleTUI(lifecycle, "alice", on=TODAY)
    async with tui.run_test(size=size) as pilot:
        await settle(tui, pilot)
        show("dashboard")
        await pilot.press("c")
        await settle(tui, pilot)
        show("case list")
        tui.open_case(case_id(lifecycle, "国家第三代半导体技术创新中心"))
        await settle(tui, pilot)
        show("case detail")
        await pilot.press("enter")
        await settle(tui, pilot)
        tui.screen.query_one("#param-grade", Select).value = "good"
        tui.screen.query_one("#reason", Input).value = "expert panel report"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        show("action form, reviewed")
        tui.screen.query_one("#on", Input).value = "2020-01-01"
        await pilot.press("ctrl+r")
        await settle(tui, pilot)
        show("action form, refused")
        await pilot.press("escape")
        await settle(tui, pilot)
        await pilot.press("a")
        await settle(tui, pilot)
        show("audit log")
        await pilot.press("p")
        await settle(tui, pilot)
        show("compliance preview")
    tui = LifecycleTUI(lifecycle, "audrey", on=TODAY)
    async with tui.run_test(size=size) as pilot:
        await settle(tui, pilot)
        tui.open_case(case_id(lifecycle, "国家第三代半导体技术创新中心"))
        await settle(tui, pilot)
        show("case detail, as an auditor")


def main() -> None:
    size = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (100, 32)
    with tempfile.TemporaryDirectory() as directory:
        lifecycle = Lifecycle(f"sqlite:///{directory}/capture.db")
        build_demo(lifecycle, "alice")
        add_user(lifecycle, "alice", "audrey", "auditor")
        asyncio.run(capture(lifecycle, size))


if __name__ == "__main__":
    main()
