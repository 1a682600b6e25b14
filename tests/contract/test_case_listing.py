"""`lifecycle cases list` reads its rows without the table models (and on a SQLite file given
as a path, without SQLAlchemy): it must list exactly what the repository's search finds."""

from __future__ import annotations

from datetime import date

from lifecycle.demo.showcase import build_demo
from lifecycle.services.app import Lifecycle
from lifecycle.services.case_list import list_cases
from lifecycle.services.cases import add_case

FILTERS = [
    {},
    {"programme": "bj-tic"},
    {"state": "approved"},
    {"text": "中心"},
    {"text": " 技术 "},
    {"text": "%_"},
    {"text": "/"},
    {"limit": 3},
    {"limit": 0},
    {"programme": "national-tic", "state": "approved", "limit": 2},
]


def test_the_case_list_finds_what_the_repository_search_finds_with_every_filter(app: Lifecycle, db_url: str) -> None:
    build_demo(app, "alice")
    add_case(app, "alice", "bj-tic", "百分之百%_合作/中心", date(2025, 3, 1))
    fresh = Lifecycle(db_url)  # nothing opened yet: on SQLite the driver alone reads the list
    for criteria in FILTERS:
        with app.uow() as uow:
            found = uow.cases.search(**criteria)
        expected = [
            (c.id, c.programme, c.name, c.state, c.state_since, c.approved_on, c.valid_until, c.next_due_on, c.version)
            for c in found
        ]
        for reader in (fresh.reader(), app.database_uow()):
            with reader as read:
                assert [tuple(line) for line in read.listing.lines(**criteria)] == expected, criteria
    assert "engine" not in fresh.__dict__ or not db_url.startswith("sqlite")


def test_a_name_with_like_wildcards_is_found_only_by_those_characters(app: Lifecycle, db_url: str) -> None:
    build_demo(app, "alice")
    add_case(app, "alice", "bj-tic", "百分之百%_合作/中心", date(2025, 3, 1))
    fresh = Lifecycle(db_url)
    for text in ("%_", "%", "_", "/"):
        assert [c.name for c in list_cases(fresh, text=text)] == ["百分之百%_合作/中心"], text
    assert len(list_cases(fresh)) == 57
