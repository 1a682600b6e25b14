"""Everything the case screen shows, read in one transaction: the CLI's `cases show` view,
the obligations, the next dated rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.domain.schedule import obligations_view
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import case_view, holders_finder, load_case
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


def case_file(app: Lifecycle, case_id: int, as_of: date) -> CaseFile:
    """The case on `as_of` as an admin could act on it (an auditor sees the same, disabled)."""
    with app.uow() as uow:
        case = load_case(uow, case_id)
        programme = app.programme_for(case, uow)
        history = uow.audit.history(case_id)
        # Quotas count other cases: the finder queries them while the transaction is open.
        view = case_view(programme, case, as_of, history, "admin", holders_finder(uow, programme, case.id))
    definition = programme.definition
    return CaseFile(
        view=view,
        obligations=_obligations(programme, case, as_of),
        next_due=next_due(programme, case),
        triggers={name: (t.zh, t.en) for name, t in definition.triggers.items()},
        states={name: (s.zh, s.en) for name, s in definition.states.items()},
    )


def _obligations(programme: Any, case: Any, as_of: date) -> list[ObligationLine]:
    """The compliance run's view of the case's obligations (domain.schedule), with their words."""
    definitions = {o.id: o for o in programme.definition.obligations}
    lines = []
    for row in obligations_view(programme, case, as_of):
        spec = definitions.get(str(row["kind"]))
        clause = (spec.due.clause or spec.clause) if spec else None
        lines.append(ObligationLine(
            obligation=spec.en if spec else str(row["kind"]), period=str(row["period"]),
            due_on=str(row["due_on"]), status=str(row["status"]), reminded_on=row.get("reminded_on"),
            clause=clause, default=bool(spec and (spec.due.default or spec.default))))
    return lines

