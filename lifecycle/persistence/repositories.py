"""Repositories over SQLAlchemy Core: cases, the audit log, users, stored definitions.

Core rather than ORM sessions: one advance is five short statements, and the
ORM's per-object bookkeeping would cost more than the database work itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Row,
    Select,
    bindparam,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)

from lifecycle.domain.audit import CANONICAL, AuditEntry, compute_hash, utc_text
from lifecycle.domain.case import Case
from lifecycle.domain.messages import N_, Term, message
from lifecycle.domain.reasons import Reason
from lifecycle.domain.values import MAX_REASON_LENGTH, InvalidValue, check_text
from lifecycle.errors import AuditBroken, Refused
from lifecycle.persistence.case_search import DUE, CaseQuery, order, ordered_ids, where
from lifecycle.persistence.hot_path import prepare, read_date, read_json
from lifecycle.persistence.roles import DatabaseUser, database_user, grant_login_role
from lifecycle.persistence.tables import ROOT_OFFICE, audit_head, audit_log, cases, definitions, users

#: The chain head row (audit_head, id 1) is written by `lifecycle init` and moved by every
#: append; lifecycle never deletes it. Without it, removing the newest entries is invisible.
HEAD_MISSING = (
    "the recorded chain head (table audit_head, row 1) is missing: it was deleted "
    "outside lifecycle, so the log cannot prove that no entries were removed from its "
    "end; nothing can be appended until it is restored from a backup (see docs/audit.md)"
)


def _refuse_reason(reason: str, trigger: str) -> None:
    """A reason goes into the audit log for good: visible text of at most MAX_REASON_LENGTH
    characters (tabs allowed), else Refused (exit 3) and nothing is written."""
    try:
        check_text(reason, "reason", MAX_REASON_LENGTH, allow_tab=True)
    except InvalidValue as error:
        raise Refused(
            message(N_("recording {trigger}"), {"trigger": trigger}),
            [Reason.of("invalid_field", N_("--reason: {error}"), {"error": error.term()}, details={"field": "reason"})],
        ) from None


def check_reason(reason: str, trigger: str) -> None:
    """Refused (exit 3) unless `reason` may go into the audit log (see `_refuse_reason`)."""
    if len(reason) > MAX_REASON_LENGTH or not reason.isprintable():
        _refuse_reason(reason, trigger)


def utc_now() -> datetime:
    """Naive UTC, microseconds: stored the same way by SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


