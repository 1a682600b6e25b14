"""Storage of decisions due: raised by the compliance run in its batch's transaction, listed,
and decided (confirmed or dismissed) by an administrator with the case's audit entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from lifecycle.persistence.hot_path import prepare, read_date
from lifecycle.persistence.tables import cases, decisions

OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
#: Compiled once per dialect and run on the driver's cursor (`hot_path`): built per row through
#: Core it cost ~1 ms a decision, and a large run raises thousands.
_INSERT_DECISION = (
    insert(decisions)
    .values(
        {
            name: bindparam(name)
            for name in (
                "case_id",
                "programme",
                "rule",
                "period",
                "trigger",
                "from_state",
                "to_state",
                "ground",
                "clause",
                "is_default",
                "name",
                "due_on",
                "raised_on",
                "raised_seq",
                "state",
            )
        }
    )
    .returning(decisions.c.id)
)
STATES = (OPEN, CONFIRMED, DISMISSED)


@dataclass
class DecisionDraft:
    case_id: int
    programme: str
    rule: str
    period: str
    trigger: str
    from_state: str
    to_state: str | None
    ground: str | None
    clause: str | None
    default: bool
    name: str | None
    due_on: date
    raised_on: date


def insert_decisions(
    connection: Connection, drafts: list[DecisionDraft], seqs: list[int]
) -> dict[tuple[int, str, str], int]:
    """One row per decision raised, each naming its audit entry; the unique (case, rule, period)
    key refuses a second. Returns each one's id by (case, rule, period)."""
    ids: dict[tuple[int, str, str], int] = {}
    statement = prepare(connection, _INSERT_DECISION)
    for draft, seq in zip(drafts, seqs, strict=True):
        cursor = statement.run(
            connection,
            {
                "case_id": draft.case_id,
                "programme": draft.programme,
                "rule": draft.rule,
                "period": draft.period,
                "trigger": draft.trigger,
                "from_state": draft.from_state,
                "to_state": draft.to_state,
                "ground": draft.ground,
                "clause": draft.clause,
                "is_default": draft.default,
                "name": draft.name,
                "due_on": draft.due_on,
                "raised_on": draft.raised_on,
                "raised_seq": seq,
                "state": OPEN,
            },
        )
        ids[(draft.case_id, draft.rule, draft.period)] = int(cursor.fetchone()[0])
    return ids


def _row(data: Any) -> dict[str, Any]:
    row = dict(data)
    for key in ("due_on", "raised_on", "decided_on"):
        row[key] = read_date(row[key])
    row["default"] = bool(row.pop("is_default"))
    return row


