"""What the docs say about the product matches the product: the schema revision they show, the size
of the demo portfolio they describe, and the CLI reference (generated from the commands)."""

from __future__ import annotations

import re
from pathlib import Path

from lifecycle.cli.reference import reference, replace_section
from lifecycle.persistence.revision import HEAD

ROOT = Path(__file__).parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
#: Where a page shows the schema revision a command reports.
REVISION = re.compile(r'schema revision (\d{4})|"revision(?:_before)?": "(\d{4})"')


def test_every_page_shows_the_schema_revision_the_product_is_at() -> None:
    wrong = [
        f"{page.relative_to(ROOT)}: {match.group(0)}"
        for page in PAGES
        for match in REVISION.finditer(page.read_text(encoding="utf-8"))
        if (match.group(1) or match.group(2)) != HEAD
    ]
    assert wrong == [], f"the schema is at revision {HEAD}"


def test_no_page_describes_the_demo_as_another_size_than_the_getting_started_run_shows() -> None:
    shown = re.search(
        r"Demo portfolio in \S+: (\d+) cases created",
        (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"),
    )
    assert shown is not None
    size = shown.group(1)  # itself checked against `lifecycle demo` by test_documented_commands
    claims = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"(\d+) cases (?:created|in (?:\w+ ){0,2}programmes)|共 (\d+) 个事项", text):
            before = text[max(0, m.start() - 300) : m.end()]
            if (m.group(1) or m.group(2)) != size and ("demo" in before or "演示" in before):
                claims.append(f"{page.relative_to(ROOT)}: {m.group(0)}")
    assert claims == []


def test_the_cli_reference_is_what_the_commands_say() -> None:
    page = ROOT / "docs" / "cli.md"
    current = page.read_text(encoding="utf-8")
    assert replace_section(current, reference()) == current, (
        "docs/cli.md drifted from the commands: run `python -m lifecycle.cli.reference`"
    )


def test_the_chinese_cli_reference_is_what_the_commands_say_in_chinese() -> None:
    page = ROOT / "docs" / "zh" / "cli-reference.md"
    current = page.read_text(encoding="utf-8")
    assert replace_section(current, reference("zh")) == current, (
        "docs/zh/cli-reference.md drifted from the commands: run `python -m lifecycle.cli.reference`"
    )
    assert "对事项执行一项操作" in current and "Fire a trigger on a case" not in current


def test_the_english_cli_reference_stays_english_when_the_shell_speaks_chinese(monkeypatch) -> None:
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    english = reference()
    assert "Fire a trigger on a case" in english and "[default: table]" in english
    assert "对事项执行一项操作" not in english and "默认：" not in english
