"""The auditor's use cases: read the log, verify the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from lifecycle.domain.audit import AuditEntry, Checkpoint, LinkOnly, Replay, Verification, utc_text, verify
from lifecycle.errors import AuditBroken, UsageError
from lifecycle.persistence.engine import safe_url
from lifecycle.persistence.repositories import AuditFilter, utc_now
from lifecycle.persistence.tables import cases
from lifecycle.services.app import Lifecycle


def audit_entries(app: Lifecycle, where: AuditFilter) -> Iterator[AuditEntry]:
    with app.uow() as uow:
        yield from uow.audit.entries(where)


def verify_log(app: Lifecycle, checkpoint: Checkpoint | None = None) -> Verification:
    """Walk the whole chain in one read transaction, so appends meanwhile do not confuse it;
    with a `checkpoint`, also prove the log still extends that head. Replays each case's state
    from its entries on the way, and compares it with the stored case: a case changed without
    an entry fails the verification, named."""
    with app.uow() as uow:
        if uow.connection.dialect.name == "postgresql":
            # One snapshot for the head and every entry (READ COMMITTED would take one per
            # statement, and an append between them would look like an inserted entry).
            uow.connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head = uow.audit.head()
        replay = Replay()
        hidden = [0]
        result = verify(replay.watch(_chain(uow, hidden)), head, checkpoint, uow.audit.by_hash)
        result.not_readable = hidden[0]
        stored = uow.connection.execute(select(cases.c.id, cases.c.state).order_by(cases.c.id))
        result.cases = replay.compare((int(i), str(s)) for i, s in stored)
        if result.cases and result.ok:
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
    links = uow.connection.execute(text("SELECT seq, prev_hash, hash FROM lifecycle_chain_links()")).all()
    for seq, prev_hash, hash_ in links:
        while following is not None and following.seq < seq:
            following = next(readable, None)
        if following is not None and following.seq == seq:
            yield following
            continue
        hidden[0] += 1
        yield LinkOnly(seq=int(seq), case_id=None, programme=None, trigger="", from_state=None, to_state=None,
                       effective_on=date.min, recorded_at=datetime.min, actor="", role="", reason=None,
                       clause=None, prev_hash=str(prev_hash), hash=str(hash_))


def take_checkpoint(app: Lifecycle) -> dict[str, Any]:
    """The verified head of the chain, to keep outside the database; AuditBroken if the log
    does not verify (a checkpoint of a broken log would vouch for the break)."""
    result = verify_log(app)
    if not result.ok:
        where = f"at entry {result.first_bad}" if result.first_bad is not None else "in its cases"
        raise AuditBroken(f"the audit log is BROKEN {where}: {result.problem}; no checkpoint taken")
    return {"seq": result.head_seq, "hash": result.head_hash, "entries": result.entries,
            "taken_at": utc_text(utc_now()), "database": safe_url(app.url)}


def read_checkpoint(value: str) -> Checkpoint:
    """`--against`: a file written by `audit checkpoint [--json]`, or `SEQ:HASH`."""
    path = Path(value)
    try:
        if ":" not in value or path.is_file():
            try:
                content = path.read_text(encoding="utf-8")
            except OSError as error:
                raise ValueError(f"cannot read checkpoint file {value!r} ({error.strerror}); "
                                 "give a file written by `lifecycle audit checkpoint --json`, "
                                 "or SEQ:HASH") from None
            try:
                data = json.loads(content)
            except json.JSONDecodeError:
                # The plain output of `audit checkpoint` saved to a file: its SEQ:HASH line.
                return Checkpoint.parse(content.strip().splitlines()[0] if content.strip() else "")
            if not isinstance(data, dict) or "seq" not in data or "hash" not in data:
                raise ValueError(f"{value!r} has no \"seq\" and \"hash\": is it from "
                                 "`lifecycle audit checkpoint --json`?")
            return Checkpoint.of(data["seq"], data["hash"])
        return Checkpoint.parse(value)
    except ValueError as error:
        raise UsageError(f"--against: {error}") from None
