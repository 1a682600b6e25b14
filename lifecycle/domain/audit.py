"""The audit log's hash chain: canonical encoding, hashing, and verification.

Each entry's hash is SHA-256 over the canonical JSON of every field but the
hash itself, `prev_hash` included; the first entry links to GENESIS. Changing,
removing, inserting or reordering an entry breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "case_id", "programme", "trigger", "from_state", "to_state", "effective_on",
          "recorded_at", "actor", "role", "reason", "clause", "payload", "prev_hash", "hash")


@dataclass
class AuditEntry:
    seq: int
    case_id: int | None
    programme: str | None
    trigger: str
    from_state: str | None
    to_state: str | None
    effective_on: date
    recorded_at: datetime
    actor: str
    role: str
    reason: str | None
    clause: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_on"] = self.effective_on.isoformat()
        data["recorded_at"] = utc_text(self.recorded_at)
        return data


def utc_text(moment: datetime) -> str:
    """UTC, microseconds, `Z`: the same text whichever database stored the moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: AuditEntry) -> bytes:
    data = {name: getattr(entry, name) for name in FIELDS if name != "hash"}
    data["effective_on"] = entry.effective_on.isoformat()
    data["recorded_at"] = utc_text(entry.recorded_at)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad": self.first_bad,
                "problem": self.problem, "head": {"seq": self.head_seq, "hash": self.head_hash}}


def verify(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> Verification:
    """Walk the chain in `seq` order; name the first entry that breaks it, and how.

    `entries` counts every entry present, also after a break; `head` is the
    last entry that verified. The recorded chain head (seq, hash) catches the
    removal of the newest entries, which leaves an intact but shorter chain.
    """
    expected_seq, expected_prev, count = 1, GENESIS, 0
    good_seq, good_hash = 0, GENESIS
    broken: tuple[int, str] | None = None
    for entry in entries:
        count += 1
        if broken is not None:
            continue  # keep counting: the report says how many entries the log holds
        broken = _break(entry, expected_seq, expected_prev)
        if broken is None:
            good_seq, good_hash = entry.seq, entry.hash
            expected_prev, expected_seq = entry.hash, expected_seq + 1
    if broken is not None:
        return Verification(False, count, broken[0], broken[1], good_seq, good_hash)
    if head is not None and (head[0], head[1]) != (good_seq, good_hash):
        if head[0] > good_seq:
            return Verification(False, count, good_seq + 1,
                                f"entries {good_seq + 1}..{head[0]} are missing from the end of the log",
                                good_seq, good_hash)
        return Verification(False, count, head[0], "the recorded chain head does not match the log",
                            good_seq, good_hash)
    return Verification(True, count, None, None, good_seq, good_hash)


def _break(entry: AuditEntry, expected_seq: int, expected_prev: str) -> tuple[int, str] | None:
    """How `entry` breaks the chain at this point, or None when it extends it."""
    if entry.seq > expected_seq:
        return expected_seq, f"entry {expected_seq} is missing (next found is {entry.seq})"
    if entry.seq < expected_seq:
        return entry.seq, f"entry {entry.seq} appears twice"
    if compute_hash(entry) != entry.hash:
        return entry.seq, f"entry {entry.seq}'s content was changed (its hash no longer matches)"
    if entry.prev_hash != expected_prev:
        return entry.seq, (f"entry {entry.seq} does not link to entry {entry.seq - 1}: an entry was "
                           "inserted, removed or reordered before it")
    return None
