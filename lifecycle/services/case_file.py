"""Everything the case screen shows, read in one transaction: the CLI's `cases show` view,
the obligations, the next dated rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import case_view, holders_finder, load_case
from lifecycle.services.obligations import ObligationStatus, obligation_statuses
from lifecycle.services.worklist import NextDue, next_due


@dataclass(frozen=True)
class CaseFile:
    view: dict[str, Any]
    obligations: list[ObligationStatus]
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
        obligations=obligation_statuses(programme, case, as_of),
        next_due=next_due(programme, case),
        triggers={name: (t.zh, t.en) for name, t in definition.triggers.items()},
        states={name: (s.zh, s.en) for name, s in definition.states.items()},
    )
