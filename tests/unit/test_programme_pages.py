"""docs/programmes/<code>.md are generated: they must match the definitions, [default]s included."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecycle.programmes.catalogue import Catalogue
from lifecycle.programmes.describe import rules
from lifecycle.programmes.pages import DEFAULT, cell, render_page

PAGES = Path(__file__).resolve().parents[2] / "docs" / "programmes"
CATALOGUE = Catalogue.load()
REGENERATE = "run `python -m lifecycle.programmes.pages` from the repository root to regenerate it"


@pytest.mark.parametrize("code", CATALOGUE.codes())
def test_page_matches_its_definition(code: str) -> None:
    path = PAGES / f"{code}.md"
    assert path.is_file(), f"{path} is missing: {REGENERATE}"
    expected = render_page(CATALOGUE.current(code))
    assert path.read_text(encoding="utf-8") == expected, f"{path} is out of date: {REGENERATE}"


@pytest.mark.parametrize("code", CATALOGUE.codes())
def test_every_default_rule_is_marked_default_in_its_page(code: str) -> None:
    programme = CATALOGUE.current(code)
    page = (PAGES / f"{code}.md").read_text(encoding="utf-8")
    section = page.split("## Rules and their clauses", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # past the header
    found = rules(programme)
    assert len(rows) == len(found), f"{code}: the page's rules table is out of date: {REGENERATE}"
    for row, rule in zip(rows, found, strict=True):
        assert row.startswith(f"| {cell(rule['rule'])} |"), f"{code}: expected {rule['rule']!r}, got {row!r}"
        clause = row.rsplit(" | ", 1)[1]
        if rule["default"]:
            assert DEFAULT in clause, f"{code}: {rule['rule']!r} is a default but the page shows {row!r}"
        else:
            assert DEFAULT not in clause, f"{code}: {rule['rule']!r} is not a default but the page shows {row!r}"
    assert any(rule["default"] for rule in found), f"{code}: no [default] rule at all (test sanity)"
