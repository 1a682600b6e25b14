"""Storage of the compliance run: finding the due cases, writing a batch of settled cases with
their audit entries and automatic actions in one transaction, and the record of runs.

Set-based: the due cases are found with one range scan of the `next_due_on` index, read in
batches by primary key, and every batch is written with one executemany per table.
"""

from __future__ import annotations

import json
import os
import socket
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, or_, select, text, update

from lifecycle.domain.case import Case
from lifecycle.persistence.hot_path import prepare
from lifecycle.persistence.repositories import utc_now
from lifecycle.persistence.tables import automatic_actions, cases, compliance_runs, definitions
from lifecycle.persistence.writes import lock_cases

#: The first half of the PostgreSQL advisory lock's key, unique to this purpose ("lcyc"); the
#: second is the schema's, so databases kept as schemas of one PostgreSQL database do not collide.
ADVISORY_KEY = 0x6C637963
_INSERT_ACTION = insert(automatic_actions).values(
    {name: bindparam(name) for name in ("case_id", "rule", "period", "trigger", "effective_on", "audit_seq", "run_id")}
)
#: What a compliance step can change (its fields, name and programme it never touches).
SETTLED_COLUMNS = (
    "state",
    "state_since",
    "approved_on",
    "valid_until",
    "cycle",
    "cycle_start",
    "deadline_on",
    "progress",
    "next_due_on",
)
_SETTLE_CASE = (
    update(cases)
    .where(cases.c.id == bindparam("match_id"), cases.c.version == bindparam("match_version"))
    .values({name: bindparam(name) for name in (*SETTLED_COLUMNS, "version", "updated_at")})
)
#: For a case whose steps left its state and dates alone (reminders): the indexes on state and
#: dates are not touched, only the next due day's.
PROGRESS_COLUMNS = ("progress", "next_due_on")
_PROGRESS_CASE = (
    update(cases)
    .where(cases.c.id == bindparam("match_id"), cases.c.version == bindparam("match_version"))
    .values({name: bindparam(name) for name in (*PROGRESS_COLUMNS, "version", "updated_at")})
)
#: The settled columns a reminder leaves alone: if one changed, the case moved.
_MOVING_COLUMNS = tuple(name for name in SETTLED_COLUMNS if name not in PROGRESS_COLUMNS)
_SET_NEXT_DUE = update(cases).where(cases.c.id == bindparam("match_id")).values(next_due_on=bindparam("next_due_on"))


@dataclass
class ActionDraft:
    case_id: int
    rule: str
    period: str
    trigger: str
    effective_on: date


def due_case_ids(connection: Connection, as_of: date, programme: str | None = None) -> array[int]:
    """Ids of the cases whose next due day has come (or is not worked out yet), by id.
    One range scan of ix_cases_next_due_on_programme: ids only, 8 bytes each (an array, not a
    list of Python ints: a catch-up run over a million cases keeps 8 MB, not 36)."""
    statement = select(cases.c.id).where(or_(cases.c.next_due_on <= as_of, cases.c.next_due_on.is_(None)))
    if programme:
        statement = statement.where(cases.c.programme == programme)
    return array("q", (row[0] for row in connection.execute(statement.order_by(cases.c.id))))


#: The columns of a case as `load_rows` reads them, in order.
CASE_ROW_NAMES = tuple(column.name for column in cases.columns)


def load_rows(connection: Connection, ids: Sequence[int], *, lock: bool) -> list[tuple[Any, ...]]:
    """The rows (`CASE_ROW_NAMES`) of the cases with these ids, by id; with `lock` (PostgreSQL)
    they stay locked until commit. Read on the driver's cursor: SQLAlchemy's result processing
    cost more than the reading. Plain tuples, so a batch is cheap to hand to a worker process."""
    if not ids:
        return []
    postgres = connection.dialect.name == "postgresql"
    marks = ", ".join(["%s" if postgres else "?"] * len(ids))
    sql = f"SELECT {', '.join(CASE_ROW_NAMES)} FROM cases WHERE id IN ({marks}) ORDER BY id"
    if lock and postgres:
        # Through the database function: SELECT ... FOR UPDATE needs the UPDATE right on cases,
        # which no login holds (writes go through lifecycle_write, see guard.py).
        lock_cases(connection, list(ids))
    return [tuple(row) for row in connection.exec_driver_sql(sql, tuple(ids)).all()]


def stored_definitions(connection: Connection) -> dict[str, str]:
    """Every stored definition version's text, by version (handed to the run's workers)."""
    return {
        version: content
        for version, content in connection.execute(select(definitions.c.version, definitions.c.content))
    }


