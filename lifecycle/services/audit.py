"""The auditor's use cases: read the log, verify the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lifecycle.domain.audit import AuditEntry, Checkpoint, LinkOnly, Replay, Verification, utc_text, verify
from lifecycle.domain.messages import N_
from lifecycle.errors import AuditBroken, UsageError
from lifecycle.persistence.engine import safe_url
from lifecycle.persistence.repositories import HEAD_MISSING, utc_now
from lifecycle.services.app import Lifecycle
from lifecycle.services.filters import AuditFilter


def audit_entries(app: Lifecycle, where: AuditFilter | None = None) -> Iterator[AuditEntry]:
    """The log, oldest first, filtered by `where` (None: every entry)."""
    with app.uow() as uow:
        yield from uow.audit.entries(where.query() if where is not None else None)


def verify_log(app: Lifecycle, checkpoint: Checkpoint | None = None) -> Verification:
    """Walk the whole chain in one read transaction, so appends meanwhile do not confuse it;
    with a `checkpoint`, also prove the log still extends that head. Replays each case's state
    from its entries on the way, and compares it with the stored case: a case changed without
    an entry fails the verification, named."""
    with app.uow() as uow:
        uow.audit.one_snapshot()
        try:
            head: tuple[int, str] | None = uow.audit.head()
        except AuditBroken:
            head = None
        replay = Replay()
        hidden = [0]
        result = verify(replay.watch(_chain(uow, hidden)), head, checkpoint, uow.audit.by_hash)
        result.not_readable = hidden[0]
        if not result.ok:
            return result
        if head is None:
            return replace(result, ok=False, first_bad=result.head_seq + 1, problem=HEAD_MISSING)
        if result.entries == 0:
            held = uow.users.count() + uow.cases.count()
            if held:
                # Every user and case was recorded in the log when it was added: an empty log
                # beside them means its entries (and the head, reset) were deleted.
                return replace(
                    result,
                    ok=False,
                    first_bad=1,
                    problem=(
                        f"the log has no entries, but the database holds {uow.users.count()} users and "
                        f"{uow.cases.count()} cases, each recorded in the log when it was added: the "
                        "entries were deleted and the chain head reset; restore the log from a backup"
                    ),
                )
        result.cases = replay.compare(uow.cases.stored_states())
        if result.cases:
            first = result.cases[0]
            more = f" (and {len(result.cases) - 1} more case(s))" if len(result.cases) > 1 else ""
            result.ok, result.problem = False, f"{first['problem']}{more}"
        return result


def _chain(uow: Any, hidden: list[int]) -> Iterator[AuditEntry]:
    """Every entry of the chain. A PostgreSQL login that may not read every office's entries
    gets the others as their links (`LinkOnly`), from a database function, and counts them."""
    who = uow.users.database_user()
    if who is None or who.installer or uow.scope() is None:
        yield from uow.audit.entries(everything=True)
        return
    readable = uow.audit.entries(everything=True)
    following = next(readable, None)
    for seq, prev_hash, hash_ in uow.audit.chain_links():
        while following is not None and following.seq < seq:
            following = next(readable, None)
        if following is not None and following.seq == seq:
            yield following
            continue
        hidden[0] += 1
        yield LinkOnly(
            seq=int(seq),
            case_id=None,
            programme=None,
            trigger="",
            from_state=None,
            to_state=None,
            effective_on=date.min,
            recorded_at=datetime.min,
            actor="",
            role="",
            reason=None,
            clause=None,
            prev_hash=str(prev_hash),
            hash=str(hash_),
        )


@dataclass(frozen=True)
class CheckpointTaken:
    """The verified head of the chain, to keep outside the database."""

    seq: int
    hash: str
    entries: int
    taken_at: str
    database: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def take_checkpoint(app: Lifecycle) -> CheckpointTaken:
    """The verified head of the chain, to keep outside the database; AuditBroken if the log
    does not verify (a checkpoint of a broken log would vouch for the break)."""
    result = verify_log(app)
    if not result.ok:
        if result.first_bad is not None:
            raise AuditBroken(
                N_("the audit log is BROKEN at entry {first_bad}: {problem}; no checkpoint taken"),
                {"first_bad": result.first_bad, "problem": result.problem},
            )
        raise AuditBroken(
            N_("the audit log is BROKEN in its cases: {problem}; no checkpoint taken"), {"problem": result.problem}
        )
    return CheckpointTaken(result.head_seq, result.head_hash, result.entries, utc_text(utc_now()), safe_url(app.url))


def read_checkpoint(value: str) -> Checkpoint:
    """`--against`: a file written by `audit checkpoint [--json]`, or `SEQ:HASH`."""
    path = Path(value)
    try:
        if ":" not in value or path.is_file():
            try:
                content = path.read_text(encoding="utf-8")
            except OSError as error:
                raise ValueError(
                    f"cannot read checkpoint file {value!r} ({error.strerror}); "
                    "give a file written by `lifecycle audit checkpoint --json`, "
                    "or SEQ:HASH"
                ) from None
            try:
                data = json.loads(content)
            except json.JSONDecodeError:
                # The plain output of `audit checkpoint` saved to a file: its SEQ:HASH line.
                return Checkpoint.parse(content.strip().splitlines()[0] if content.strip() else "")
            if not isinstance(data, dict) or "seq" not in data or "hash" not in data:
                raise ValueError(f'{value!r} has no "seq" and "hash": is it from `lifecycle audit checkpoint --json`?')
            return Checkpoint.of(data["seq"], data["hash"])
        return Checkpoint.parse(value)
    except ValueError as error:
        raise UsageError(N_("--against: {error}"), {"error": error}) from None
