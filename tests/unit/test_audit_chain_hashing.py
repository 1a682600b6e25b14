"""The audit log's hash chain (lifecycle.domain.audit): what verify() catches."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone

from lifecycle.domain.audit import GENESIS, AuditEntry, canonical, compute_hash, utc_text, verify


def chain(n: int = 5) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = AuditEntry(
            seq=seq,
            case_id=1,
            programme="bj-tic",
            trigger=f"t{seq}",
            from_state="draft",
            to_state="submitted",
            effective_on=date(2025, 1, seq),
            recorded_at=datetime(2025, 1, seq, 8, 0, tzinfo=UTC),
            actor="alice",
            role="admin",
            reason=None,
            clause="第七条(二)",
            payload={"grade": "pass", "名": "中心"},
            prev_hash=prev,
        )
        entry.hash = compute_hash(entry)
        prev = entry.hash
        entries.append(entry)
    return entries


def head(entries: list[AuditEntry]) -> tuple[int, str]:
    return entries[-1].seq, entries[-1].hash


def test_an_intact_chain_verifies_with_its_head():
    entries = chain()
    result = verify(entries, head(entries))
    assert result.ok and result.entries == 5 and result.first_bad is None
    assert (result.head_seq, result.head_hash) == head(entries)


def test_an_empty_chain_verifies():
    result = verify([], None)
    assert result.ok and result.head_hash == GENESIS
    assert verify([], (0, GENESIS)).ok


def test_the_first_entry_links_to_genesis():
    entries = chain(1)
    assert entries[0].prev_hash == GENESIS
    entries[0].prev_hash = "1" * 64
    entries[0].hash = compute_hash(entries[0])
    result = verify(entries, None)
    assert not result.ok and result.first_bad == 1


def test_changed_content_is_named_at_the_changed_entry():
    entries = chain()
    entries[2].payload = {"grade": "fail"}
    result = verify(entries, head(entries))
    assert not result.ok and result.first_bad == 3
    assert "changed" in result.problem


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link():
    entries = chain()
    entries[1].actor = "mallory"
    entries[1].hash = compute_hash(entries[1])
    result = verify(entries, None)
    assert not result.ok and result.first_bad == 3
    assert "link" in result.problem


def test_a_missing_entry_in_the_middle_is_named():
    entries = chain()
    del entries[2]
    result = verify(entries, None)
    assert not result.ok and result.first_bad == 3
    assert "missing" in result.problem


def test_reordered_entries_are_caught():
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    result = verify(entries, None)
    assert not result.ok and result.first_bad == 2


def test_reordered_entries_with_renumbered_seq_are_caught_by_content_and_links():
    entries = chain()
    a, b = copy.deepcopy(entries[1]), copy.deepcopy(entries[2])
    a.seq, b.seq = 3, 2
    entries[1], entries[2] = b, a
    result = verify(entries, None)
    assert not result.ok and result.first_bad == 2


def test_a_duplicated_entry_is_named():
    entries = chain()
    entries.insert(2, copy.deepcopy(entries[1]))
    result = verify(entries, None)
    assert not result.ok and "twice" in result.problem


def test_a_truncated_tail_is_caught_only_with_the_recorded_head():
    entries = chain()
    recorded = head(entries)
    shorter = entries[:3]
    assert verify(shorter, None).ok  # an intact, shorter chain
    result = verify(shorter, recorded)
    assert not result.ok and result.first_bad == 4
    assert "4..5" in result.problem


def test_a_truncated_head_is_caught_as_a_missing_first_entry():
    entries = chain()[2:]
    result = verify(entries, (5, chain()[-1].hash))
    assert not result.ok and result.first_bad == 1
    assert "missing" in result.problem


def test_a_head_that_does_not_match_the_last_hash_is_caught():
    entries = chain()
    result = verify(entries, (5, "f" * 64))
    assert not result.ok
    assert "head" in result.problem


def test_the_hash_covers_every_field_but_itself():
    entry = chain(1)[0]
    original = compute_hash(entry)
    for name, value in [
        ("seq", 9),
        ("case_id", 2),
        ("programme", "x"),
        ("trigger", "y"),
        ("from_state", None),
        ("to_state", None),
        ("effective_on", date(2020, 1, 1)),
        ("recorded_at", datetime(2020, 1, 1, tzinfo=UTC)),
        ("actor", "b"),
        ("role", "system"),
        ("reason", "r"),
        ("clause", None),
        ("payload", {}),
        ("prev_hash", "1" * 64),
    ]:
        changed = copy.deepcopy(entry)
        setattr(changed, name, value)
        assert compute_hash(changed) != original, name
    entry.hash = "anything"
    assert compute_hash(entry) == original


def test_the_canonical_form_is_independent_of_payload_key_order_and_timezone():
    a, b = chain(1)[0], copy.deepcopy(chain(1)[0])
    b.payload = dict(reversed(list(a.payload.items())))
    b.recorded_at = a.recorded_at.astimezone(timezone(timedelta(hours=8)))
    assert canonical(a) == canonical(b)
    assert "中心".encode() in canonical(a)


def test_utc_text_is_utc_with_microseconds_and_z():
    moment = datetime(2025, 1, 1, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    assert utc_text(moment) == "2025-01-01T00:00:00.000005Z"
    assert utc_text(datetime(2025, 1, 1)) == "2025-01-01T00:00:00.000000Z"


def test_a_broken_chain_still_counts_every_entry_and_reports_the_last_good_head():
    entries = chain(5)
    forged = copy.deepcopy(entries)
    forged[2].reason = "rewritten"
    result = verify(forged, head(entries))
    assert (result.ok, result.entries, result.first_bad) == (False, 5, 3)
    assert (result.head_seq, result.head_hash) == (2, entries[1].hash)
