"""`audit log` filters: each one selects exactly the entries it names, and they combine."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lifecycle.domain.audit import FIELDS
from lifecycle.services.audit import audit_entries
from lifecycle.services.cases import add_case, advance
from lifecycle.services.filters import AuditFilter
from lifecycle.services.users import SYSTEM, Actor, add_user

D = date.fromisoformat


@pytest.fixture
def log(app, eligible):
    """1 alice admin · 2-5 a bj-tic case to approved (alice) · 6 bob added · 7 national-tic opened
    by bob · 8 the system starts the bj-tic mid-term review."""
    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", D("2024-10-01")).case
    advance(app, "alice", case.id, "submit", D("2024-10-08"), eligible)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    approved = advance(app, "alice", case.id, "approve", D("2025-01-10")).case
    add_user(app, "alice", "bob", "admin")
    add_case(app, "bob", "national-tic", "国家智能传感器技术创新中心", D("2025-03-01"), {"kind": "domain"})
    programme = app.catalogue.current("bj-tic")
    due = programme.due_date(programme.timer(programme.trigger("start_mid_term").due), approved)
    advance(app, "alice", case.id, "start_mid_term", due, actor=Actor(SYSTEM, "system"))
    return case.id


def seqs(app, **where) -> list[int]:
    return [e.seq for e in audit_entries(app, AuditFilter(**where))]


@pytest.mark.parametrize(
    "where, expected",
    [
        ({"case_id": 1}, [2, 3, 4, 5, 8]),
        ({"programme": "national-tic"}, [7]),
        ({"actor": "bob"}, [7]),
        ({"role": "system"}, [8]),
        ({"trigger": "user_role"}, [1, 6]),
        ({"clause": "第七条"}, [2, 3, 4, 5]),
        ({"since": D("2024-11-01"), "until": D("2025-01-31")}, [4, 5]),
        ({"case_id": 1, "actor": "alice", "since": D("2024-10-08")}, [3, 4, 5]),
    ],
)
def test_each_filter_selects_exactly_its_entries(app, log, where, expected):
    assert seqs(app, **where) == expected


def test_the_recorded_time_filters_select_by_when_entries_were_written(app, log):
    entries = list(audit_entries(app, AuditFilter()))
    middle = entries[4].recorded_at
    assert seqs(app, recorded_since=middle) == [e.seq for e in entries if e.recorded_at >= middle]
    assert seqs(app, recorded_until=middle) == [e.seq for e in entries if e.recorded_at <= middle]
    assert seqs(app, recorded_since=datetime.now() + timedelta(days=1)) == []


def test_an_exported_entry_has_the_documented_fields_in_the_documented_order(app, log):
    entry = next(iter(audit_entries(app, AuditFilter(trigger="start_mid_term")))).to_dict()
    assert (
        tuple(entry)
        == FIELDS
        == (
            "seq",
            "case_id",
            "programme",
            "trigger",
            "from_state",
            "to_state",
            "effective_on",
            "recorded_at",
            "actor",
            "role",
            "reason",
            "clause",
            "payload",
            "prev_hash",
            "hash",
        )
    )
    assert (entry["actor"], entry["role"]) == ("system", "system")
