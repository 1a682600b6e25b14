"""verify names what a forger did (inserted, reordered, removed and renumbered entries), and a
checkpoint kept outside the database catches even a log whose every hash was recomputed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import insert, text, update

from lifecycle.domain.audit import Checkpoint, compute_hash
from lifecycle.errors import AuditBroken, UsageError
from lifecycle.persistence.repositories import ENTRY_COLUMNS
from lifecycle.persistence.tables import audit_head, audit_log
from lifecycle.services.audit import (
    audit_entries,
    read_checkpoint,
    take_checkpoint,
    verify_log,
)
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
    return {e.seq: e for e in audit_entries(app, AuditFilter())}


@pytest.fixture
def forge(app):
    """Run statements against audit_log with its append-only triggers out of the way."""

    def run(*statements) -> None:
        with app.engine.begin() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            else:
                connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            for statement in statements:
                connection.execute(text(statement) if isinstance(statement, str) else statement)
            if not sqlite:
                connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")

    return run


def row(entry) -> dict:
    return {name: getattr(entry, name) for name in ENTRY_COLUMNS}


def test_verify_names_an_entry_inserted_in_the_middle(app, history, forge):
    forged = replace(history[3], seq=3, reason="approved in advance", prev_hash=history[2].hash)
    forged.hash = compute_hash(forged)
    forge(
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100",
        insert(audit_log).values(row(forged)),
    )

    result = verify_log(app)

    assert (result.ok, result.first_bad, result.entries) == (False, 3, 6)
    assert "entry 3 was inserted: the entry now numbered 4 was entry 3" in result.problem


def test_verify_names_two_entries_whose_order_was_swapped(app, history, forge):
    forge(
        "UPDATE audit_log SET seq = -3 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -3",
    )

    result = verify_log(app)

    assert (result.ok, result.first_bad) == (False, 3)
    assert result.problem == "the order was changed: the entry now numbered 3 was entry 4"


def test_verify_names_an_entry_removed_with_the_later_ones_renumbered(app, history, forge):
    forge("DELETE FROM audit_log WHERE seq = 3", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3")

    result = verify_log(app)

    assert (result.ok, result.first_bad) == (False, 3)
    assert "entry 3 was removed and the later entries renumbered" in result.problem


def test_verify_names_entries_appended_behind_lifecycles_back(app, history, forge):
    extra = replace(history[5], seq=6, reason="added by hand", prev_hash=history[5].hash)
    extra.hash = compute_hash(extra)
    forge(insert(audit_log).values(row(extra)))

    result = verify_log(app)

    assert (result.ok, result.first_bad) == (False, 6)
    assert "entries 6..5" not in result.problem
    assert "inserted after the recorded chain head (entry 5)" in result.problem


def rewrite_from(app, forge, history, seq: int, **changes) -> None:
    """The forger's best: change entry `seq`, recompute it and every later hash and the head."""
    entries, prev = [], history[seq - 1].hash
    for number in range(seq, max(history) + 1):
        entry = replace(history[number], prev_hash=prev, **(changes if number == seq else {}))
        entry.hash = prev = compute_hash(entry)
        entries.append(entry)
    forge(
        *[update(audit_log).where(audit_log.c.seq == e.seq).values(row(e)) for e in entries],
        update(audit_head).where(audit_head.c.id == 1).values(seq=entries[-1].seq, hash=prev),
    )


def test_a_log_rewritten_with_every_hash_recomputed_verifies_alone_but_not_against_a_checkpoint(app, history, forge):
    kept = take_checkpoint(app)
    assert (kept.seq, kept.hash) == (5, history[5].hash)
    rewrite_from(app, forge, history, 3, actor="mallory")
    assert verify_log(app).ok  # the chain is consistent in itself: only the checkpoint knows

    result = verify_log(app, Checkpoint(kept.seq, kept.hash))

    assert (result.ok, result.first_bad) == (False, 5)
    assert "entry 5 or an entry before it was rewritten and the hashes after it recomputed" in result.problem
    assert verify_log(app, Checkpoint(2, history[2].hash)).ok  # before the rewrite: still extended
    assert verify_log(app, Checkpoint(3, history[3].hash)).first_bad == 3


def test_a_checkpoint_past_the_end_of_the_log_means_entries_were_removed(app, history):
    result = verify_log(app, Checkpoint(9, "a" * 64))
    assert (result.ok, result.first_bad) == (False, 6)
    assert "the log ends at entry 5, but the checkpoint was taken at entry 9" in result.problem


def test_the_log_keeps_extending_a_checkpoint_as_it_grows(app, history):
    kept = take_checkpoint(app)
    advance(app, "alice", history[2].case_id, "file_report", D("2026-03-20"), {"year": "2025"})
    result = verify_log(app, Checkpoint(kept.seq, kept.hash))
    assert (result.ok, result.entries, result.head_seq) == (True, 6, 6)


def test_no_checkpoint_is_taken_of_a_broken_log(app, history, forge):
    forge("UPDATE audit_log SET reason = 'edited' WHERE seq = 4")
    with pytest.raises(AuditBroken, match="BROKEN at entry 4"):
        take_checkpoint(app)


@pytest.mark.parametrize(
    "given, problem",
    [
        ("7", "cannot read checkpoint file '7'"),
        ("x:abc", "'x:abc' is not SEQ:HASH"),
        ("0:" + "a" * 64, "is not SEQ:HASH"),
        ("7:abc", "hash 'abc' is not 64 hexadecimal digits"),
    ],
)
def test_a_malformed_checkpoint_is_a_usage_error_naming_it(given, problem, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"^--against: ") as error:
        read_checkpoint(given)
    assert problem in str(error.value)


def test_a_checkpoint_file_is_read_as_json_or_as_the_plain_line(tmp_path):
    as_json = tmp_path / "head.json"
    as_json.write_text('{"seq": 5, "hash": "' + "AB" * 32 + '", "entries": 5}')
    as_line = tmp_path / "head.txt"
    as_line.write_text("5:" + "ab" * 32 + "\n")
    assert read_checkpoint(str(as_json)) == read_checkpoint(str(as_line)) == Checkpoint(5, "ab" * 32)