_AT = {name: i for i, name in enumerate(CASE_ROW_NAMES)}
_DATE_COLUMNS = tuple(
    _AT[name]
    for name in ("state_since", "approved_on", "valid_until", "cycle_start", "deadline_on", "created_on", "next_due_on")
)
_decode = json.JSONDecoder().decode
_fromisoformat = date.fromisoformat


def cases_from_rows(rows: Sequence[tuple[Any, ...]]) -> list[Case]:
    """The cases of `load_rows`' rows: what `_case_from_mapping` makes of each, built straight
    from the tuple (no dict per row, the decoder and the date parser looked up once). The
    compliance run and the notice planner read every case they look at through here: at a
    million cases, the 15 µs a case this saves is 15 s."""
    at, new, dates = _AT, object.__new__, _DATE_COLUMNS
    i_id, i_programme, i_name, i_state = at["id"], at["programme"], at["name"], at["state"]
    i_fields, i_progress, i_definition, i_cycle, i_version = (
        at["fields"],
        at["progress"],
        at["definition_version"],
        at["cycle"],
        at["version"],
    )
    found = []
    for row in rows:
        values = list(row)
        for i in dates:
            value = values[i]
            if value is not None and not isinstance(value, date):
                values[i] = _fromisoformat(value)
        fields, progress = values[i_fields], values[i_progress]
        case = new(Case)
        case.__dict__.update(
            programme=values[i_programme],
            name=values[i_name],
            state=values[i_state],
            state_since=values[at["state_since"]] or date.min,
            definition_version=values[i_definition],
            fields=dict((_decode(fields) if isinstance(fields, str) else fields) or {}),
            id=values[i_id],
            approved_on=values[at["approved_on"]],
            valid_until=values[at["valid_until"]],
            cycle=values[i_cycle],
            cycle_start=values[at["cycle_start"]],
            deadline_on=values[at["deadline_on"]],
            progress=dict((_decode(progress) if isinstance(progress, str) else progress) or {}),
            version=values[i_version],
            created_on=values[at["created_on"]],
            next_due_on=values[at["next_due_on"]],
        )
        found.append(case)
    return found


def load_cases(connection: Connection, ids: Sequence[int], *, lock: bool) -> list[Case]:
    """The cases with these ids, by id; with `lock` (PostgreSQL) locked until commit."""
    return cases_from_rows(load_rows(connection, ids, lock=lock))


def current_versions(connection: Connection, ids: Sequence[int]) -> dict[int, int]:
    """The version of each of these cases now, inside the caller's write transaction; on
    PostgreSQL their rows stay locked until it ends (SQLite's write lock already covers them)."""
    if not ids:
        return {}
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        # Locked in id order, as every batch locks its cases: two lockers never wait on each
        # other in opposite orders.
        return lock_cases(connection, list(ids))
    marks = ", ".join(["?"] * len(ids))
    sql = f"SELECT id, version FROM cases WHERE id IN ({marks}) ORDER BY id"
    return {case_id: version for case_id, version in connection.exec_driver_sql(sql, tuple(ids)).all()}


@dataclass
class SettledCase:
    """A case the run changed: as settled, the version it was read at, and whether a step moved
    it (its state or dates), not only its progress (a reminder)."""

    case: Case
    read_version: int
    moved: bool


def moved(case: Case, before: Case) -> bool:
    return any(getattr(case, name) != getattr(before, name) for name in _MOVING_COLUMNS)


def update_cases(connection: Connection, changed: list[SettledCase]) -> int:
    """Write settled cases, each only if still at the version it was read at; how many were
    written. Only the columns that can have changed are set, so SQLite rewrites only the index
    entries that may have moved."""
    written = 0
    for statement, rows in _update_groups(connection, changed):
        if rows:
            cursor = prepare(connection, statement).run_many_adapted(connection, rows)
            written += int(cursor.rowcount)
    return written


def _update_groups(connection: Connection, changed: list[SettledCase]) -> list[tuple[Any, list[dict[str, Any]]]]:
    groups: list[tuple[Any, Any, Any, list[dict[str, Any]]]] = []
    kinds: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_SETTLE_CASE, SETTLED_COLUMNS),
        (_PROGRESS_CASE, PROGRESS_COLUMNS),
    )
    for kind_statement, kind_columns in kinds:
        compiled = prepare(connection, kind_statement)
        # Each column's adapter looked up once per batch, not once per case and column.
        adapters = tuple((name, compiled.adapters.get(name)) for name in kind_columns)
        groups.append((kind_statement, adapters, compiled.adapt("updated_at", utc_now()), []))
    for settled in changed:
        case = settled.case
        _, adapters, now, rows = groups[0] if settled.moved else groups[1]
        row: dict[str, Any] = {}
        for name, adapt in adapters:
            value = getattr(case, name)
            row[name] = value if adapt is None else adapt(value)
        row.update(version=case.version, updated_at=now, match_id=case.id, match_version=settled.read_version)
        rows.append(row)
    return [(statement, rows) for statement, _, _, rows in groups]


