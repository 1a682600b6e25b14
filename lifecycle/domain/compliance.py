"""The compliance run for one case: every action the dated rules require by a date, applied in
date order through `decide`, re-planning after each step (a transition changes what is due).

Every action goes through `decide` with the role `system`, so it is checked by the same rules
as an administrator's and its audit entry names the same rule and clause. An action `decide`
refuses is reported, never forced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lifecycle.domain.case import Case
from lifecycle.domain.decide import Proposal, decide
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import Due, plan
from lifecycle.errors import Refused

SYSTEM_ROLE = "system"
#: A case cannot need more steps than this in one run; more means a rule that never settles.
MAX_STEPS = 500


@dataclass
class Step:
    due: Due
    proposal: Proposal


@dataclass
class Settlement:
    """What the run does to one case: the steps in order, the case after them, and the actions
    the rules refused (with their reasons)."""

    before: Case
    case: Case
    steps: list[Step] = field(default_factory=list)
    refused: list[tuple[Due, list[Reason]]] = field(default_factory=list)


def settle(programme: Programme, case: Case, as_of: date, invoked_by: str) -> Settlement:
    """Apply everything due by `as_of` to a copy of `case`; the original is left alone."""
    settlement = Settlement(before=case, case=case)
    blocked: set[tuple[str, str]] = set()
    current = case
    for _ in range(MAX_STEPS):
        planned, next_day = plan(programme, current, as_of)
        dues = [d for d in planned if (d.rule, d.period) not in blocked]
        if not dues:
            break
        due = dues[0]
        try:
            proposal = decide(programme, current, due.trigger, due.on, SYSTEM_ROLE, due.values, plan=False)
        except Refused as refusal:
            blocked.add((due.rule, due.period))
            settlement.refused.append((due, refusal.reasons))
            continue
        moved = proposal.case
        moved.record_automatic(due.rule, due.period, due.on)
        proposal.payload.update(rule=due.rule, period=due.period, invoked_by=invoked_by)
        settlement.steps.append(Step(due, proposal))
        current = moved
    else:
        raise RuntimeError(f"case {case.id}: the rules of {programme.code} did not settle in {MAX_STEPS} steps")
    if current is case:  # nothing to do: still record the next day, to look again only then
        current = case.copy()
    current.next_due_on = next_day
    settlement.case = current
    return settlement
