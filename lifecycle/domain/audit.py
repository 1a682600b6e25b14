"""The audit log's hash chain: canonical encoding, hashing, and verification.

Each entry's hash is SHA-256 over the canonical JSON of every field but the
hash itself, `prev_hash` included; the first entry links to GENESIS. Changing,
removing, inserting or reordering an entry breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64
FIELDS = (
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


#: The canonical encoding, built once (json.dumps with options builds an encoder per call).
CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical(entry: AuditEntry) -> bytes:
    data = {name: getattr(entry, name) for name in FIELDS if name != "hash"}
    data["effective_on"] = entry.effective_on.isoformat()
    data["recorded_at"] = utc_text(entry.recorded_at)
    return CANONICAL.encode(data).encode("utf-8")


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """A chain head written down outside the database (`lifecycle audit checkpoint`)."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """`SEQ:HASH`, e.g. `7:79c4…` (the full 64 hex digits); ValueError says what is wrong."""
        seq_text, sep, hash_ = text.strip().partition(":")
        if not sep or not seq_text.isdigit() or int(seq_text) < 1:
            raise ValueError(f"{text!r} is not SEQ:HASH (e.g. 7:79c4348b…, the whole 64-digit hash)")
        try:
            return cls.of(int(seq_text), hash_)
        except ValueError as error:
            raise ValueError(f"{text!r}: {error}") from None

    @classmethod
    def of(cls, seq: Any, hash_: Any) -> Checkpoint:
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValueError(f"checkpoint seq {seq!r} is not a positive whole number")
        text = str(hash_).strip().lower()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            raise ValueError(f"checkpoint hash {hash_!r} is not 64 hexadecimal digits")
        return cls(seq, text)


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    #: The checkpoint verified against, if any (`audit verify --against`).
    checkpoint: Checkpoint | None = None
    #: Cases whose stored row disagrees with the history their entries replay (see `Replay`).
    cases: list[dict[str, Any]] = field(default_factory=list)
    #: Entries of other offices the reader may not read: checked by their links only.
    not_readable: int = 0

    def to_dict(self) -> dict[str, Any]:
        checkpoint = None if self.checkpoint is None else {"seq": self.checkpoint.seq, "hash": self.checkpoint.hash}
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad": self.first_bad,
            "problem": self.problem,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "checkpoint": checkpoint,
            "cases": self.cases,
            "entries_not_readable": self.not_readable,
        }


class LinkOnly(AuditEntry):
    """An entry of another office, known by its number and links alone (the reader may not read
    its content): verification checks that it links the chain, not its own hash."""


class Replay:
    """Each case's state replayed from its entries, as they stream past the verification: an
    entry that moves a case from another state than its history left it in, or a stored row in
    another state than its last entry's, was changed behind the log (a bare UPDATE of cases)."""

    def __init__(self) -> None:
        self.states: dict[int, str] = {}
        self.problems: dict[int, dict[str, Any]] = {}

    def watch(self, entries: Iterable[AuditEntry]) -> Iterable[AuditEntry]:
        for entry in entries:
            case_id = entry.case_id
            if case_id is not None and not isinstance(entry, LinkOnly):
                before = self.states.get(case_id)
                if (
                    before is not None
                    and entry.from_state is not None
                    and entry.from_state != before
                    and case_id not in self.problems
                ):
                    self.problems[case_id] = {
                        "case_id": case_id,
                        "entry": entry.seq,
                        "history_state": before,
                        "stored_state": entry.from_state,
                        "problem": f"entry {entry.seq} moves case {case_id} from {entry.from_state}, but its "
                        f"history had left it in {before}: the case was changed without an entry",
                    }
                if entry.to_state is not None:
                    self.states[case_id] = entry.to_state
            yield entry

    def compare(self, stored: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
        """The cases whose stored state is not where their history leads, by id."""
        for case_id, state in stored:
            replayed = self.states.get(case_id)
            if case_id in self.problems:
                continue
            if replayed is None:
                self.problems[case_id] = {
                    "case_id": case_id,
                    "entry": None,
                    "history_state": None,
                    "stored_state": state,
                    "problem": f"case {case_id} is stored in {state} but has no audit entry: it was "
                    "written behind lifecycle's back",
                }
            elif replayed != state:
                self.problems[case_id] = {
                    "case_id": case_id,
                    "entry": None,
                    "history_state": replayed,
                    "stored_state": state,
                    "problem": f"case {case_id} is stored in {state}, but its entries lead to {replayed}: "
                    "it was changed without an audit entry",
                }
        return [self.problems[k] for k in sorted(self.problems)]


#: Looks an entry up by its stored hash (only when diagnosing a break, so it may be slow).
FindByHash = Callable[[str], "AuditEntry | None"]
#: How far from its place an entry's original number is searched for (renumbered entries).
RENUMBER_WINDOW = 1000


def verify(
    entries: Iterable[AuditEntry],
    head: tuple[int, str] | None,
    checkpoint: Checkpoint | None = None,
    find: FindByHash | None = None,
) -> Verification:
    """Walk the chain in `seq` order; name the first entry that breaks it, and how.

    `entries` counts every entry present, also after a break; `head` is the
    last entry that verified. The recorded chain head (seq, hash) catches the
    removal of the newest entries, which leaves an intact but shorter chain.
    A `checkpoint` taken earlier must still be in the chain with the same hash:
    that catches a log rewritten with every hash recomputed. `find` lets the
    diagnosis tell an insertion or a reordering from a plain edit.
    """
    expected_seq, expected_prev, count = 1, GENESIS, 0
    good_seq, good_hash = 0, GENESIS
    broken: tuple[int, str] | None = None
    for entry in entries:
        count += 1
        if broken is not None:
            continue  # keep counting: the report says how many entries the log holds
        broken = _break(entry, expected_seq, expected_prev, find)
        if broken is None and checkpoint is not None and entry.seq == checkpoint.seq and entry.hash != checkpoint.hash:
            broken = (
                entry.seq,
                (
                    f"entry {entry.seq}'s hash is {entry.hash[:16]}…, but the checkpoint says "
                    f"{checkpoint.hash[:16]}…: entry {entry.seq} or an entry before it was rewritten "
                    "and the hashes after it recomputed"
                ),
            )
        if broken is None:
            good_seq, good_hash = entry.seq, entry.hash
            expected_prev, expected_seq = entry.hash, expected_seq + 1

    def result(ok: bool, first: int | None = None, problem: str | None = None) -> Verification:
        return Verification(ok, count, first, problem, good_seq, good_hash, checkpoint)

    if broken is not None:
        return result(False, *broken)
    if checkpoint is not None and checkpoint.seq > good_seq:
        return result(
            False,
            good_seq + 1,
            (
                f"the log ends at entry {good_seq}, but the checkpoint was taken at entry "
                f"{checkpoint.seq}: entries {good_seq + 1}..{checkpoint.seq} were removed"
            ),
        )
    if head is not None and (head[0], head[1]) != (good_seq, good_hash):
        if head[0] > good_seq:
            return result(False, good_seq + 1, f"entries {good_seq + 1}..{head[0]} are missing from the end of the log")
        if head[0] < good_seq:
            return result(
                False,
                head[0] + 1,
                (
                    f"entries {head[0] + 1}..{good_seq} were inserted after the recorded chain head "
                    f"(entry {head[0]}): they were not appended by lifecycle"
                ),
            )
        return result(False, head[0], "the recorded chain head does not match the log")
    return result(True)


def _break(entry: AuditEntry, expected_seq: int, expected_prev: str, find: FindByHash | None) -> tuple[int, str] | None:
    """How `entry` breaks the chain at this point, or None when it extends it."""
    seq = entry.seq
    if seq > expected_seq:
        return expected_seq, f"entry {expected_seq} is missing (next found is {seq})"
    if seq < expected_seq:
        return seq, f"entry {seq} appears twice"
    intact = isinstance(entry, LinkOnly) or compute_hash(entry) == entry.hash
    if intact and entry.prev_hash == expected_prev:
        return None
    lookup = find or (lambda _hash: None)
    original = seq if intact else _original_seq(entry, lookup)
    if original is None:
        return seq, f"entry {seq}'s content was changed (its hash no longer matches)"
    if original < seq:
        inserted = f"entry {original} was" if original == seq - 1 else f"entries {original}..{seq - 1} were"
        return original, (
            f"{inserted} inserted: the entry now numbered {seq} was entry {original}, renumbered to make room"
        )
    if original > seq:
        if entry.prev_hash != GENESIS and lookup(entry.prev_hash) is None:
            removed = f"entry {seq} was" if original == seq + 1 else f"entries {seq}..{original - 1} were"
            return seq, (
                f"{removed} removed and the later entries renumbered: the entry now numbered {seq} was entry {original}"
            )
        return seq, f"the order was changed: the entry now numbered {seq} was entry {original}"
    linked = lookup(entry.prev_hash)
    if linked is not None and linked.seq > seq:
        return seq, (
            f"the order was changed: entry {seq} links to the entry now numbered {linked.seq}, which comes after it"
        )
    return seq, (
        f"entry {seq} does not link to entry {seq - 1}: entry {seq - 1} was replaced "
        "(its hash recomputed), or entries were inserted, removed or reordered before it"
    )


def _original_seq(entry: AuditEntry, find: FindByHash) -> int | None:
    """The number under which `entry` was hashed, if only its `seq` was changed; else None."""
    candidates: list[int] = []
    if entry.prev_hash == GENESIS:
        candidates.append(1)
    elif (before := find(entry.prev_hash)) is not None:
        candidates.append(before.seq + 1)
    candidates += [s for n in range(1, RENUMBER_WINDOW + 1) for s in (entry.seq - n, entry.seq + n) if s >= 1]
    for candidate in candidates:
        if candidate != entry.seq and compute_hash(replace(entry, seq=candidate)) == entry.hash:
            return candidate
    return None