def set_next_due(connection: Connection, days: list[tuple[int, date]]) -> None:
    """Store the next due day of cases the run looked at but did not change."""
    prepare(connection, _SET_NEXT_DUE).run_many(
        connection, [{"match_id": case_id, "next_due_on": day} for case_id, day in days]
    )


def insert_actions(connection: Connection, actions: list[ActionDraft], seqs: list[int], run_id: int | None) -> None:
    """One row per automatic action; the unique (case, rule, period) key refuses a second."""
    prepare(connection, _INSERT_ACTION).run_many(
        connection,
        [
            {
                "case_id": a.case_id,
                "rule": a.rule,
                "period": a.period,
                "trigger": a.trigger,
                "effective_on": a.effective_on,
                "audit_seq": seq,
                "run_id": run_id,
            }
            for a, seq in zip(actions, seqs, strict=True)
        ],
    )


# -- runs -----------------------------------------------------------------------
def this_host() -> str:
    return socket.gethostname()


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether a run recorded as running still is: its process exists (same host), or it runs on
    another host, which we cannot see (SQLite is not shared across hosts, so that is rare)."""
    if host != this_host():
        return True
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_run(
    connection: Connection, *, as_of: date, invoked_by: str, programme: str | None, source: str, trust_lock: bool
) -> tuple[int | None, int | None]:
    """Record a new running run, unless another one is running: (new run id, None) or
    (None, the id of the run in progress). Runs recorded as running whose process is gone
    (killed) are marked interrupted. With `trust_lock` (PostgreSQL, advisory lock held) every
    run still marked running is known to be gone."""
    running = connection.execute(
        select(compliance_runs.c.id, compliance_runs.c.pid, compliance_runs.c.host).where(
            compliance_runs.c.outcome == "running"
        )
    ).all()
    for run_id, pid, host in running:
        if not trust_lock and _alive(pid, host):
            return None, run_id
        connection.execute(
            update(compliance_runs)
            .where(compliance_runs.c.id == run_id)
            .values(
                outcome="interrupted",
                ended_at=utc_now(),
                error="the process stopped before the run ended (killed or crashed); a later run "
                "applied what it had left",
            )
        )
    return record_run(
        connection, as_of=as_of, invoked_by=invoked_by, programme=programme, source=source, outcome="running"
    ), None


def record_run(
    connection: Connection,
    *,
    as_of: date,
    invoked_by: str,
    programme: str | None,
    source: str,
    outcome: str,
    error: str | None = None,
) -> int:
    now = utc_now()
    result = connection.execute(
        insert(compliance_runs).values(
            started_at=now,
            ended_at=None if outcome == "running" else now,
            as_of=as_of,
            invoked_by=invoked_by,
            programme=programme,
            source=source,
            outcome=outcome,
            counts={},
            error=error,
            host=this_host(),
            pid=os.getpid(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(engine: Engine, run_id: int, outcome: str, counts: dict[str, Any], error: str | None = None) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(compliance_runs)
            .where(compliance_runs.c.id == run_id)
            .values(outcome=outcome, counts=counts, error=error, ended_at=utc_now())
        )


def runs(connection: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    statement = select(compliance_runs).order_by(compliance_runs.c.id.desc())
    if limit:
        statement = statement.limit(limit)
    return [dict(row._mapping) for row in connection.execute(statement)]


class RunLock:
    """One compliance run at a time per database.

    PostgreSQL: a transaction-scoped advisory lock, taken with pg_try_advisory_xact_lock on a
    connection of its own whose transaction stays open for the whole run; the lock goes away
    with the transaction, also when the process dies. SQLite has no such lock: the run record
    itself (claimed under the database write lock, checked for a live process) serves.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    @property
    def advisory(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        if not self.advisory:
            return True
        self.connection = self.engine.connect()
        self.connection.begin()
        got = bool(
            self.connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:key, hashtext(current_schema()))"), {"key": ADVISORY_KEY}
            ).scalar()
        )
        if not got:
            self.release()
        return got

    def release(self) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None


def iter_batches(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def parse_counts(value: Any) -> dict[str, Any]:

    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})
