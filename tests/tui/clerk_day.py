"""A clerk's day in the real `lifecycle tui`, in a real terminal (tmux), on the demo after the
compliance run of 2026-11-23: find a case, record its report, decide a proposal of the run, read
the log. Used by the tmux smoke test, and to take the captures of docs/tui.md and docs/zh/tui.md:

    python tests/tui/clerk_day.py 120 40 en     # prints each step's screen as tmux captured it
    python tests/tui/clerk_day.py 80 24 zh
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_tui_tmux import LIFECYCLE, Terminal

DAY = "2026-11-23"
#: The case whose report is recorded, and the proposal confirmed (the demo's case 12, 成渝, whose
#: rectification deadline passed: the run proposes its revocation, decision 1).
REPORTING = "集成电路"
DECISION_NO = "国科发区〔2026〕12号"
#: What each step waits for, in each language.
WORDS = {
    "en": {
        "loaded": "alice (admin)",
        "list": "n/PgDn next page",
        "searched": f"name contains {REPORTING}",
        "one": "1–1 of 1",
        "case": "Actions allowed now",
        "form": "Effective date",
        "review": "Confirm: ",
        "recorded": "annual report 2026: fulfilled",
        "decisions": "What to do with the highlighted proposal",
        "choices": "open case 12",
        "decide": "Decision number 文号 (required)",
        "confirm": "by decision",
        "decided": "confirmed",
        "audit": "Chain verifies",
    },
    "zh": {
        "loaded": "alice (管理员)",
        "list": "n/PgDn 下一页",
        "searched": f"名称包含 {REPORTING}",
        "one": "第 1–1 项,共 1",
        "case": "当前可执行的操作",
        "form": "生效日期",
        "review": "确认:",
        "recorded": "annual report 2026: 已履行",
        "decisions": "对所选提议的操作",
        "choices": "打开事项 12",
        "decide": "决定文号(必填)",
        "confirm": "依据决定",
        "decided": "已确认",
        "audit": "哈希链校验通过",
    },
}


def demo(folder: Path) -> Path:
    """The demo database after the compliance run of DAY (it proposes revocations)."""
    database = folder / "clerk-day.db"
    env = {**os.environ, "LIFECYCLE_USER": "alice", "LIFECYCLE_LANG": "en"}
    subprocess.run([LIFECYCLE, "--db", str(database), "demo"], check=True, env=env, capture_output=True)
    subprocess.run(
        [LIFECYCLE, "--db", str(database), "comply", "--as-of", DAY], check=True, env=env, capture_output=True
    )
    return database


def clerk_day(folder: Path, size: tuple[int, int], language: str) -> list[tuple[str, str]]:
    """Run the day in the real TUI; each step's title and the screen tmux captured."""
    database = demo(folder)
    words = WORDS[language]
    shots: list[tuple[str, str]] = []
    terminal = Terminal(
        f"env LIFECYCLE_USER=alice LIFECYCLE_LANG={language} TERM=xterm-256color {LIFECYCLE} --db {database} "
        f"tui --as-of {DAY}",
        folder / "tmux.sock",
        size,
    )

    def shot(title: str, text: str) -> None:
        shots.append((title, terminal.wait_for(text)))

    try:
        shot("dashboard", words["loaded"])
        # 1. find a case: the case list, searched by name
        terminal.keys("c")
        terminal.wait_for(words["list"])
        for attempt in range(4):  # on a loaded machine the focus may not be in the box yet: again
            terminal.keys("/")
            time.sleep(0.5)
            terminal.keys("C-u")  # a "/" that reached the box as text (the focus was there): gone
            terminal.keys(REPORTING, literal=True)
            try:
                terminal.wait_for(words["searched"], timeout=8)
                break
            except AssertionError:
                if attempt == 3:
                    raise
        shot("find a case", words["one"])
        terminal.keys("Enter")  # from the search box to the list
        time.sleep(0.5)
        for attempt in range(4):
            terminal.keys("Enter")  # open the case
            try:
                terminal.wait_for(words["case"], timeout=8)
                break
            except AssertionError:
                if attempt == 3:
                    raise
        shot("the case", "file_report  ")  # its actions, loaded
        # 2. record a report: the first action (file_report; revoke and withdraw come last)
        terminal.keys("Enter")
        terminal.wait_for(words["form"])
        time.sleep(0.3)
        terminal.keys("2026", literal=True)
        terminal.keys("Enter")  # review
        shot("record a report: the review", words["review"])
        terminal.keys("Enter")  # confirm
        shot("record a report: recorded", words["recorded"])
        # 3. decide a proposal: the decisions due, the third one (case 12's revocation)
        terminal.keys("k")
        terminal.wait_for(words["decisions"])
        time.sleep(0.5)
        terminal.keys("Down", "Down", "Enter")
        shot("decisions due: the choices", words["choices"])
        terminal.keys("Down", "Down", "Enter")  # past "open case" and "dismiss": confirm
        terminal.wait_for(words["decide"])
        time.sleep(0.3)
        terminal.keys(DECISION_NO, literal=True)
        terminal.keys("Enter")
        shot("decide a proposal: asked once more", words["confirm"])
        terminal.keys("Tab", "Enter")  # the red button, deliberately
        shot("decide a proposal: confirmed", words["decided"])
        # 4. read the log: the newest entry, highlighted, in full
        terminal.keys("a")
        shot("read the log", words["audit"])
    finally:
        terminal.close()
    return shots


def main() -> None:
    width, height, language = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as folder:
        for title, screen in clerk_day(Path(folder), (width, height), language):
            print(f"\n===== {title} =====")
            print("\n".join(line.rstrip() for line in screen.splitlines()))


if __name__ == "__main__":
    main()
