"""The use cases' own logic, on the in-memory unit of work (tests/unit/fakes.py): no database, so each
test takes milliseconds. What the database itself does is tested on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from fakes import FakeDatabase

from lifecycle.domain.audit import verify
from lifecycle.errors import Conflict, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance, show_case

ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
NAME = "北京市集成电路技术创新中心"


@pytest.fixture
def database() -> FakeDatabase:
    database = FakeDatabase()
    database.stored.users.update(alice="admin", dora="auditor")
    return database


@pytest.fixture
def app(database: FakeDatabase) -> Lifecycle:
    return Lifecycle("sqlite:///never-opened.db", unit_of_work=database.unit_of_work)


def test_opening_and_submitting_a_case_records_one_chained_entry_each(app, database):
    opened = add_case(app, "alice", "bj-tic", NAME, date(2024, 9, 20), reason="plan received")
    submitted = advance(app, "alice", opened.case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    assert submitted.case.state == "submitted" and submitted.case.version == 2
    assert [(e.trigger, e.actor, e.to_state) for e in database.stored.entries] == [
        (opened.entry.trigger, "alice", "draft"),
        ("submit", "alice", "submitted"),
    ]
    head = database.stored.entries[-1]
    assert verify(iter(database.stored.entries), (head.seq, head.hash), None, lambda _h: None).ok
    assert show_case(app, opened.case.id, date(2024, 10, 9))["state"] == "submitted"


def test_a_step_the_rules_refuse_writes_nothing(app, database):
    opened = add_case(app, "alice", "bj-tic", NAME, date(2024, 9, 20))
    before = (database.commits, len(database.stored.entries), database.stored.cases[opened.case.id].state)
    with pytest.raises(Refused):
        advance(app, "alice", opened.case.id, "approve", date(2024, 10, 8))
    assert (database.commits, len(database.stored.entries), database.stored.cases[opened.case.id].state) == before


def test_an_auditor_may_not_open_a_case(app, database):
    with pytest.raises(Refused) as refused:
        add_case(app, "dora", "bj-tic", NAME, date(2024, 9, 20))
    assert refused.value.reasons[0].code == "role"
    assert database.stored.cases == {} and database.stored.entries == [] and database.commits == 0


def test_acting_on_a_version_someone_else_moved_is_a_conflict_naming_them(app, database):
    opened = add_case(app, "alice", "bj-tic", NAME, date(2024, 9, 20))
    advance(app, "alice", opened.case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    with pytest.raises(Conflict, match="by alice \\(submit"):
        advance(app, "alice", opened.case.id, "submit", date(2024, 10, 9), ELIGIBLE, expected_version=1)
    assert len(database.stored.entries) == 2
