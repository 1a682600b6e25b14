"""The compliance run for one case: every action the dated rules require by a date, applied in
date order through `decide`, re-planning after each step (a transition changes what is due).

Every action goes through `decide` with the role `system`, so it is checked by the same rules
as an administrator's and its audit entry names the same rule and clause. An action `decide`
refuses is reported, never forced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.decide import Proposal, decide
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import Due, plan
from lifecycle.errors import Refused

SYSTEM_ROLE = "system"
#: A case cannot need more steps than this in one run; more means a rule that never settles.
MAX_STEPS = 500


#: The internal event a raised decision due records on the case (no change of state).
DECISION_DUE = "decision_due"


@dataclass(frozen=True)
class DecisionDue:
    """What the run proposes to an administrator instead of doing it: take a designation away
    (or, with `name`, settle what only a person can, such as recording a missing grade)."""

    rule: str
    period: str
    trigger: str
    from_state: str
    to_state: str | None
    ground: str | None
    clause: str | None
    default: bool
    #: The first day the rule held.
    due_on: date
    name: str | None = None

    def payload(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "period": self.period,
            "proposed_trigger": self.trigger,
            "to_state": self.to_state,
            "ground": self.ground,
            "clause": self.clause,
            "default": self.default,
            "due_on": self.due_on.isoformat(),
            "decision": self.name,
        }


@dataclass
class Step:
    due: Due
    proposal: Proposal
    #: Set when the step raises a decision due rather than applying the action.
    decision: DecisionDue | None = None


@dataclass
class Settlement:
    """What the run does to one case: the steps in order, the case after them, and the actions
    the rules refused (with their reasons)."""

    before: Case
    case: Case
    steps: list[Step] = field(default_factory=list)
    refused: list[tuple[Due, list[Reason]]] = field(default_factory=list)


def raise_decision(case: Case, due: Due, decided: Proposal | None, invoked_by: str) -> Step:
    """The run's step for a rule that proposes: the case stays where it is and remembers that the
    decision was raised for (rule, period), so it is raised once; the audit entry says so."""
    decision = DecisionDue(
        due.rule,
        due.period,
        due.trigger,
        case.state,
        decided.to_state if decided else None,
        (decided.payload.get("ground") if decided else None) or due.values.get("ground"),
        decided.clause if decided else due.clause,
        (decided.default if decided else False) or due.default,
        due.on,
        due.decision,
    )
    moved = case.copy()
    moved.record_automatic(due.rule, due.period, due.on)
    payload: dict[str, Any] = {**decision.payload(), "invoked_by": invoked_by}
    entry = Proposal(
        DECISION_DUE, case.state, case.state, due.on, decision.clause, decision.default, payload, moved, internal=True
    )
    return Step(due, entry, decision)


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
            proposal = None
            if due.decision is None:  # a transition: checked by the same rules as a person's
                proposal = decide(programme, current, due.trigger, due.on, SYSTEM_ROLE, due.values, plan=False)
        except Refused as refusal:
            blocked.add((due.rule, due.period))
            settlement.refused.append((due, refusal.reasons))
            continue
        if due.action == "propose":
            step = raise_decision(current, due, proposal, invoked_by)
        else:
            assert proposal is not None
            proposal.case.record_automatic(due.rule, due.period, due.on)
            proposal.payload.update(rule=due.rule, period=due.period, invoked_by=invoked_by)
            step = Step(due, proposal)
        settlement.steps.append(step)
        current = step.proposal.case
    else:
        raise RuntimeError(f"case {case.id}: the rules of {programme.code} did not settle in {MAX_STEPS} steps")
    if current is case:  # nothing to do: still record the next day, to look again only then
        current = case.copy()
    current.next_due_on = next_day
    settlement.case = current
    return settlement
