"""A unit of work in memory (the ports of lifecycle.services.ports), for fast tests of a use case's
own logic: who may act, what is refused, what is recorded. No SQL, no file; committed state is
kept apart from a unit's work, so leaving a unit without `commit()` writes nothing, as in the
database. The database-facing behaviour is tested against SQLite and PostgreSQL elsewhere."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from lifecycle.domain.audit import GENESIS, AuditEntry, compute_hash
from lifecycle.domain.case import Case
from lifecycle.domain.contacts import Contact


@dataclass
class Stored:
    """Everything a fake database holds."""

    cases: dict[int, Case] = field(default_factory=dict)
    entries: list[AuditEntry] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, tuple[str, str]] = field(default_factory=dict)
    decisions: dict[int, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    admin_contacts: dict[str, Contact] = field(default_factory=dict)
    #: The notification log's rows (notice and delivery), newest notice first, as the database
    #: returns them; only the scheduled jobs write notices, so a use case's test sets them.
    notices: list[dict[str, Any]] = field(default_factory=list)
    attempts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class FakeCases:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def get(self, case_id: int) -> Case | None:
        found = self.stored.cases.get(case_id)
        return copy.deepcopy(found) if found else None

    def add(self, case: Case) -> int:
        case.id = max(self.stored.cases, default=0) + 1
        case.version = 1
        self.stored.cases[case.id] = copy.deepcopy(case)
        return case.id

    def add_many(self, new_cases: list[Case]) -> None:
        for case in new_cases:
            self.add(case)

    def update(self, case: Case, expected_version: int) -> bool:
        assert case.id is not None
        current = self.stored.cases.get(case.id)
        if current is None or current.version != expected_version:
            return False
        case.version = expected_version + 1
        self.stored.cases[case.id] = copy.deepcopy(case)
        return True

    def quota_holders(
        self, programme: str, group: dict[str, Any], excluding: list[str], case_id: int | None
    ) -> list[Case]:
        return [
            copy.deepcopy(c)
            for c in self.stored.cases.values()
            if c.programme == programme
            and c.id != case_id
            and c.state not in excluding
            and all(c.fields.get(k) == v for k, v in group.items())
        ]

    def find_by_name(self, programme: str, name: str) -> Case | None:
        return next(
            (copy.deepcopy(c) for c in self.stored.cases.values() if (c.programme, c.name) == (programme, name)), None
        )

    def count_by_programme_state(self) -> list[tuple[str, str, int]]:
        counts: dict[tuple[str, str], int] = {}
        for c in self.stored.cases.values():
            counts[(c.programme, c.state)] = counts.get((c.programme, c.state), 0) + 1
        return [(p, s, n) for (p, s), n in sorted(counts.items())]


class FakeAudit:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def one_snapshot(self) -> None:
        return None  # one process, one list: every read is one snapshot

    def head(self, *, lock: bool = False) -> tuple[int, str]:
        last = self.stored.entries[-1] if self.stored.entries else None
        return (last.seq, last.hash or "") if last else (0, GENESIS)

    def append(
        self,
        *,
        case_id: int | None,
        programme: str | None,
        trigger: str,
        from_state: str | None,
        to_state: str | None,
        effective_on: date,
        actor: str,
        role: str,
        reason: str | None,
        clause: str | None,
        payload: dict[str, Any],
    ) -> AuditEntry:
        seq, prev_hash = self.head()
        entry = AuditEntry(
            seq=seq + 1,
            case_id=case_id,
            programme=programme,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            effective_on=effective_on,
            recorded_at=datetime.now(UTC).replace(tzinfo=None),
            actor=actor,
            role=role,
            reason=reason,
            clause=clause,
            payload=payload,
            prev_hash=prev_hash,
        )
        entry.hash = compute_hash(entry)
        self.stored.entries.append(entry)
        return entry

    def entries(self, where: Any = None) -> Iterator[AuditEntry]:
        case_id = getattr(where, "case_id", None)
        yield from (e for e in self.stored.entries if case_id is None or e.case_id == case_id)

    def history(self, case_id: int) -> list[AuditEntry]:
        return [e for e in self.stored.entries if e.case_id == case_id]

    def by_hash(self, hash_: str) -> AuditEntry | None:
        return next((e for e in self.stored.entries if e.hash == hash_), None)

    def last_for_case(self, case_id: int) -> AuditEntry | None:
        found = self.history(case_id)
        return found[-1] if found else None

    def by_seq(self, seq: int) -> AuditEntry | None:
        return next((e for e in self.stored.entries if e.seq == seq), None)


class FakeUsers:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def role_of(self, name: str) -> str | None:
        return self.stored.users.get(name)

    def add(self, name: str, role: str) -> None:
        self.stored.users[name] = role

    def set_role(self, name: str, role: str) -> None:
        self.stored.users[name] = role

    def count(self) -> int:
        return len(self.stored.users)

    def database_user(self) -> None:
        return None  # as on SQLite: the claimed name acts


class FakeDefinitions:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def text(self, version: str) -> str | None:
        found = self.stored.definitions.get(version)
        return found[1] if found else None

    def ensure(self, code: str, version: str, content: str) -> None:
        self.stored.definitions.setdefault(version, (code, content))


class FakeDecisions:
    """Decisions due as rows (dicts), as the database repository returns them."""

    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def get(self, decision_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        found = self.stored.decisions.get(decision_id)
        return dict(found) if found else None

    def search(
        self,
        *,
        state: str | None = "open",
        programme: str | None = None,
        case_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        rows = [
            dict(r)
            for r in self.stored.decisions.values()
            if (state is None or r["state"] == state)
            and (programme is None or r["programme"] == programme)
            and (case_id is None or r["case_id"] == case_id)
        ]
        rows.sort(key=lambda r: (r["due_on"], r["id"]))
        return rows[:limit] if limit else rows

    def count_open(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.stored.decisions.values():
            if row["state"] == "open":
                counts[row["programme"]] = counts.get(row["programme"], 0) + 1
        return counts

    def open_for(self, case_id: int, trigger: str) -> list[int]:
        return sorted(
            i
            for i, r in self.stored.decisions.items()
            if r["case_id"] == case_id and r["state"] == "open" and r["trigger"] == trigger
        )

    def decide(
        self,
        decision_id: int,
        *,
        state: str,
        decision_no: str | None,
        decided_on: date,
        decided_by: str,
        reason: str | None,
        seq: int,
    ) -> bool:
        row = self.stored.decisions.get(decision_id)
        if row is None or row["state"] != "open":
            return False
        row.update(
            state=state,
            decision_no=decision_no,
            decided_on=decided_on,
            decided_by=decided_by,
            reason=reason,
            decided_seq=seq,
        )
        return True

    def reopen(self, ids: list[int]) -> None:
        for decision_id in ids:
            self.stored.decisions[decision_id].update(
                state="open", decision_no=None, decided_on=None, decided_by=None, reason=None, decided_seq=None
            )

    def close_raised(self, raised_seq: int, *, decided_on: date, decided_by: str, reason: str, seq: int) -> None:
        for row in self.stored.decisions.values():
            if row["raised_seq"] == raised_seq and row["state"] == "open":
                row.update(
                    state="dismissed", decided_on=decided_on, decided_by=decided_by, reason=reason, decided_seq=seq
                )


class FakeContacts:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def of_case(self, case_id: int) -> Contact | None:
        return self.stored.contacts.get(case_id)

    def save(self, case_id: int, contact: Contact, by: str) -> None:
        self.stored.contacts[case_id] = contact

    def of_admin(self, user: str) -> Contact | None:
        return self.stored.admin_contacts.get(user)

    def save_admin(self, user: str, contact: Contact, by: str) -> None:
        self.stored.admin_contacts[user] = contact

    def admins(self) -> list[Contact]:
        return [self.stored.admin_contacts[user] for user in sorted(self.stored.admin_contacts)]


class FakeNotifications:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def log(self, case_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        rows = [dict(r) for r in self.stored.notices if case_id is None or r["case_id"] == case_id]
        return rows[:limit] if limit else rows

    def attempts(self, delivery_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        return {i: [dict(a) for a in self.stored.attempts[i]] for i in delivery_ids if i in self.stored.attempts}

    def for_audit(self, seqs: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {}
        for row in self.stored.notices:
            if row["audit_seq"] in seqs:
                found.setdefault(row["audit_seq"], []).append(dict(row))
        return found


class FakeListing:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def lines(
        self,
        *,
        programme: str | None = None,
        state: str | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[Case]:
        found = [
            c
            for _, c in sorted(self.stored.cases.items())
            if (not programme or c.programme == programme)
            and (not state or c.state == state)
            and (not text or text.strip() in c.name)
        ]
        return found if limit is None else found[:limit]


class FakeUnitOfWork:
    """Works on a copy of the committed state; `commit()` makes the copy the committed state."""

    def __init__(self, database: FakeDatabase, *, write: bool = False) -> None:
        self.database = database
        self.write = write

    def __enter__(self) -> FakeUnitOfWork:
        self.restart()
        return self

    def restart(self) -> None:
        self.working = copy.deepcopy(self.database.stored)
        self.cases, self.audit = FakeCases(self.working), FakeAudit(self.working)
        self.users, self.definitions = FakeUsers(self.working), FakeDefinitions(self.working)
        self.decisions = FakeDecisions(self.working)
        self.contacts, self.notifications = FakeContacts(self.working), FakeNotifications(self.working)
        self.listing = FakeListing(self.working)

    def commit(self) -> None:
        assert self.write, "a reading unit of work committed"
        self.database.stored = self.working
        self.database.commits += 1
        self.restart()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.working = Stored()  # whatever was not committed is gone


class FakeDatabase:
    """`Lifecycle(unit_of_work=FakeDatabase().unit_of_work)`."""

    def __init__(self) -> None:
        self.stored = Stored()
        self.commits = 0

    def unit_of_work(self, *, write: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, write=write)
