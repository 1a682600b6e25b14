"""The docs show real output: the commands of the getting-started pages (English and Chinese) are
run as written, in a fresh directory, and what the pages show is what the commands print.

Lines the page elides (`...`) and what varies from run to run (times, hashes, durations) are not
compared; everything else is, so that a page cannot say 18 cases when the demo makes 42, or
schema revision 0001 when the schema is at 0005."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
PAGES = [DOCS / "getting-started.md", DOCS / "zh" / "getting-started.md"]
#: Commands whose output carries the time it was run, a hash or a duration: run, not compared.
UNCOMPARED = ("users list", "audit verify", "audit log", "comply", "cases show")


@dataclass
class Step:
    env: dict[str, str]
    command: str
    shown: list[str]


def steps(page: Path) -> list[Step]:
    """Every `$ lifecycle ...` of the page's console blocks, with the output shown under it."""
    found: list[Step] = []
    env: dict[str, str] = {}
    text = page.read_text(encoding="utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + " " + lines[index].strip()
                index += 1
            shown = []
            while index < len(lines) and not lines[index].startswith("$ "):
                shown.append(lines[index])
                index += 1
            words = shlex.split(command, comments=True)
            if words and words[0] == "export":
                env.update(dict(w.split("=", 1) for w in words[1:]))
            elif words and words[0] == "lifecycle":
                found.append(Step(dict(env), command, shown))
    return found


def compared(shown: list[str]) -> list[str]:
    """The lines shown before the page elides the rest."""
    kept = []
    for line in shown:
        if line.strip() in ("...", "…"):
            break
        kept.append(line.rstrip())
    return kept


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_getting_started_page_shows_what_its_commands_print(page: Path, tmp_path: Path) -> None:
    assert page.is_file(), f"{page} is missing"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LIFECYCLE_", "LC_", "LANG"))}
    base.update(COLUMNS="100", NO_COLOR="1", PYTHONIOENCODING="utf-8", LIFECYCLE_USER="wang")
    if "/zh/" in str(page):
        base["LIFECYCLE_LANG"] = "zh"
    ran = 0
    for step in steps(page):
        words = shlex.split(step.command, comments=True)
        done = subprocess.run(
            [sys.executable, "-m", "lifecycle.cli.main", *words[1:]],
            env={**base, **step.env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        ran += 1
        if any(" ".join(words[1:]).startswith(c) or f" {c}" in " ".join(words[1:]) for c in UNCOMPARED):
            continue
        printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
        expected = compared(step.shown)
        assert printed[: len(expected)] == expected, f"{page.name}: $ {step.command}"
    assert ran >= 5
