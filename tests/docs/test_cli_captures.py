"""The captures of the CLI in the docs (docs/zh/cli-captures.md, docs/cli-captures.md) are what
the CLI prints: each page is rebuilt by running the clerk's commands on a fresh demo database on
the fixed day, and compared byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lifecycle.cli.captures import PAGES, TODAY, render


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cli_captures_page_is_exactly_what_the_commands_print_on_the_fixed_day(lang: str) -> None:
    page = PAGES[lang]
    assert page.exists(), f"{page} is missing: run python -m lifecycle.cli.captures"
    assert page.read_text(encoding="utf-8") == render(lang), (
        f"{page} is not what the CLI prints: run python -m lifecycle.cli.captures and review the diff"
    )


def test_the_chinese_captures_show_the_refusal_and_the_report_in_chinese() -> None:
    text = PAGES["zh"].read_text(encoding="utf-8")
    assert "$ lifecycle advance 1 start_mid_term" in text and "退出码 3" in text
    assert "项目组合报告（截至 2026年4月2日）" in text and TODAY == "2026-04-02"


def _lifecycle(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LIFECYCLE_", "LC_", "LANG"))}
    base.update(LIFECYCLE_USER="wang", LIFECYCLE_DB=f"sqlite:///{tmp_path / 'x.db'}", LIFECYCLE_LANG="en", **env)
    return subprocess.run(
        [sys.executable, "-m", "lifecycle.cli.main", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_lifecycle_today_fixes_the_day_commands_default_to_and_a_bad_one_is_a_usage_error(tmp_path) -> None:
    assert _lifecycle(tmp_path, "init").returncode == 0
    fixed = _lifecycle(tmp_path, "calendar", "--days", "5", LIFECYCLE_TODAY="2031-07-01")
    assert fixed.returncode == 0 and "Deadlines from 2031-07-01" in fixed.stdout
    bad = _lifecycle(tmp_path, "calendar", LIFECYCLE_TODAY="2031-13-01")
    assert bad.returncode == 2 and "LIFECYCLE_TODAY" in bad.stderr and "YYYY-MM-DD" in bad.stderr
