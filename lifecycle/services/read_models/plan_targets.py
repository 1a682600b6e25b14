"""The plan's counts (a programme's `targets`) against the designations the register holds now:
for the dashboard, `programmes show` and any report that sets the portfolio against the plan."""

from __future__ import annotations

from datetime import date

from lifecycle.domain.targets import TargetProgress, designations, progress
from lifecycle.services.app import Lifecycle


def designations_now(app: Lifecycle, code: str) -> int | None:
    """The designations of a programme the register holds now, or None when there is no register
    to count (no database yet, or one without the lifecycle schema): nothing is created."""
    programme = app.catalogue.current(code)
    if not app.has_register():
        return None
    with app.uow() as uow:
        counts = {state: n for p, state, n in uow.cases.count_by_programme_state() if p == code}
    return designations(programme, counts)


def plan_targets(app: Lifecycle, by_state: dict[str, dict[str, int]], as_of: date) -> list[TargetProgress]:
    """The plan's baselines and targets of every programme the register holds cases of (counted
    by state: programme -> state -> cases), against its designations now."""
    found: list[TargetProgress] = []
    for code in sorted(by_state):
        if code not in app.catalogue.codes():
            continue
        programme = app.catalogue.current(code)
        if programme.definition.targets:
            found += progress(programme, designations(programme, by_state[code]), as_of)
    return found
