"""The log is append-only in the database, and any edit made around that is found by verify."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import DBAPIError

from lifecycle.domain.audit import compute_hash
from lifecycle.services.audit import audit_entries, verify_log
from lifecycle.services.cases import add_case, advance
from lifecycle.services.filters import AuditFilter

D = date.fromisoformat


@pytest.fixture
def history(app, eligible):
    """Entries 1 (alice made admin) .. 5: a case opened, submitted, reviewed, approved."""
    case = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", D("2024-10-01")).case
    advance(app, "alice", case.id, "submit", D("2024-10-08"), eligible)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"))
    result = verify_log(app)
    assert (result.ok, result.entries, result.head_seq) == (True, 5, 5)
    return case.id


@pytest.fixture
def tamper(app, raw_sql):
    """Run SQL against audit_log with the append-only triggers out of the way."""

    def run(statement: str) -> None:
        if app.engine.dialect.name == "sqlite":
            raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            raw_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            raw_sql(statement)
        else:
            with app.engine.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
                connection.exec_driver_sql(statement)
                connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")

    return run


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_change_or_remove_audit_entries(app, history, raw_sql, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        raw_sql(statement)
    assert raw_sql("SELECT actor FROM audit_log WHERE seq = 3") == [("alice",)]
    assert verify_log(app).ok


def test_postgresql_refuses_to_truncate_the_audit_log(app, history, raw_sql):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        raw_sql("TRUNCATE audit_log CASCADE")
    assert raw_sql("SELECT count(*) FROM audit_log") == [(5,)]


def test_verify_names_an_edited_entry(app, history, tamper):
    tamper("UPDATE audit_log SET reason = 'approved early' WHERE seq = 4")
    result = verify_log(app)
    assert (result.ok, result.first_bad) == (False, 4)
    assert "changed" in result.problem


def test_verify_names_an_edited_entry_even_when_its_hash_was_recomputed(app, history, tamper):
    # A forger who rewrites entry 3 and its hash still breaks the link from entry 4.
    entry = next(e for e in audit_entries(app, AuditFilter()) if e.seq == 3)
    entry.actor = "mallory"
    forged = compute_hash(entry)
    tamper(f"UPDATE audit_log SET actor = 'mallory', hash = '{forged}' WHERE seq = 3")
    result = verify_log(app)
    assert (result.ok, result.first_bad) == (False, 4)
    assert "does not link" in result.problem


def test_verify_names_a_deleted_entry_in_the_middle(app, history, tamper):
    tamper("DELETE FROM audit_log WHERE seq = 3")
    result = verify_log(app)
    assert (result.ok, result.first_bad) == (False, 3)
    assert "missing" in result.problem


def test_verify_finds_the_newest_entry_deleted(app, history, tamper):
    tamper("DELETE FROM audit_log WHERE seq = 5")
    result = verify_log(app)
    assert (result.ok, result.first_bad) == (False, 5)
    assert "missing from the end" in result.problem


def test_the_chain_keeps_verifying_as_it_grows_after_a_verification(app, history):
    advance(app, "alice", history, "file_report", D("2026-03-20"), {"year": "2025"})
    result = verify_log(app)
    assert (result.ok, result.entries, result.head_seq) == (True, 6, 6)
