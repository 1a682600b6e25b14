"""Everything the case screen shows, read in one transaction: the CLI's `cases show` view,
the obligations, the next dated rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.schedule import obligations_view
from lifecycle.domain.severity import severity
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import case_view, decision_lines, holders_finder, load_case
from lifecycle.services.read_models.notification_log import log_of
from lifecycle.services.read_models.worklist import NextDue, next_due


@dataclass(frozen=True)
class ObligationLine:
    """One period of an obligation, as `cases show` lists it, in the definition's words."""

    obligation: str  # "annual report"
    period: str  # "2025", "2025-Q3"
    due_on: str
    status: str  # open, fulfilled, overdue, reminded
    reminded_on: str | None
    clause: str | None
    default: bool


@dataclass(frozen=True)
class CaseFile:
    view: dict[str, Any]
    obligations: list[ObligationLine]
    next_due: NextDue | None
    #: trigger → its words (zh, en)
    triggers: dict[str, tuple[str, str]]
    #: state → (zh, en), for the timeline
    states: dict[str, tuple[str, str]]
    #: field → its words (zh, en), for the fields as the definition names them
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: allowed trigger → how grave it is now (final, may_end, decision; absent: ordinary)
    severity: dict[str, str] = field(default_factory=dict)
    #: the terminal states: a move there ends the case
    terminal: frozenset[str] = frozenset()
    #: The designated organisation's contact (None: nobody to tell) and the latest notifications.
    contact: dict[str, Any] | None = None
    notifications: list[dict[str, Any]] = field(default_factory=list)


def case_file(app: Lifecycle, case_id: int, as_of: date) -> CaseFile:
    """The case on `as_of` as an admin could act on it (an auditor sees the same, disabled)."""
    with app.uow() as uow:
        case = load_case(uow, case_id)
        programme = app.programme_for(case, uow)
        history = uow.audit.history(case_id)
        # Quotas count other cases: the finder queries them while the transaction is open.
        view = case_view(programme, case, as_of, history, "admin", holders_finder(uow, programme, case.id))
        view["decisions"] = decision_lines(uow, case_id)
        contact = uow.contacts.of_case(case_id)
        notifications = log_of(uow, case_id, limit=10)
    definition = programme.definition
    return CaseFile(
        view=view,
        obligations=_obligations(programme, case, as_of),
        next_due=next_due(programme, case),
        triggers={name: (t.zh, t.en) for name, t in definition.triggers.items()},
        states={name: (s.zh, s.en) for name, s in definition.states.items()},
        fields={name: (f.zh, f.en) for name, f in definition.fields.items()},
        severity={
            name: grave for name in view["allowed"] if (grave := severity(programme, name, case.state)) is not None
        },
        terminal=frozenset(programme.states_of_kind("terminal")),
        contact=None if contact is None or contact.empty else contact.audit_view(),
        notifications=notifications,
    )


def _obligations(programme: Any, case: Any, as_of: date) -> list[ObligationLine]:
    """The compliance run's view of the case's obligations (domain.schedule), with their words."""
    definitions = {o.id: o for o in programme.definition.obligations}
    lines = []
    for row in obligations_view(programme, case, as_of):
        spec = definitions.get(str(row["kind"]))
        clause = (spec.due.clause or spec.clause) if spec else None
        lines.append(
            ObligationLine(
                obligation=spec.en if spec else str(row["kind"]),
                period=str(row["period"]),
                due_on=str(row["due_on"]),
                status=str(row["status"]),
                reminded_on=row.get("reminded_on"),
                clause=clause,
                default=bool(spec and (spec.due.default or spec.default)),
            )
        )
    return lines