def get(connection: Connection, decision_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    statement = (
        select(decisions, cases.c.name.label("case_name"))
        .join(cases, cases.c.id == decisions.c.case_id)
        .where(decisions.c.id == decision_id)
    )
    if lock and connection.dialect.name == "postgresql":
        statement = statement.with_for_update(of=decisions)
    found = connection.execute(statement).first()
    return _row(found._mapping) if found else None


def search(
    connection: Connection,
    *,
    state: str | None = OPEN,
    programme: str | None = None,
    case_id: int | None = None,
    limit: int | None = None,
    offices: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Decisions, oldest due first; `state` None: every state; `offices`: of those offices' cases only."""
    statement = select(decisions, cases.c.name.label("case_name")).join(cases, cases.c.id == decisions.c.case_id)
    if offices is not None:
        statement = statement.where(cases.c.office.in_(offices))
    if state is not None:
        statement = statement.where(decisions.c.state == state)
    if programme:
        statement = statement.where(decisions.c.programme == programme)
    if case_id is not None:
        statement = statement.where(decisions.c.case_id == case_id)
    statement = statement.order_by(decisions.c.due_on, decisions.c.id)
    if limit:
        statement = statement.limit(limit)
    return [_row(r._mapping) for r in connection.execute(statement)]


def count_open(connection: Connection, offices: tuple[str, ...] | None = None) -> dict[str, int]:
    """Open decisions per programme (the dashboard), of those offices' cases (None: all)."""
    from sqlalchemy import func

    statement = (
        select(decisions.c.programme, func.count()).where(decisions.c.state == OPEN).group_by(decisions.c.programme)
    )
    if offices is not None:
        statement = statement.where(decisions.c.case_id.in_(select(cases.c.id).where(cases.c.office.in_(offices))))
    return {code: int(n) for code, n in connection.execute(statement)}


def decide(
    connection: Connection,
    decision_id: int,
    *,
    state: str,
    decision_no: str | None,
    decided_on: date,
    decided_by: str,
    reason: str | None,
    seq: int,
) -> bool:
    """Close an open decision; False if it was no longer open (someone decided it meanwhile)."""
    result = connection.execute(
        update(decisions)
        .where(decisions.c.id == decision_id, decisions.c.state == OPEN)
        .values(
            state=state,
            decision_no=decision_no,
            decided_on=decided_on,
            decided_by=decided_by,
            reason=reason,
            decided_seq=seq,
        )
    )
    return result.rowcount == 1


def open_for(connection: Connection, case_id: int, trigger: str) -> list[int]:
    """The open decisions of a case that propose `trigger` (an administrator's own action settles them)."""
    return [
        int(i)
        for i in connection.execute(
            select(decisions.c.id)
            .where(decisions.c.case_id == case_id, decisions.c.state == OPEN, decisions.c.trigger == trigger)
            .order_by(decisions.c.id)
        ).scalars()
    ]


def reopen(connection: Connection, ids: list[int]) -> None:
    """Decisions whose confirmation or dismissal was voided by a correction: open again."""
    if ids:
        connection.execute(
            update(decisions)
            .where(decisions.c.id.in_(ids))
            .values(state=OPEN, decision_no=None, decided_on=None, decided_by=None, reason=None, decided_seq=None)
        )


def close_raised(
    connection: Connection, raised_seq: int, *, decided_on: date, decided_by: str, reason: str, seq: int
) -> None:
    """The decision a voided `decision_due` entry raised: closed as dismissed, naming the correction."""
    connection.execute(
        update(decisions)
        .where(decisions.c.raised_seq == raised_seq, decisions.c.state == OPEN)
        .values(state=DISMISSED, decided_on=decided_on, decided_by=decided_by, reason=reason, decided_seq=seq)
    )


class DecisionRepository:
    """The decisions due, through the unit of work's connection (the services' port)."""

    def __init__(self, connection: Connection, scope: Callable[[], tuple[str, ...] | None] | None = None) -> None:
        self.connection = connection
        self._scope = scope

    def _offices(self) -> tuple[str, ...] | None:
        return self._scope() if self._scope is not None else None

    def get(self, decision_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        return get(self.connection, decision_id, lock=lock)

    def search(
        self,
        *,
        state: str | None = OPEN,
        programme: str | None = None,
        case_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        return search(
            self.connection, state=state, programme=programme, case_id=case_id, limit=limit, offices=self._offices()
        )

    def count_open(self) -> dict[str, int]:
        return count_open(self.connection, self._offices())

    def open_for(self, case_id: int, trigger: str) -> list[int]:
        return open_for(self.connection, case_id, trigger)

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
        return decide(
            self.connection,
            decision_id,
            state=state,
            decision_no=decision_no,
            decided_on=decided_on,
            decided_by=decided_by,
            reason=reason,
            seq=seq,
        )

    def reopen(self, ids: list[int]) -> None:
        reopen(self.connection, ids)

    def close_raised(self, raised_seq: int, *, decided_on: date, decided_by: str, reason: str, seq: int) -> None:
        close_raised(self.connection, raised_seq, decided_on=decided_on, decided_by=decided_by, reason=reason, seq=seq)
