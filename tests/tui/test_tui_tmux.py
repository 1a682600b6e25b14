"""Smoke test of the real `lifecycle tui` in a terminal (tmux): open a case, act, see the new state."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import show_case

TMUX = shutil.which("tmux")
LIFECYCLE = str(Path(sys.executable).with_name("lifecycle"))
pytestmark = pytest.mark.skipif(
    TMUX is None,
    reason="tmux is not installed: the terminal smoke test of `lifecycle tui` needs it (apt-get install tmux)",
)


class Terminal:
    """A terminal (120×40 by default) on a tmux server of its own (no user configuration, UTF-8)."""

    def __init__(self, command: str, socket: Path, size: tuple[int, int] = (120, 40)) -> None:
        self.name = f"lifecycle-smoke-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.tmux = [str(TMUX), "-u", "-S", str(socket), "-f", "/dev/null"]
        width, height = (str(n) for n in size)
        self.run("new-session", "-d", "-s", self.name, "-x", width, "-y", height, command)
        self.run("resize-window", "-t", self.name, "-x", width, "-y", height)

    def run(self, *args: str) -> str:
        return subprocess.run([*self.tmux, *args], check=True, capture_output=True, text=True, env=self.env).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the terminal shows:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True, env=self.env)


def open_case(terminal: Terminal, words: str, shows: str) -> None:
    """From the dashboard: the case list, the name search, the one case found, opened."""
    terminal.keys("c")
    terminal.wait_for("n/PgDn next page")
    for attempt in range(4):  # on a loaded machine the focus may not be in the box yet: again
        terminal.keys("/")
        time.sleep(0.5)  # the key moves the focus to the search box; type once it is there
        terminal.keys("C-u")  # a "/" typed into the box (the focus was already there): cleared
        terminal.keys(words, literal=True)
        try:
            terminal.wait_for(f"Cases · name contains {words} ·", timeout=8)  # the heading names it
            break
        except AssertionError:
            if attempt == 3:
                raise
    terminal.wait_for("1–1 of 1")
    terminal.keys("Enter")  # from the search box to the list
    time.sleep(0.5)  # on a loaded machine the focus takes a moment to move
    for attempt in range(4):  # open the case; again only if the key reached the search box
        terminal.keys("Enter")
        try:
            terminal.wait_for(shows, timeout=8)
            break
        except AssertionError:
            if attempt == 3:
                raise


def test_the_real_tui_opens_a_case_acts_on_it_and_shows_the_new_state(tmp_path):
    database = tmp_path / "smoke.db"
    env = {**os.environ, "LIFECYCLE_USER": "alice"}
    subprocess.run([LIFECYCLE, "--db", str(database), "demo"], check=True, env=env, capture_output=True)
    terminal = Terminal(
        f"env LIFECYCLE_USER=alice TERM=xterm-256color {LIFECYCLE} --db {database} tui --as-of 2026-11-23",
        tmp_path / "tmux.sock",
    )
    try:
        terminal.wait_for("alice (admin)")  # the dashboard, loaded
        open_case(terminal, "先进储能", "start_review")
        terminal.wait_for("组织申报/推荐 submitted")
        terminal.keys("Enter")  # the first allowed action (withdraw, the grave one, comes last)
        terminal.wait_for("Effective date")
        terminal.keys("Enter")  # review it
        terminal.wait_for("Confirm: 组织申报/推荐 submitted → 方案论证 under_review")
        terminal.keys("Enter")  # confirm
        terminal.wait_for("state  方案论证 under review")  # back on the case, reloaded
    finally:
        terminal.close()
    view = show_case(Lifecycle(str(database)), 6, date(2026, 11, 23))
    assert view["state"] == "under_review"
    assert view["history"][-1]["trigger"] == "start_review"


def test_the_real_tui_shows_the_full_clause_of_an_audit_entry_at_120_columns(tmp_path):
    database = tmp_path / "smoke.db"
    env = {**os.environ, "LIFECYCLE_USER": "alice"}
    subprocess.run([LIFECYCLE, "--db", str(database), "demo"], check=True, env=env, capture_output=True)
    terminal = Terminal(
        f"env LIFECYCLE_USER=alice TERM=xterm-256color {LIFECYCLE} --db {database} tui --as-of 2026-11-23",
        tmp_path / "tmux.sock",
    )
    try:
        terminal.wait_for("alice (admin)")
        open_case(terminal, "半导体", "Actions allowed now")
        terminal.keys("h")  # the case in the audit log, newest entry first and highlighted
        terminal.wait_for("Audit log · case 15")
        # The demo's last entry for a case records its contact (so its notices have somewhere to go).
        terminal.wait_for("set_contact  final_assessment → final_assessment  by alice (admin)")
        terminal.keys("Down", "Down", "Down")  # the fourth newest entry: the expert review opened
        shown = terminal.wait_for("clause 第十二条, 第十六条")
        for _ in range(50):  # the detail may be caught mid-redraw: until its clause line is whole
            if "clause 第十二条, 第十六条" in (line.strip() for line in shown.splitlines()):
                break
            time.sleep(0.2)
            shown = terminal.screen()
        lines = shown.splitlines()
        detail = next(n for n, line in enumerate(lines) if line.strip() == "clause 第十二条, 第十六条")
        assert "start_review  submitted → under_review  by alice (admin)" in lines[detail - 1]
        assert all(len(line) <= 120 for line in lines)
    finally:
        terminal.close()


@pytest.mark.parametrize(("size", "language"), [((120, 40), "en"), ((80, 24), "zh")], ids=["120x40-en", "80x24-zh"])
def test_a_clerks_day_in_the_real_tui_find_a_case_record_a_report_decide_a_proposal_read_the_log(
    tmp_path, size, language
):
    from clerk_day import DECISION_NO, clerk_day

    shots = dict(clerk_day(tmp_path, size, language))
    lifecycle = Lifecycle(str(tmp_path / "clerk-day.db"))
    reported = show_case(lifecycle, 1, date(2026, 11, 23))
    assert (reported["history"][-1]["trigger"], reported["state"]) == ("file_report", "approved")
    revoked = show_case(lifecycle, 12, date(2026, 11, 23))
    assert revoked["state"] == "revoked"
    assert revoked["history"][-1]["payload"]["decision_no"] == DECISION_NO
    log = shots["read the log"].splitlines()
    assert all(len(line) <= size[0] for line in log)
    assert any("第三十条" in line for line in log)  # the clause of the newest entry, in full
    grave = shots["decide a proposal: asked once more"]
    assert "成渝国家技术创新中心" in grave and DECISION_NO in grave