CASE_COLUMNS = (
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
#: What an advance may change: every column but the office (a case does not move office).
UPDATED_COLUMNS = tuple(name for name in CASE_COLUMNS if name != "office")


# The hot path's statements, built once: SQLAlchemy then reuses their compiled form and
# only binds values (rebuilding them per call cost more than the database work).
_CASE_BY_ID = select(cases).where(cases.c.id == bindparam("match_id"))
_UPDATE_CASE = (
    update(cases)
    .where(cases.c.id == bindparam("match_id"), cases.c.version == bindparam("match_version"))
    .values(
        {
            name: bindparam(name)
            for name in (
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
                "version",
                "updated_at",
                "next_due_on",
            )
        }
    )
)
_INSERT_CASE = insert(cases)
_ROLE_OF = select(users.c.role).where(users.c.name == bindparam("user_name"))
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_INSERT_ENTRY = insert(audit_log).values(
    {
        name: bindparam(name)
        for name in (
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
            "office",
        )
    }
)
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
ENTRY_COLUMNS = (
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


def case_from_row(row: Row[Any]) -> Case:
    return _case_from_mapping(row._mapping)


def _case_from_mapping(data: Any) -> Case:
    return Case(
        id=data["id"],
        programme=data["programme"],
        name=data["name"],
        state=data["state"],
        state_since=read_date(data["state_since"]) or date.min,
        definition_version=data["definition_version"],
        fields=dict(read_json(data["fields"]) or {}),
        approved_on=read_date(data["approved_on"]),
        valid_until=read_date(data["valid_until"]),
        cycle=data["cycle"],
        cycle_start=read_date(data["cycle_start"]),
        deadline_on=read_date(data["deadline_on"]),
        progress=dict(read_json(data["progress"]) or {}),
        version=data["version"],
        created_on=read_date(data["created_on"]),
        next_due_on=read_date(data.get("next_due_on")),
        office=data.get("office") or ROOT_OFFICE,
    )


#: The offices a reader sees (None: all), worked out when first needed.
Scope = Callable[[], "tuple[str, ...] | None"]


class CaseRepository:
    """Reads are limited to the reader's offices (`scope`); on PostgreSQL row-level security
    limits them again, whoever asks. `get` reads any case: the use cases check its office and
    say why it is out of reach."""

    def __init__(self, connection: Connection, scope: Scope | None = None) -> None:
        self.connection = connection
        self._scope = scope

    def scope(self) -> tuple[str, ...] | None:
        return self._scope() if self._scope is not None else None

    def _offices(self, office: str | None) -> tuple[str, ...] | None:
        """The offices a query covers: the reader's, narrowed to `office` and those below it."""
        seen = self.scope()
        if office is None:
            return seen
        from lifecycle.persistence.offices import OfficeRepository

        below = OfficeRepository(self.connection).subtree(office)
        return tuple(code for code in below if seen is None or code in seen)

    def get(self, case_id: int) -> Case | None:
        cursor = prepare(self.connection, _CASE_BY_ID).run(self.connection, {"match_id": case_id})
        row = cursor.fetchone()
        if row is None:
            return None
        return _case_from_mapping(dict(zip([c[0] for c in cursor.description], row, strict=True)))

    def add(self, case: Case) -> int:
        values = {name: getattr(case, name) for name in CASE_COLUMNS}
        result = self.connection.execute(_INSERT_CASE, {**values, "version": 1, "updated_at": utc_now()})
        case.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        case.version = 1
        return case.id

    def add_many(self, new_cases: list[Case]) -> None:
        """Insert many cases at once (an import), each given its id, in order."""
        if not new_cases:
            return
        now = utc_now()
        ids = self._new_ids(len(new_cases))
        self.connection.execute(
            insert(cases),
            [
                {"id": case_id, **{name: getattr(case, name) for name in CASE_COLUMNS}, "version": 1, "updated_at": now}
                for case_id, case in zip(ids, new_cases, strict=True)
            ],
        )
        for case, case_id in zip(new_cases, ids, strict=True):
            case.id, case.version = case_id, 1

    def _new_ids(self, count: int) -> list[int]:
        """Ids for `count` new cases, taken before the INSERT so that it needs no RETURNING:
        a multi-row INSERT ... RETURNING was four times slower on PostgreSQL than psycopg's
        pipelined executemany."""
        if self.connection.dialect.name == "postgresql":
            return [
                int(n)
                for n in self.connection.execute(
                    text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, :n)"),
                    {"n": count},
                ).scalars()
            ]
        # SQLite: the writing unit of work holds the database lock (BEGIN IMMEDIATE), and
        # cases are never deleted, so the next ids follow the largest.
        last = int(self.connection.execute(select(func.max(cases.c.id))).scalar() or 0)
        return list(range(last + 1, last + count + 1))

    def update(self, case: Case, expected_version: int) -> bool:
        """Write `case` if nobody changed it since `expected_version`; False if somebody did."""
        values = {name: getattr(case, name) for name in UPDATED_COLUMNS}
        values.update(
            version=expected_version + 1, updated_at=utc_now(), match_id=case.id, match_version=expected_version
        )
        if prepare(self.connection, _UPDATE_CASE).run(self.connection, values).rowcount != 1:
            return False
        case.version = expected_version + 1
        return True

    def query(self, *, programme: str | None = None, state: str | None = None, text: str | None = None) -> Select[Any]:
        statement = select(cases)
        if programme:
            statement = statement.where(cases.c.programme == programme)
        if state:
            statement = statement.where(cases.c.state == state)
        if text:
            statement = statement.where(cases.c.name.contains(text, autoescape=True))
        return statement

    def search(
        self,
        *,
        programme: str | None = None,
        state: str | None = None,
        text: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        province: str | None = None,
        due_from: date | None = None,
        due_before: date | None = None,
        sort: str = "id",
        lock: bool = False,
        office: str | None = None,
    ) -> list[Case]:
        """Cases, filtered and sorted in SQL, a page at a time with `limit` (see case_search).

        With `lock` (PostgreSQL), their rows stay locked until commit: a use case that
        changes many cases locks them all before its first audit append, since an append
        holds the chain head, and waiting for a case while holding it could deadlock."""
        criteria = CaseQuery(programme, state, province, text, due_from, due_before, self._offices(office))
        if lock and self.connection.dialect.name == "postgresql":
            # FOR UPDATE needs the UPDATE right on cases, which no login holds: the database
            # function locks the rows (in id order), then they are read.
            from lifecycle.persistence.writes import lock_cases

            wanted = [
                row[0]
                for row in self.connection.execute(
                    ordered_ids(criteria, sort, "postgresql").limit(limit).offset(offset)
                )
            ]
            lock_cases(self.connection, sorted(wanted))
            locked = (
                {
                    row.id: case_from_row(row)
                    for row in self.connection.execute(select(cases).where(cases.c.id.in_(wanted)))
                }
                if wanted
                else {}
            )
            return [locked[i] for i in wanted if i in locked]
        if limit is None:
            statement = select(cases).where(*where(criteria)).order_by(*order(sort))
            if lock:
                statement = statement.with_for_update()
            return [case_from_row(row) for row in self.connection.execute(statement)]
        # Sort only the ids, then read the page's rows: sorting whole rows (JSON and all)
        # of 100,000 cases to keep 50 cost twice as much.
        ids = ordered_ids(criteria, sort, self.connection.dialect.name)
        page = [row[0] for row in self.connection.execute(ids.limit(limit).offset(offset))]
        if not page:
            return []
        rows = select(cases).where(cases.c.id.in_(page))
        if lock:
            rows = rows.with_for_update()
        found = {row.id: case_from_row(row) for row in self.connection.execute(rows)}
        return [found[case_id] for case_id in page]

    def count(
        self,
        *,
        programme: str | None = None,
        state: str | None = None,
        text: str | None = None,
        province: str | None = None,
        due_from: date | None = None,
        due_before: date | None = None,
        office: str | None = None,
    ) -> int:
        """How many cases `search` would page through with the same filters."""
        criteria = CaseQuery(programme, state, province, text, due_from, due_before, self._offices(office))
        statement = select(func.count()).select_from(cases).where(*where(criteria))
        return int(self.connection.execute(statement).scalar() or 0)

    def count_due(self, bounds: list[date]) -> dict[str, list[int]]:
        """Per programme, how many cases fall due before each of `bounds` (ascending): one
        range scan of the (next_due_on, programme) index below the last bound, grouped in the
        index's order. A day not worked out yet (NULL) counts as due before every bound, as
        the compliance run treats it (see case_search.where)."""
        statement = (
            select(cases.c.programme, DUE, func.count())
            .where(or_(literal(bounds[-1], Date) > DUE, DUE.is_(None)))
            .group_by(DUE, cases.c.programme)
        )
        if (seen := self.scope()) is not None:
            statement = statement.where(cases.c.office.in_(seen))
        counts: dict[str, list[int]] = {}
        for code, due_on, n in self.connection.execute(statement):
            day = read_date(due_on)
            row = counts.setdefault(code, [0] * len(bounds))
            for i, bound in enumerate(bounds):
                if day is None or day < bound:
                    row[i] += n
        return counts

    def names(self, ids: list[int]) -> dict[int, str]:
        """The names of these cases, in one query."""
        if not ids:
            return {}
        statement = select(cases.c.id, cases.c.name).where(cases.c.id.in_(sorted(set(ids))))
        if (seen := self.scope()) is not None:
            statement = statement.where(cases.c.office.in_(seen))
        rows = self.connection.execute(statement)
        return {case_id: name for case_id, name in rows}

    def count_by_programme_state(self, office: str | None = None) -> list[tuple[str, str, int]]:
        statement = (
            select(cases.c.programme, cases.c.state, func.count())
            .group_by(cases.c.programme, cases.c.state)
            .order_by(cases.c.programme, cases.c.state)
        )
        if (seen := self._offices(office)) is not None:
            statement = statement.where(cases.c.office.in_(seen))
        return [(p, s, n) for p, s, n in self.connection.execute(statement)]

    def hidden_office(self, case_id: int) -> str | None:
        """The office of a case row-level security hides from this login (PostgreSQL), told by a
        database function with nothing else of the case; None elsewhere, or if there is no case."""
        who = database_user(self.connection)
        if who is None or who.installer:
            return None
        found = self.connection.execute(text("SELECT lifecycle_case_office(:id)"), {"id": case_id}).scalar()
        return str(found) if found is not None else None

    def stored_states(self) -> Iterator[tuple[int, str]]:
        """(id, state) of every stored case the connection may read, by id: what `audit verify`
        compares with the states the entries replay (not limited to the viewer's offices)."""
        statement = select(cases.c.id, cases.c.state).order_by(cases.c.id)
        for case_id, state in self.connection.execute(statement, execution_options={"yield_per": 5000}):
            yield int(case_id), str(state)

    def count_by_version(self, programme: str) -> dict[str, int]:
        statement = (
            select(cases.c.definition_version, func.count())
            .where(cases.c.programme == programme)
            .group_by(cases.c.definition_version)
        )
        return {version: count for version, count in self.connection.execute(statement)}

    def quota_holders(
        self, programme: str, group: dict[str, Any], excluding: list[str], exclude_id: int | None
    ) -> list[Case]:
        """The cases of one quota group (same province and round, say) in a state that counts.

        Text values are matched in SQL through the JSON column (->> on PostgreSQL,
        json_extract on SQLite); every value is checked again here, so a number
        stored as text and as a number cannot be told apart wrongly.
        """
        statement = select(cases).where(cases.c.programme == programme)
        if excluding:
            statement = statement.where(cases.c.state.not_in(excluding))
        if exclude_id is not None:
            statement = statement.where(cases.c.id != exclude_id)
        for name, value in group.items():
            if isinstance(value, str):
                statement = statement.where(cases.c.fields[name].as_string() == value)
        found = [case_from_row(row) for row in self.connection.execute(statement.order_by(cases.c.id))]
        return [c for c in found if all(c.fields.get(k) == v for k, v in group.items())]

    def opened_otherwise(self, reasons: tuple[str, ...], examples: int = 3) -> tuple[int, list[tuple[int, str, str]]]:
        """How many cases were opened by an audit entry whose reason starts with none of
        `reasons`, and the first few of them (id, programme, name)."""
        opening = select(literal(1)).where(
            audit_log.c.case_id == cases.c.id,
            audit_log.c.from_state.is_(None),
            or_(*[audit_log.c.reason.startswith(r, autoescape=True) for r in reasons]),
        )
        others = ~exists(opening)
        count = int(self.connection.execute(select(func.count()).select_from(cases).where(others)).scalar() or 0)
        if not count:
            return 0, []
        rows = self.connection.execute(
            select(cases.c.id, cases.c.programme, cases.c.name).where(others).order_by(cases.c.id).limit(examples)
        )
        return count, [(int(r[0]), r[1], r[2]) for r in rows]

    def find_by_name(self, programme: str, name: str) -> Case | None:
        row = self.connection.execute(select(cases).where(cases.c.programme == programme, cases.c.name == name)).first()
        return case_from_row(row) if row else None

    def ids_by_name(self, programme: str, names: list[str]) -> dict[str, int]:
        """The cases the programme already has under any of `names`: `find_by_name` for many
        names at once, a few hundred per query (an import checks thousands)."""
        found: dict[str, int] = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            found.update(
                (name, id_)
                for id_, name in self.connection.execute(
                    select(cases.c.id, cases.c.name).where(cases.c.programme == programme, cases.c.name.in_(chunk))
                )
            )
        return found


def entry_from_row(row: Row[Any]) -> AuditEntry:
    data = row._mapping
    return AuditEntry(
        seq=data["seq"],
        case_id=data["case_id"],
        programme=data["programme"],
        trigger=data["trigger"],
        from_state=data["from_state"],
        to_state=data["to_state"],
        effective_on=data["effective_on"],
        recorded_at=data["recorded_at"],
        actor=data["actor"],
        role=data["role"],
        reason=data["reason"],
        clause=data["clause"],
        payload=dict(data["payload"] or {}),
        prev_hash=data["prev_hash"],
        hash=data["hash"],
    )


@dataclass
class AuditQuery:
    """Which audit entries to read (services.filters.AuditFilter is what a screen builds)."""

    case_id: int | None = None
    programme: str | None = None
    actor: str | None = None
    role: str | None = None
    trigger: str | None = None
    clause: str | None = None
    since: date | None = None
    until: date | None = None
    recorded_since: datetime | None = None
    recorded_until: datetime | None = None


class AuditRepository:
    """Listing entries is limited to the reader's offices (`scope`), as for cases; verifying
    the chain reads every entry (`entries(everything=True)`)."""

    def __init__(self, connection: Connection, scope: Scope | None = None) -> None:
        self.connection = connection
        self._scope = scope

    def one_snapshot(self) -> None:
        """Read the head and every entry in one snapshot, at the start of a transaction: on
        PostgreSQL READ COMMITTED takes one per statement, and an append between them would look
        like an inserted entry (SQLite's read transaction is one snapshot already)."""
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def head(self, *, lock: bool = False) -> tuple[int, str]:
        """The chain head (seq, hash). With `lock`, the row stays locked until commit, which
        serialises appends from every process (SQLite: the write lock taken at BEGIN)."""
        row = prepare(self.connection, _HEAD_LOCKED if lock else _HEAD).run(self.connection).fetchone()
        if row is None:
            raise AuditBroken(HEAD_MISSING)
        seq, hash_ = row
        return int(seq), str(hash_)

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
        office: str = ROOT_OFFICE,
    ) -> AuditEntry:
        """Append one entry (SQLite; on PostgreSQL the installer's entries of no case): a
        case's entries go with its change, see `UnitOfWork.change_case`."""
        if reason is not None and (len(reason) > MAX_REASON_LENGTH or not reason.isprintable()):
            _refuse_reason(reason, trigger)
        who = database_user(self.connection)
        if who is not None and not who.installer:
            _check_actor(who, actor, role)
        seq, prev_hash = self.head(lock=True)
        entry = AuditEntry(
            seq=seq + 1,
            case_id=case_id,
            programme=programme,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            effective_on=effective_on,
            recorded_at=utc_now(),
            actor=actor,
            role=role,
            reason=reason,
            clause=clause,
            payload=payload,
            prev_hash=prev_hash,
        )
        entry.hash = compute_hash(entry)
        prepare(self.connection, _INSERT_ENTRY).run(
            self.connection, {**{name: getattr(entry, name) for name in ENTRY_COLUMNS}, "office": office}
        )
        prepare(self.connection, _MOVE_HEAD).run(self.connection, {"seq": entry.seq, "hash": entry.hash})
        return entry

    def append_many(self, drafts: list[EntryDraft]) -> list[int]:
        """Append entries in this order under one lock of the head (an import): the actors
        checked as `append` checks them, then `append_drafts`. Returns their seqs."""
        who = database_user(self.connection)
        if who is not None and not who.installer:
            for actor, role in {(d.actor, d.role) for d in drafts}:
                _check_actor(who, actor, role)
        return append_drafts(self.connection, drafts)

    def select(self, where: AuditQuery | None = None, *, everything: bool = False) -> Select[Any]:
        statement = select(audit_log)
        if not everything and self._scope is not None and (seen := self._scope()) is not None:
            statement = statement.where(audit_log.c.office.in_(seen))
        f = where or AuditQuery()
        c = audit_log.c
        conditions = [
            (f.case_id, lambda v: c.case_id == v),
            (f.programme, lambda v: c.programme == v),
            (f.actor, lambda v: c.actor == v),
            (f.role, lambda v: c.role == v),
            (f.trigger, lambda v: c.trigger == v),
            (f.clause, lambda v: c.clause.contains(v, autoescape=True)),
            (f.since, lambda v: c.effective_on >= v),
            (f.until, lambda v: c.effective_on <= v),
            (f.recorded_since, lambda v: c.recorded_at >= v),
            (f.recorded_until, lambda v: c.recorded_at <= v),
        ]
        for value, condition in conditions:
            if value is not None:
                statement = statement.where(condition(value))
        return statement.order_by(audit_log.c.seq)

    def entries(self, where: AuditQuery | None = None, *, everything: bool = False) -> Iterator[AuditEntry]:
        """Entries oldest first, streamed in batches so memory stays flat on a long log; the
        reader's offices' only, unless `everything` (what the database lets it read)."""
        # Streamed for this statement only: execution_options() on the connection itself would
        # make every later statement of the unit of work a server-side cursor (an UPDATE cannot be).
        result = self.connection.execute(
            self.select(where, everything=everything), execution_options={"yield_per": 2000}
        )
        for row in result:
            yield entry_from_row(row)

    def chain_links(self) -> list[tuple[int, str, str]]:
        """(seq, prev_hash, hash) of every entry, also of those the login may not read
        (PostgreSQL, a database function): enough to check its own entries are chained."""
        rows = self.connection.execute(text("SELECT seq, prev_hash, hash FROM lifecycle_chain_links()"))
        return [(int(seq), str(prev), str(hash_)) for seq, prev, hash_ in rows]

    def page(self, where: AuditQuery, *, offset: int, limit: int, newest_first: bool) -> tuple[list[AuditEntry], int]:
        """One page of the filtered log and the size of the whole view (counted only when the
        page does not show it all)."""
        statement = self.select(where)
        if newest_first:
            statement = statement.order_by(None).order_by(audit_log.c.seq.desc())
        entries = [entry_from_row(row) for row in self.connection.execute(statement.limit(limit).offset(offset))]
        if offset == 0 and len(entries) < limit:
            return entries, len(entries)
        counted = select(func.count()).select_from(self.select(where).order_by(None).subquery())
        return entries, int(self.connection.execute(counted).scalar() or 0)

    def history(self, case_id: int) -> list[AuditEntry]:
        return list(self.entries(AuditQuery(case_id=case_id)))

    def by_hash(self, hash_: str) -> AuditEntry | None:
        """The entry stored with this hash (a full scan: hashes are not indexed, see ADR 0003;
        only a broken chain's diagnosis asks)."""
        row = self.connection.execute(
            select(audit_log).where(audit_log.c.hash == hash_).order_by(audit_log.c.seq).limit(1)
        ).first()
        return entry_from_row(row) if row else None

    def by_seq(self, seq: int) -> AuditEntry | None:
        row = self.connection.execute(select(audit_log).where(audit_log.c.seq == seq)).first()
        return entry_from_row(row) if row else None

    def last_for_case(self, case_id: int) -> AuditEntry | None:
        row = self.connection.execute(
            select(audit_log).where(audit_log.c.case_id == case_id).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        return entry_from_row(row) if row else None


@dataclass
class EntryDraft:
    """An audit entry to append: everything but its place in the chain."""

    case_id: int | None
    programme: str | None
    trigger: str
    from_state: str | None
    to_state: str | None
    effective_on: date
    actor: str
    role: str
    reason: str | None
    clause: str | None
    payload: dict[str, Any]
    #: Who reads the entry: its case's office (the database function takes it from the case).
    office: str = ROOT_OFFICE


def append_drafts(connection: Connection, drafts: list[EntryDraft]) -> list[int]:
    """Append entries to the chain in order: one head lock, one executemany, one head move;
    returns their seqs. Every entry of a batch is recorded at the same moment, so the
    moment's text is worked out once; each hash is `compute_hash`'s (a test checks)."""
    if not drafts:
        return []
    seq, prev_hash = AuditRepository(connection).head(lock=True)
    now = utc_now()
    recorded_text = utc_text(now)
    insert_entry = prepare(connection, _INSERT_ENTRY)
    recorded_value = insert_entry.adapt("recorded_at", now)
    # The payload is encoded once, canonically, and that text both goes into the entry's
    # canonical text (in the place `"payload":null` takes: keys are sorted and every string
    # before it is escaped, so the first such text is the key) and, on SQLite, is stored.
    stored_text = connection.dialect.name == "sqlite"
    rows, seqs = [], []
    for draft in drafts:
        seq += 1
        data = {
            "seq": seq,
            "case_id": draft.case_id,
            "programme": draft.programme,
            "trigger": draft.trigger,
            "from_state": draft.from_state,
            "to_state": draft.to_state,
            "effective_on": draft.effective_on.isoformat(),
            "recorded_at": recorded_text,
            "actor": draft.actor,
            "role": draft.role,
            "reason": draft.reason,
            "clause": draft.clause,
            "payload": None,
            "prev_hash": prev_hash,
        }
        payload_text = CANONICAL.encode(draft.payload)
        text = CANONICAL.encode(data).replace('"payload":null', '"payload":' + payload_text, 1)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        data["effective_on"] = insert_entry.adapt("effective_on", draft.effective_on)
        data["recorded_at"] = recorded_value
        data["payload"] = payload_text if stored_text else insert_entry.adapt("payload", draft.payload)
        data["hash"] = digest
        data["office"] = draft.office
        rows.append(data)
        seqs.append(seq)
        prev_hash = digest
    insert_entry.run_many_adapted(connection, rows)
    prepare(connection, _MOVE_HEAD).run(connection, {"seq": seq, "hash": prev_hash})
    return seqs


def _check_actor(who: DatabaseUser, actor: str, role: str) -> None:
    """On PostgreSQL an entry names the login that wrote it: the actor is `current_user` in its
    group's role. The one other name is the compliance run's `system`, from a login in
    lifecycle_system. (The installer is exempt: it could write any row by hand; ADR 0004.)"""
    if (actor, role) == (who.name, who.role) or (actor, role) == ("system", "system") == ("system", who.role):
        return
    from lifecycle.domain.reasons import Reason
    from lifecycle.errors import Refused

    raise Refused(
        message(N_("recording an action by {actor} ({role})"), {"actor": repr(actor), "role": role}),
        [
            Reason.of(
                "role",
                N_(
                    "this connection is the database user {user} ({role}): its audit entries name {user}; only a "
                    "login in lifecycle_system records the system's actions"
                ),
                {"user": repr(who.name), "role": who.role or Term("no lifecycle role", "无 lifecycle 角色")},
                details={"user": who.name, "actor": actor, "role": role},
            )
        ],
    )


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def role_of(self, name: str) -> str | None:
        row = prepare(self.connection, _ROLE_OF).run(self.connection, {"user_name": name}).fetchone()
        return row[0] if row else None

    def add(self, name: str, role: str, office: str = ROOT_OFFICE) -> None:
        self.connection.execute(insert(users).values(name=name, role=role, office=office, created_at=utc_now()))

    def set_role(self, name: str, role: str, office: str | None = None) -> None:
        values: dict[str, Any] = {"role": role}
        if office is not None:
            values["office"] = office
        self.connection.execute(update(users).where(users.c.name == name).values(**values))

    def office_of(self, name: str) -> str | None:
        return self.connection.execute(select(users.c.office).where(users.c.name == name)).scalar()

    def all(self) -> list[dict[str, Any]]:
        rows = self.connection.execute(select(users).order_by(users.c.name))
        return [dict(row._mapping) for row in rows]

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(users)).scalar() or 0)

    def database_user(self) -> DatabaseUser | None:
        """Who the connection is on PostgreSQL (login role, group, installer); None on SQLite."""
        return database_user(self.connection)

    def grant_login(self, name: str, role: str) -> bool:
        """PostgreSQL: create (or reuse) the login role `name` in `role`'s group."""
        return grant_login_role(self.connection, name, role)


class DefinitionRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def text(self, version: str) -> str | None:
        return self.connection.execute(select(definitions.c.content).where(definitions.c.version == version)).scalar()

    def ensure(self, code: str, version: str, content: str, programme: Any = None) -> None:
        """Store this version's text once, so cases running under it can always be served it.
        On PostgreSQL with its legal moves, through `lifecycle_define` (see guard.py)."""
        if self.connection.dialect.name == "postgresql" and programme is not None:
            if not self.has_moves(version):
                from lifecycle.persistence.guard import define

                define(self.connection, programme, content)
            return
        if self.text(version) is None:
            self.connection.execute(
                insert(definitions).values(version=version, code=code, content=content, recorded_at=utc_now())
            )

    def has_moves(self, version: str) -> bool:
        return (
            self.connection.execute(
                text("SELECT 1 FROM programme_moves WHERE version = :v LIMIT 1"), {"v": version}
            ).first()
            is not None
        )

    def versions(self, code: str) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            select(definitions.c.version, definitions.c.recorded_at)
            .where(definitions.c.code == code)
            .order_by(definitions.c.recorded_at)
        )
        return [dict(row._mapping) for row in rows]
