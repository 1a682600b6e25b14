"""PostgreSQL: cases and their audit entries written in one call of `lifecycle_write`.

Python decides (the domain's rules, criteria, quotas, timers); the database function checks
what it may (who, which office, which move) and writes the case and the entries, working out
each entry's place in the chain and its hash. One call per advance, whatever the batch size
of an import or a compliance run. See `guard.py` and docs/adr/0005.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from lifecycle.domain.audit import CANONICAL, AuditEntry
from lifecycle.domain.case import Case
from lifecycle.errors import Conflict, LifecycleError, Refused

#: The columns of a case the function reads from a change (`jsonb_populate_record`).
ROW_COLUMNS = (
    "programme",
    "name",
    "state",
    "state_since",
    "fields",
    "approved_on",
    "valid_until",
    "cycle",
    "cycle_start",
    "deadline_on",
    "progress",
    "definition_version",
    "created_on",
    "next_due_on",
    "office",
)
_ROWS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class CaseChange:
    """One case to write: new (`expected_version` None) or changed from `expected_version`, with
    the entries that record it (their `case_id` is filled in by the database)."""

    case: Case
    expected_version: int | None
    entries: list[Any] = field(default_factory=list)
    #: Only the next due day changed (the compliance run looked at the case): no entry.
    next_due_only: bool = False


def _row(case: Case) -> dict[str, Any]:
    return {name: _value(getattr(case, name)) for name in ROW_COLUMNS}


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _entry(draft: Any, index: int | None) -> dict[str, Any]:
    data = {
        "trigger": draft.trigger,
        "from_state": draft.from_state,
        "to_state": draft.to_state,
        "effective_on": draft.effective_on.isoformat(),
        "actor": draft.actor,
        "role": draft.role,
        "reason": draft.reason,
        "clause": draft.clause,
        "programme": draft.programme,
        "payload_text": CANONICAL.encode(draft.payload),
        "office": getattr(draft, "office", None),
    }
    if index is not None:
        data["case"] = index
    elif draft.case_id is not None:
        data["case_id"] = draft.case_id
    return data


def write_changes(
    connection: Connection, changes: list[CaseChange], action: str, caseless: list[Any] | None = None
) -> list[AuditEntry]:
    """Write the changes and their entries in one call; the entries as stored, in order.
    Fills in each case's id and version. Refused (exit 3) or Conflict (exit 4) as the database
    decides; the caller's transaction is then to be rolled back."""
    from psycopg import errors

    from lifecycle.persistence.guard import CONFLICT_STATE, HEAD_MISSING_STATE, REFUSED_STATE

    cases_json = [
        {
            "id": c.case.id if c.expected_version is not None else None,
            "expected_version": c.expected_version,
            "row": _row(c.case),
            "next_due_only": c.next_due_only,
        }
        for c in changes
    ]
    entries_json = [_entry(draft, index) for index, change in enumerate(changes) for draft in change.entries]
    entries_json += [_entry(draft, None) for draft in caseless or []]
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(
            "SELECT lifecycle_write(%s::jsonb, %s::jsonb)", (_ROWS.encode(cases_json), _ROWS.encode(entries_json))
        )
        fetched = cursor.fetchone()
        assert fetched is not None
        result = fetched[0]
    except errors.Error as error:
        state = getattr(error, "sqlstate", None)
        message = error.diag.message_primary or str(error)
        if state == HEAD_MISSING_STATE:
            from lifecycle.errors import AuditBroken
            from lifecycle.persistence.repositories import HEAD_MISSING

            raise AuditBroken(HEAD_MISSING) from None
        if state == CONFLICT_STATE:
            raise Conflict(f"{action}: {message}; nothing was written, reload and try again") from None
        if state in (REFUSED_STATE, "42501"):
            from lifecycle.domain.reasons import Reason

            raise Refused(action, [Reason("role", f"the database refused it: {message}")]) from None
        detail = f" ({error.diag.message_detail})" if error.diag.message_detail else ""
        raise LifecycleError(
            f"{action}: the database could not write it: {message}{detail}; nothing was written"
        ) from error
    finally:
        cursor.close()
    for change, case_id, version in zip(changes, result["ids"], result["versions"], strict=True):
        change.case.id, change.case.version = case_id, version
    drafts = [(change.case.id, d) for change in changes for d in change.entries]
    drafts += [(d.case_id, d) for d in caseless or []]
    stored = []
    for (case_id, draft), (seq, hash_, prev_hash, recorded) in zip(drafts, result["entries"], strict=True):
        stored.append(
            AuditEntry(
                seq=int(seq),
                case_id=case_id,
                programme=draft.programme,
                trigger=draft.trigger,
                from_state=draft.from_state,
                to_state=draft.to_state,
                effective_on=draft.effective_on,
                recorded_at=datetime.strptime(recorded, "%Y-%m-%dT%H:%M:%S.%fZ"),
                actor=draft.actor,
                role=draft.role,
                reason=draft.reason,
                clause=draft.clause,
                payload=draft.payload,
                prev_hash=prev_hash,
                hash=hash_,
            )
        )
    return stored


def lock_cases(connection: Connection, ids: list[int]) -> dict[int, int]:
    """Lock these cases until the transaction ends (in id order) and return their versions."""
    if not ids:
        return {}
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute("SELECT id, version FROM lifecycle_lock_cases(%s)", (list(ids),))
        return {int(i): int(v) for i, v in cursor.fetchall()}
    finally:
        cursor.close()
